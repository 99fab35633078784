"""What the curve rules measure: a loss curve, its noise, and the scale it is judged on.

A loss moves by chance from period to period (a mini-batch run never settles exactly), and a
loss near zero can grow a million-fold without anything going wrong. So the doctor judges a
change of a loss against three things at once: the loss itself (a relative change), the
curve's own noise (`noise`), and the scale of the problem (`scale`: the loss of the trivial
model that predicts the mean or the class shares). A change counts only when it is large on
all three (`significant`).
"""

from __future__ import annotations

import math

import numpy as np

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.models.base import binary_entropy

MIN_PERIODS = 4  # curve shapes need a few points
TINY = float(np.finfo(float).tiny)
# 1.4826·MAD estimates a normal spread; a point's distance from the line through its two
# neighbours, x_i − (x_{i−1} + x_{i+1})/2, has 1.5× the variance of the points' own noise.
MAD_TO_STD = 1.4826
NEIGHBOUR_VARIANCE = 1.5


def losses(evidence: RunEvidence, column: str) -> np.ndarray:
    """history.csv's `column` (train_loss, validation_loss) as floats; empty when absent."""
    history = evidence.history
    if column not in history:
        return np.empty(0)
    return history[column].to_numpy(dtype=np.float64)


def usable(curve: np.ndarray) -> bool:
    """A curve with enough finite points to have a shape."""
    return len(curve) >= MIN_PERIODS and bool(np.isfinite(curve).all())


def noise(curve: np.ndarray) -> float:
    """The period-to-period noise of a loss curve: the robust spread of its last half around
    the line through each point's neighbours (a smooth curve, rising or falling, has ~0)."""
    tail = curve[len(curve) // 2 :] if len(curve) >= 6 else curve
    if len(tail) < 3:
        return 0.0
    residual = tail[1:-1] - (tail[:-2] + tail[2:]) / 2.0
    spread = MAD_TO_STD * float(np.median(np.abs(residual - np.median(residual))))
    return spread / math.sqrt(NEIGHBOUR_VARIANCE)


def scale(evidence: RunEvidence) -> float | None:
    """The trivial model's loss (predicting the mean or the class shares): recorded at
    training time, else estimated from the metrics; None when neither is known."""
    recorded = evidence.reference_losses.get("trivial")
    if recorded is not None and recorded > 0:
        return float(recorded)
    scores = evidence.metrics.get("train") or {}
    if evidence.task == "binary" and scores.get("baseline_accuracy") is not None:
        return binary_entropy(float(scores["baseline_accuracy"]))
    if evidence.task == "regression" and scores.get("r2") is not None:
        loss, r2 = scores.get("loss"), float(scores["r2"])
        if loss is not None and r2 < 1.0:
            return float(loss) / (1.0 - r2)  # MSE = (1 − R²)·variance
    return None


def yardstick(evidence: RunEvidence, curve: np.ndarray) -> float:
    """The scale absolute floors are taken of: `scale`, else the curve's first value."""
    known = scale(evidence)
    if known is not None and known > TINY:
        return known
    first = float(abs(curve[0])) if len(curve) else 0.0
    return first if math.isfinite(first) and first > TINY else 1.0  # no scale to judge on


def significant(change: float, level: float, size: float, relative: float, absolute: float) -> bool:
    """Whether a change of a loss at `level` is beyond chance: above `relative` of the level
    and above `absolute` of the problem's scale `size`."""
    return abs(change) > relative * abs(level) and abs(change) > absolute * size


# scikit-learn's log_loss clips each probability to [ε, 1 − ε] (ε the float64 machine epsilon),
# so no row costs more than −ln ε ≈ 36.04 nats; the history's loss is the model's exact one.
SKLEARN_LOG_LOSS_CAP = -math.log(float(np.finfo(np.float64).eps))
SAME_LOSS = 1e-3  # relative difference below which the two computations agree


def clipped_metric_note(evidence: RunEvidence) -> str:
    """Why history.csv's final validation loss and metrics.json's validation log loss differ,
    or "": the history's is the model's exact log loss, −mean ln p(label); scikit-learn's caps
    each row's at SKLEARN_LOG_LOSS_CAP, so it reads lower when some prediction gave its true
    class a probability under ε (the kept weights are the restored best period's, when early
    stopping restored them)."""
    reported = (evidence.metrics.get("validation") or {}).get("log_loss")
    curve = losses(evidence, "validation_loss")
    if evidence.task not in ("binary", "multiclass") or reported is None or not len(curve):
        return ""
    restored = "restored the weights" in evidence.message
    kept = float(np.nanmin(curve) if restored else curve[-1])
    if not math.isfinite(kept) or kept - float(reported) <= SAME_LOSS * abs(kept):
        return ""
    return (
        f"; that validation loss is history.csv's, the exact log loss: metrics.json's "
        f"{float(reported):.4g} is scikit-learn's, which clips probabilities so no row costs "
        f"over {SKLEARN_LOG_LOSS_CAP:.0f}, and some validation rows gave their true class a "
        "probability under 2.2e-16 (confident mistakes)"
    )
