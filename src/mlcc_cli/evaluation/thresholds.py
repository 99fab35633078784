"""The threshold table: confusion counts, accuracy, precision, recall, FPR and F1 of a
binary classifier at each of several thresholds, every number from scikit-learn's counts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from mlcc_cli.evaluation.metrics import json_safe, sklearn_metrics

GRID_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# Predictions (rows × thresholds) scored in one multilabel call; above, one call a threshold
# (measured: 11 thresholds, 5,000 rows 14 vs 54 ms; 200,000 rows 444 vs 386 ms, 0.9 GB peak).
BATCH_CELLS = 2**19


class CurveThresholds(Protocol):
    """The thresholds a precision-recall curve singles out (classification.PrecisionRecallCurve)."""

    @property
    def best_f1_threshold(self) -> float: ...

    @property
    def break_even_threshold(self) -> float: ...


@dataclass(frozen=True)
class ThresholdRow:
    """Confusion counts and rates when class 1 is predicted for P ≥ threshold.

    accuracy = (TP + TN) / n; precision = TP / (TP + FP), 0 when nothing is predicted
    positive (sklearn's zero_division=0, as metrics.json); recall = TPR = TP / (TP + FN);
    FPR = FP / (FP + TN), NaN without negatives; F1 = 2·P·R / (P + R). `reasons` says why
    the row is there beyond the 0.1 … 0.9 grid: "chosen", "best F1", "precision = recall".
    """

    threshold: float
    reasons: tuple[str, ...]
    tp: int
    fp: int
    tn: int
    fn: int
    accuracy: float
    precision: float
    recall: float
    fpr: float
    f1: float

    def to_json(self) -> dict[str, Any]:
        """The row's numbers (NaN as null) and its reasons."""
        numbers = {k: v for k, v in vars(self).items() if k != "reasons"}
        return {**json_safe(numbers), "reasons": list(self.reasons)}


def threshold_row(
    y: np.ndarray, probability: np.ndarray, threshold: float, reasons: Sequence[str] = ()
) -> ThresholdRow:
    """One row of the threshold table (`threshold_rows`)."""
    return threshold_rows(y, probability, {float(threshold): reasons})[0]


def threshold_rows(
    y: np.ndarray, probability: np.ndarray, reasons: Mapping[float, Sequence[str]]
) -> list[ThresholdRow]:
    """A threshold-table row per threshold (the keys of `reasons`), ascending.

    Counts from sklearn's confusion matrices and P/R/F1 from its
    precision_recall_fscore_support; accuracy = (TP + TN) / n from those counts. On a split
    of up to BATCH_CELLS predictions (rows × thresholds) all thresholds go in one call each
    (`_counts_at_once`), else one threshold at a time (`_counts_one_by_one`): the same numbers.
    """
    thresholds = sorted(reasons)
    at_once = len(y) * max(2, len(thresholds)) <= BATCH_CELLS
    counting = _counts_at_once if at_once else _counts_one_by_one
    y_int = np.asarray(y, dtype=np.int64)
    rows = []
    for threshold, (tn, fp, fn, tp, precision, recall, f1) in zip(
        thresholds, counting(y_int, probability, thresholds), strict=True
    ):
        rows.append(
            ThresholdRow(
                threshold=float(threshold),
                reasons=tuple(reasons[threshold]),
                tp=tp,
                fp=fp,
                tn=tn,
                fn=fn,
                accuracy=(tp + tn) / len(y) if len(y) else math.nan,
                precision=precision,
                recall=recall,
                fpr=fp / (fp + tn) if fp + tn else math.nan,
                f1=f1,
            )
        )
    return rows


Counts = list[tuple[int, int, int, int, float, float, float]]  # tn, fp, fn, tp, P, R, F1


def _counts_at_once(y: np.ndarray, probability: np.ndarray, thresholds: list[float]) -> Counts:
    """Every threshold's predictions as one label column beside the repeated truth, scored by
    multilabel_confusion_matrix and precision_recall_fscore_support(average=None): two sklearn
    calls, where each call's validation and label counting costs more than the counting itself
    on a split of a few hundred rows."""
    # a single column would read as a binary problem, not one label: repeat it
    columns = thresholds if len(thresholds) > 1 else thresholds * 2
    predicted = (probability[:, None] >= np.asarray(columns)[None, :]).astype(np.int64)
    truth = np.repeat(y[:, None], len(columns), axis=1)
    matrices = sklearn_metrics().multilabel_confusion_matrix(truth, predicted)
    precision, recall, f1, _ = sklearn_metrics().precision_recall_fscore_support(
        truth, predicted, average=None, zero_division=0
    )
    return [
        (*matrices[j].ravel().tolist(), float(precision[j]), float(recall[j]), float(f1[j]))
        for j in range(len(thresholds))
    ]


def _counts_one_by_one(y: np.ndarray, probability: np.ndarray, thresholds: list[float]) -> Counts:
    """confusion_matrix and precision_recall_fscore_support(average="binary") per threshold:
    on a large split the multilabel form's (n, thresholds) copies cost more than it saves."""
    counts: Counts = []
    for threshold in thresholds:
        predicted = (probability >= threshold).astype(np.int64)
        matrix = sklearn_metrics().confusion_matrix(y, predicted, labels=[0, 1])
        precision, recall, f1, _ = sklearn_metrics().precision_recall_fscore_support(
            y, predicted, average="binary", zero_division=0
        )
        counts.append((*matrix.ravel().tolist(), float(precision), float(recall), float(f1)))
    return counts


def threshold_table(
    y: np.ndarray, probability: np.ndarray, chosen: float, curve: CurveThresholds | None
) -> list[ThresholdRow]:
    """Rows at 0.1 … 0.9, the chosen threshold, best F1 and precision = recall, ascending.

    The last two come from the precision-recall curve (absent without one); a threshold
    picked twice is one row carrying both reasons.
    """
    reasons: dict[float, list[str]] = {t: [] for t in GRID_THRESHOLDS}
    reasons.setdefault(float(chosen), []).append("chosen")
    if curve is not None:
        reasons.setdefault(curve.best_f1_threshold, []).append("best F1")
        reasons.setdefault(curve.break_even_threshold, []).append("precision = recall")
    return threshold_rows(y, probability, reasons)
