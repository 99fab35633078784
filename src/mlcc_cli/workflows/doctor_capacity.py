"""What a model could still win on the run's own inputs: the doctor's capacity check.

A loss near the trivial model's says the model found little; it does not say why. Either the
model is too simple for the relation (underfitting: more capacity helps), or the inputs carry
little signal for this label (a hard problem: nothing helps but better data). The two look
the same on the loss curves, so the doctor asks two reference models, fitted by
scikit-learn on the run's training design matrix and scored on its validation rows: a
near-unpenalised linear refit (where a well-trained linear model ends up) and gradient-boosted
trees (which draw curves, steps and interactions without being told). When neither beats the
run's validation loss by a visible share of the trivial model's, more capacity or a faster
rate has nothing to win.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.config.loading import LoadedConfig
from mlcc_cli.errors import MlccError
from mlcc_cli.models.base import LOG_LOSS, SQUARED_ERROR
from mlcc_cli.models.registry import build_model
from mlcc_cli.workflows.doctor_checks import REFIT_RIDGE, refit_design
from mlcc_cli.workflows.reference_threads import one_thread

# Dense designs up to this many cells get the refit (California's 17,000 × 9 in ~0.5 s).
MAX_REFIT_CELLS = 2_000_000


def run_validation_loss(metrics: dict, task: str) -> float | None:
    """The run's validation loss in the refits' units: MSE (RMSE²) or log loss."""
    scores = metrics.get("validation") or {}
    value = scores.get("rmse") if task == "regression" else scores.get("log_loss")
    if not isinstance(value, int | float) or not np.isfinite(value):
        return None
    return float(value) ** 2 if task == "regression" else float(value)


def _reference_losses(loaded: LoadedConfig, task: str) -> tuple[float, float]:
    """(the better validation loss of a linear refit and gradient-boosted trees, the trivial
    model's: the training mean or class shares), by scikit-learn."""
    # deferred: scikit-learn, only when the doctor weighs capacity
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import log_loss, mean_squared_error
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    config = loaded.config
    X, y, X_val, y_val = refit_design(loaded)
    if not isinstance(X, np.ndarray) or X.size > MAX_REFIT_CELLS or len(y_val) == 0:
        raise ValueError("a sparse or large design: no refit")
    if task == "regression":
        linear = make_pipeline(StandardScaler(), Ridge(alpha=REFIT_RIDGE * len(y)))
        trees = HistGradientBoostingRegressor(random_state=config.seed)
        with one_thread():
            fitted = [model.fit(X, y).predict(X_val) for model in (linear, trees)]
        trivial = mean_squared_error(y_val, np.full(len(y_val), y.mean()))
        return min(mean_squared_error(y_val, p) for p in fitted), trivial
    classes = np.unique(y)
    linear = make_pipeline(
        StandardScaler(), LogisticRegression(C=1.0 / (REFIT_RIDGE * len(y)), max_iter=1000)
    )
    trees = HistGradientBoostingClassifier(random_state=config.seed)
    with one_thread():
        fitted = [model.fit(X, y).predict_proba(X_val) for model in (linear, trees)]
    shares = np.array([np.mean(y == c) for c in classes])
    trivial = log_loss(y_val, np.tile(shares, (len(y_val), 1)), labels=classes)
    return min(log_loss(y_val, p, labels=classes) for p in fitted), trivial


def capacity_gain(loaded: LoadedConfig, task: str, metrics: dict) -> float | None:
    """(run's validation loss − the better reference model's) / the trivial model's: the
    share of the whole problem more capacity or more training could still win; None when it
    cannot be measured (another loss, streamed, sparse or large data, a refit that fails)."""
    config = loaded.config
    if config.data.streaming or task not in ("regression", "binary", "multiclass"):
        return None
    model = build_model(config.model, task=task)
    if model.trains_on != "table" or model.loss_name not in (SQUARED_ERROR, LOG_LOSS):
        return None
    loss = run_validation_loss(metrics, task)
    if loss is None:
        return None
    try:
        reference, trivial = _reference_losses(loaded, task)
    except (MlccError, ArithmeticError, ValueError, KeyError):
        return None
    if not np.isfinite(reference) or not trivial > 0:
        return None
    return float((loss - reference) / trivial)
