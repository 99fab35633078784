"""Judging a binary classifier (crash course: Classification): thresholds, ROC/AUC, baseline.

Every number is scikit-learn's: roc_curve, roc_auc_score, precision_recall_curve,
average_precision_score, confusion_matrix, precision_recall_fscore_support, accuracy_score,
log_loss, and DummyClassifier for the majority-class baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlcc_cli.evaluation.buckets import Bucket, prediction_buckets
from mlcc_cli.evaluation.metrics import (
    majority_baseline,
    prediction_bias,
    sklearn_metrics,
)
from mlcc_cli.evaluation.thresholds import ThresholdRow, threshold_row, threshold_table
from mlcc_cli.evaluation.values import json_number, json_numbers


@dataclass(frozen=True)
class RocCurve:
    """The ROC curve and the area under it (sklearn roc_curve and roc_auc_score).

    Point i is (fpr[i], tpr[i]) when class 1 is predicted for P ≥ thresholds[i]; the first
    threshold is +inf (nothing predicted positive), null in JSON.
    """

    fpr: np.ndarray  # (n_points,)
    tpr: np.ndarray  # (n_points,)
    thresholds: np.ndarray  # (n_points,) decreasing
    auc: float

    def to_json(self) -> dict[str, Any]:
        """AUC and the curve's points."""
        return {
            "auc": self.auc,
            "fpr": json_numbers(self.fpr),
            "tpr": json_numbers(self.tpr),
            "thresholds": json_numbers(self.thresholds),
        }


@dataclass(frozen=True)
class PrecisionRecallCurve:
    """Precision and recall across thresholds (sklearn precision_recall_curve).

    precision[i] and recall[i] hold for P ≥ thresholds[i] (increasing); the last point (1, 0)
    has no threshold. The points are sklearn's with drop_intermediate=True (only the ends of
    each vertical run, all a plot needs); best_f1_threshold (highest F1 = 2·P·R / (P + R),
    the lowest threshold on a tie) and break_even_threshold (precision and recall closest)
    are found on the full curve. average_precision = Σₙ (Rₙ − Rₙ₋₁)·Pₙ
    (average_precision_score).
    """

    precision: np.ndarray  # (n_points,)
    recall: np.ndarray  # (n_points,)
    thresholds: np.ndarray  # (n_points - 1,)
    average_precision: float
    best_f1_threshold: float
    break_even_threshold: float

    def to_json(self) -> dict[str, Any]:
        """Average precision, the two chosen thresholds and the curve's points."""
        return {
            "average_precision": self.average_precision,
            "best_f1_threshold": self.best_f1_threshold,
            "break_even_threshold": self.break_even_threshold,
            "precision": json_numbers(self.precision),
            "recall": json_numbers(self.recall),
            "thresholds": json_numbers(self.thresholds),
        }


def roc_of(y: np.ndarray, probability: np.ndarray) -> RocCurve:
    """The ROC curve of P(y = 1) against 0/1 labels that hold both classes."""
    fpr, tpr, thresholds = sklearn_metrics().roc_curve(y, probability)
    return RocCurve(fpr, tpr, thresholds, float(sklearn_metrics().roc_auc_score(y, probability)))


def precision_recall_of(y: np.ndarray, probability: np.ndarray) -> PrecisionRecallCurve:
    """The precision-recall curve of P(y = 1) against 0/1 labels that hold both classes."""
    precision, recall, thresholds = sklearn_metrics().precision_recall_curve(y, probability)
    p, r = precision[:-1], recall[:-1]  # the points that have a threshold
    f1 = np.divide(2 * p * r, p + r, out=np.zeros_like(p), where=(p + r) > 0)
    best_f1 = float(thresholds[int(np.argmax(f1))])
    break_even = float(thresholds[int(np.argmin(np.abs(p - r)))])
    precision, recall, thresholds = sklearn_metrics().precision_recall_curve(
        y, probability, drop_intermediate=True
    )
    average = float(sklearn_metrics().average_precision_score(y, probability))
    return PrecisionRecallCurve(precision, recall, thresholds, average, best_f1, break_even)


@dataclass(frozen=True)
class ConfusionMatrix:
    """Examples counted by actual class (rows) and predicted class (columns).

    counts[i, j] = examples of class labels[i] predicted as labels[j]
    (sklearn.metrics.confusion_matrix); k×k, so it serves k classes as well as two.
    """

    labels: list[str]
    counts: np.ndarray  # (n_classes, n_classes) int
    threshold: float | None  # binary: P ≥ threshold predicts labels[1]

    def to_json(self) -> dict[str, Any]:
        """Labels, counts (rows actual, columns predicted) and the threshold."""
        return {
            "labels": self.labels,
            "rows": "actual",
            "columns": "predicted",
            "counts": self.counts.tolist(),
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class Baseline:
    """Always predicting the majority class: the accuracy a classifier has to beat."""

    majority_class: str
    accuracy: float
    model_accuracy: float

    @property
    def beaten(self) -> bool:
        """True when the model's accuracy is strictly above the baseline's."""
        return self.model_accuracy > self.accuracy

    def to_json(self) -> dict[str, Any]:
        """The baseline, the model's accuracy and whether it beats the baseline."""
        return {**vars(self), "beaten": self.beaten}


@dataclass(frozen=True)
class BinaryEvaluation:
    """A binary classifier's curves, threshold table, confusion matrix, baseline, calibration.

    `roc` and `precision_recall` are None when the rows hold a single class (both undefined).
    `calibration` holds quantile buckets of P(class 1): mean prediction vs observed rate.
    """

    roc: RocCurve | None
    precision_recall: PrecisionRecallCurve | None
    thresholds: list[ThresholdRow]
    confusion: ConfusionMatrix
    baseline: Baseline
    calibration: list[Bucket]
    log_loss: float
    prediction_bias: float

    def to_json(self) -> dict[str, Any]:
        """The report's classification sections, keyed as in `mlcc evaluate --json`."""
        curve = self.precision_recall
        return {
            "roc": self.roc.to_json() if self.roc is not None else None,
            "precision_recall": curve.to_json() if curve is not None else None,
            "threshold_table": [row.to_json() for row in self.thresholds],
            "confusion_matrix": self.confusion.to_json(),
            "baseline": self.baseline.to_json(),
            "calibration": {
                "log_loss": json_number(self.log_loss),
                "prediction_bias": json_number(self.prediction_bias),
                "buckets": [bucket.to_json() for bucket in self.calibration],
            },
        }


def evaluate_binary(
    y: np.ndarray, probability: np.ndarray, threshold: float, classes: Sequence[Any]
) -> tuple[BinaryEvaluation, list[str]]:
    """All `mlcc evaluate` reports for P(y = classes[1]); returns (result, warnings).

    Warns when the rows hold one class, and when accuracy at `threshold` does not beat the
    majority-class baseline (the crash course's 91%-accurate tumour classifier).
    """
    y = y.astype(np.int64)
    labels = [str(c) for c in classes]
    warnings = []
    roc = curve = None
    if np.unique(y).size == 2:
        roc, curve = roc_of(y, probability), precision_recall_of(y, probability)
    else:
        warnings.append(
            f"every row is labelled {labels[int(y[0])]!r}, so the ROC curve, AUC and the "
            "precision-recall curve are undefined; evaluate on rows that hold both classes"
        )
    predicted = (probability >= threshold).astype(np.int64)
    majority, majority_accuracy = majority_baseline(y)
    baseline = Baseline(
        labels[majority], majority_accuracy, float(sklearn_metrics().accuracy_score(y, predicted))
    )
    if not baseline.beaten:
        chosen = threshold_row(y, probability, threshold)
        warnings.append(
            f"accuracy {baseline.model_accuracy:.3g} does not beat the majority-class baseline "
            f"{baseline.accuracy:.3g} (always predicting {baseline.majority_class!r}); like the "
            "crash course's 91%-accurate tumour classifier that finds 1 of 9 malignant "
            f"tumours, judge it by precision ({chosen.precision:.3g}) and recall "
            f"({chosen.recall:.3g}) instead"
        )
    result = BinaryEvaluation(
        roc=roc,
        precision_recall=curve,
        thresholds=threshold_table(y, probability, threshold, curve),
        confusion=ConfusionMatrix(
            labels,
            sklearn_metrics().confusion_matrix(y, predicted, labels=[0, 1]),
            float(threshold),
        ),
        baseline=baseline,
        calibration=prediction_buckets(y, probability, errors=False),
        log_loss=float(sklearn_metrics().log_loss(y, probability, labels=[0, 1])),
        prediction_bias=prediction_bias(y, probability),
    )
    return result, warnings
