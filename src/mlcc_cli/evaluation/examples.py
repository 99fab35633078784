"""The examples with the highest loss: where bad labels and bad feature values show up.

The crash course's advice when a model disappoints: look at the examples it gets most
wrong. Each is shown as read from the data (before the feature steps), with its label,
prediction and loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.evaluation.values import json_number, plain

DEFAULT_WORST = 10


def example_loss(task: str, y: np.ndarray, prediction: np.ndarray) -> np.ndarray:
    """Each example's own loss, shape (n,): what training minimised, one example at a time.

    Regression: squared error (ŷ − y)². Binary: log loss −[y·ln p + (1 − y)·ln(1 − p)] with
    p and 1 − p clipped to [ε, 1 − ε] as sklearn.metrics.log_loss clips them, so the mean
    is exactly sklearn's log_loss. Multiclass (prediction (n, n_classes), y class codes):
    −ln P(true class), clipped the same way.
    """
    if task == "regression":
        return (prediction - y) ** 2
    eps = np.finfo(np.float64).eps
    if task == "multiclass":
        true_class = prediction[np.arange(len(y)), y.astype(np.int64)]
        return -np.log(np.clip(true_class, eps, 1 - eps))
    both = np.clip(np.column_stack([1 - prediction, prediction]), eps, 1 - eps)  # (n, 2)
    one_hot = np.column_stack([1 - y, y])  # (n, 2)
    # one_hot is 0/1 and both is clipped (finite logs), so this is xlogy(one_hot, both),
    # the terms of sklearn's log_loss, without importing scipy.special.
    return -(one_hot * np.log(both)).sum(axis=1)


def worst_positions(loss: np.ndarray, n: int) -> np.ndarray:
    """Positions of the `n` largest losses, largest first (the earlier row first on a tie)."""
    return np.argsort(-loss, kind="stable")[:n]


@dataclass(frozen=True)
class WorstExample:
    """One high-loss row: its id, source columns as read, label, prediction and loss."""

    row_id: Any
    label: Any  # the class name (classifier) or the label as trained on (scaled)
    prediction: float  # P(class 1), ŷ, or multiclass: P(the label's class)
    predicted_class: str | None  # classifier: the class chosen (at the threshold)
    loss: float
    features: dict[str, Any]  # source columns but the label, as read

    def to_json(self) -> dict[str, Any]:
        """The example as JSON-able values."""
        numbers = {"prediction": json_number(self.prediction), "loss": json_number(self.loss)}
        return {**vars(self), **numbers}


def worst_examples(
    task: str,
    rows: pd.DataFrame,
    y: np.ndarray,
    prediction: np.ndarray,
    n: int,
    *,
    label: str,
    classes: Sequence[Any] | None,
    threshold: float,
    losses: np.ndarray | None = None,
) -> list[WorstExample]:
    """The `n` rows of highest `example_loss` (or of `losses`, the model's own), highest first.

    `rows` are the source rows (index row_id) aligned position by position with `y` (the
    encoded labels) and `prediction`.
    """
    loss = example_loss(task, y, prediction) if losses is None else losses
    features = rows.drop(columns=[label], errors="ignore")
    worst = []
    for i in worst_positions(loss, n).tolist():
        shown: Any = float(y[i])
        predicted_class = None
        score = prediction[i]
        if task == "binary" and classes is not None:
            shown = str(classes[int(y[i])])
            predicted_class = str(classes[int(prediction[i] >= threshold)])
        elif task == "multiclass" and classes is not None:
            shown = str(classes[int(y[i])])
            predicted_class = str(classes[int(np.argmax(prediction[i]))])
            score = prediction[i, int(y[i])]
        worst.append(
            WorstExample(
                row_id=plain(rows.index[i]),
                label=shown,
                prediction=float(score),
                predicted_class=predicted_class,
                loss=float(loss[i]),
                features={str(k): plain(v) for k, v in features.iloc[i].items()},
            )
        )
    return worst
