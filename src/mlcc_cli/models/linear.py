"""Linear and logistic regression: predictions, losses and their gradients.

A model here is a bag of named weights plus one function, `loss_and_gradients`, that scores a
batch and says which way to move each weight. The training loop in `training.py` owns
batching, periods and early stopping; the optimizer in `optimizers.py` owns the update rule,
including the L1 proximal step, so no model contains a loop.

Shapes: X is (n_samples, n_features), y is (n_samples,), coef_ is (n_features,) and
intercept_ is (1,) so that every parameter is an array an optimizer can update in place.
X may be a dense ndarray or a scipy.sparse matrix (one-hot, hashed and crossed features):
every product is written X @ w or X.T @ r, which both kinds compute without densifying X.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from mlcc_cli.errors import DataError
from mlcc_cli.models.base import LOG_LOSS, SQUARED_ERROR
from mlcc_cli.models.linear_base import (
    LinearWeights,
    exp_minus_abs,
    sigmoid,
    sigmoid_from,
)
from mlcc_cli.models.nn.embedded_linear import (
    EmbeddedLinearModel,
    EmbeddedLinearRegression,
    EmbeddedLogisticRegression,
)

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix


class LinearModelBase(LinearWeights):
    """One weight per feature, one bias, a loss on X·w + b: linear and logistic regression.

    Penalty: λ₁·Σ|w| + λ₂·Σw² on coef_ only (the bias is never penalised).
    """

    task: ClassVar[str]  # "regression" or "binary": which metrics the training loop reports
    # The same model reading some inputs through learned embeddings (`model.embeddings`).
    embedded_variant: ClassVar[type[EmbeddedLinearModel]]

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
    ) -> Any:
        """The model of a linear or logistic section; with `model.embeddings`, its embedded
        variant (the embeddings and the weights learned together, seeded by the run)."""
        if settings.get("embeddings"):
            return cls.embedded_variant.from_settings(settings, seed=seed)
        return cls(**{key: value for key, value in settings.items() if key != "embeddings"})

    def underfitting_fixes(self) -> tuple[str, ...]:
        """A linear model cannot bend: the next step up is a small network."""
        return ("model={type: mlp, hidden_units: [16, 8]}",)

    def initialize(self, n_features: int) -> Self:
        """Start from all-zero weights and bias (a convex loss needs no random start)."""
        if n_features < 1:
            raise DataError(f"{type(self).__name__} needs at least one input feature, got 0")
        self.coef_ = np.zeros(n_features, dtype=np.float64)  # (n_features,)
        self.intercept_ = np.zeros(1, dtype=np.float64)  # (1,)
        self.n_features_in_ = n_features
        return self

    def penalty(self) -> float:
        """Regularisation term: λ₁·Σ|w| + λ₂·Σw² over coef_."""
        self._check_fitted()
        coef = self.coef_
        return float(self.l1 * np.abs(coef).sum() + self.l2 * (coef @ coef))

    def decision_function(self, X: Matrix) -> np.ndarray:
        """Raw model output X·w + b, shape (n_samples,)."""
        X = self._check_features(X)
        z = X @ self.coef_  # (n,) = (n, d) @ (d,)
        z += self.intercept_[0]
        return z

    def loss(self, X: Matrix, y: np.ndarray) -> float:
        """Data loss on a whole split (no penalty); targets are validated first."""
        X = self._check_features(X)
        y = self._check_labels(X, y)
        self.validate_targets(y)
        return self._loss_and_residual(X, y, want_residual=False)[0]

    def loss_and_gradients(self, X: Matrix, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Batch data loss (without penalty) and gradients of data loss + L2 penalty.

        Both models share the form ∂/∂w = scale·Xᵀr + 2λ₂w and ∂/∂b = scale·Σr, where r is the
        residual the subclass returns. L1 is deliberately absent: the optimizer applies it as a
        proximal (soft-threshold) step so that weights reach exact zeros.
        Target values are not re-checked per batch; `validate_targets` runs once per split.
        """
        X = self._check_features(X)
        y = self._check_labels(X, y)
        loss, residual, scale = self._loss_and_residual(X, y, want_residual=True)
        grad_coef = X.T @ residual  # (d,) = (d, n) @ (n,); sparse X: O(nnz + d)
        grad_coef *= scale
        if self.l2:
            grad_coef += (2.0 * self.l2) * self.coef_
        grad_intercept = np.array([scale * residual.sum()])  # (1,)
        return loss, {"coef_": grad_coef, "intercept_": grad_intercept}

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` if y holds values this model cannot learn from."""
        y = np.asarray(y)
        if not np.all(np.isfinite(y)):
            raise DataError(f"{type(self).__name__}: the label contains NaN or infinite values")

    # ------------------------------------------------------------------ helpers

    @abstractmethod
    def _loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray, float]:
        """Return (mean data loss, residual r, scale) with ∂loss/∂z = scale·r per example."""


class LinearRegression(LinearModelBase):
    """Linear regression: ŷ = X·w + b with mean squared error loss.

    MSE = (1/n)·Σ(ŷ − y)²; gradient of MSE: ∂/∂w = (2/n)·Xᵀ(ŷ − y), ∂/∂b = (2/n)·Σ(ŷ − y).
    Penalty λ₁·Σ|w| + λ₂·Σw²; L2 adds 2λ₂w to the gradient, L1 is a proximal optimizer step.

    Parameters: l1, l2 — penalty strengths λ₁, λ₂ (>= 0).
    Attributes: coef_ (n_features,), intercept_ (1,), n_features_in_.
    """

    type = "linear"
    task = "regression"
    loss_name = SQUARED_ERROR
    loss_label = "MSE"
    kernel = "squared_error"  # training/kernels/dense.py (sparse.py for CSR X)
    supports_streaming = True
    embedded_variant = EmbeddedLinearRegression

    def predict(self, X: Matrix) -> np.ndarray:
        """Predicted label ŷ = X·w + b, shape (n_samples,)."""
        return self.decision_function(X)

    def count_label_fixes(self) -> tuple[str, ...]:
        """Poisson regression: counts that grow multiplicatively with the inputs, rate
        exp(w·x + b), where a straight line under squared loss chases the largest."""
        return ("model.type=poisson",)

    def _loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray, float]:
        n = X.shape[0]
        residual = X @ self.coef_  # (n,) = (n, d) @ (d,); in-place ops below reuse it
        residual += self.intercept_[0]
        residual -= y  # ŷ − y
        return float(residual @ residual) / n, residual, 2.0 / n


class LogisticRegression(LinearModelBase):
    """Binary logistic regression: p = σ(X·w + b) with mean log loss.

    Log loss per example: −[y·log p + (1 − y)·log(1 − p)] = softplus(z) − y·z with z = X·w + b
    and softplus(z) = log(1 + e^z), computed with np.logaddexp so it never evaluates log(0).
    Log loss gradient: ∂/∂w = (1/n)·Xᵀ(p − y), ∂/∂b = (1/n)·Σ(p − y); L2 adds 2λ₂w.

    Parameters: l1, l2 — penalty strengths λ₁, λ₂ (>= 0); λ₂ corresponds to scikit-learn's
    C = 1/(2·λ₂·n_train).
    Attributes: coef_ (n_features,), intercept_ (1,), classes_ = [0, 1], n_features_in_.
    """

    type = "logistic"
    task = "binary"
    loss_name = LOG_LOSS
    loss_label = LOG_LOSS
    kernel = "log_loss"  # training/kernels/dense.py (sparse.py for CSR X)
    supports_streaming = True
    embedded_variant = EmbeddedLogisticRegression

    def initialize(self, n_features: int) -> Self:
        """Zero weights and bias; the classes are always 0 and 1."""
        super().initialize(n_features)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """Class probabilities [1 − p, p], shape (n_samples, 2) like scikit-learn."""
        p = sigmoid(self.decision_function(X))  # (n,)
        return np.column_stack([1.0 - p, p])  # (n, 2)

    def predict(self, X: Matrix, threshold: float = 0.5) -> np.ndarray:
        """Class 1 where p >= threshold, else class 0; shape (n_samples,), integer labels."""
        return (sigmoid(self.decision_function(X)) >= threshold).astype(np.int64)

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` unless every label is 0 or 1."""
        y = np.asarray(y)
        bad = ~np.isin(y, (0, 1))
        if bad.any():
            examples = ", ".join(repr(v) for v in np.unique(y[bad])[:5].tolist())
            raise DataError(
                f"logistic regression needs labels 0 and 1, found {examples}; "
                "choose a binary label column or map it to 0/1"
            )

    def _loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray, float]:
        n = X.shape[0]
        # With y in {0, 1}, the per-example loss softplus(z) − y·z equals softplus(s) for
        # s = (1 − 2y)·z: no cancellation between two large terms, and its derivative
        # (1 − 2y)·σ(s) equals p − y exactly even when it is tiny.
        sign = np.multiply(y, -2.0)  # (n,)
        sign += 1.0  # 1 − 2y: +1 for class 0, −1 for class 1
        s = X @ self.coef_  # (n,) = (n, d) @ (d,)
        s += self.intercept_[0]
        s *= sign
        # softplus(s) and σ(s) both come from e = e^(−|s|) ∈ (0, 1], which never overflows:
        # softplus(s) = max(s, 0) + log1p(e). Several times faster than np.logaddexp (not
        # vectorised); the compiled kernel uses the same formulas.
        e = exp_minus_abs(s)
        softplus = np.log1p(e)
        softplus += np.maximum(s, 0.0)
        loss = float(softplus.sum()) / n
        if not want_residual:
            return loss, softplus, 1.0 / n
        residual = sigmoid_from(s, e)  # σ(s), computed in e's memory
        residual *= sign  # (1 − 2y)·σ(s) = p − y
        return loss, residual, 1.0 / n
