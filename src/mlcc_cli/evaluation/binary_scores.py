"""A binary classifier's headline scores in numpy: counts, log loss, ROC AUC, average precision.

Every training run of a binary classifier scores its splits, and importing scikit-learn's
metrics takes longer than training the quickstart, so these few are computed here with
scikit-learn's own steps (the same sort, cumulative sums, trapezoids and clipping);
tests/test_binary_scores.py checks each against scikit-learn on tied and untied scores.
`classification` builds `mlcc evaluate`'s binary report from them too; multiclass and
multi-label reports, and regression, call scikit-learn itself.
"""

from __future__ import annotations

import numpy as np


def confusion_counts(y: np.ndarray, predicted: np.ndarray) -> tuple[int, int, int, int]:
    """(TN, FP, FN, TP) of 0/1 labels `y` against 0/1 predictions, both (n,)."""
    y, predicted = np.asarray(y, dtype=bool), np.asarray(predicted, dtype=bool)
    tp = int(np.count_nonzero(y & predicted))
    fp = int(np.count_nonzero(~y & predicted))
    fn = int(np.count_nonzero(y & ~predicted))
    return len(y) - tp - fp - fn, fp, fn, tp


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0 when the denominator is 0 (scikit-learn's zero_division=0)."""
    return float(numerator / denominator) if denominator else 0.0


def log_loss(y: np.ndarray, probability: np.ndarray) -> float:
    """Mean −log of the probability given to the true class, P and 1 − P clipped to
    [ε, 1 − ε] (ε the float's machine epsilon) as sklearn.metrics.log_loss clips them."""
    probability = np.asarray(probability, dtype=np.float64)
    eps = np.finfo(probability.dtype).eps
    of_true_class = np.where(np.asarray(y) == 1, probability, 1 - probability)
    return float(np.mean(-np.log(np.clip(of_true_class, eps, 1 - eps))))


def _counts_at_thresholds(
    y: np.ndarray, score: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False and true positives when predicting 1 for score ≥ t, for each distinct score t
    from the highest down (sklearn's confusion_matrix_at_thresholds): (fps, tps, thresholds)."""
    order = np.argsort(score, kind="stable")[::-1]
    score, y = score[order], (np.asarray(y) == 1)[order].astype(np.float64)
    # The last row of each run of equal scores: a threshold takes all its ties at once.
    last = np.r_[np.where(np.diff(score))[0], y.size - 1]
    tps = np.cumsum(y, dtype=np.float64)[last]
    fps = 1 + last.astype(np.float64) - tps
    return fps, tps, score[last]


def roc_curve(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(FPR, TPR, thresholds) from (0, 0) at threshold +∞, dropping collinear points
    (sklearn.metrics.roc_curve with drop_intermediate=True). Needs both classes."""
    fps, tps, thresholds = _counts_at_thresholds(y, np.asarray(score))
    if fps.shape[0] > 2:  # keep the corners: where either count's second difference is not 0
        corners = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[corners], tps[corners], thresholds[corners]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    return fps / fps[-1], tps / tps[-1], thresholds


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the trapezoidal rule (sklearn.metrics.roc_auc_score)."""
    fpr, tpr, _ = roc_curve(y, score)
    return float(np.trapezoid(tpr, fpr))


def precision_recall_curve(
    y: np.ndarray, score: np.ndarray, drop_intermediate: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, thresholds) by increasing threshold, ending at (1, 0) with no
    threshold (sklearn.metrics.precision_recall_curve); `drop_intermediate` keeps only the
    first and last point of each run of equal recall. Needs a positive row."""
    fps, tps, thresholds = _counts_at_thresholds(y, np.asarray(score))
    if drop_intermediate and fps.shape[0] > 2:
        ends = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[ends], tps[ends], thresholds[ends]
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over thresholds (sklearn.metrics.average_precision_score)."""
    precision, recall, _ = precision_recall_curve(y, score)
    # −0.0 from rounding is clipped to 0, as scikit-learn does.
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))
