"""Doctor rule on L1 regularisation: how sparse it made the model, and what that cost.

The crash course's trade-off: L1 drives uninformative weights to exactly 0 (a smaller
model), and, like every regulariser, buys a smaller generalisation gap with training fit.
So which way to turn it depends on the losses, not on the count of zeros alone: with the
validation loss well above the training loss (overfitting) there is a gap a stronger L1 can
close; with none, L1 can only cost fit, so once it has pruned weights of a run that still
leaves much of the trivial model's error, weaken it; once it has barely acted, a stronger one
is only a smaller model at some loss, the user's call.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.rules_data import HEALTHY_ROOM, room_to_improve
from mlcc_cli.doctor.rules_fit import overfitting
from mlcc_cli.optim.registry import OPTIMIZERS

BARELY_PRUNED = 0.1  # under 10% of the weights at 0: L1 has barely acted
ALL_BUT_PRUNED = 0.95  # nearly every weight at 0
L1_LESSON = "Regularization for sparsity: L1"


def _strength(evidence: RunEvidence) -> tuple[str, float]:
    """The config key of the L1 strength in use and its value (0.0 when L1 is off)."""
    model_l1 = float(getattr(evidence.config.model, "l1", 0.0) or 0.0)
    optimizer_l1 = float(getattr(evidence.config.optimizer, "l1", 0.0) or 0.0)
    return ("model.l1", model_l1) if model_l1 > 0 else ("optimizer.l1", optimizer_l1)


def loss_values(evidence: RunEvidence) -> tuple[str, float | None, float | None]:
    """(loss name, training loss, validation loss) from metrics.json: data losses, without
    the penalty."""
    validation = evidence.metrics.get("validation") or {}
    train = evidence.metrics.get("train") or {}
    name = "log_loss" if "log_loss" in (validation or train) else "loss"
    values = [scores.get(name) for scores in (train, validation)]
    numbers = [float(v) if isinstance(v, int | float) else None for v in values]
    return name, numbers[0], numbers[1]


def _direction(evidence: RunEvidence, share: float) -> tuple[float, str, bool]:
    """(factor for the L1 strength, 1.0 for no change, why, whether L1 is costing the
    model), weighed on the losses. A gap between training and validation
    (`rules_fit.overfitting`) is what L1 can close; without one, a run that L1 has pruned
    (BARELY_PRUNED+ of the weights at 0) and that still leaves HEALTHY_ROOM+ of the trivial
    model's error has paid for its zeros in fit: weaken it."""
    gap = bool(overfitting(evidence))
    capped = _size_goal(evidence)
    if capped is not None and not gap:
        return (
            1.0,
            f"the exercise asks for at most {capped:,.0f} non-zero weights, so the zeros are "
            "the point: keep L1 at least this strong while the loss goals hold",
            False,
        )
    room = room_to_improve(evidence)
    _, train, validation = loss_values(evidence)
    known = train is not None and validation is not None and room is not None
    if known and not gap and share >= BARELY_PRUNED and room >= HEALTHY_ROOM:
        return (
            0.1,
            f"with no gap between training loss {train:.4g} and validation loss "
            f"{validation:.4g} for L1 to close, and {room:.0%} of the trivial model's error "
            "left, the zeros cost fit rather than noise: weaken L1 for a lower loss",
            True,
        )
    if share > ALL_BUT_PRUNED:
        return 0.1, "nearly every weight is gone; if the loss suffers, weaken L1", False
    if share < BARELY_PRUNED and gap:
        return (
            10.0,
            "L1 has barely pruned anything and validation trails training: strengthen it to "
            "close the gap",
            False,
        )
    if share < BARELY_PRUNED:
        # No fix: a stronger L1 only trades loss for size here, the user's call to make.
        return (
            1.0,
            "L1 this weak has barely pruned anything, and with no gap between training and "
            "validation it has nothing to cure: raise it only if you need a smaller model, "
            "watching the validation loss",
            False,
        )
    return 2.0, "raise L1 for a smaller model, lower it for a lower loss", False


def _size_goal(evidence: RunEvidence) -> float | None:
    """The most non-zero weights the config's exercise allows, when it caps the model size:
    then sparsity is wanted, and the loss it costs is the trade the exercise asks for."""
    exercise = getattr(evidence.config, "exercise", None)
    caps = [
        goal.max
        for goal in (exercise.goals if exercise is not None else [])
        if goal.metric.endswith(".nonzero_weights") and goal.max is not None
    ]
    return min(caps) if caps else None


def l1_sparsity(evidence: RunEvidence) -> list[Finding]:
    """With L1 on: how many weights are exactly 0, and the size/loss trade-off's next step
    (`_direction`); a warning when L1 is costing the model signal, a fact otherwise."""
    key, current = _strength(evidence)
    weights = evidence.penalised_weights()
    if current <= 0 or not weights or evidence.status == "diverged":
        return []
    total = sum(a.size for a in weights)
    zero = total - sum(int(np.count_nonzero(a)) for a in weights)
    share = zero / total
    loss_name, _, loss = loss_values(evidence)
    factor, why, costly = _direction(evidence, share)
    return [
        Finding(
            kind="l1_sparsity",
            title="L1 too strong: it costs fit with no gap to close" if costly else "L1 sparsity",
            concept=L1_LESSON,
            evidence=f"{zero:,} of {total:,} weights are exactly 0 ({share:.0%}); the model "
            f"keeps {total - zero:,}"
            + (f" at validation {loss_name.replace('_', ' ')} {loss:.4g}" if loss else ""),
            advice=f"L1 drives uninformative weights to exactly 0, shrinking the model; {why}"
            + _cumulative_hint(evidence),
            fix=(f"{key}={format_number(current * factor)}",) if factor != 1.0 else (),
            severity="warning" if costly else "info",
        )
    ]


def _cumulative_hint(evidence: RunEvidence) -> str:
    """With model.l1 applied exactly over mini-batches: the cumulative method, which keeps
    weights that belong at 0 there (each batch's gradient kicks them off 0 again under the
    exact step; RESULTS.md's penalty table: 15,291 non-zeros vs 220 at an optimum of 290)."""
    model_l1 = float(getattr(evidence.config.model, "l1", 0.0) or 0.0)
    if model_l1 <= 0 or getattr(evidence.config.model, "l1_method", None) != "exact":
        return ""
    if not OPTIMIZERS[evidence.config.optimizer.type].l1_method_matters:
        return ""
    if evidence.config.training.batch_size == "full":
        return ""
    return (
        "; with mini-batches the exact step lets every batch kick weights that belong at 0 "
        "off it again: model.l1_method=cumulative (scikit-learn's SGD) keeps them at 0"
    )
