"""How strong an L2 penalty is, read off a trained run's weights, and how strong it should be.

Along one direction of curvature h of the mean data loss, λ₂·w² moves the optimum w* to
w*/(1 + r), r = 2λ₂/h, and then the penalty P = λ₂·w² and the data loss won over the all-zero
model D = ½h·w*²·(1 + 2r)/(1 + r)² stand in the ratio P/D = r/(1 + 2r): so r = (P/D)/(1 − 2·P/D)
(`shrink_ratio`), and r scales with λ₂. The overfitting fix raises λ₂ until P/D reaches
GENTLE_SHARE, the most a penalty may take before rules_l2 counts it as costing fit; a run
without a penalty gets the empirical-Bayes strength of its own weights and rows.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import format_number
from mlcc_cli.models.base import LOG_LOSS, SQUARED_ERROR

GENTLE_SHARE = 0.08  # P/D the overfitting fix aims at: just under rules_l2's NOTICEABLE_SHARE
FIRST_L2 = 0.01  # a first L2 strength: noticeable on z-scored inputs, far from flattening them
# Plain SGD also multiplies every weight by 1 − 2ηλ₂ each step: an L2 taking over a tenth of
# each weight a step drowns what the data teaches (at 2ηλ₂ = 1 it zeroes every weight).
SGD_PENALTY_STEP = 0.1


def shrink_ratio(penalty: float, won: float) -> float:
    """r = 2λ₂/h from the penalty P and the data loss won D: (P/D) / (1 − 2·P/D); infinite
    once P/D reaches ½ (no curvature h can give that)."""
    share = penalty / won
    return share / (1.0 - 2.0 * share) if share < 0.5 else float("inf")


def penalty_and_won(evidence: RunEvidence) -> tuple[float, float] | None:
    """(P = λ₂·Σw², D = trivial training loss − training loss), or None without them."""
    l2 = float(getattr(evidence.config.model, "l2", 0.0) or 0.0)
    weights = evidence.penalised_weights()
    train = (evidence.metrics.get("train") or {}).get(evidence_loss_name(evidence))
    trivial = evidence.reference_losses.get("trivial")
    if not weights or not isinstance(train, int | float) or not trivial:
        return None
    return l2 * sum(float((a.astype(float) ** 2).sum()) for a in weights), trivial - train


def evidence_loss_name(evidence: RunEvidence) -> str:
    """metrics.json's name for the data loss: log_loss for classifiers, else loss."""
    scores = evidence.metrics.get("validation") or evidence.metrics.get("train") or {}
    return "log_loss" if "log_loss" in scores else "loss"


def _empirical_bayes_l2(evidence: RunEvidence) -> float | None:
    """The L2 strength an unpenalised run's own weights and rows call for: with
    weights drawn from N(0, τ²), the most probable ones minimise the mean loss plus
    λ₂·Σw² for λ₂ = σ²/(n·τ²) under squared error (σ² the noise variance, read as the
    validation MSE) and 1/(2·n·τ²) under log loss; n the training rows, τ² the mean square of
    the weights the data moved off 0 (a cross cell no training row reaches stays there).
    So a model with many weights and few rows per weight — a feature cross — gets a penalty
    sized to them, not a fixed one. None for networks (their weights start random), other
    losses, or a run without the numbers."""
    model, rows = evidence.model, evidence.data_rows
    if getattr(evidence.config.model, "hidden_units", None) or not rows:
        return None
    moved = np.concatenate([a.ravel() for a in evidence.penalised_weights()] or [np.zeros(0)])
    moved = moved[moved != 0]
    n = rows * evidence.config.data.split.train
    validation = evidence.metrics.get("validation") or {}
    if not moved.size or n < 1:
        return None
    tau2 = float(np.mean(moved**2))
    if model.loss_name == SQUARED_ERROR and isinstance(validation.get("loss"), int | float):
        return float(validation["loss"]) / (n * tau2)
    if model.loss_name == LOG_LOSS:
        return 1.0 / (2.0 * n * tau2)
    return None


def stronger_l2(evidence: RunEvidence) -> float | None:
    """The λ₂ an overfitting run should try: with a penalty on, the one whose P/D reaches
    GENTLE_SHARE (λ₂ · r_target / r_now); without, `_empirical_bayes_l2`; None when the
    numbers are missing (the caller falls back to a fixed step)."""
    l2 = float(getattr(evidence.config.model, "l2", 0.0) or 0.0)
    if l2 <= 0:
        return _empirical_bayes_l2(evidence)
    measured = penalty_and_won(evidence)
    if measured is None or measured[1] <= 0 or measured[0] <= 0:
        return None
    target = GENTLE_SHARE / (1.0 - 2.0 * GENTLE_SHARE)
    return l2 * target / shrink_ratio(*measured)


def l2_fix(evidence: RunEvidence) -> tuple[str, ...]:
    """A stronger L2 penalty, for models that have one: `stronger_l2` (none when it is
    not over 1.5× the run's), else ×10 or FIRST_L2; with plain SGD at most SGD_PENALTY_STEP /
    (2η), so the penalty's own shrinking step 2ηλ₂ stays a tenth."""
    if not hasattr(evidence.config.model, "l2"):
        return ()
    l2 = float(evidence.config.model.l2)
    fitted = stronger_l2(evidence)
    if fitted is not None and fitted <= 1.5 * l2:
        return ()
    stronger = fitted if fitted is not None else l2 * 10 if l2 > 0 else FIRST_L2
    optimizer = evidence.config.optimizer
    if optimizer.type == "sgd":
        stronger = min(stronger, SGD_PENALTY_STEP / (2.0 * float(optimizer.learning_rate)))
    return (f"model.l2={format_number(stronger)}",) if stronger > l2 else ()
