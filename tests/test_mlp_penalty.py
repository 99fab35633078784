"""A network's `l2` is scikit-learn's MLP `alpha` as the README maps it.

mlcc minimises mean loss + λ₂·Σ‖W‖² (weight matrices, not biases); MLPClassifier minimises
mean log loss + (alpha/2n)·Σ‖W‖², so alpha = 2·λ₂·n_train; MLPRegressor halves the squared
error, so alpha = λ₂·n_train. The weights mlcc trains to convergence are then a stationary
point of scikit-learn's objective: its L-BFGS, started there, stays there.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from cli_helpers import train_json

L2 = 0.01
LABEL_SCALE = {"breast_cancer": 1.0, "diabetes": 0.01}
INPUTS = {
    "breast_cancer": ["mean_radius", "mean_texture", "mean_smoothness", "worst_area"],
    "diabetes": ["age", "bmi", "bp", "s5"],
}


def _drift(estimator: MLPClassifier | MLPRegressor, X: np.ndarray, y: np.ndarray, weights) -> float:
    """How far scikit-learn's L-BFGS moves the weight matrices when started at `weights`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(max_iter=1, warm_start=True).fit(X, y)  # sizes the layers
        estimator.coefs_ = [weights["W1"].copy(), weights["W2"].copy()]
        estimator.intercepts_ = [weights["b1"].ravel().copy(), weights["b2"].ravel().copy()]
        estimator.set_params(max_iter=200).fit(X, y)
    return max(np.abs(estimator.coefs_[k] - weights[f"W{k + 1}"]).max() for k in range(2))


@pytest.mark.parametrize(
    ("dataset", "estimator", "alpha_per_n"),
    [("breast_cancer", MLPClassifier, 2 * L2), ("diabetes", MLPRegressor, L2)],
    ids=["classifier-2-l2-n", "regressor-l2-n"],
)
def test_network_l2_is_scikit_learns_mlp_alpha(
    tmp_path: Path, dataset: str, estimator: type, alpha_per_n: float
) -> None:
    config = {
        "name": "mlp-l2",
        "seed": 5,
        "data": {
            "source": f"builtin:{dataset}",
            "split": {"train": 0.7, "validation": 0.3},
            "label_scale": LABEL_SCALE[dataset],  # diabetes in hundreds: a quick optimum
        },
        "features": [{"type": "zscore", "columns": INPUTS[dataset]}],
        "inputs": INPUTS[dataset],
        "model": {"type": "mlp", "hidden_units": [4], "activation": "tanh", "l2": L2},
        "optimizer": {"type": "adam", "learning_rate": 0.01},
        "training": {"batch_size": "full", "epochs": 20000, "periods": 1},
    }
    run = Path(train_json(tmp_path, config)["run_dir"])
    loader = {"breast_cancer": load_breast_cancer, "diabetes": load_diabetes}[dataset]
    frame = loader(as_frame=True).frame
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    train = frame.drop(index=pd.read_csv(run / "predictions-validation.csv")["row_id"])
    X = train[INPUTS[dataset]].to_numpy()
    X, y = (X - X.mean(axis=0)) / X.std(axis=0), train["target"].to_numpy() * LABEL_SCALE[dataset]
    weights = np.load(run / "model.npz")
    mapped = estimator(hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", tol=0.0)
    assert _drift(mapped.set_params(alpha=alpha_per_n * len(y)), X, y, weights) < 1e-3
    # Half the mapped alpha is another objective: its optimum lies elsewhere.
    other = estimator(hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", tol=0.0)
    assert _drift(other.set_params(alpha=alpha_per_n * len(y) / 2), X, y, weights) > 1e-2
