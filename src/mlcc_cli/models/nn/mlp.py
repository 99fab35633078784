"""The multilayer perceptron: dense hidden layers trained by backpropagation.

Each hidden layer is dense, optionally batch-normalised (its γ_l, β_l then replace the bias
b_l), activated and, in training only, followed by inverted dropout; the output layer feeds
the head the task names (`heads.py`). The two passes live in `propagation.py` and the saved
state in `mlp_state.py`. Parameters are named W1, b1, gamma1, beta1, …, W{L+1}, b{L+1} (plus
embedding_COLUMN) so optimizers, L2 and the per-layer diagnostics address them by name.
X may be dense or scipy CSR; only X @ W1 and Xᵀ @ δ₁ (and column slices for embeddings)
touch it, which scipy computes without densifying X.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.models.base import EXACT_L1
from mlcc_cli.models.linear_base import as_csr, is_sparse
from mlcc_cli.models.nn import layers
from mlcc_cli.models.nn.activations import default_init
from mlcc_cli.models.nn.embeddings import EmbeddingInput, embedding_name
from mlcc_cli.models.nn.headed import HeadedNetwork
from mlcc_cli.models.nn.heads import head_loss, resolve_head
from mlcc_cli.models.nn.mlp_state import network_state, restore_network
from mlcc_cli.models.nn.propagation import Masks, backward, forward


class Mlp(HeadedNetwork):
    """A feed-forward neural network (multilayer perceptron) with a task-specific head.

    a₀ = X (or [X_rest, X_c·E_c, …] with embeddings, see `embeddings.py`); hidden layers
    a_l = f(BN(a_{l−1}W_l) or a_{l−1}W_l + b_l)·mask_l; output o = a_L W_{L+1} + b_{L+1};
    the head's loss and δ = ∂loss/∂o are in `heads.py`, both passes in `propagation.py`.
    L2 adds 2λ₂W to every weight matrix (never biases, γ or β); L1 is the optimizer's
    proximal step on `l1_names` = the weight matrices (and embedding matrices).

    Randomness: weights and dropout masks come from Generators seeded by `seed` (two streams
    spawned from SeedSequence(seed) in `initialize`), so the same seed gives the same run.

    Parameters: hidden_units, activation, leaky_slope, dropout, batch_norm, init, task,
    embeddings, l1, l2 as in `MlpConfig`; seed (int).
    Attributes: params (embedding_COLUMN, W1, b1, …), buffers (batch-norm running averages,
    also as running_mean_ / running_var_ by layer), n_features_in_, n_outputs_, classes_
    (classification), embedding_input_, l1_names. `initialize` replaces task `auto` by the
    task it resolves.
    """

    type = "mlp"
    layer_diagnostics = True  # grad_norm_W*, dead_relu_* each period (training/diagnostics.py)

    def __init__(
        self,
        hidden_units: Sequence[int] = (8,),
        activation: str = "relu",
        leaky_slope: float = 0.01,
        dropout: float | list[float] = 0.0,
        batch_norm: bool = False,
        init: str = "auto",
        task: str = "auto",
        embeddings: dict[str, Any] | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int = 0,
        l1_method: str = EXACT_L1,
    ) -> None:
        self.hidden_units = list(hidden_units)
        self.activation = activation
        self.leaky_slope = leaky_slope
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.task = task  # "auto" is resolved from the label before `initialize`
        self.embeddings = dict(embeddings or {})
        self.l1 = l1
        self.l2 = l2
        self.l1_method = l1_method
        self.seed = seed
        self.n_features_in_: int | None = None
        self._params: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return (
            f"Mlp(hidden_units={self.hidden_units!r}, activation={self.activation!r}, "
            f"dropout={self.dropout!r}, batch_norm={self.batch_norm!r}, init={self.init!r}, "
            f"task={self.task!r}, l1={self.l1!r}, l2={self.l2!r})"
        )

    # ------------------------------------------------------------ what mlcc asks

    @property
    def kernel(self) -> str | None:
        """training/kernels/mlp.py for dense layers alone; batch norm, dropout (a mask drawn
        per step) and embeddings train on the numpy path."""
        plain = not self.batch_norm and not self.embeddings and not any(self.dropout_rates())
        return "mlp_dense" if plain else None

    # About forty array calls a step (forward, head, backward, update): the numpy loop's cost
    # per step for the engine choice (training/engine.py).
    numpy_step_seconds = 150e-6

    def divergence_advice(self) -> str:
        """Batch normalisation keeps layer inputs in range."""
        if self.batch_norm:
            return ""
        return "; for an mlp, model.batch_norm: true also steadies training"

    def underfitting_fixes(self) -> tuple[str, ...]:
        """Twice the units in every hidden layer."""
        wider = [2 * units for units in self.hidden_units]
        return (f"model.hidden_units=[{', '.join(map(str, wider))}]",)

    def overfitting_fixes(self) -> tuple[str, ...]:
        """Dropout, when the network has none."""
        return () if self.dropout else ("model.dropout=0.2",)

    def stability_fixes(self) -> tuple[str, ...]:
        """Batch normalisation keeps every layer's inputs in range."""
        return ("model.batch_norm=true",)

    # ------------------------------------------------------------------ set-up

    @property
    def n_layers(self) -> int:
        """Hidden layers L; the output layer is number L + 1."""
        return len(self.hidden_units)

    @property
    def l1_names(self) -> tuple[str, ...]:
        """The weight matrices W1 … W{L+1} and embeddings: what L1 and L2 penalise (never
        biases, γ, β)."""
        embedded = tuple(embedding_name(column) for column in self.embeddings)
        return embedded + tuple(f"W{layer}" for layer in range(1, self.n_layers + 2))

    def dropout_rates(self) -> list[float]:
        """One inverted-dropout rate per hidden layer."""
        if isinstance(self.dropout, list):
            return [float(rate) for rate in self.dropout]
        return [float(self.dropout)] * self.n_layers

    def initialize(
        self,
        n_features: int,
        n_classes: int | None = None,
        embedding_columns: dict[str, tuple[int, int]] | None = None,
    ) -> Self:
        """Draw the weights (he or xavier), zero the biases, set γ = 1, β = 0.

        The head's width is 1 (regression, binary) or n_classes (multiclass). With task
        `auto`, n_classes decides: 2 → binary, more → multiclass. With `embeddings`,
        embedding_columns gives each embedded column's indicator columns (start, stop) in X.
        """
        if self.embeddings and embedding_columns is None:
            raise ConfigError(
                "model.embeddings: the network needs the design-matrix columns of "
                f"{sorted(self.embeddings)} (initialize(..., embedding_columns=...))"
            )
        if n_features < 1:
            raise DataError(f"Mlp needs at least one input feature, got {n_features}")
        self.task, self.n_outputs_ = resolve_head(self.task, n_classes)
        if self.task != "regression":
            self.classes_ = np.arange(max(self.n_outputs_, 2))
        init_seed, dropout_seed = np.random.SeedSequence(self.seed).spawn(2)
        init_rng = np.random.default_rng(init_seed)
        self.dropout_rng_ = np.random.default_rng(dropout_seed)
        scheme = default_init(self.activation) if self.init == "auto" else self.init
        params: dict[str, np.ndarray] = {}
        self.embedding_input_ = None
        width = n_features
        if self.embeddings:
            self.embedding_input_ = EmbeddingInput(embedding_columns, self.embeddings, n_features)
            width = self.embedding_input_.width
            params |= self.embedding_input_.initial_matrices(init_rng)
        sizes = [width, *self.hidden_units, self.n_outputs_]
        dense, self.running_mean_, self.running_var_ = layers.dense_layers(
            sizes, scheme, self.batch_norm, init_rng
        )
        params |= dense
        self._params = params
        self.n_features_in_ = n_features
        return self

    @property
    def buffers(self) -> dict[str, np.ndarray]:
        """Learned arrays that are not trained by gradients: batch-norm running averages,
        named running_mean1, running_var1, … (live arrays; save them next to `params`)."""
        self._check_fitted()
        named = {}
        for layer in self.running_mean_:
            named[f"running_mean{layer}"] = self.running_mean_[layer]
            named[f"running_var{layer}"] = self.running_var_[layer]
        return named

    # ------------------------------------------------------------------ training

    def loss_and_gradients(
        self, X: Any, y: np.ndarray, masks: Masks = True, update_running: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Batch data loss (no penalty) and gradients of data loss + L2, by backpropagation.

        Training mode: dropout on (masks, see `propagation.Masks`), batch norm with batch
        statistics (its running averages are updated unless update_running is False).
        """
        X, y = self._check_features(X), np.asarray(y, dtype=np.float64)
        o, cache = forward(self, X, training=True, masks=masks, update_running=update_running)
        loss, delta = head_loss(self.task, o, y)  # δ: (n, n_outputs)
        return loss, self._with_l2(backward(self, cache, delta))

    def hidden_activations(self, X: Any) -> list[np.ndarray]:
        """Evaluation-mode activations f(u_l) of every hidden layer, each (n, units_l)."""
        X = self._check_features(X)
        return forward(self, X, training=False)[1].post

    # ------------------------------------------------------------------ evaluation

    def output(self, X: Any) -> np.ndarray:
        """Evaluation-mode network output o (n, n_outputs): no dropout, running BN stats."""
        return forward(self, self._check_features(X), training=False)[0]

    # ------------------------------------------------------------------ state

    def get_state(self) -> dict[str, Any]:
        """Hyperparameters, weights and batch-norm running averages as JSON-able values."""
        return network_state(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Self:
        """Rebuild a fitted network from `get_state()` output (never unpickles anything)."""
        return restore_network(cls, state)

    def _check_features(self, X: Any) -> Any:
        """Dense X as float64 ndarray, sparse X as CSR float64 (never densified)."""
        self._check_fitted()
        X = as_csr(X) if is_sparse(X) else np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise DataError(
                f"Mlp was initialized with {self.n_features_in_} features but got "
                f"{X.shape[1] if X.ndim == 2 else f'a {X.ndim}-D array'}"
            )
        return X
