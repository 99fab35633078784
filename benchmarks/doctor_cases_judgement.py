"""Labelled cases where the loudest symptom is not the problem: a loss near the prior's on a
problem with little signal, a slow fall into label noise, a label Adam's steps cannot
reach, a run diverged because its inputs are unscaled, a handful of validation rows."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from doctor_case_data import unscaled_inputs
from doctor_case_kit import HEALTHY, DoctorCase, case, data_file, written


@cache
def weak_signal() -> str:
    """P(y = 1) = σ(0.5·a) beside two unrelated inputs: the logistic model is the truth,
    yet its AUC is ~0.62 and its log loss near the prior's."""
    rng = np.random.default_rng(31)
    x = rng.normal(size=(2000, 3))  # (2000, 3)
    target = (rng.uniform(size=2000) < 1.0 / (1.0 + np.exp(-0.5 * x[:, 0]))).astype(int)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "target": target})
    return written("weak", frame)


@cache
def flipped_labels() -> str:
    """y = [a + b/2 > 0] with 30% of the labels flipped: no model beats log loss ~0.61."""
    rng = np.random.default_rng(32)
    x = rng.normal(size=(1500, 3))  # (1500, 3)
    clean = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    target = np.where(rng.uniform(size=1500) < 0.3, 1 - clean, clean)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "target": target})
    return written("flipped", frame)


@cache
def prices_in_cents() -> str:
    """y = 2·10⁶·(x1 − x2/2 + 0.3·x3) + 5·10⁷ + N(0, (3·10⁵)²): a clean line in huge units."""
    rng = np.random.default_rng(33)
    x = rng.normal(size=(1000, 3))  # (1000, 3)
    target = 2e6 * (x @ np.array([1.0, -0.5, 0.3])) + 5e7 + rng.normal(0.0, 3e5, size=1000)
    columns = {f"x{i + 1}": x[:, i] for i in range(3)}
    return written("cents", pd.DataFrame({**columns, "target": target}))


@cache
def forty_rows_three_classes() -> str:
    """40 rows, classes 0/1/2 in turn, each a blob shifted 1.5 per input."""
    rng = np.random.default_rng(34)
    target = np.arange(40) % 3
    x = 1.5 * target[:, None] + rng.normal(size=(40, 2))  # (40, 2)
    return written("forty", pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target}))


def judgement_cases() -> list[DoctorCase]:
    return [
        case(
            "logistic-weak-real-signal",
            "logistic",
            ("adam", 0.01),
            HEALTHY,
            "a weak signal the logistic model captures fully (AUC ~0.62): its loss near the "
            "prior's is the data's, not underfitting, and a linear refit and boosted trees do "
            "no better; the validation bias sits inside 400 rows' chance spread, and the "
            "F1-best threshold only calls every row positive",
            data=data_file(weak_signal()),
            features=[],
            model={"type": "logistic"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "mlp-flipped-labels",
            "mlp",
            ("adam", 0.01),
            HEALTHY,
            "30% of the labels flipped: the network shaves its training loss by fitting the "
            "flips while validation already matches a linear refit; not a learning rate too "
            "low, not underfitting",
            data=data_file(flipped_labels()),
            features=[],
            model={"type": "mlp", "hidden_units": [16], "activation": "relu"},
            training={"batch_size": 32, "epochs": 30},
        ),
        case(
            "linear-adam-label-out-of-reach",
            "linear",
            ("adam", 0.01),
            {"label_out_of_reach"},
            "a label around 5·10⁷ under Adam, whose steps move each weight about 0.01: 5 in "
            "the whole run; scaling the label by 10⁻⁸ puts it within reach",
            data=data_file(prices_in_cents()),
            features=[],
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 20},
        ),
        case(
            "linear-raw-inputs-diverged",
            "linear",
            ("sgd", 1e-5),
            {"features_not_scaled"},
            "inputs 10,000× apart diverge plain SGD at 1e-5; a rate small enough for the big "
            "input leaves the small one's weight unlearned, so z-scoring (with the rate a "
            "range test measures for the scaled inputs) is the fix, the divergence its symptom",
            data=data_file(unscaled_inputs()),
            features=[],
            model={"type": "linear"},
            training={"batch_size": 32, "epochs": 10},
        ),
        case(
            "softmax-four-validation-rows",
            "softmax",
            ("sgd", 0.1),
            {"validation_too_small"},
            "40 rows split 85/10/5: four validation rows often miss a class by chance "
            "(binomial), which the split check no longer calls a split problem; the verdicts "
            "read off four rows are chance",
            data=data_file(
                forty_rows_three_classes(), split={"train": 0.85, "validation": 0.1, "test": 0.05}
            ),
            model={"type": "softmax"},
            training={"batch_size": 8, "epochs": 60},
        ),
    ]
