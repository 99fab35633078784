"""What mlcc's classifiers share as scikit-learn estimators: labels in, labels out.

mlcc's models learn class codes 0..K−1 (as `data.encode_label` gives them); the estimator
keeps the labels themselves in `classes_` (sorted, any type scikit-learn accepts: ints,
strings, ...), encodes y into codes before training and decodes predictions after.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from mlcc_cli.sklearn.base import MlccEstimator


class MlccClassifier(ClassifierMixin, MlccEstimator):
    """An mlcc model predicting one of K classes; `score` is accuracy (ClassifierMixin).

    Attributes: classes_ (n_classes,) — the labels, sorted; the model's class code k is
    classes_[k].
    """

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> Self:
        """One epoch over (X, y), continuing from the previous calls; returns self.

        The first call must list every class in `classes` (a batch need not hold them all);
        later calls may repeat the same classes or leave them out. Early stopping does not
        apply.
        """
        name, first = type(self).__name__, not hasattr(self, "model_")
        if first and classes is None:
            raise ValueError(
                f"{name}: the first call to partial_fit needs classes= (every label the "
                "model will see)"
            )
        if (
            not first
            and classes is not None
            and not np.array_equal(np.unique(classes), self.classes_)
        ):
            raise ValueError(
                f"{name}: classes={classes!r} differ from the first call's {self.classes_!r}"
            )
        return self._partial_fit(X, y, classes)

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(class k) for each row, shape (n_samples, n_classes), columns in classes_ order;
        rows sum to 1."""
        X = self._features(X)
        return self.model_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class for each row (a label of classes_), shape (n_samples,)."""
        probabilities = self.predict_proba(X)  # first: it checks that fit has run
        return self.classes_[np.argmax(probabilities, axis=1)]

    def _initial_sizes(self) -> tuple[Any, ...]:
        return (len(self.classes_),)

    def _stratify(self, targets: np.ndarray) -> np.ndarray | None:
        return targets

    def _targets(self, y: np.ndarray, classes: Any = None, reset: bool = True) -> np.ndarray:
        """Class codes 0..K−1 of y (float, as mlcc's models take them); `reset` learns
        classes_ from `classes` or, when None, from y itself."""
        name = type(self).__name__
        check_classification_targets(y)
        if reset:
            labels = np.unique(y if classes is None else np.asarray(classes))
            if len(labels) < 2:
                raise ValueError(
                    f"{name} needs at least 2 classes to learn from, got 1 class ({labels[0]!r})"
                )
            self.classes_ = labels
        codes = np.searchsorted(self.classes_, y)
        known = codes < len(self.classes_)
        known[known] = self.classes_[codes[known]] == y[known]
        if not known.all():
            unknown = np.unique(y[~known])[:5].tolist()
            raise ValueError(
                f"{name}: y holds labels {unknown} that are not in classes {self.classes_!r}"
            )
        return codes.astype(np.float64)
