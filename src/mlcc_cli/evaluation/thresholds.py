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

    Counts from sklearn's multilabel_confusion_matrix and P/R/F1 from its
    precision_recall_fscore_support, all thresholds in one call each: every threshold's
    predictions are one label column with the true classes repeated beside them (each
    sklearn call validates and counts the labels, which costs more than the counting on a
    split of a few hundred rows). accuracy = (TP + TN) / n from those counts.
    """
    thresholds = sorted(reasons)
    # a single column would read as a binary problem, not one label: repeat it
    columns = thresholds if len(thresholds) > 1 else thresholds * 2
    predicted = (probability[:, None] >= np.asarray(columns)[None, :]).astype(np.int64)
    truth = np.repeat(np.asarray(y, dtype=np.int64)[:, None], len(columns), axis=1)
    counts = sklearn_metrics().multilabel_confusion_matrix(truth, predicted)  # [[tn fp] [fn tp]]
    precision, recall, f1, _ = sklearn_metrics().precision_recall_fscore_support(
        truth, predicted, average=None, zero_division=0
    )
    rows = []
    for j, threshold in enumerate(thresholds):
        (tn, fp), (fn, tp) = counts[j].tolist()
        rows.append(
            ThresholdRow(
                threshold=float(threshold),
                reasons=tuple(reasons[threshold]),
                tp=tp,
                fp=fp,
                tn=tn,
                fn=fn,
                accuracy=(tp + tn) / len(y) if len(y) else math.nan,
                precision=float(precision[j]),
                recall=float(recall[j]),
                fpr=fp / (fp + tn) if fp + tn else math.nan,
                f1=float(f1[j]),
            )
        )
    return rows


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
