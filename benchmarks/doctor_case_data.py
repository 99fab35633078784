"""Generated tables for the doctor's labelled benchmark, each built to show one problem.

Seeded, written once per process into the kit's temporary folder; each returns its path.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from doctor_case_kit import written


@cache
def poisson_counts() -> str:
    """Counts y ~ Poisson(exp(0.5 + 0.6·x1 − 0.4·x2)), x ~ N(0, 1)²: Poisson regression's
    own model, which it fits exactly."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(600, 2))  # (600, 2)
    rate = np.exp(0.5 + 0.6 * x[:, 0] - 0.4 * x[:, 1])
    return written(
        "poisson", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": rng.poisson(rate)})
    )


@cache
def curved_target() -> str:
    """y = x1² + N(0, 0.1²), x1 ~ U[-2, 2]: a parabola no straight line follows."""
    rng = np.random.default_rng(12)
    x1 = rng.uniform(-2.0, 2.0, size=800)
    target = x1**2 + rng.normal(0.0, 0.1, size=800)
    return written("curved", pd.DataFrame({"x1": x1, "target": target}))


@cache
def easy_validation_tail() -> str:
    """Linear rows sorted by their noise, loudest first: unshuffled, the last 20% (validation)
    are nearly noise-free while training holds the noisy ones."""
    rng = np.random.default_rng(13)
    n = 1000
    x = rng.normal(size=(n, 2))  # (n, 2)
    noise_scale = np.linspace(2.0, 0.05, n)  # falls along the file
    target = 1.5 * x[:, 0] - 0.5 * x[:, 1] + rng.normal(size=n) * noise_scale
    return written("easy_tail", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


@cache
def unscaled_inputs() -> str:
    """Two informative inputs on scales 10,000 apart (metres vs kilometres of the same kind)."""
    rng = np.random.default_rng(14)
    n = 800
    big = rng.normal(0.0, 1000.0, size=n)
    small = rng.normal(0.0, 0.1, size=n)
    target = 0.002 * big + 10.0 * small + rng.normal(0.0, 0.3, size=n)
    return written("unscaled", pd.DataFrame({"big": big, "small": small, "target": target}))


@cache
def long_tailed_input() -> str:
    """A lognormal input (σ = 1.5) whose log is what the label follows, beside a normal one."""
    rng = np.random.default_rng(15)
    n = 800
    income = rng.lognormal(mean=0.0, sigma=1.5, size=n)
    age = rng.normal(size=n)
    target = np.log(income) + 0.5 * age + rng.normal(0.0, 0.3, size=n)
    return written("long_tail", pd.DataFrame({"income": income, "age": age, "target": target}))


@cache
def rare_positives() -> str:
    """Binary label with 8% positives, each input shifted by 0.6 for them: a weak signal."""
    rng = np.random.default_rng(16)
    n = 2000
    target = (rng.uniform(size=n) < 0.08).astype(int)
    x = rng.normal(size=(n, 3)) + 0.6 * target[:, None]  # (n, 3)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return written("rare", pd.DataFrame({**columns, "target": target}))


@cache
def shifted_label_share() -> str:
    """Two Gaussian blobs, unshuffled: the first 70% of rows (training) are half positive, the
    last 30% (validation) a fifth: a training sample biased against validation's class shares."""
    rng = np.random.default_rng(17)
    share = np.r_[np.full(700, 0.5), np.full(300, 0.2)]
    target = (rng.uniform(size=1000) < share).astype(int)
    x = rng.normal(size=(1000, 2)) + np.where(target[:, None] == 1, 1.2, -1.2)
    return written("shifted", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


@cache
def rare_ranked_positives() -> str:
    """2.5% positives drawn from a logistic model, log-odds −4.3 + 0.9·x1 + 0.5·x2: the
    logistic model is the truth, its ranking real (AUC ~0.77), its log loss near the prior's."""
    rng = np.random.default_rng(18)
    x = rng.normal(size=(4000, 3))  # (4000, 3)
    log_odds = -4.3 + 0.9 * x[:, 0] + 0.5 * x[:, 1]
    target = (rng.uniform(size=4000) < 1.0 / (1.0 + np.exp(-log_odds))).astype(int)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return written("rare_ranked", pd.DataFrame({**columns, "target": target}))


@cache
def coin_labels() -> str:
    """A fair coin for a label beside three normal inputs it has nothing to do with."""
    rng = np.random.default_rng(19)
    x = rng.normal(size=(2000, 3))  # (2000, 3)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return written("coin", pd.DataFrame({**columns, "target": rng.integers(0, 2, 2000)}))


@cache
def sorted_by_label() -> str:
    """Two overlapping blobs (shift 1.5 per input), the file sorted by the 0/1 label: split
    unshuffled, training gets every negative and validation only positives."""
    rng = np.random.default_rng(20)
    target = np.sort(rng.integers(0, 2, 1200))
    x = rng.normal(size=(1200, 2)) + 1.5 * target[:, None]  # (1200, 2)
    return written("sorted", pd.DataFrame({"u": x[:, 0], "v": x[:, 1], "target": target}))


@cache
def repeated_rows() -> str:
    """250 rows of a noisy line (noise 1.0, 4 inputs), each written 4 times in shuffled order:
    a random split puts copies of most training rows into validation."""
    rng = np.random.default_rng(21)
    x = rng.normal(size=(250, 4))  # (250, 4)
    target = x @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(size=250)
    frame = pd.DataFrame({**{f"x{i + 1}": x[:, i] for i in range(4)}, "target": target})
    return written("repeated", frame.loc[rng.permutation(np.repeat(frame.index, 4))])


@cache
def glitched_sensor() -> str:
    """y = 2·sensor + other + N(0, 0.5²), then 1% of the centred sensor readings multiplied by
    1000 (both signs) while y keeps the true value: outliers at both ends of one input."""
    rng = np.random.default_rng(22)
    x = rng.normal(size=(1500, 2))  # (1500, 2)
    target = 2.0 * x[:, 0] + x[:, 1] + rng.normal(0.0, 0.5, 1500)
    sensor = x[:, 0].copy()
    sensor[rng.choice(1500, 15, replace=False)] *= 1000.0
    return written("glitch", pd.DataFrame({"sensor": sensor, "other": x[:, 1], "target": target}))


@cache
def long_tailed_counts() -> str:
    """Counts y ~ Poisson(exp(1.5 + 0.9·x1 − 0.6·x2)): a few rows reach 200 where the median
    is 5, and the label grows multiplicatively with the inputs."""
    rng = np.random.default_rng(23)
    x = rng.normal(size=(2000, 2))  # (2000, 2)
    target = rng.poisson(np.exp(1.5 + 0.9 * x[:, 0] - 0.6 * x[:, 1]))
    return written("counts", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


@cache
def three_imbalanced_classes() -> str:
    """Three overlapping blobs holding 90%, 7% and 3% of the rows."""
    rng = np.random.default_rng(24)
    target = rng.choice(3, size=3000, p=[0.9, 0.07, 0.03])
    x = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2]])[target] + rng.normal(size=(3000, 2))
    return written("imbalanced", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))
