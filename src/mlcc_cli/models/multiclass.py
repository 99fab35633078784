"""Multiclass models: softmax (multinomial logistic regression) and one-vs-all logistic.

Crash course, "Multi-class neural networks": one-vs-all trains one binary classifier per
class; softmax turns K scores into K probabilities that sum to 1 and trains them together
(`multilabel.py` keeps one sigmoid per label, for examples that carry several).
Both are linear here: scores Z = X·W + b with W (n_features, n_classes) and b (n_classes,);
labels y are class codes 0..K−1 (`data.encode_label` sorts the class names).

X may be dense or scipy.sparse CSR; every product is X @ W or X.T @ R, which both kinds
compute without densifying X. L2 enters the gradient (2λ₂W); L1 is the optimizer's proximal
step on `l1_names`, as for the linear models. The bias is never penalised.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from mlcc_cli.errors import DataError
from mlcc_cli.models.base import EXACT_L1, LOG_LOSS
from mlcc_cli.models.linear_base import LinearWeights, exp_minus_abs, sigmoid, sigmoid_from

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix


class MulticlassBase(LinearWeights):
    """Weights, checks and state export shared by Softmax, OneVsAll and MultiLabel.

    Attributes: coef_ (n_features, n_classes), intercept_ (n_classes,), classes_ = 0..K−1,
    n_features_in_, n_classes_.
    """

    type: ClassVar[str]
    task: ClassVar[str] = "multiclass"
    loss_name: ClassVar[str] = LOG_LOSS
    loss_label: ClassVar[str] = LOG_LOSS

    def __init__(self, l1: float = 0.0, l2: float = 0.0, l1_method: str = EXACT_L1) -> None:
        super().__init__(l1, l2, l1_method)
        self.n_classes_: int | None = None

    def initialize(self, n_features: int, n_classes: int | None = None) -> Self:
        """All-zero weights and biases for n_classes classes (a convex loss needs no random
        start). n_classes must be given: the training data's label encoding knows it."""
        name = type(self).__name__
        if n_features < 1:
            raise DataError(f"{name} needs at least one input feature, got 0")
        if n_classes is None or n_classes < 2:
            raise DataError(
                f"{name} needs the number of classes (at least 2) to initialize, got {n_classes}"
            )
        self.coef_ = np.zeros((n_features, n_classes), dtype=np.float64)  # (d, K)
        self.intercept_ = np.zeros(n_classes, dtype=np.float64)  # (K,)
        self.classes_ = np.arange(n_classes)
        self.n_features_in_, self.n_classes_ = n_features, n_classes
        return self

    def decision_function(self, X: Matrix) -> np.ndarray:
        """Scores Z = X·W + b, shape (n_samples, n_classes)."""
        X = self._check_features(X)
        Z = np.asarray(X @ self.coef_)  # (n, K) = (n, d) @ (d, K)
        Z += self.intercept_
        return Z

    def predict(self, X: Matrix) -> np.ndarray:
        """The class code (0..K−1) of the highest score, shape (n_samples,)."""
        return np.argmax(self.decision_function(X), axis=1)

    def loss(self, X: Matrix, y: np.ndarray) -> float:
        """Data loss on a whole split (no penalty, no sampling); targets validated first."""
        X = self._check_features(X)
        y = self._check_labels(X, y)
        self.validate_targets(y)
        return self._full_loss_and_residual(X, y, want_residual=False)[0]

    def loss_and_gradients(self, X: Matrix, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Batch data loss (without penalty) and gradients of data loss + L2 penalty.

        ∂/∂W = (1/n)·Xᵀ·R + 2λ₂W and ∂/∂b = (1/n)·Σᵢ Rᵢ, where R (n, K) is ∂loss/∂Z·n.
        """
        X = self._check_features(X)
        y = self._check_labels(X, y)
        loss, residual = self._training_loss_and_residual(X, y)
        n = X.shape[0]
        grad_coef = np.asarray(X.T @ residual)  # (d, K) = (d, n) @ (n, K); sparse: O(nnz·K)
        grad_coef /= n
        if self.l2:
            grad_coef += (2.0 * self.l2) * self.coef_
        grad_intercept = residual.sum(axis=0) / n  # (K,)
        return loss, {"coef_": grad_coef, "intercept_": grad_intercept}

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` unless every label is a class code 0..n_classes−1."""
        self._check_fitted()
        y = np.asarray(y, dtype=np.float64)
        bad = ~np.isin(y, np.arange(self.n_classes_))
        if bad.any():
            examples = ", ".join(repr(v) for v in np.unique(y[bad])[:5].tolist())
            raise DataError(
                f"{type(self).__name__} needs class codes 0..{self.n_classes_ - 1}, found "
                f"{examples}"
            )

    # ------------------------------------------------------------------ helpers

    def _size_state(self) -> dict[str, Any]:
        return {"n_classes_": self.n_classes_}

    def _training_loss_and_residual(self, X: Matrix, y: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and residual training steps use (the full loss unless overridden)."""
        return self._full_loss_and_residual(X, y, want_residual=True)

    @abstractmethod
    def _full_loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray | None]:
        """(mean data loss, residual R = n·∂loss/∂Z or None) over every class."""


def _log_softmax(Z: np.ndarray) -> np.ndarray:
    """log softmax(Z) per row, in place of Z: Z − max − log Σ exp(Z − max) (never overflows)."""
    Z -= Z.max(axis=1, keepdims=True)  # the largest score becomes 0, so exp(Z) ≤ 1
    Z -= np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return Z


class Softmax(MulticlassBase):
    """Softmax (multinomial logistic) regression: P = softmax(X·W + b), cross-entropy loss.

    P[i, k] = exp(Z[i, k]) / Σⱼ exp(Z[i, j]), computed after subtracting each row's maximum.
    Loss: mean over examples of −log P[i, yᵢ]; gradient ∂/∂Z = P − onehot(y) (divided by n).
    Penalty λ₁·Σ|W| + λ₂·ΣW²: L2 adds 2λ₂W to the gradient, L1 is a proximal optimizer step.
    With l2 = λ₂ it matches scikit-learn's multinomial LogisticRegression(C = 1/(2·λ₂·n_train)).

    Candidate sampling (`sampled_softmax: {num_sampled: S}`): each training step scores, per
    example, the true class and S negative classes drawn uniformly (with replacement) from the
    other K−1 with a seeded generator, and applies softmax cross-entropy over those S+1
    candidates only; only their columns of W receive gradient. The estimate is deliberately
    uncorrected (no log-Q correction; with uniform sampling that shifts every negative by the
    same constant, so it does not change the ranking of classes), and it is biased relative
    to the full loss. Reported losses, predictions and metrics always use the full softmax.
    When S ≥ K−1 sampling would draw every class anyway, so the full softmax is used.
    The full score matrix is computed for simplicity; a large-vocabulary system would only
    compute the sampled columns.

    Parameters: l1, l2 (≥ 0); sampled_softmax — {"num_sampled": S} or None.
    Attributes: coef_ (n_features, n_classes), intercept_ (n_classes,), classes_, n_classes_.
    """

    type = "softmax"

    def __init__(
        self,
        l1: float = 0.0,
        l2: float = 0.0,
        sampled_softmax: dict[str, int] | None = None,
        l1_method: str = EXACT_L1,
    ) -> None:
        super().__init__(l1=l1, l2=l2, l1_method=l1_method)
        self.sampled_softmax = sampled_softmax
        self.rng_: np.random.Generator | None = None

    def __repr__(self) -> str:
        return f"Softmax({self._penalty_repr()}, sampled_softmax={self.sampled_softmax!r})"

    @property
    def kernel(self) -> str | None:
        """training/kernels/multiclass.py for the full softmax; candidate sampling draws
        random negatives per step, which only the numpy path does."""
        return "softmax_cross_entropy" if self.sampled_softmax is None else None

    def initialize(
        self,
        n_features: int,
        n_classes: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> Self:
        """Zero weights; `rng` draws the sampled negatives (default: a generator seeded 0)."""
        super().initialize(n_features, n_classes)
        self.rng_ = rng if rng is not None else np.random.default_rng(0)
        return self

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """Class probabilities softmax(X·W + b), shape (n_samples, n_classes), rows sum to 1."""
        return np.exp(_log_softmax(self.decision_function(X)))

    @property
    def num_sampled(self) -> int | None:
        """Negatives per example during training, or None for the full softmax."""
        if self.sampled_softmax is None:
            return None
        return int(dict(self.sampled_softmax)["num_sampled"])

    def _hyperparameters(self) -> dict[str, Any]:
        sampled = None if self.sampled_softmax is None else dict(self.sampled_softmax)
        return {**super()._hyperparameters(), "sampled_softmax": sampled}

    def _full_loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray | None]:
        n = X.shape[0]
        codes = y.astype(np.int64)
        log_p = _log_softmax(self.decision_function(X))  # (n, K)
        loss = -float(log_p[np.arange(n), codes].sum()) / n
        if not want_residual:
            return loss, None
        residual = np.exp(log_p, out=log_p)  # P, (n, K)
        residual[np.arange(n), codes] -= 1.0  # P − onehot(y)
        return loss, residual

    def _training_loss_and_residual(self, X: Matrix, y: np.ndarray) -> tuple[float, np.ndarray]:
        S = self.num_sampled
        K = self.n_classes_
        if S is None or S >= K - 1:
            return self._full_loss_and_residual(X, y, want_residual=True)
        n = X.shape[0]
        codes = y.astype(np.int64)
        # Uniform over the K−1 other classes: draw 0..K−2 and skip over the true class.
        negatives = self.rng_.integers(0, K - 1, size=(n, S))  # (n, S)
        negatives += negatives >= codes[:, None]
        candidates = np.column_stack([codes, negatives])  # (n, S+1), true class first
        Z = self.decision_function(X)  # (n, K)
        log_p = _log_softmax(np.take_along_axis(Z, candidates, axis=1))  # (n, S+1)
        loss = -float(log_p[:, 0].sum()) / n
        sampled_residual = np.exp(log_p, out=log_p)
        sampled_residual[:, 0] -= 1.0  # softmax over candidates − onehot(position 0)
        residual = np.zeros_like(Z)  # (n, K): zero for classes not drawn
        np.add.at(residual, (np.arange(n)[:, None], candidates), sampled_residual)
        return loss, residual


class OneVsAll(MulticlassBase):
    """One-vs-all: K binary logistic classifiers (class k vs the rest), trained together.

    Column k of W with bias b[k] is exactly a logistic regression on the 0/1 label (y = k):
    raw score σ(Z[:, k]). The loss is the SUM over classes of each classifier's mean log loss,
    so each column's gradient is exactly its own binary model's, (1/n)·Xᵀ(σ(z_k) − [y = k])
    + 2λ₂w_k: with the same data, order and learning rate, plain SGD reaches the same weights
    as K separately trained logistic models (clip_norm and adaptive optimizers that mix
    columns are the exception: clipping uses the global norm of all K).

    The K raw scores need not sum to 1 (`predict_raw_proba`); `predict_proba` normalises
    them to do so. Prefer one-vs-all when the classes are easy to separate one at a time, or
    when you want each class's own calibrated-ish yes/no score (e.g. to add a class without
    retraining the others); prefer softmax for calibrated probabilities over mutually
    exclusive classes. The predicted class is the highest score either way.

    Parameters: l1, l2 (≥ 0).
    Attributes: coef_ (n_features, n_classes), intercept_ (n_classes,), classes_, n_classes_.
    """

    type = "one_vs_all"
    kernel = "one_vs_all_log_loss"  # training/kernels/multiclass.py

    def predict_raw_proba(self, X: Matrix) -> np.ndarray:
        """Each classifier's own σ(z_k) = P(class k vs the rest), shape (n, K); rows need not
        sum to 1."""
        return sigmoid(self.decision_function(X))

    def predict_proba(self, X: Matrix) -> np.ndarray:
        """Raw scores normalised per row to sum to 1, shape (n_samples, n_classes)."""
        raw = self.predict_raw_proba(X)
        return raw / raw.sum(axis=1, keepdims=True)

    def _full_loss_and_residual(
        self, X: Matrix, y: np.ndarray, want_residual: bool
    ) -> tuple[float, np.ndarray | None]:
        onehot = y.astype(np.int64)[:, None] == self.classes_[None, :]  # (n, K) bool
        return sigmoid_losses(self.decision_function(X), onehot, want_residual)


def sigmoid_losses(
    Z: np.ndarray, targets: np.ndarray, want_residual: bool
) -> tuple[float, np.ndarray | None]:
    """Σ over columns of each column's mean log loss of σ(Z) against 0/1 targets (n, K),
    and the residual σ(Z) − targets; overwrites Z.

    As LogisticRegression: s = (1 − 2t)·z, per-entry loss softplus(s) and residual
    (1 − 2t)·σ(s), both from e^(−|s|), so nothing overflows or cancels.
    """
    n = Z.shape[0]
    sign = 1.0 - 2.0 * targets  # (n, K): +1 for 0, −1 for 1
    s = Z
    s *= sign
    e = exp_minus_abs(s)
    softplus = np.log1p(e)
    softplus += np.maximum(s, 0.0)
    loss = float(softplus.sum()) / n
    if not want_residual:
        return loss, None
    residual = sigmoid_from(s, e)
    residual *= sign  # σ(z) − t
    return loss, residual
