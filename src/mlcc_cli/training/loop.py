"""In-memory training: the whole training split as one array, shuffled once per epoch.

Crash-course terms: a *step* is one batch and one weight update; an *epoch* is one pass over
the training split; a *period* is a reporting interval at whose end train and validation loss
are measured on the whole splits and one `PeriodRecord` is written.

The steps themselves run in `engine.py`: a readable numpy path, or a compiled (numba) kernel
that runs a whole period of steps per call; `training.engine` chooses. The design matrix may be
dense or a scipy.sparse CSR matrix (one-hot, hashed, crossed features); a sparse one is never
densified, and its compiled steps cost O(non-zeros of the batch), not O(n_features).
The schedule and the period loop (early stopping, divergence, Ctrl-C) live in `schedule.py`,
shared with streaming.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.models.base import SQUARED_ERROR, TrainableModel
from mlcc_cli.models.linear_base import as_csr, is_sparse
from mlcc_cli.optim.base import Optimizer
from mlcc_cli.training import diagnostics
from mlcc_cli.training.divergence import FINITE_DIVERGENCE_FACTOR, l2_overshoot_advice
from mlcc_cli.training.engine import EpochRunner, choose_engine, resolve_shuffle
from mlcc_cli.training.schedule import (
    DEFAULT_EPOCHS,
    Evaluation,
    PeriodHook,
    PeriodRecord,
    Schedule,
    TrainingResult,
    plan_schedule,
    run_periods,
)

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix

__all__ = [
    "DEFAULT_EPOCHS",
    "PeriodRecord",
    "Schedule",
    "TrainingResult",
    "plan_schedule",
    "train",
]


def _task_metrics(
    model: TrainableModel, split: str, X: Matrix, y: np.ndarray, loss: float, threshold: float
) -> dict[str, float]:
    """RMSE or accuracy, by the task's metric set.

    RMSE = √MSE: the loss already computed when the model's loss is the squared error, else
    measured from its predictions. Binary: accuracy with class 1 where P(y = 1) ≥ `threshold`
    (the run's evaluation.threshold, as in metrics.json); multi-label: subset accuracy, the
    share of rows whose every label is right at `threshold`; multiclass: the most probable class.
    """
    if model.task == "regression":
        if model.loss_name == SQUARED_ERROR:
            return {f"{split}_rmse": math.sqrt(loss)}
        residual = model.predict(X) - y
        return {f"{split}_rmse": math.sqrt(float(residual @ residual) / len(y))}
    if model.task == "multilabel":  # y and the predicted labels are (n, n_labels) 0/1 matrices
        predicted = model.predict_scores(X) >= threshold
        return {f"{split}_subset_accuracy": float(np.mean(np.all(predicted == y, axis=1)))}
    if model.task == "binary":
        return {f"{split}_accuracy": float(np.mean((model.predict_scores(X) >= threshold) == y))}
    return {f"{split}_accuracy": float(np.mean(model.predict(X) == y))}


def _canonical_csr(X: Any) -> Any:
    """CSR float64 with sorted, unique column indices per row and contiguous arrays.

    No copy when X already is so; otherwise one copy (X itself is never modified).
    """
    converted = as_csr(X)
    canonical = converted.has_canonical_format and all(
        a.flags.c_contiguous for a in (converted.data, converted.indices, converted.indptr)
    )
    if canonical:
        return converted
    if converted is X:
        converted = converted.copy()
    converted.sum_duplicates()  # sorts the indices too; copy() made the arrays contiguous
    return converted


def as_arrays(X: Any, y: Any, name: str) -> tuple[Matrix, np.ndarray]:
    """Contiguous float64 views (copies only when needed); reject shape mismatches and NaN.

    y is (n_rows,), or (n_rows, n_labels) for a multi-label model (batches take its rows).
    A sparse X becomes canonical CSR (see `_canonical_csr`) and only its stored values are
    checked for being finite.
    """
    sparse = is_sparse(X)
    X = _canonical_csr(X) if sparse else np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise DataError(f"{name} split: features {X.shape} and labels {y.shape} do not match")
    if not np.isfinite(X.data if sparse else X).all():
        raise DataError(f"{name} split: features contain NaN or infinite values")
    return X, y


def reference_losses(model: TrainableModel, X: Matrix, y: np.ndarray) -> dict[str, float]:
    """The training loss before the first step ("initial") and the trivial model's
    ("trivial": predicting the mean or the class shares), where finite: the yardsticks of a
    finite divergence and of the doctor's "barely learned"."""
    with np.errstate(over="ignore", invalid="ignore"):
        losses = {"initial": model.loss(X, y), "trivial": model.trivial_loss(y)}
    return {name: float(v) for name, v in losses.items() if v is not None and math.isfinite(v)}


def _n_rows(X: Any) -> int:
    """Rows of a dense or sparse matrix (len() is ambiguous for scipy.sparse)."""
    return X.shape[0] if hasattr(X, "shape") else len(X)


def train(
    model: TrainableModel,
    optimizer: Optimizer,
    X_train: Matrix,
    y_train: np.ndarray,
    X_validation: Matrix | None,
    y_validation: np.ndarray | None,
    training: TrainingConfig,
    rng: np.random.Generator,
    on_period: PeriodHook | None = None,
    rows_in_random_order: bool = False,
    threshold: float = 0.5,
) -> TrainingResult:
    """Train `model` in place with `optimizer` over the schedule `training` describes.

    Each epoch the training split is shuffled once with `rng` (not for full-batch training,
    where order cannot change the gradient); each step updates the weights with one batch,
    then applies the L1 proximal step if model.l1 > 0. At every period end losses and metrics
    are measured on the whole splits and `on_period(record)` is called. Training stops on
    divergence (non-finite loss or weights), on an early-stopping plateau of validation loss
    (restoring the best weights if configured), on Ctrl-C, or when `on_period` returns a
    reason to stop (status "pruned", see `schedule.PeriodHook`); the history so far is always
    returned. An uninitialized model is initialized here; inputs are never modified. X_train
    and X_validation may be dense arrays or scipy.sparse matrices (converted to CSR once).
    `rows_in_random_order` says X_train's rows are already shuffled (lets `shuffle: auto`
    read blocks of them); result.settings records the engine and shuffle that ran. A
    classifier's accuracy in the history counts class 1 where P(y = 1) ≥ `threshold`.
    Networks (models with `layer_diagnostics`) also record per-layer gradient norms and dead
    ReLU fractions each period; `diagnostics.history_warnings` adds its findings (vanishing or
    exploding gradients, dead ReLUs, overfitting) to result.warnings.
    """
    X_train, y_train = as_arrays(X_train, y_train, "training")
    has_validation = X_validation is not None and _n_rows(X_validation) > 0
    if has_validation:
        X_validation, y_validation = as_arrays(X_validation, y_validation, "validation")
    early = training.early_stopping
    if early is not None and not has_validation:
        raise ConfigError(
            "training.early_stopping watches validation loss, but the validation split is empty"
        )
    if model.n_features_in_ is None:
        model.initialize(X_train.shape[1])
    model.validate_targets(y_train)  # once per split, so the per-batch gradient skips it
    if has_validation:
        model.validate_targets(y_validation)

    schedule = plan_schedule(
        X_train.shape[0], training.batch_size, training.epochs, training.steps, training.periods
    )
    work = (schedule.total_steps, schedule.batch_size)
    engine = choose_engine(training.engine, model, optimizer, X_train, work)
    shuffle = resolve_shuffle(training.shuffle, X_train, rows_in_random_order)
    runner = EpochRunner(
        X_train, y_train, schedule.batch_size, schedule.steps_per_epoch, rng, engine, shuffle
    )

    def evaluate(model: TrainableModel) -> Evaluation:
        train_loss = model.loss(X_train, y_train)
        metrics = _task_metrics(model, "train", X_train, y_train, train_loss, threshold)
        validation_loss = None
        if has_validation:
            validation_loss = model.loss(X_validation, y_validation)
            metrics |= _task_metrics(
                model, "validation", X_validation, y_validation, validation_loss, threshold
            )
        # Networks add per-layer gradient norms and dead-ReLU fractions (history.csv columns).
        metrics |= diagnostics.period_metrics(
            model, X_train, y_train, X_validation if has_validation else None
        )
        return Evaluation(train_loss, validation_loss, metrics)

    references = reference_losses(model, X_train, y_train)
    # A yardstick of zero (labels that are all equal, or scaled to nothing) gives no scale to
    # call a finite loss exploded by; NaN and infinity still count as diverged.
    yardstick = max(references.values(), default=0.0)
    limit = FINITE_DIVERGENCE_FACTOR * yardstick if yardstick > np.finfo(float).tiny else None
    try:
        result = run_periods(
            model, optimizer, schedule, runner, evaluate, early, on_period, divergence_limit=limit
        )
    finally:
        runner.close()
    result.settings = {"engine": engine, "shuffle": shuffle}
    result.reference_losses = references
    result.warnings += diagnostics.history_warnings(result.history)
    if result.status == "diverged":
        result.message += model.divergence_advice()
        result.message += l2_overshoot_advice(optimizer, float(getattr(model, "l2", 0.0) or 0.0))
    return result
