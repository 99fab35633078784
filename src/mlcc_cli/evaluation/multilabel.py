"""Judging a multi-label classifier: one row of scores per label column.

Each label is its own yes/no question, so each gets the binary scores at the threshold:
precision, recall, F1, support (rows where it is on), the predicted-on rate and its log loss.
Every number is scikit-learn's (precision_recall_fscore_support, log_loss).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlcc_cli.evaluation.metrics import json_safe


@dataclass(frozen=True)
class LabelRow:
    """One label column's scores at the threshold (precision 0 when never predicted on)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int  # rows where the label is on
    predicted_rate: float  # share of rows predicted on
    log_loss: float

    def to_json(self) -> dict[str, Any]:
        """The row's numbers (NaN as null)."""
        return {
            "label": self.label,
            **json_safe({k: v for k, v in vars(self).items() if k != "label"}),
        }


@dataclass(frozen=True)
class MultilabelEvaluation:
    """The per-label table of a multi-label classifier."""

    labels: list[LabelRow]

    def to_json(self) -> dict[str, Any]:
        """The report's multilabel section."""
        return {"per_label": [row.to_json() for row in self.labels]}


def evaluate_multilabel(
    y: np.ndarray, probability: np.ndarray, threshold: float, labels: Sequence[Any]
) -> tuple[MultilabelEvaluation, list[str]]:
    """Per-label scores of P(label j) (n, n_labels) against the 0/1 matrix y (n, n_labels).

    Returns the evaluation and warnings (labels never on in these rows).
    """
    # deferred: scikit-learn's metrics (about a second to import), only when this is scored
    from sklearn import metrics as skm

    y_int = y.astype(np.int64)
    predicted = (probability >= threshold).astype(np.int64)  # (n, n_labels)
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_int, predicted, average=None, zero_division=0
    )
    rows = [
        LabelRow(
            label=str(name),
            precision=float(precision[j]),
            recall=float(recall[j]),
            f1=float(f1[j]),
            support=int(support[j]),
            predicted_rate=float(predicted[:, j].mean()),
            log_loss=float(skm.log_loss(y_int[:, j], probability[:, j], labels=[0, 1])),
        )
        for j, name in enumerate(labels)
    ]
    never = [row.label for row in rows if row.support == 0]
    warnings = (
        [
            f"label{'s' if len(never) > 1 else ''} {', '.join(never)} never on in these rows; "
            "recall and F1 are 0 there by convention"
        ]
        if never
        else []
    )
    return MultilabelEvaluation(rows), warnings
