"""Judging a multiclass classifier (crash course: Multi-class neural networks).

Per-class precision, recall, F1 and support, their macro and weighted averages, the N×N
confusion matrix, and one-vs-rest ROC AUC per class with its macro average. Every number is
scikit-learn's: precision_recall_fscore_support, confusion_matrix, roc_auc_score,
accuracy_score, log_loss, and DummyClassifier for the majority-class baseline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlcc_cli.evaluation.classification import Baseline, ConfusionMatrix
from mlcc_cli.evaluation.metrics import json_safe, majority_baseline
from mlcc_cli.evaluation.values import json_number


@dataclass(frozen=True)
class ClassRow:
    """One class's scores, treating it as "positive" and every other class as "negative".

    precision = TP / (TP + FP) (0 when the class is never predicted); recall = TP / (TP + FN);
    F1 = 2·P·R / (P + R); support = rows whose label is the class; auc = one-vs-rest ROC AUC
    of P(class) (NaN when the rows lack the class, or hold nothing else).
    """

    label: str
    precision: float
    recall: float
    f1: float
    support: int
    auc: float

    def to_json(self) -> dict[str, Any]:
        """The row's numbers (NaN as null)."""
        return {
            "label": self.label,
            **json_safe({k: v for k, v in vars(self).items() if k != "label"}),
        }


@dataclass(frozen=True)
class MulticlassEvaluation:
    """Per-class table, macro/weighted averages, confusion matrix, AUCs and baseline.

    `averages` maps "macro" (every class counts the same) and "weighted" (by support) to
    precision, recall and F1; `macro_auc` is the unweighted mean of the defined per-class AUCs.
    """

    classes: list[ClassRow]
    averages: dict[str, dict[str, float]]
    confusion: ConfusionMatrix
    macro_auc: float
    baseline: Baseline
    log_loss: float

    def to_json(self) -> dict[str, Any]:
        """The report's multiclass sections, keyed as in `mlcc evaluate --json`."""
        return {
            "per_class": [row.to_json() for row in self.classes],
            "averages": {name: json_safe(scores) for name, scores in self.averages.items()},
            "macro_auc": json_number(self.macro_auc),
            "confusion_matrix": self.confusion.to_json(),
            "baseline": self.baseline.to_json(),
            "log_loss": json_number(self.log_loss),
        }


def _one_vs_rest_auc(y: np.ndarray, probability: np.ndarray, k: int) -> float:
    """Class k's ROC AUC against the rest (NaN when the rows hold only one side)."""
    # deferred: scikit-learn's metrics (about a second to import), only when this is scored
    from sklearn import metrics as skm

    positive = y == k
    if positive.all() or not positive.any():
        return math.nan
    return float(skm.roc_auc_score(positive, probability[:, k]))


def evaluate_multiclass(
    y: np.ndarray, probability: np.ndarray, classes: Sequence[Any]
) -> tuple[MulticlassEvaluation, list[str]]:
    """All `mlcc evaluate` reports for class probabilities (n, n_classes) against codes y.

    Warns when some classes are absent from the rows (their recall and AUC are undefined)
    and when accuracy does not beat the majority-class baseline.
    """
    # deferred: scikit-learn's metrics (about a second to import), only when this is scored
    from sklearn import metrics as skm

    y = y.astype(np.int64)
    labels = [str(c) for c in classes]
    codes = list(range(len(labels)))
    predicted = np.argmax(probability, axis=1)
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y, predicted, labels=codes, zero_division=0
    )
    rows = [
        ClassRow(
            labels[k],
            float(precision[k]),
            float(recall[k]),
            float(f1[k]),
            int(support[k]),
            _one_vs_rest_auc(y, probability, k),
        )
        for k in codes
    ]
    averages = {}
    for average in ("macro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(
            y, predicted, labels=codes, average=average, zero_division=0
        )
        averages[average] = {"precision": float(p), "recall": float(r), "f1": float(f)}
    aucs = [row.auc for row in rows if not math.isnan(row.auc)]
    majority, majority_accuracy = majority_baseline(y)
    baseline = Baseline(
        labels[majority], majority_accuracy, float(skm.accuracy_score(y, predicted))
    )
    warnings = []
    absent = [row.label for row in rows if row.support == 0]
    if absent:
        warnings.append(
            f"{len(absent)} class{'es never occur' if len(absent) > 1 else ' never occurs'} in "
            f"these rows ({', '.join(map(repr, absent[:5]))}); recall is undefined there and "
            "counts as 0 in the macro averages, and AUC is undefined and left out of the macro "
            "AUC; consider data.stratify: true"
        )
    if not baseline.beaten:
        warnings.append(
            f"accuracy {baseline.model_accuracy:.3g} does not beat the majority-class baseline "
            f"{baseline.accuracy:.3g} (always predicting {baseline.majority_class!r})"
        )
    result = MulticlassEvaluation(
        classes=rows,
        averages=averages,
        confusion=ConfusionMatrix(labels, skm.confusion_matrix(y, predicted, labels=codes), None),
        macro_auc=float(np.mean(aucs)) if aucs else math.nan,
        baseline=baseline,
        log_loss=float(skm.log_loss(y, probability, labels=codes)),
    )
    return result, warnings
