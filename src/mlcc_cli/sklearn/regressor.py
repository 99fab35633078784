"""What mlcc's regressors share as scikit-learn estimators: numbers in, numbers out."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from sklearn.base import RegressorMixin

from mlcc_cli.sklearn.base import INPUT_CHECKS, MlccEstimator


class MlccRegressor(RegressorMixin, MlccEstimator):
    """An mlcc model predicting a number; `score` is R² (RegressorMixin)."""

    def partial_fit(self, X: Any, y: Any) -> Self:
        """One epoch over (X, y), continuing from the previous calls (or from fresh weights
        on the first call); returns self. Early stopping does not apply."""
        return self._partial_fit(X, y)

    def predict(self, X: Any) -> np.ndarray:
        """The model's prediction ŷ for each row, shape (n_samples,)."""
        X = self._features(X)
        return self.model_.predict(X)

    def _fit_checks(self) -> dict[str, Any]:
        return INPUT_CHECKS | {"y_numeric": True}

    def _targets(self, y: np.ndarray, classes: Any = None, reset: bool = True) -> np.ndarray:
        return np.asarray(y, dtype=np.float64)
