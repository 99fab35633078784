"""Fixes the run doctor measures on the run's data before offering them.

A fix that changes what the model reads (a z-score, a clipped or logged tail) is tried where
it is cheap to try: a learning-rate range test on the z-scored inputs gives the rate their
new units need; a least-squares (or logistic) refit with and without a tail's fix shows
whether compressing the tail wins back any validation loss, so a tail that costs a healthy
run little is reported as a fact, not an alarm.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from mlcc_cli.config.loading import LoadedConfig, override_and_validate
from mlcc_cli.data.split_table import referenced_columns
from mlcc_cli.doctor.findings import fix_overrides
from mlcc_cli.doctor.range_test_rate import safe_learning_rate
from mlcc_cli.errors import MlccError
from mlcc_cli.models.registry import model_class
from mlcc_cli.training.loop import as_arrays
from mlcc_cli.training.preparation import prepare_design
from mlcc_cli.workflows.lr_find import range_test

# Tables up to this many rows get the tail refit (two data loads and fits per fix, well under
# a second at California's 17,000 rows).
MAX_REFIT_ROWS = 200_000
# The refit's penalty: enough to keep collinear inputs (rooms, bedrooms, households) finite.
REFIT_RIDGE = 1e-3


def with_fix(loaded: LoadedConfig, fix: str) -> LoadedConfig:
    """The run's config with the fix's `--set` overrides applied and validated, as `mlcc
    train CONFIG --set ...` would (`override_and_validate`)."""
    data = loaded.config.model_dump(mode="json", exclude_none=True)
    config = override_and_validate(data, fix_overrides(fix), loaded.path)
    return replace(loaded, config=config)


def scaled_learning_rate(loaded: LoadedConfig, zscore: str) -> float | None:
    """The range test's safe rate (`safe_learning_rate`) on the run's data with the `zscore`
    fix applied, else None: z-scored, every weight lives in the label's units, not the raw
    inputs', so the rate that suited the raw inputs no longer does."""
    config = loaded.config
    if config.data.streaming or model_class(config.model).trains_on != "table":
        return None
    try:
        result = range_test(with_fix(loaded, zscore))
    except (MlccError, ArithmeticError, ValueError):
        return None
    return safe_learning_rate(result.learning_rates, result.smoothed_losses, result.suggestion)


def refit_design(loaded: LoadedConfig) -> tuple[Any, np.ndarray, Any, np.ndarray]:
    """(X, y) of the run's training split and of its validation split, prepared as training
    prepared them (feature steps fitted on training), for the doctor's scikit-learn refits."""
    config = loaded.config
    prepared = prepare_design(config, loaded.folder, referenced_columns(config), for_doctor=False)
    X, y = as_arrays(prepared.X["train"], prepared.y["train"], "training")
    X_val, y_val = as_arrays(prepared.X["validation"], prepared.y["validation"], "validation")
    return X, y, X_val, y_val


def _refit_losses(loaded: LoadedConfig, task: str) -> tuple[float, float]:
    """(validation loss of a near-unpenalised least-squares (MSE) or logistic (log loss)
    refit on the config's training split, by scikit-learn; the trivial model's: the training
    mean or class share)."""
    # deferred: scikit-learn, only when a tail's fix is checked
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.metrics import log_loss, mean_squared_error
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, X_val, y_val = refit_design(loaded)
    trivial = np.full(len(y_val), y.mean())
    # Standardised inside the refit, so raw inputs' scales neither stall its solver nor tilt
    # its small penalty: the refit judges the tail, not the scaling.
    scaler = StandardScaler(with_mean=isinstance(X, np.ndarray))
    if task == "binary":
        classifier = LogisticRegression(C=1.0 / (REFIT_RIDGE * len(y)), max_iter=1000)
        fitted = make_pipeline(scaler, classifier).fit(X, y).predict_proba(X_val)[:, 1]
        return log_loss(y_val, fitted, labels=[0, 1]), log_loss(y_val, trivial, labels=[0, 1])
    regressor = make_pipeline(scaler, Ridge(alpha=REFIT_RIDGE * len(y))).fit(X, y)
    return mean_squared_error(y_val, regressor.predict(X_val)), mean_squared_error(y_val, trivial)


def tail_fix_gains(loaded: LoadedConfig, fixes: tuple[str, ...], task: str) -> dict[str, float]:
    """Per fix, (loss before − loss after) / the trivial model's loss, for a linear refit
    (`_refit_losses`) with the tail's fix applied: the share of the whole problem compressing
    the tail wins back; empty for a task other than regression or binary, a model that does
    not train on a table, or data the refit cannot read (a fix whose refit fails is left out).

    A network is judged by the same linear refit: it bends around a tail more easily than a
    line does, so what the fix wins back on the refit bounds what it could win the network
    (a tail that costs a line little costs a network less)."""
    config = loaded.config
    if not fixes or task not in ("regression", "binary") or config.data.streaming:
        return {}
    if model_class(config.model).trains_on != "table":
        return {}
    try:
        before, trivial = _refit_losses(loaded, task)
    except (MlccError, ArithmeticError, ValueError, KeyError):
        return {}
    if not np.isfinite(before) or trivial <= 0:
        return {}
    gains = {}
    for fix in fixes:
        try:
            after, _ = _refit_losses(with_fix(loaded, fix), task)
        except (MlccError, ArithmeticError, ValueError, KeyError):
            continue
        if np.isfinite(after):
            gains[fix] = float((before - after) / trivial)
    return gains
