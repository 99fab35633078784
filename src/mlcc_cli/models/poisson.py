"""Poisson regression: counts (visits, clicks, claims) through a log link.

The model predicts a rate μ = exp(X·w + b) > 0, and its loss is the mean Poisson deviance
D = (2/n)·Σ[y·log(y/μ) − y + μ] (y·log y = 0 at y = 0), the deviance a generalised linear model
minimises; μ's log keeps every prediction positive and turns additive weights into
multiplicative effects (w = 0.1 multiplies the rate by e^0.1 ≈ 1.105 per unit of x).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.models.linear import LinearModelBase

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix

# exp(709.78) overflows float64: the linear part is clipped there, so a diverging run shows a
# huge (finite) loss on its way to the divergence check instead of warnings and inf.
MAX_LOG_RATE = 700.0


def not_counts(y: np.ndarray) -> np.ndarray:
    """Where y is not a count (a finite whole number ≥ 0), shape of y."""
    return ~(np.isfinite(y) & (y >= 0) & (y == np.round(y)))


class PoissonRegression(LinearModelBase):
    """Poisson regression: μ = exp(X·w + b), mean Poisson deviance loss.

    Deviance D = (2/n)·Σ[y·log(y/μ) − y + μ]; gradient ∂D/∂w = (2/n)·Xᵀ(μ − y),
    ∂D/∂b = (2/n)·Σ(μ − y). Penalty λ₁·Σ|w| + λ₂·Σw² on coef_ (L2 adds 2λ₂w to the gradient,
    L1 is the optimizer's proximal step).

    Penalty scaling: scikit-learn's PoissonRegressor(alpha=α) minimises
    (1/(2n))·Σ deviance + (α/2)·Σw², which is half of D + α·Σw²: the same minimiser, so
    model.l2 = λ₂ equals PoissonRegressor(alpha=λ₂) (scikit-learn has no L1 here).

    Parameters: l1, l2 — penalty strengths λ₁, λ₂ (>= 0).
    Attributes: coef_ (n_features,), intercept_ (1,), n_features_in_.
    """

    type = "poisson"
    task = "regression"
    loss_name = "mean Poisson deviance"
    loss_label = "Poisson deviance"
    kernel: ClassVar[str | None] = None  # numpy only: no compiled kernel for the log link
    supports_streaming = True

    def predict(self, X: Matrix) -> np.ndarray:
        """Predicted rate μ = exp(X·w + b), shape (n_samples,); always positive."""
        return np.exp(np.minimum(self.decision_function(X), MAX_LOG_RATE))

    def metric_losses(self, y: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Each example's Poisson deviance 2·[y·log(y/μ) − y + μ], shape (n,); its mean is
        sklearn.metrics.mean_poisson_deviance."""
        # deferred: scipy.special, only for Poisson models
        from scipy.special import xlogy

        rate = np.asarray(scores, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        return 2.0 * (xlogy(y, y) - xlogy(y, rate) - y + rate)

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` unless every label is a count: a whole number ≥ 0."""
        y = np.asarray(y, dtype=np.float64)
        bad = not_counts(y)
        if bad.any():
            position = int(np.argmax(bad))
            raise DataError(
                f"Poisson regression needs counts (0, 1, 2, …) as labels, but label value "
                f"{position + 1} of this split is {y[position].item()!r} (after data.label_scale); "
                "choose a count column, leave data.label_scale at 1 (a scaled count is no "
                "count), or use model.type linear"
            )

    @classmethod
    def check_label_column(cls, values: pd.Series, column: str) -> None:
        """DataError naming `column` and the first row (its row id) that is not a count."""
        bad = not_counts(pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64))
        if bad.any():
            position = int(np.argmax(bad))
            value = values.iloc[position]
            shown = value.item() if isinstance(value, np.generic) else value
            raise DataError(
                f"data.label {column!r}: row {values.index[position]} holds "
                f"{shown!r}, but Poisson regression needs counts (0, 1, 2, …); "
                "choose a count column or use model.type linear"
            )

    def _loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray, float]:
        """Mean deviance of a batch and, if wanted, its residual for the gradient."""
        # deferred: scipy.special, only for Poisson models
        from scipy.special import xlogy

        n = X.shape[0]
        z = X @ self.coef_  # (n,) = (n, d) @ (d,)
        z += self.intercept_[0]
        np.minimum(z, MAX_LOG_RATE, out=z)
        rate = np.exp(z)  # μ, (n,)
        # y·log(y/μ) = xlogy(y, y) − y·z, so the log of μ is never taken.
        deviance = xlogy(y, y) - y * z - y + rate
        loss = 2.0 * float(deviance.sum()) / n
        rate -= y  # μ − y: the residual ∂D/∂z = (2/n)·(μ − y)
        return loss, rate, 2.0 / n
