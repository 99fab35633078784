"""Multi-label classification: one sigmoid per label column, several may be 1 at once.

Crash course, "Multi-class neural networks": when an example can belong to several classes
(a photo with a dog and a cat), softmax's "exactly one" assumption is wrong; each label gets
its own logistic output instead. Shapes and penalties follow `multiclass.py`, whose base
class this shares; y is a 0/1 matrix (n_samples, n_labels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mlcc_cli.errors import DataError
from mlcc_cli.models.linear_base import sigmoid
from mlcc_cli.models.multiclass import MulticlassBase, sigmoid_losses

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix


class MultiLabel(MulticlassBase):
    """Multi-label classification: L independent sigmoid outputs, several may be 1 at once.

    Output j is a logistic regression on label column j: P(label j) = σ(X·W[:, j] + b[j]).
    The loss is the sum over labels of each column's mean log loss (as OneVsAll, whose
    targets are the one-hot of a single class); the gradient of column j is exactly its own
    binary model's. y is a 0/1 matrix (n_samples, n_labels), one column per entry of
    data.labels.

    Parameters: l1, l2 (≥ 0).
    Attributes: coef_ (n_features, n_labels), intercept_ (n_labels,), n_classes_ = n_labels.
    """

    type = "multi_label"
    task = "multilabel"
    loss_label = "log loss (sum over labels)"

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """P(label j) = σ(z_j) per label, shape (n_samples, n_labels); rows need not sum to 1."""
        return sigmoid(self.decision_function(X))

    def predict(self, X: Matrix, threshold: float = 0.5) -> np.ndarray:
        """0/1 per label where P(label j) ≥ threshold, shape (n_samples, n_labels)."""
        return (self.predict_proba(X) >= threshold).astype(np.int64)

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` unless y is a 0/1 matrix with one column per label."""
        self._check_fitted()
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 2 or y.shape[1] != self.n_classes_:
            raise DataError(
                f"MultiLabel needs a label matrix with {self.n_classes_} columns, got shape "
                f"{y.shape}"
            )
        bad = ~np.isin(y, (0.0, 1.0))
        if bad.any():
            examples = ", ".join(repr(v) for v in np.unique(y[bad])[:5].tolist())
            raise DataError(f"MultiLabel needs 0/1 labels in every column, found {examples}")

    def _check_labels(self, X: Matrix, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (X.shape[0], self.n_classes_):
            raise DataError(
                f"labels must have shape ({X.shape[0]}, {self.n_classes_}) to match the "
                f"features and labels, got {y.shape}"
            )
        return y

    def _full_loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray | None]:
        return sigmoid_losses(self.decision_function(X), y, want_residual)
