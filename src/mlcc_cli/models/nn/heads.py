"""Output heads: how the network's last layer o becomes a loss, a gradient and probabilities.

regression: ŷ = o, mean squared error; binary: p = σ(o), log loss; multiclass:
P = softmax(o), cross-entropy. Each head's gradient δ = ∂loss/∂o starts backpropagation.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.errors import ConfigError
from mlcc_cli.models.nn.activations import sigmoid


def resolve_head(task: str, n_classes: int | None) -> tuple[str, int]:
    """The head's task and width: 1 output (regression, binary) or n_classes (multiclass).

    With task `auto`, n_classes decides: 2 → binary, more → multiclass.
    """
    if task == "auto":
        if n_classes is None:
            raise ConfigError(
                "model.task auto: the task must be resolved from the label before the "
                "network is built; set model.task to regression, binary or multiclass"
            )
        task = "binary" if n_classes <= 2 else "multiclass"
    if task == "multiclass":
        if n_classes is None or n_classes < 2:
            raise ConfigError(f"a multiclass mlp needs n_classes >= 2, got {n_classes}")
        return task, n_classes
    return task, 1


def log_softmax(o: np.ndarray) -> np.ndarray:
    """log softmax(o) row by row, (n, K); subtracting the row maximum keeps exp() in range."""
    shifted = o - o.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # in place: one array less
    return shifted


def head_loss(task: str, o: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean data loss over the batch and δ = ∂loss/∂o, shaped like o (n, n_outputs).

    regression: (1/n)Σ(o − y)², δ = (2/n)(o − y);
    binary: (1/n)Σ softplus(s) with s = (1 − 2y)·o (the log loss of σ(o), overflow-free),
    δ = (1/n)(σ(o) − y); multiclass: −(1/n)Σ log softmax(o)_y, δ = (1/n)(softmax(o) − onehot(y)).
    """
    n = o.shape[0]
    if task == "regression":
        residual = o[:, 0] - y  # ŷ − y
        return float(residual @ residual) / n, (2.0 / n) * residual[:, None]
    if task == "binary":
        s = (1.0 - 2.0 * y) * o[:, 0]
        loss = float(np.logaddexp(0.0, s).sum()) / n
        return loss, ((sigmoid(o[:, 0]) - y) / n)[:, None]
    log_p = log_softmax(o)  # (n, K)
    rows, labels = np.arange(n), y.astype(np.int64)
    loss = -float(log_p[rows, labels].sum()) / n
    delta = np.exp(log_p)
    delta[rows, labels] -= 1.0  # softmax − onehot
    delta /= n
    return loss, delta


def probabilities(task: str, o: np.ndarray) -> np.ndarray:
    """Class probabilities (n, n_classes): [1 − σ(o), σ(o)] (binary) or softmax(o)."""
    if task == "binary":
        p = sigmoid(o[:, 0])
        return np.column_stack([1.0 - p, p])
    return np.exp(log_softmax(o))
