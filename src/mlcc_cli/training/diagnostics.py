"""Training diagnostics for neural networks: per-layer gradient norms, dead ReLUs, overfitting.

At every period end `period_metrics` measures, for a model that declares `layer_diagnostics`
(the `Mlp`), the gradient norm of each weight matrix and the fraction of dead ReLU units;
they land in PeriodRecord.metrics, hence in history.csv as grad_norm_W1, …, dead_relu_1, ….
After training `history_warnings` reads the history and names what went wrong, in
crash-course terms, with the usual remedy: vanishing or exploding gradients, dead ReLUs,
overfitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

SAMPLE_ROWS = 1000  # rows the per-period measurements use: cheap, and stable enough to read
VANISHING_RATIO = 1e-3  # lowest layer's gradient norm below this fraction of the top layer's
EXPLODING_RATIO = 1e3  # ... or above this multiple
EXPLODING_NORM = 1e4  # a single layer's gradient norm this large explodes whatever the ratio
DEAD_FRACTION = 0.5  # warn when more than half of a layer's ReLU units never fire
OVERFIT_PERIODS = 2  # validation loss rising this many periods in a row while training falls


def dead_fraction(activations: np.ndarray) -> float:
    """Fraction of units (columns) whose activation is 0 on every example (row).

    A ReLU unit with u ≤ 0 on all inputs outputs 0 and passes no gradient, so it never
    recovers: it is dead.
    """
    return float(np.mean(~(activations != 0).any(axis=0)))


def period_metrics(
    model: Any, X_train: Any, y_train: np.ndarray, X_validation: Any | None
) -> dict[str, float]:
    """grad_norm_W<l> and (ReLU only) dead_relu_<l> for a network; {} for other models.

    Gradient norms: ‖∂loss/∂W_l‖ of the training loss on the first SAMPLE_ROWS training rows,
    measured without dropout and without touching batch-norm running averages, so measuring
    never changes training. Dead units: evaluation-mode activations on the first SAMPLE_ROWS
    validation rows (training rows without a validation split).
    """
    if not model.layer_diagnostics:
        return {}
    rows = slice(0, SAMPLE_ROWS)
    _, grads = model.loss_and_gradients(
        X_train[rows], y_train[rows], masks=False, update_running=False
    )
    metrics = {f"grad_norm_{name}": norm for name, norm in model.layer_grad_norms(grads).items()}
    if model.activation == "relu":
        X = X_validation if X_validation is not None else X_train
        for layer, activations in enumerate(model.hidden_activations(X[rows]), start=1):
            metrics[f"dead_relu_{layer}"] = dead_fraction(activations)
    return metrics


def _layer_series(
    record_metrics: dict[str, float], prefix: str, letter: str = "W"
) -> list[tuple[int, float]]:
    """(layer number, value) of the metrics named prefix<number>, lowest layer first."""
    found = []
    for key, value in record_metrics.items():
        suffix = key.removeprefix(prefix)
        if key.startswith(prefix) and suffix.lstrip(letter).isdigit():
            found.append((int(suffix.lstrip(letter)), value))
    return sorted(found)


def gradient_warnings(record_metrics: dict[str, float]) -> list[str]:
    """Vanishing or exploding gradients from one period's grad_norm_W<l> values.

    Vanishing: ‖∂W_lowest‖ / ‖∂W_top‖ < VANISHING_RATIO (a CNN's lowest is its first
    kernel K1); exploding: that ratio above
    EXPLODING_RATIO or any layer's norm above EXPLODING_NORM.
    """
    # A convolutional network's kernels K1, K2, … sit below its dense layers W1, W2, ….
    norms = [
        (f"conv layer {layer}", norm)
        for layer, norm in _layer_series(record_metrics, "grad_norm_K", "K")
    ] + [(f"layer {layer}", norm) for layer, norm in _layer_series(record_metrics, "grad_norm_W")]
    if len(norms) < 2:
        return []
    (low, low_norm), (top, top_norm) = norms[0], norms[-1]
    if top_norm == 0.0:
        # Nothing flows back at all (e.g. every ReLU dead): no ratio to judge; the dead-unit
        # finding says why.
        return []
    ratio = low_norm / top_norm
    if ratio < VANISHING_RATIO:
        return [
            f"vanishing gradients: {low}'s gradient norm {low_norm:.2g} is {ratio:.1g} "
            f"times {top}'s ({top_norm:.2g}), so the first layers barely learn; try "
            "activation relu (with init he), batch_norm: true, or fewer layers"
        ]
    largest = max(norm for _, norm in norms)
    if ratio > EXPLODING_RATIO or largest > EXPLODING_NORM:
        return [
            f"exploding gradients: layer gradient norms reach {largest:.2g} ({low} / "
            f"{top} ratio {ratio:.2g}); set optimizer.clip_norm, lower "
            "optimizer.learning_rate, or use batch_norm: true"
        ]
    return []


def dead_relu_warnings(record_metrics: dict[str, float]) -> list[str]:
    """One warning per hidden layer with more than DEAD_FRACTION of its ReLU units dead."""
    return [
        f"dead ReLUs: {fraction:.0%} of hidden layer {layer}'s units output 0 on every "
        "validation example and no longer learn; try a lower optimizer.learning_rate, "
        "activation leaky_relu, or batch_norm: true"
        for layer, fraction in _layer_series(record_metrics, "dead_relu_")
        if fraction > DEAD_FRACTION
    ]


def overfitting_start(
    train_losses: Sequence[float], validation_losses: Sequence[float | None]
) -> int | None:
    """First period (1-based) of a run of OVERFIT_PERIODS validation-loss rises with training
    loss falling at each of them, or None.

    Period k starts the run when for k, k+1, …: val[k] > val[k−1] and train[k] < train[k−1].
    """
    run = 0
    for k in range(1, len(train_losses)):
        previous, current = validation_losses[k - 1], validation_losses[k]
        diverging = (
            previous is not None
            and current is not None
            and current > previous
            and train_losses[k] < train_losses[k - 1]
        )
        run = run + 1 if diverging else 0
        if run == OVERFIT_PERIODS:
            return k - OVERFIT_PERIODS + 2  # 0-based index k−run+1, as a 1-based period
    return None


# A final training loss this many times the lowest one seen is a blow-up, even while finite.
LOSS_GROWTH = 1e3


def loss_growth_warnings(history: Sequence[Any]) -> list[str]:
    """A training loss that ends LOSS_GROWTH times above its best period: diverging slowly.

    NaN/inf stop training (schedule.py); a loss that grows without overflowing (e.g. a net
    whose ReLUs all died outputs a constant that keeps drifting) would otherwise pass.
    """
    losses = [record.train_loss for record in history]
    best = min(losses)
    last = losses[-1]
    if best > 0 and last > LOSS_GROWTH * best:
        period = losses.index(best) + 1
        return [
            f"training loss grew {last / best:.2g}-fold after period {period} (from {best:.3g} "
            f"to {last:.3g}): training is blowing up; lower optimizer.learning_rate or set "
            "optimizer.clip_norm"
        ]
    return []


def history_warnings(history: Sequence[Any]) -> list[str]:
    """Findings about a finished training, from its PeriodRecords (last period for layers).

    Returns human-readable warnings, each naming the problem and a remedy; empty if none.
    """
    if not history:
        return []
    findings = gradient_warnings(history[-1].metrics) + dead_relu_warnings(history[-1].metrics)
    findings += loss_growth_warnings(history)
    start = overfitting_start(
        [record.train_loss for record in history],
        [record.validation_loss for record in history],
    )
    if start is not None:
        findings.append(
            f"overfitting: from period {start} validation loss rises while training loss "
            "still falls; try model.l2, model.dropout (mlp) or training.early_stopping"
        )
    return findings
