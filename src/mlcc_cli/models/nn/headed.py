"""What every network with a task head shares: building, its loss, predictions and label checks.

`Mlp` and `Cnn` differ in how they compute the output o (n, n_outputs); from o on — the head's
loss, predicted labels and probabilities, which labels the head can learn, the model size —
they are the same network, so that lives here once (`heads.py` holds the head's maths).
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.models.base import LOG_LOSS, SQUARED_ERROR, Model
from mlcc_cli.models.nn.activations import sigmoid
from mlcc_cli.models.nn.heads import head_loss, probabilities


class HeadedNetwork(Model):
    """A network whose output o feeds the head its `task` names; subclasses define `output`.

    Attributes a subclass provides: type, task (resolved before use), n_features_in_,
    n_outputs_, params, l1_names (the weight arrays L1, L2 and the model size count).
    """

    task: str
    n_features_in_: int | None
    n_outputs_: int
    l2: float
    _params: dict[str, np.ndarray]

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameter arrays themselves (not copies): optimizers update them in place."""
        self._check_fitted()
        return self._params

    def layer_grad_norms(self, grads: dict[str, np.ndarray]) -> dict[str, float]:
        """‖∂loss/∂W‖₂ (Frobenius) per weight array (kernels, then matrices), input side first."""
        return {name: float(np.linalg.norm(grads[name])) for name in self.l1_names}

    def _with_l2(self, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Backpropagation's data gradients plus the L2 term on every weight array: L2 penalty
        λ₂·ΣW², gradient 2λ₂W (biases and batch-norm γ, β are not penalised); one per param."""
        if self.l2:
            for name in self.l1_names:
                grads[name] += (2.0 * self.l2) * self._params[name]
        return {name: grads[name] for name in self._params}

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
    ) -> Self:
        """A network from its `model:` section: its head follows `task` (resolved from the
        label) and its random streams the run's `seed`, when given."""
        given = {"task": task, "seed": seed}
        return cls(**settings | {key: value for key, value in given.items() if value is not None})

    @property
    def loss_name(self) -> str:
        """The head's loss: mean squared error (regression) or log loss."""
        return SQUARED_ERROR if self.task == "regression" else LOG_LOSS

    @property
    def loss_label(self) -> str:
        return "MSE" if self.task == "regression" else LOG_LOSS

    def output(self, X: Any) -> np.ndarray:
        """Evaluation-mode network output o (n, n_outputs)."""
        raise NotImplementedError

    def loss(self, X: Any, y: np.ndarray) -> float:
        """Evaluation-mode data loss on a whole split (no penalty, no dropout)."""
        y = np.asarray(y, dtype=np.float64)
        self.validate_targets(y)
        return head_loss(self.task, self.output(X), y)[0]

    def predict(self, X: Any, threshold: float = 0.5) -> np.ndarray:
        """ŷ (regression), class 1 where p ≥ threshold (binary) or argmax class (multiclass)."""
        o = self.output(X)
        if self.task == "regression":
            return o[:, 0]
        if self.task == "binary":
            return (sigmoid(o[:, 0]) >= threshold).astype(np.int64)
        return o.argmax(axis=1)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes): [1 − p, p] or softmax(o)."""
        if self.task == "regression":
            raise DataError(f"a regression {self.type} has no class probabilities")
        return probabilities(self.task, self.output(X))

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` unless y suits the head: finite; 0/1; or classes 0..K−1."""
        y = np.asarray(y)
        if not np.all(np.isfinite(y)):
            raise DataError(f"{type(self).__name__}: the label contains NaN or infinite values")
        if self.task == "binary" and not np.isin(y, (0, 1)).all():
            raise DataError(f"a binary {self.type} needs labels 0 and 1")
        if self.task == "multiclass" and not np.isin(y, np.arange(self.n_outputs_)).all():
            k = self.n_outputs_
            raise DataError(f"a multiclass {self.type} with {k} classes needs labels 0..{k - 1}")

    def nonzero_weights(self) -> int:
        """Model size: entries of the weight (and kernel) arrays different from 0; biases and
        batch-norm γ, β are not counted."""
        return int(sum(np.count_nonzero(self.params[name]) for name in self.l1_names))

    def _check_fitted(self) -> None:
        if self.n_features_in_ is None:
            raise NotFittedError(self)
