"""`mlcc train` with L2 or L1, trained to convergence at full batch, against scikit-learn's
penalties as the README's "Models, penalties" section maps them: for linear regression on
California housing model.l2 = λ₂ is Ridge(alpha=λ₂·n_train) and model.l1 = λ₁ is
Lasso(alpha=λ₁/2); for logistic regression on breast cancer model.l1 = λ₁ is
LogisticRegression(C=1/(λ₁·n_train), l1_ratio=1), and for softmax on iris the multinomial
LogisticRegression at the same C."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import Lasso, LogisticRegression, Ridge

from cli_helpers import train_json

needs_california = pytest.mark.skipif(
    not os.environ.get("MLCC_DATASET_MIRROR"), reason="needs the California CSVs (mirror)"
)
INPUTS = ["median_income", "rooms_per_person", "latitude", "longitude", "housing_median_age"]


def _source() -> Path:
    return Path(os.environ["MLCC_DATASET_MIRROR"]) / "california_housing_train.csv"


def _config(penalty: dict[str, float]) -> dict:
    return {
        "name": "penalty",
        "seed": 3,
        "data": {"source": str(_source()), "label": "median_house_value", "label_scale": 0.001},
        "features": [
            {
                "type": "ratio",
                "name": "rooms_per_person",
                "numerator": "total_rooms",
                "denominator": "population",
            },
            {"type": "clip", "columns": ["rooms_per_person"], "max": 5},
            {"type": "zscore", "columns": INPUTS},
        ],
        "inputs": INPUTS,
        "model": {"type": "linear", **penalty},
        "optimizer": {"type": "sgd", "learning_rate": 0.3},
        "training": {"batch_size": "full", "epochs": 1000, "periods": 2},
    }


def _training_rows(run: Path) -> tuple[np.ndarray, np.ndarray]:
    """The run's training split (every row not in validation), z-scored as the run did."""
    frame = pd.read_csv(_source())
    train = frame.drop(index=pd.read_csv(run / "predictions-validation.csv")["row_id"])
    train = train.assign(rooms_per_person=(train.total_rooms / train.population).clip(upper=5))
    X = train[INPUTS].to_numpy()
    return (X - X.mean(axis=0)) / X.std(axis=0), train.median_house_value.to_numpy() * 0.001


@needs_california
@pytest.mark.parametrize(
    ("penalty", "oracle"),
    [
        ({"l2": 0.05}, lambda n: Ridge(alpha=0.05 * n)),
        ({"l1": 30.0}, lambda n: Lasso(alpha=30.0 / 2, tol=1e-12, max_iter=100_000)),
    ],
    ids=["l2-ridge", "l1-lasso"],
)
def test_full_batch_penalty_reaches_scikit_learns_optimum(
    tmp_path: Path, penalty: dict[str, float], oracle: Callable[[int], Ridge | Lasso]
) -> None:
    payload = train_json(tmp_path, _config(penalty))
    run = Path(payload["run_dir"])
    X, y = _training_rows(run)
    exact = oracle(len(y)).fit(X, y)
    weights = np.load(run / "model.npz")
    np.testing.assert_allclose(weights["coef_"], exact.coef_, atol=1e-6)
    np.testing.assert_allclose(weights["intercept_"], [exact.intercept_], atol=1e-6)
    # L1's exact zeros are Lasso's (λ₁ = 30 zeroes latitude and longitude here).
    assert payload["metrics"]["train"]["nonzero_weights"] == np.count_nonzero(exact.coef_)
    if "l1" in penalty:
        assert np.count_nonzero(exact.coef_) < len(INPUTS)


def _l1_classifier_run(
    tmp_path: Path, dataset: str, model: str, l1: float, learning_rate: float, epochs: int
) -> tuple[dict, np.ndarray, LogisticRegression]:
    """Train builtin:`dataset` z-scored with `model` at full batch; the JSON payload, the run's
    weights and scikit-learn's L1 LogisticRegression at C = 1/(λ₁·n_train) on the same rows."""
    config = {
        "name": f"l1-{model}",
        "seed": 5,
        "data": {"source": f"builtin:{dataset}", "split": {"train": 0.7, "validation": 0.3}},
        "features": [{"type": "zscore"}],
        "model": {"type": model, "l1": l1},
        "optimizer": {"type": "sgd", "learning_rate": learning_rate},
        "training": {"batch_size": "full", "epochs": epochs, "periods": 2},
    }
    payload = train_json(tmp_path, config)
    run = Path(payload["run_dir"])
    frame = {"breast_cancer": load_breast_cancer, "iris": load_iris}[dataset](as_frame=True).frame
    train = frame.drop(index=pd.read_csv(run / "predictions-validation.csv")["row_id"])
    X = train.drop(columns="target").to_numpy()
    X, y = (X - X.mean(axis=0)) / X.std(axis=0), train["target"].to_numpy()
    exact = LogisticRegression(C=1 / (l1 * len(y)), l1_ratio=1.0, solver="saga", tol=1e-12)
    return payload, np.load(run / "model.npz"), exact.set_params(max_iter=100_000).fit(X, y)


def test_full_batch_l1_logistic_is_scikit_learns_at_c_one_over_l1_n(tmp_path: Path) -> None:
    payload, weights, exact = _l1_classifier_run(
        tmp_path, "breast_cancer", "logistic", 0.02, 2.0, 4000
    )
    np.testing.assert_allclose(weights["coef_"], exact.coef_.ravel(), atol=1e-6)
    np.testing.assert_array_equal(weights["coef_"] != 0, exact.coef_.ravel() != 0)
    assert payload["metrics"]["train"]["nonzero_weights"] == np.count_nonzero(exact.coef_) < 30


def test_full_batch_l1_softmax_is_multinomial_logistic_regression_at_the_same_c(
    tmp_path: Path,
) -> None:
    # λ₁·Σ|W| over every class's weights: the multinomial objective C·Σ CE + ‖W‖₁ over C·n.
    _, weights, exact = _l1_classifier_run(tmp_path, "iris", "softmax", 0.01, 1.0, 15000)
    np.testing.assert_allclose(weights["coef_"], exact.coef_.T, atol=1e-5)
    np.testing.assert_allclose(weights["intercept_"], exact.intercept_, atol=1e-5)
    np.testing.assert_array_equal(weights["coef_"] != 0, exact.coef_.T != 0)
