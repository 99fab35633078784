"""What every linear-family model shares: weights W and bias b, their checks and saved state.

Linear and logistic regression keep coef_ (n_features,) and intercept_ (1,); softmax,
one-vs-all and multi-label keep coef_ (n_features, n_classes) and intercept_ (n_classes,).
Either way the model is X·W + b, only coef_ is penalised (λ₁·Σ|w| + λ₂·Σw²), and the state is
JSON (never pickled). Also here: the design-matrix helpers (dense or scipy CSR) and the
overflow-free sigmoid both families use, so neither imports the other.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.models.base import EXACT_L1, Model

if TYPE_CHECKING:
    from scipy.sparse import csr_array, sparray, spmatrix

    Matrix = np.ndarray | sparray | spmatrix  # a design matrix, dense or sparse

# get_state keys that describe the weights rather than the constructor's hyperparameters.
_STRUCTURE_KEYS = ("type", "n_features_in_", "n_classes_", "coef_", "intercept_")


def is_sparse(X: object) -> bool:
    """Whether X is a scipy.sparse matrix or array.

    Asks scipy only when it is already imported: a sparse X cannot exist otherwise, and dense
    callers then never pay scipy's import.
    """
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(X)


def as_csr(X: Matrix) -> csr_array:
    """X as CSR float64; no copy when it already is (other formats convert once)."""
    if X.format != "csr":
        X = X.tocsr()
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    return X


def exp_minus_abs(s: np.ndarray) -> np.ndarray:
    """e^(−|s|), elementwise, in a new array."""
    e = np.abs(s)
    np.negative(e, out=e)
    return np.exp(e, out=e)


def sigmoid_from(s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """σ(s) from e = e^(−|s|), overwriting e: q = 1/(1 + e) where s ≥ 0, else 1 − q.

    Written as 0.5 + copysign(q − 0.5, s), which is exact in floating point (q ∈ [½, 1], so
    q − 0.5 and 1 − q are exact) and avoids np.where's slow selection.
    """
    e += 1.0
    q = np.reciprocal(e, out=e)
    q -= 0.5
    np.copysign(q, s, out=q)
    q += 0.5
    return q


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z), evaluated without overflow."""
    return sigmoid_from(z, exp_minus_abs(z))


class LinearWeights(Model, ABC):
    """Weights W (coef_), bias b (intercept_), L1/L2 strengths, checks and JSON state.

    Subclasses size the arrays in `initialize` and add the loss; `from_state` rebuilds any of
    them from `get_state()` output, passing the saved hyperparameters back to the constructor.
    What the rest of mlcc asks about a model (task, loss, kernel, ...) is declared by each
    subclass (see `models/base.py`).
    """

    type: ClassVar[str]
    l1_names: ClassVar[tuple[str, ...]] = ("coef_",)  # parameters the L1 proximal step touches

    def __init__(self, l1: float = 0.0, l2: float = 0.0, l1_method: str = EXACT_L1) -> None:
        self.l1 = l1
        self.l2 = l2
        self.l1_method = l1_method
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None
        self.n_features_in_: int | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._penalty_repr()})"

    def _penalty_repr(self) -> str:
        """l1=…, l2=…[, l1_method=…]: the method only when it is not the default."""
        text = f"l1={self.l1!r}, l2={self.l2!r}"
        return text if self.l1_method == EXACT_L1 else f"{text}, l1_method={self.l1_method!r}"

    @abstractmethod
    def initialize(self, n_features: int, *sizes: Any) -> Self:
        """All-zero weights sized for n_features inputs (and, multiclass, the classes)."""

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The weight arrays themselves (not copies): optimizers update them in place."""
        self._check_fitted()
        return {"coef_": self.coef_, "intercept_": self.intercept_}

    def l1_rows(self, X: Matrix) -> np.ndarray | None:
        """The rows of coef_ a batch X touches, for the cumulative L1 penalty: the columns
        holding a stored entry when X is sparse (as scikit-learn's SGD), else None (all)."""
        return np.unique(X.indices) if is_sparse(X) else None

    def nonzero_weights(self) -> int:
        """Model size in crash-course terms: coef_ entries different from 0 (biases not
        counted)."""
        self._check_fitted()
        return int(np.count_nonzero(self.coef_))

    def get_state(self) -> dict[str, Any]:
        """Hyperparameters and weights as JSON-able values (arrays become lists)."""
        self._check_fitted()
        return {
            "type": self.type,
            **self._hyperparameters(),
            "n_features_in_": self.n_features_in_,
            **self._size_state(),
            "coef_": self.coef_.tolist(),
            "intercept_": self.intercept_.tolist(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Self:
        """Rebuild a fitted model from `get_state()` output (never unpickles anything)."""
        if state.get("type") != cls.type:
            raise DataError(f"state of model {state.get('type')!r} cannot build {cls.__name__}")
        model = cls(**{k: v for k, v in state.items() if k not in _STRUCTURE_KEYS})
        sizes = [int(state["n_classes_"])] if "n_classes_" in state else []
        model.initialize(int(state["n_features_in_"]), *sizes)
        coef = np.asarray(state["coef_"], dtype=np.float64)
        intercept = np.asarray(state["intercept_"], dtype=np.float64)
        if coef.shape != model.coef_.shape or intercept.shape != model.intercept_.shape:
            raise DataError(
                f"{cls.__name__} state is inconsistent: weights {coef.shape} for "
                f"{model.n_features_in_} features"
            )
        model.coef_[:] = coef
        model.intercept_[:] = intercept
        return model

    # ------------------------------------------------------------------ helpers

    def _hyperparameters(self) -> dict[str, Any]:
        """Constructor arguments that get_state saves and from_state passes back."""
        return {"l1": self.l1, "l2": self.l2, "l1_method": self.l1_method}

    def _size_state(self) -> dict[str, Any]:
        """Sizes besides n_features_in_ that `initialize` needs again (multiclass: classes)."""
        return {}

    def _check_fitted(self) -> None:
        if self.coef_ is None:
            raise NotFittedError(self)

    def _check_features(self, X: Matrix) -> Matrix:
        self._check_fitted()
        # No copy for float64 input (dense) or CSR float64 (sparse, never densified); X is
        # never written to.
        X = as_csr(X) if is_sparse(X) else np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise DataError(f"{type(self).__name__} expects a 2-D feature matrix, got {X.ndim}-D")
        if X.shape[1] != self.n_features_in_:
            raise DataError(
                f"{type(self).__name__} was initialized with {self.n_features_in_} features "
                f"but got {X.shape[1]}"
            )
        return X

    def _check_labels(self, X: Matrix, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (X.shape[0],):
            raise DataError(
                f"labels must have shape ({X.shape[0]},) to match the features, got {y.shape}"
            )
        return y
