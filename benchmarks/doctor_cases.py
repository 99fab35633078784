"""The doctor's labelled benchmark: small runs built to show one known problem each, or none.

Each `DoctorCase` is a seeded experiment that trains in well under a second and the set of
WARNING findings the run doctor must report for it (empty for a healthy run). The cases span
every model family, batch sizes 1, 32 and full, and the sgd and adam optimizers, so a rule
that fires on noise or stays silent on a loud signal shows up as a wrong case. Data the
builtins cannot give is generated (seeded) into a per-process temporary folder.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HEALTHY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DoctorCase:
    """One labelled run: its config and the warning kinds the doctor must report for it."""

    name: str
    family: str  # linear | logistic | softmax | mlp | poisson | cnn | word2vec
    batch_size: str  # "1", "32" or "full", as the config sets it
    optimizer: str  # sgd | adam
    config: dict[str, Any]
    expected: frozenset[str]  # WARNING kinds that must fire, exactly; info findings ignored
    why: str  # what the run shows, in crash-course words


# ----------------------------------------------------------------- generated data


@cache
def _data_folder() -> Path:
    """One temporary folder per process for the generated tables (kept until exit)."""
    return Path(tempfile.mkdtemp(prefix="mlcc-doctor-cases-"))


def _written(name: str, frame: pd.DataFrame) -> str:
    """`frame` saved as NAME.csv in the data folder; its absolute path, for data.source."""
    path = _data_folder() / f"{name}.csv"
    frame.to_csv(path, index=False)
    return str(path)


@cache
def poisson_counts() -> str:
    """Counts y ~ Poisson(exp(0.5 + 0.6·x1 − 0.4·x2)), x ~ N(0, 1)²: Poisson regression's
    own model, which it fits exactly."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(600, 2))  # (600, 2)
    rate = np.exp(0.5 + 0.6 * x[:, 0] - 0.4 * x[:, 1])
    return _written(
        "poisson", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": rng.poisson(rate)})
    )


@cache
def curved_target() -> str:
    """y = x1² + N(0, 0.1²), x1 ~ U[-2, 2]: a parabola no straight line follows."""
    rng = np.random.default_rng(12)
    x1 = rng.uniform(-2.0, 2.0, size=800)
    target = x1**2 + rng.normal(0.0, 0.1, size=800)
    return _written("curved", pd.DataFrame({"x1": x1, "target": target}))


@cache
def easy_validation_tail() -> str:
    """Linear rows sorted by their noise, loudest first: unshuffled, the last 20% (validation)
    are nearly noise-free while training holds the noisy ones."""
    rng = np.random.default_rng(13)
    n = 1000
    x = rng.normal(size=(n, 2))  # (n, 2)
    noise_scale = np.linspace(2.0, 0.05, n)  # falls along the file
    target = 1.5 * x[:, 0] - 0.5 * x[:, 1] + rng.normal(size=n) * noise_scale
    return _written("easy_tail", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


@cache
def unscaled_inputs() -> str:
    """Two informative inputs on scales 10,000 apart (metres vs kilometres of the same kind)."""
    rng = np.random.default_rng(14)
    n = 800
    big = rng.normal(0.0, 1000.0, size=n)
    small = rng.normal(0.0, 0.1, size=n)
    target = 0.002 * big + 10.0 * small + rng.normal(0.0, 0.3, size=n)
    return _written("unscaled", pd.DataFrame({"big": big, "small": small, "target": target}))


@cache
def long_tailed_input() -> str:
    """A lognormal input (σ = 1.5) whose log is what the label follows, beside a normal one."""
    rng = np.random.default_rng(15)
    n = 800
    income = rng.lognormal(mean=0.0, sigma=1.5, size=n)
    age = rng.normal(size=n)
    target = np.log(income) + 0.5 * age + rng.normal(0.0, 0.3, size=n)
    return _written("long_tail", pd.DataFrame({"income": income, "age": age, "target": target}))


@cache
def rare_positives() -> str:
    """Binary label with 8% positives, each input shifted by 0.6 for them: a weak signal."""
    rng = np.random.default_rng(16)
    n = 2000
    target = (rng.uniform(size=n) < 0.08).astype(int)
    x = rng.normal(size=(n, 3)) + 0.6 * target[:, None]  # (n, 3)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return _written("rare", pd.DataFrame({**columns, "target": target}))


@cache
def shifted_label_share() -> str:
    """Two Gaussian blobs, unshuffled: the first 70% of rows (training) are half positive, the
    last 30% (validation) a fifth: a training sample biased against validation's class shares."""
    rng = np.random.default_rng(17)
    share = np.r_[np.full(700, 0.5), np.full(300, 0.2)]
    target = (rng.uniform(size=1000) < share).astype(int)
    x = rng.normal(size=(1000, 2)) + np.where(target[:, None] == 1, 1.2, -1.2)
    return _written("shifted", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


@cache
def rare_ranked_positives() -> str:
    """2.5% positives drawn from a logistic model, log-odds −4.3 + 0.9·x1 + 0.5·x2: the
    logistic model is the truth, its ranking real (AUC ~0.77), its log loss near the prior's."""
    rng = np.random.default_rng(18)
    x = rng.normal(size=(4000, 3))  # (4000, 3)
    log_odds = -4.3 + 0.9 * x[:, 0] + 0.5 * x[:, 1]
    target = (rng.uniform(size=4000) < 1.0 / (1.0 + np.exp(-log_odds))).astype(int)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return _written("rare_ranked", pd.DataFrame({**columns, "target": target}))


@cache
def coin_labels() -> str:
    """A fair coin for a label beside three normal inputs it has nothing to do with."""
    rng = np.random.default_rng(19)
    x = rng.normal(size=(2000, 3))  # (2000, 3)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return _written("coin", pd.DataFrame({**columns, "target": rng.integers(0, 2, 2000)}))


@cache
def sorted_by_label() -> str:
    """Two overlapping blobs (shift 1.5 per input), the file sorted by the 0/1 label: split
    unshuffled, training gets every negative and validation only positives."""
    rng = np.random.default_rng(20)
    target = np.sort(rng.integers(0, 2, 1200))
    x = rng.normal(size=(1200, 2)) + 1.5 * target[:, None]  # (1200, 2)
    return _written("sorted", pd.DataFrame({"u": x[:, 0], "v": x[:, 1], "target": target}))


@cache
def repeated_rows() -> str:
    """250 rows of a noisy line (noise 1.0, 4 inputs), each written 4 times in shuffled order:
    a random split puts copies of most training rows into validation."""
    rng = np.random.default_rng(21)
    x = rng.normal(size=(250, 4))  # (250, 4)
    target = x @ np.array([1.0, -2.0, 0.5, 0.0]) + rng.normal(size=250)
    frame = pd.DataFrame({**{f"x{i + 1}": x[:, i] for i in range(4)}, "target": target})
    return _written("repeated", frame.loc[rng.permutation(np.repeat(frame.index, 4))])


@cache
def glitched_sensor() -> str:
    """y = 2·sensor + other + N(0, 0.5²), then 1% of the centred sensor readings multiplied by
    1000 (both signs) while y keeps the true value: outliers at both ends of one input."""
    rng = np.random.default_rng(22)
    x = rng.normal(size=(1500, 2))  # (1500, 2)
    target = 2.0 * x[:, 0] + x[:, 1] + rng.normal(0.0, 0.5, 1500)
    sensor = x[:, 0].copy()
    sensor[rng.choice(1500, 15, replace=False)] *= 1000.0
    return _written("glitch", pd.DataFrame({"sensor": sensor, "other": x[:, 1], "target": target}))


@cache
def long_tailed_counts() -> str:
    """Counts y ~ Poisson(exp(1.5 + 0.9·x1 − 0.6·x2)): a few rows reach 200 where the median
    is 5, and the label grows multiplicatively with the inputs."""
    rng = np.random.default_rng(23)
    x = rng.normal(size=(2000, 2))  # (2000, 2)
    target = rng.poisson(np.exp(1.5 + 0.9 * x[:, 0] - 0.6 * x[:, 1]))
    return _written("counts", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


@cache
def three_imbalanced_classes() -> str:
    """Three overlapping blobs holding 90%, 7% and 3% of the rows."""
    rng = np.random.default_rng(24)
    target = rng.choice(3, size=3000, p=[0.9, 0.07, 0.03])
    x = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2]])[target] + rng.normal(size=(3000, 2))
    return _written("imbalanced", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


# ------------------------------------------------------------------ config builders


def _experiment(
    name: str,
    data: dict[str, Any],
    model: dict[str, Any],
    optimizer: tuple[str, float],
    training: dict[str, Any],
    features: list[dict[str, Any]] | None = None,
    optimizer_options: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A config dict: seed 42, z-scored inputs unless `features` says otherwise;
    `optimizer_options` adds optimizer keys beyond type and rate (clip_norm, schedule)."""
    kind, learning_rate = optimizer
    return {
        "name": f"doctor-{name}",
        "seed": 42,
        "data": data,
        "features": [{"type": "zscore"}] if features is None else features,
        "model": model,
        "optimizer": {"type": kind, "learning_rate": learning_rate, **(optimizer_options or {})},
        "training": {"periods": 10, **training},
        **extra,
    }


def _linear_data(samples: int = 1000, noise: float = 1.0, features: int = 3) -> dict[str, Any]:
    return {
        "source": "builtin:linear",
        "synthetic": {"samples": samples, "features": features, "noise": noise},
    }


def _builtin(name: str, **synthetic: Any) -> dict[str, Any]:
    return {"source": f"builtin:{name}", **({"synthetic": synthetic} if synthetic else {})}


def _file(path: str, **options: Any) -> dict[str, Any]:
    return {"source": path, "label": "target", **options}


# Three noisy 8x8 shapes and a network of 4 filters: a convolutional run under a second.
SHAPES = {"source": "builtin:shapes", "synthetic": {"samples": 600, "image_size": 8, "noise": 0.35}}
TINY_CNN = {
    "type": "cnn",
    "image_shape": [8, 8, 1],
    "conv": [{"filters": 4, "kernel": 3, "pool": 2}],
    "hidden_units": [16],
}
PETS_CORPUS = {
    "source": "builtin:pets_and_vehicles",
    "synthetic": {"samples": 600},
    "split": {"train": 0.9, "validation": 0.1},
}
WORD2VEC = {"type": "word2vec", "dimensions": 8}
# Breast cancer's five inputs without long tails: a classifier with nothing wrong in its data.
TUMOUR_INPUTS = ["mean_radius", "mean_texture", "mean_smoothness", "mean_concavity", "worst_area"]


def _case(
    name: str,
    family: str,
    optimizer: tuple[str, float],
    expected: frozenset[str] | set[str],
    why: str,
    *,
    data: dict[str, Any],
    model: dict[str, Any],
    training: dict[str, Any],
    **options: Any,
) -> DoctorCase:
    """A DoctorCase whose family, batch and optimizer columns are read off its config."""
    batch = str(training.get("batch_size", 32))
    config = _experiment(name, data, model, optimizer, training, **options)
    return DoctorCase(name, family, batch, optimizer[0], config, frozenset(expected), why)


LR_HIGH = {"learning_rate_too_high"}
LR_LOW = {"learning_rate_too_low"}
STILL = {"still_improving"}
OVERFIT = {"overfitting"}
UNDERFIT = {"underfitting"}


def doctor_cases() -> list[DoctorCase]:
    """Every labelled case, healthy runs first (generated data is written on first call)."""
    return [
        *_healthy_cases(),
        *_learning_rate_cases(),
        *_fit_cases(),
        *_data_cases(),
        *_network_cases(),
        *_classification_cases(),
        *_model_shape_cases(),
    ]


def _healthy_cases() -> list[DoctorCase]:
    return [
        _case(
            "linear-sgd-batch1-noisy-converged",
            "linear",
            ("sgd", 0.005),
            HEALTHY,
            "stochastic gradient descent one row at a time on z-scored data: converged within "
            "the first epoch, the training loss then wanders a few percent around the noise "
            "floor (noise 1.0); that wander is the noise of SGD, not a learning rate too high",
            data=_linear_data(),
            model={"type": "linear"},
            training={"batch_size": 1, "epochs": 5},
        ),
        _case(
            "linear-sgd-batch32",
            "linear",
            ("sgd", 0.05),
            HEALTHY,
            "mini-batch SGD at a good rate: the loss falls fast, then flattens at the noise floor",
            data=_linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 12},
        ),
        _case(
            "linear-sgd-full-batch",
            "linear",
            ("sgd", 0.3),
            HEALTHY,
            "batch gradient descent: a smooth curve that reaches the least-squares minimum",
            data=_linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": "full", "epochs": 60},
        ),
        _case(
            "logistic-sgd-batch32",
            "logistic",
            ("sgd", 0.5),
            HEALTHY,
            "logistic regression on five well-behaved tumour measurements: converges, calibrated",
            data=_builtin("breast_cancer"),
            model={"type": "logistic", "l2": 0.001},
            training={"batch_size": 32, "epochs": 30},
            inputs=TUMOUR_INPUTS,
        ),
        _case(
            "logistic-adam-full-batch",
            "logistic",
            ("adam", 0.1),
            HEALTHY,
            "two Gaussian blobs a line separates, full-batch Adam: converged and calibrated",
            data=_builtin("gaussian", samples=1000, noise=1.0),
            model={"type": "logistic"},
            training={"batch_size": "full", "epochs": 100},
        ),
        _case(
            "softmax-adam-batch32",
            "softmax",
            ("adam", 0.05),
            HEALTHY,
            "softmax regression on the iris species: three classes, converged",
            data=_builtin("iris"),
            model={"type": "softmax", "l2": 0.01},
            training={"batch_size": 32, "epochs": 60},
        ),
        _case(
            "softmax-sgd-batch1",
            "softmax",
            ("sgd", 0.03),
            HEALTHY,
            "softmax on the wine cultivars, one row per step: noisy but converged",
            data=_builtin("wine"),
            model={"type": "softmax", "l2": 0.01},
            training={"batch_size": 1, "epochs": 20},
        ),
        _case(
            "mlp-adam-batch32",
            "mlp",
            ("adam", 0.02),
            HEALTHY,
            "8 ReLU units learn the XOR quadrants a line cannot separate",
            data=_builtin("xor", samples=1000, noise=0.02),
            model={"type": "mlp", "hidden_units": [8]},
            training={"batch_size": 32, "epochs": 40},
            features=[],
        ),
        _case(
            "mlp-adam-full-batch-regression",
            "mlp",
            ("adam", 0.02),
            HEALTHY,
            "a small tanh network fits the parabola with full-batch Adam",
            data=_file(curved_target()),
            model={"type": "mlp", "hidden_units": [16], "activation": "tanh"},
            training={"batch_size": "full", "epochs": 600},
        ),
        _case(
            "poisson-sgd-batch32",
            "poisson",
            ("sgd", 0.05),
            HEALTHY,
            "Poisson regression on counts drawn from exp(linear): the log link fits exactly",
            data=_file(poisson_counts()),
            model={"type": "poisson"},
            training={"batch_size": 32, "epochs": 20},
        ),
        _case(
            "cnn-adam-batch32",
            "cnn",
            ("adam", 0.01),
            HEALTHY,
            "a tiny convolutional network tells three noisy shapes apart",
            data=SHAPES,
            features=[],
            model=TINY_CNN,
            training={"batch_size": 32, "epochs": 12},
        ),
        _case(
            "word2vec-adam-batch64",
            "word2vec",
            ("adam", 0.01),
            HEALTHY,
            "skip-gram with negative sampling on the pets-and-vehicles corpus: both losses fall "
            "and flatten together",
            data=PETS_CORPUS,
            model=WORD2VEC,
            features=[],
            training={"batch_size": 64, "epochs": 8},
        ),
        _case(
            "linear-sgd-batch1-noisy-second-sample",
            "linear",
            ("sgd", 0.005),
            HEALTHY,
            "the noisy-but-converged SGD run again on another sample (seed 1) with 20 periods: "
            "after the first period the loss only wanders ±2% around the noise floor",
            data=_linear_data(),
            model={"type": "linear"},
            training={"batch_size": 1, "epochs": 5, "periods": 20},
            seed=1,
        ),
    ]


def _learning_rate_cases() -> list[DoctorCase]:
    return [
        _case(
            "linear-rate-5-overflows",
            "linear",
            ("sgd", 5.0),
            LR_HIGH,
            "the NaN trap: at rate 5 every step overshoots further, the loss grows by orders "
            "of magnitude within the first period",
            data=_linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "mlp-finite-divergence-lr-1e8",
            "mlp",
            ("sgd", 1e8),
            LR_HIGH,
            "rate 1e8 blows the network's weights up; the loss stays finite (saturated "
            "sigmoid) but ends orders of magnitude above the trivial model's: a diverged run, "
            "whose prediction bias and threshold are symptoms, not problems",
            data=_builtin("breast_cancer"),
            model={"type": "mlp", "hidden_units": [16]},
            training={"batch_size": 32, "epochs": 10},
            inputs=TUMOUR_INPUTS,
        ),
        _case(
            "linear-full-batch-rising",
            "linear",
            ("sgd", 0.96),
            LR_HIGH,
            "batch gradient descent just past the stable rate (2 / curvature): each step "
            "overshoots the minimum by a bit more, so the loss climbs steadily (1.2 to 2.0) "
            "without yet overflowing",
            data=_linear_data(samples=2000, noise=0.5),
            model={"type": "linear"},
            training={"batch_size": "full", "epochs": 40},
        ),
        _case(
            "linear-sgd-batch1-oscillating",
            "linear",
            ("sgd", 0.1),
            LR_HIGH,
            "one row per step at rate 0.1: each step jumps across the minimum, the loss bounces "
            "between 1.1 and 2.9 while rate 0.005 settles at the noise floor, 1.0",
            data=_linear_data(samples=2000, noise=1.0),
            model={"type": "linear"},
            training={"batch_size": 1, "epochs": 1},
        ),
        _case(
            "linear-tiny-rate",
            "linear",
            ("sgd", 5e-5),
            LR_LOW,
            "rate 5e-5: the loss falls by the same small amount every period, far from the "
            "minimum when training ends",
            data=_linear_data(noise=0.5),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "logistic-adam-tiny-rate",
            "logistic",
            ("adam", 1e-4),
            LR_LOW,
            "Adam at 1e-4 on the tumour measurements: a straight, slow descent",
            data=_builtin("breast_cancer"),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
            inputs=TUMOUR_INPUTS,
        ),
        _case(
            "mlp-xor-stopped-early",
            "mlp",
            ("adam", 0.02),
            STILL,
            "the healthy XOR network stopped at 16 of its 40 epochs: the curve has bent, yet "
            "validation loss still falls 5-10% a period when training stops",
            data=_builtin("xor", samples=1000, noise=0.02),
            features=[],
            model={"type": "mlp", "hidden_units": [8]},
            training={"batch_size": 32, "epochs": 16},
        ),
        _case(
            "softmax-digits-stopped-early",
            "softmax",
            ("sgd", 0.05),
            STILL,
            "softmax on the 8x8 digits at a fine rate stopped after 3 epochs: still learning",
            data=_builtin("digits"),
            model={"type": "softmax"},
            training={"batch_size": 32, "epochs": 3},
        ),
        _case(
            "softmax-digits-stopped-early-30-periods",
            "softmax",
            ("sgd", 0.5),
            STILL,
            "softmax on the digits stopped after 3 epochs, reported in 30 periods: each period "
            "falls by less, but the run is as unfinished as in 10 (30 epochs reach a third of "
            "its loss)",
            data={**_builtin("digits"), "split": {"train": 0.7, "validation": 0.15, "test": 0.15}},
            features=[{"type": "minmax"}],
            model={"type": "softmax"},
            training={"batch_size": 32, "epochs": 3, "periods": 30},
        ),
        _case(
            "cnn-stopped-early",
            "cnn",
            ("adam", 0.01),
            STILL,
            "the healthy shapes network stopped at 4 of its 12 epochs: validation loss fell "
            "from 0.63 to 0.42 over the last four periods, one small bump on the way",
            data=SHAPES,
            features=[],
            model=TINY_CNN,
            training={"batch_size": 32, "epochs": 4},
        ),
        _case(
            "word2vec-stopped-early",
            "word2vec",
            ("adam", 0.01),
            STILL,
            "the healthy word2vec run stopped at 4 of its 8 epochs, in the steep part of its "
            "curve: validation loss still falls 5-10% a period",
            data=PETS_CORPUS,
            model=WORD2VEC,
            features=[],
            training={"batch_size": 64, "epochs": 4},
        ),
        _case(
            "poisson-rate-3-diverges",
            "poisson",
            ("sgd", 3.0),
            LR_HIGH,
            "Poisson regression at rate 3: exp(X·w) overflows within the first period",
            data=_file(poisson_counts()),
            model={"type": "poisson"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "poisson-tiny-rate",
            "poisson",
            ("sgd", 1e-4),
            LR_LOW,
            "Poisson regression at rate 1e-4: the deviance falls by the same 0.7% every period",
            data=_file(poisson_counts()),
            model={"type": "poisson"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "word2vec-adam-rate-1",
            "word2vec",
            ("adam", 1.0),
            LR_HIGH,
            "word2vec with Adam at rate 1: the loss bounces between 5.6 and 7.4, more than "
            "twice the 2.6 the same run reaches at rate 0.01",
            data=PETS_CORPUS,
            model=WORD2VEC,
            features=[],
            training={"batch_size": 64, "epochs": 8},
        ),
    ]


def _fit_cases() -> list[DoctorCase]:
    return [
        _case(
            "mlp-xor-curves-part",
            "mlp",
            ("adam", 0.02),
            OVERFIT,
            "a wide network on 60 noisy XOR rows: validation loss bottoms out, then climbs while "
            "training loss keeps falling",
            data={
                **_builtin("xor", samples=300, noise=0.3),
                "split": {"train": 0.2, "validation": 0.8},
            },
            features=[],
            model={"type": "mlp", "hidden_units": [64, 64]},
            training={"batch_size": 32, "epochs": 100},
        ),
        _case(
            "mlp-memorises-few-rows",
            "mlp",
            ("adam", 0.003),
            OVERFIT,
            "512 units on 30 noisy rows of 10 inputs: training loss falls to 1e-31 while "
            "validation loss sits flat at 1.04 from the first period, four times the noise "
            "floor: memorisation, though validation never rises",
            data={
                **_linear_data(samples=150, noise=0.5, features=10),
                "split": {"train": 0.2, "validation": 0.8},
            },
            model={"type": "mlp", "hidden_units": [512]},
            training={"batch_size": "full", "epochs": 1000},
        ),
        _case(
            "logistic-on-xor",
            "logistic",
            ("sgd", 0.1),
            UNDERFIT,
            "a straight line cannot split the XOR quadrants: both losses flat at chance",
            data=_builtin("xor", samples=1000, noise=0.02),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 20},
        ),
        _case(
            "logistic-on-circles-full-batch",
            "logistic",
            ("adam", 0.05),
            UNDERFIT,
            "concentric rings with a linear model and full-batch Adam: flat at the prior's loss",
            data=_builtin("circles", samples=1000, noise=0.05),
            model={"type": "logistic"},
            training={"batch_size": "full", "epochs": 100},
        ),
        _case(
            "linear-on-parabola",
            "linear",
            ("sgd", 0.05),
            UNDERFIT,
            "y = x²: the best straight line explains nothing, R² near 0, the loss flat",
            data=_file(curved_target()),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
    ]


def _data_cases() -> list[DoctorCase]:
    return [
        _case(
            "linear-12-validation-rows",
            "linear",
            ("sgd", 0.05),
            {"validation_too_small"},
            "120 rows split 80/10/10: a well-fitted line, judged on 12 validation rows whose "
            "loss says as much about which rows landed there as about the model",
            data={
                **_linear_data(samples=120, noise=1.0),
                "split": {"train": 0.8, "validation": 0.1, "test": 0.1},
            },
            model={"type": "linear"},
            training={"batch_size": 8, "epochs": 30},
        ),
        _case(
            "linear-unshuffled-easy-validation",
            "linear",
            ("sgd", 0.02),
            {"validation_below_training"},
            "data.shuffle false on rows sorted loud-noise first: the validation split is the "
            "quiet tail, so validation loss sits far below training loss",
            data=_file(easy_validation_tail(), shuffle=False),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "logistic-sorted-by-label-unshuffled",
            "logistic",
            ("sgd", 0.1),
            {"unshuffled_split"},
            "a file sorted by its label, split with data.shuffle false: validation holds only "
            "positives, so its accuracy, bias and majority baseline describe another problem",
            data=_file(sorted_by_label(), shuffle=False),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "mlp-rows-repeated-across-splits",
            "mlp",
            ("adam", 0.01),
            {"validation_copies_training"},
            "every row written four times: nearly all validation rows are copies of training "
            "rows, so validation scores examples the network has already seen and memorised",
            data=_file(repeated_rows(), split={"train": 0.7, "validation": 0.3}),
            model={"type": "mlp", "hidden_units": [32]},
            training={"batch_size": "full", "epochs": 200},
        ),
        _case(
            "linear-unscaled-inputs",
            "linear",
            ("adam", 0.02),
            {"features_not_scaled"},
            "inputs 10,000× apart in scale and no z-score: the small input needs a weight of "
            "10, which Adam's equal-sized steps reach slowly and noisily",
            data=_file(unscaled_inputs()),
            features=[],
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "linear-long-tailed-input",
            "linear",
            ("sgd", 0.05),
            {"long_tails"},
            "a lognormal input whose log drives the label: z-scored, its tail still dominates "
            "the fit; log(1 + x) would straighten it",
            data=_file(long_tailed_input()),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
        _case(
            "linear-sensor-glitch-outliers",
            "linear",
            ("adam", 0.05),
            {"long_tails"},
            "1% of one input's readings multiplied by 1000, both signs: z-scored, the good "
            "readings are squeezed near 0 and the fit follows the glitches; clipping both ends "
            "brings the signal back",
            data=_file(glitched_sensor()),
            model={"type": "linear"},
            training={"batch_size": 64, "epochs": 15},
        ),
    ]


def _network_cases() -> list[DoctorCase]:
    return [
        _case(
            "mlp-deep-sigmoid-vanishing",
            "mlp",
            ("sgd", 0.1),
            {"vanishing_gradients"},
            "eight sigmoid layers: the gradient shrinks at each layer on its way back, the "
            "first layers barely learn",
            data=_builtin("circles", samples=500),
            features=[],
            model={"type": "mlp", "hidden_units": [16] * 8, "activation": "sigmoid"},
            training={"batch_size": 32, "epochs": 5, "periods": 5},
        ),
        _case(
            "mlp-exploding-gradients",
            "mlp",
            ("sgd", 0.1),
            {"exploding_gradients"},
            "z-scored diabetes inputs but a label in the thousands (label_scale 10): layer "
            "gradient norms reach 1e5; clipping at norm 1 keeps the run alive, not healthy",
            data={
                "source": "builtin:diabetes",
                "split": {"train": 0.7, "validation": 0.3},
                "label_scale": 10,
            },
            model={"type": "mlp", "hidden_units": [32, 16], "activation": "leaky_relu"},
            training={"batch_size": 16, "epochs": 20},
            seed=7,
            optimizer_options={"clip_norm": 1.0},
        ),
        _case(
            "mlp-relu-dies-at-high-rate",
            "mlp",
            ("adam", 0.3),
            {"dead_relu"},
            "Adam's first steps at rate 0.3 (decaying 100× over 100 steps) push 81% of layer "
            "2's ReLUs below zero for every example; the loss settles smoothly at 1.84, eight "
            "times what the same network reaches at 0.03",
            data=_linear_data(noise=0.5),
            model={"type": "mlp", "hidden_units": [32, 32], "activation": "relu"},
            training={"batch_size": 32, "epochs": 10},
            optimizer_options={
                "schedule": {"type": "exponential", "decay_rate": 0.01, "decay_steps": 100}
            },
        ),
    ]


def _classification_cases() -> list[DoctorCase]:
    return [
        _case(
            "logistic-threshold-too-high",
            "logistic",
            ("sgd", 0.5),
            {"threshold_far_from_best_f1"},
            "a good tumour classifier judged at threshold 0.97: most benign cases are called "
            "malignant; F1 is far better near 0.5",
            data=_builtin("breast_cancer"),
            model={"type": "logistic", "l2": 0.001},
            training={"batch_size": 32, "epochs": 30},
            inputs=TUMOUR_INPUTS,
            evaluation={"threshold": 0.97},
        ),
        _case(
            "logistic-rare-positives",
            "logistic",
            ("sgd", 0.1),
            {"no_better_than_majority", "threshold_far_from_best_f1"},
            "8% positives and a weak signal: the trained model never reaches 0.5, so at the "
            "default threshold it predicts the majority class everywhere (the accuracy "
            "paradox); a lower threshold finds the positives",
            data=_file(rare_positives()),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
        _case(
            "logistic-rare-positives-ranked",
            "logistic",
            ("sgd", 0.05),
            {"no_better_than_majority", "threshold_far_from_best_f1"},
            "2.5% positives from the logistic model itself: validation AUC ~0.77, yet the log "
            "loss sits near the prior's because positives are rare; not underfitting (a "
            "network does no better) but the accuracy paradox, which a lower threshold answers",
            data=_file(rare_ranked_positives(), split={"train": 0.7, "validation": 0.3}),
            model={"type": "logistic"},
            training={"batch_size": 64, "epochs": 20},
        ),
        _case(
            "mlp-coin-labels",
            "mlp",
            ("adam", 0.01),
            {"no_signal"},
            "a fair coin for a label: a network's training and validation losses stay at the "
            "prior's, AUC 0.5; a bigger network would not help, the data has no signal",
            data=_file(coin_labels()),
            model={"type": "mlp", "hidden_units": [16, 8]},
            training={"batch_size": 64, "epochs": 10},
        ),
        _case(
            "logistic-biased-training-sample",
            "logistic",
            ("sgd", 0.1),
            {"prediction_bias"},
            "unshuffled rows: training holds half positives, validation a fifth, so the "
            "model's mean prediction on validation sits well above the label share",
            data=_file(shifted_label_share(), shuffle=False),
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
    ]


def _model_shape_cases() -> list[DoctorCase]:
    """Problems in how the model or its optimizer is set up for the data (issue 15's later
    gaps): the rate a z-score needs, a pinning L2, a one-unit layer, a rare class, a tail in
    the label."""
    return [
        _case(
            "logistic-adam-raw-inputs-tiny-rate",
            "logistic",
            ("adam", 1e-4),
            {"features_not_scaled"},
            "Adam at 1e-4 on the raw tumour measurements: z-scored at that rate the run gets "
            "worse (each weight still moves about 1e-4 a step, now in the label's units), so "
            "the fix must bring the rate a range test measures on the z-scored inputs",
            data=_builtin("breast_cancer"),
            features=[],
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 20},
        ),
        _case(
            "logistic-l2-pins-the-weights",
            "logistic",
            ("sgd", 0.05),
            {"l2_too_strong"},
            "L2 of 1 on five tumour measurements: the penalty is a third of the loss the "
            "weights won, holding them near half their size; the flat, high loss is λ₂'s, "
            "not the rate's or the model's size",
            data=_builtin("breast_cancer"),
            model={"type": "logistic", "l2": 1.0},
            training={"batch_size": 32, "epochs": 20},
            inputs=TUMOUR_INPUTS,
        ),
        _case(
            "mlp-one-unit-hidden-layer",
            "mlp",
            ("adam", 0.01),
            {"narrow_hidden_layer"},
            "ten digits squeezed through a hidden layer of one unit: one direction of the "
            "inputs where ten classes need nine, accuracy 0.25 however long it trains",
            data=_builtin("digits"),
            model={"type": "mlp", "hidden_units": [1]},
            training={"batch_size": 32, "epochs": 20},
        ),
        _case(
            "softmax-rare-classes",
            "softmax",
            ("sgd", 0.1),
            {"class_imbalance"},
            "three overlapping classes at 90/7/3%: accuracy a hair above always predicting "
            "the common class, macro F1 0.37: the rare classes are called the common one",
            data=_file(three_imbalanced_classes()),
            model={"type": "softmax"},
            training={"batch_size": 32, "epochs": 20},
        ),
        _case(
            "linear-long-tailed-count-label",
            "linear",
            ("sgd", 0.01),
            {"long_tailed_label"},
            "counts growing multiplicatively with the inputs, fitted by a straight line: the "
            "largest 5% of labels make most of the squared error; Poisson regression fits them",
            data=_file(long_tailed_counts()),
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
    ]
