"""The benchmark's reference "one numpy full-batch gradient" (benchmarks/bench_training.py) is
the gradient of the model's mean loss: central differences of scikit-learn's `log_loss` and
`mean_squared_error` in w agree with it, σ included for logistic regression."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import expit
from sklearn.metrics import log_loss, mean_squared_error

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from bench_training import full_gradient, make_data

DATA = make_data(300, 6, seed=3)
LOSS = {
    "logistic": lambda X, y, w: log_loss(y, expit(X @ w), labels=[0.0, 1.0]),
    "linear": lambda X, y, w: mean_squared_error(y, X @ w),
}


def _central_differences(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """∂loss/∂w_j ≈ (loss(w + h e_j) − loss(w − h e_j)) / 2h for each feature j."""
    h = 1e-6
    steps = np.eye(w.size) * h
    return np.array([(LOSS[kind](X, y, w + e) - LOSS[kind](X, y, w - e)) / (2 * h) for e in steps])


@pytest.mark.parametrize("kind", ["logistic", "linear"])
def test_reference_gradient_is_the_gradient_of_scikit_learns_mean_loss(kind: str) -> None:
    X, y = DATA.X, DATA.y[kind]
    w = np.random.default_rng(4).standard_normal(X.shape[1])
    np.testing.assert_allclose(
        full_gradient(kind, X, y, w), _central_differences(kind, X, y, w), rtol=1e-6, atol=1e-8
    )
