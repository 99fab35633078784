"""The multilayer perceptron: dense hidden layers trained by backpropagation.

Layer l (1..L hidden) computes z = a₋·W_l + b_l, optionally batch-normalises it
(u = γ_l·ẑ + β_l, in which case b_l is dropped: β_l already shifts the unit), applies the
activation a = f(u) and, in training only, inverted dropout. The output layer W_{L+1},
b_{L+1} feeds the head the task names: regression (linear, mean squared error), binary
(sigmoid, log loss) or multiclass (softmax, cross-entropy).

Parameters are named W1, b1, gamma1, beta1, …, W{L+1}, b{L+1} (plus embedding_COLUMN) so
optimizers, L2 and the per-layer diagnostics address them by name. X may be dense or scipy
CSR; only X @ W1 and Xᵀ @ δ₁ (and column slices for embeddings) touch it, which scipy
computes without densifying X.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Self

import numpy as np

from mlcc_cli.errors import ConfigError, DataError, NotFittedError
from mlcc_cli.models.nn import layers
from mlcc_cli.models.nn.activations import activate, default_init, derivative, sigmoid
from mlcc_cli.models.nn.embeddings import EmbeddingInput, embedding_name
from mlcc_cli.models.nn.heads import head_loss, probabilities

Masks = bool | list[np.ndarray | None]


@dataclass
class _Cache:
    """What the forward pass keeps for backpropagation, one entry per hidden layer."""

    inputs: list[Any] = field(default_factory=list)  # a₋ entering each layer (a₀ for layer 1)
    blocks: list[Any] = field(default_factory=list)  # X's indicator blocks that are embedded
    pre: list[np.ndarray] = field(default_factory=list)  # u, the activation's input
    post: list[np.ndarray] = field(default_factory=list)  # f(u), before dropout
    masks: list[np.ndarray | None] = field(default_factory=list)
    norms: list[tuple[np.ndarray, np.ndarray] | None] = field(default_factory=list)  # ẑ, 1/σ


class Mlp:
    """A feed-forward neural network (multilayer perceptron) with a task-specific head.

    Forward: a₀ = X (or [X_rest, X_c·E_c, …] with embeddings, see `embeddings.py`);
    z_l = a_{l−1}W_l + b_l; u_l = BN(z_l) or z_l; a_l = f(u_l)·mask_l;
    output o = a_L W_{L+1} + b_{L+1}. Losses (mean over the batch): regression (o − y)²;
    binary softplus(o) − y·o (log loss of σ(o)); multiclass −log softmax(o)_y.
    Backward (δ = ∂loss/∂o = (2/n)(o − y), (1/n)(σ(o) − y) or (1/n)(softmax(o) − onehot(y))):
    ∂W_l = a_{l−1}ᵀ δ_l, ∂b_l = Σ δ_l, ∂a_{l−1} = δ_l W_lᵀ, δ_l = BN'(∂a_l · mask_l · f'(u_l)).
    L2 adds 2λ₂W to every weight matrix (never biases, γ or β); L1 is the optimizer's
    proximal step on `l1_names` = the weight matrices (and embedding matrices).

    Randomness: weights and dropout masks come from Generators seeded by `seed` (two streams
    spawned from SeedSequence(seed) in `initialize`), so the same seed gives the same run.
    Set `seed` (e.g. from the experiment seed) before `initialize`.

    Parameters: hidden_units, activation, leaky_slope, dropout, batch_norm, init, task,
    embeddings, l1, l2 as in `MlpConfig`; seed (int).
    Attributes: params (embedding_COLUMN, W1, b1, …), buffers (batch-norm running averages,
    also as running_mean_ / running_var_ by layer), n_features_in_, n_outputs_, classes_
    (classification), embedding_input_, l1_names. `initialize` replaces task `auto` by the
    task it resolves.
    """

    type = "mlp"

    def __init__(
        self,
        hidden_units: Sequence[int] = (8,),
        activation: str = "relu",
        leaky_slope: float = 0.01,
        dropout: float | list[float] = 0.0,
        batch_norm: bool = False,
        init: str = "auto",
        task: str = "auto",
        embeddings: dict[str, int] | None = None,
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int = 0,
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
        self.seed = seed
        self.n_features_in_: int | None = None
        self._params: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return (
            f"Mlp(hidden_units={self.hidden_units!r}, activation={self.activation!r}, "
            f"dropout={self.dropout!r}, batch_norm={self.batch_norm!r}, init={self.init!r}, "
            f"task={self.task!r}, l1={self.l1!r}, l2={self.l2!r})"
        )

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
        if self.task == "auto":
            if n_classes is None:
                raise ConfigError(
                    "model.task auto: the task must be resolved from the label before the "
                    "network is built; set model.task to regression, binary or multiclass"
                )
            self.task = "binary" if n_classes <= 2 else "multiclass"
        if self.task == "multiclass":
            if n_classes is None or n_classes < 2:
                raise ConfigError(f"a multiclass mlp needs n_classes >= 2, got {n_classes}")
            self.n_outputs_ = n_classes
        else:
            self.n_outputs_ = 1
        if self.task != "regression":
            self.classes_ = np.arange(max(self.n_outputs_, 2))
        init_seed, dropout_seed = np.random.SeedSequence(self.seed).spawn(2)
        init_rng = np.random.default_rng(init_seed)
        self._dropout_rng = np.random.default_rng(dropout_seed)
        scheme = default_init(self.activation) if self.init == "auto" else self.init
        params: dict[str, np.ndarray] = {}
        self.embedding_input_ = None
        width = n_features
        if self.embeddings:
            self.embedding_input_ = EmbeddingInput(embedding_columns, self.embeddings, n_features)
            width = self.embedding_input_.width
            for column, size in self.embeddings.items():
                vocabulary = self.embedding_input_.vocabulary(column)
                params[embedding_name(column)] = layers.init_weights(
                    "xavier", vocabulary, size, init_rng
                )
        sizes = [width, *self.hidden_units, self.n_outputs_]
        self.running_mean_: dict[int, np.ndarray] = {}
        self.running_var_: dict[int, np.ndarray] = {}
        for layer, (fan_in, fan_out) in enumerate(pairwise(sizes), start=1):
            is_output = layer == len(sizes) - 1
            # The output layer is linear or feeds a sigmoid/softmax: xavier suits it.
            params[f"W{layer}"] = layers.init_weights(
                "xavier" if is_output else scheme, fan_in, fan_out, init_rng
            )
            if self.batch_norm and not is_output:
                params[f"gamma{layer}"] = np.ones(fan_out)
                params[f"beta{layer}"] = np.zeros(fan_out)
                self.running_mean_[layer] = np.zeros(fan_out)
                self.running_var_[layer] = np.ones(fan_out)
            else:
                params[f"b{layer}"] = np.zeros(fan_out)
        self._params = params
        self.n_features_in_ = n_features
        return self

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The parameter arrays themselves (not copies): optimizers update them in place."""
        self._check_fitted()
        return self._params

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

    # ------------------------------------------------------------------ forward

    def _forward(
        self, X: Any, training: bool, masks: Masks = True, update_running: bool = True
    ) -> tuple[np.ndarray, _Cache]:
        """Output o (n, n_outputs) and the cache; `training` selects batch statistics.

        masks: True draws dropout masks from the model's Generator, False disables dropout,
        a list gives one fixed mask (or None) per hidden layer (gradient checks).
        """
        p, cache, a = self._params, _Cache(), X
        if self.embedding_input_ is not None:
            a, cache.blocks = self.embedding_input_.forward(X, p)  # a₀ = [X_rest, X_c·E_c, …]
        rates = self.dropout_rates()
        for layer in range(1, self.n_layers + 1):
            cache.inputs.append(a)
            z = a @ p[f"W{layer}"]  # (n, units_l) = (n, units_{l−1}) @ (units_{l−1}, units_l)
            u, norm = self._normalize(layer, z, training, update_running)
            a = activate(self.activation, u, self.leaky_slope)
            cache.pre.append(u)
            cache.post.append(a)
            cache.norms.append(norm)
            mask = None
            if training and isinstance(masks, list):
                mask = masks[layer - 1]
            elif training and masks and rates[layer - 1] > 0:
                mask = layers.dropout_mask(a.shape, rates[layer - 1], self._dropout_rng)
            cache.masks.append(mask)
            if mask is not None:
                a = a * mask
        out = self.n_layers + 1
        cache.inputs.append(a)
        o = a @ p[f"W{out}"]  # (n, n_outputs), a fresh array: add the bias in place
        o += p[f"b{out}"]
        return o, cache

    def _normalize(
        self, layer: int, z: np.ndarray, training: bool, update_running: bool
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """The activation's input u for layer `layer`, and the batch-norm cache (or None).

        Without batch norm u = z + b. With it: training uses the batch's statistics (and
        moves the running averages towards them unless update_running is False);
        evaluation uses the running averages.
        """
        p = self._params
        if not self.batch_norm:
            z += p[f"b{layer}"]  # z is the fresh product a₋·W: no second (n, units) array
            return z, None
        gamma, beta = p[f"gamma{layer}"], p[f"beta{layer}"]
        running_mean, running_var = self.running_mean_[layer], self.running_var_[layer]
        if not training:
            return layers.batch_norm_inference(z, gamma, beta, running_mean, running_var), None
        u, (z_hat, inv_std, mean, var) = layers.batch_norm_forward(z, gamma, beta)
        if update_running:
            m = layers.BATCH_NORM_MOMENTUM
            running_mean *= m  # in place: the arrays are the model's state
            running_mean += (1 - m) * mean
            running_var *= m
            running_var += (1 - m) * var
        return u, (z_hat, inv_std)

    # ------------------------------------------------------------------ training

    def loss_and_gradients(
        self, X: Any, y: np.ndarray, masks: Masks = True, update_running: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Batch data loss (no penalty) and gradients of data loss + L2, by backpropagation.

        Training mode: dropout on (masks, see `_forward`), batch norm with batch statistics
        (its running averages are updated unless update_running is False).
        """
        X, y = self._check_features(X), np.asarray(y, dtype=np.float64)
        p = self._params
        o, cache = self._forward(X, training=True, masks=masks, update_running=update_running)
        loss, delta = head_loss(self.task, o, y)  # δ: (n, n_outputs)
        grads: dict[str, np.ndarray] = {}
        out = self.n_layers + 1
        grads[f"W{out}"] = cache.inputs[out - 1].T @ delta  # (units_L, n_outputs)
        grads[f"b{out}"] = delta.sum(axis=0)
        grad_a = delta @ p[f"W{out}"].T  # ∂loss/∂a_L, (n, units_L)
        for layer in range(self.n_layers, 0, -1):
            if cache.masks[layer - 1] is not None:
                grad_a = grad_a * cache.masks[layer - 1]  # dropped units pass no gradient
            # grad_a is always a fresh array here (a product or a masked copy): scale it in
            # place instead of allocating another (n, units_l) array per layer and step.
            grad_u = grad_a
            grad_u *= derivative(
                self.activation, cache.pre[layer - 1], cache.post[layer - 1], self.leaky_slope
            )
            if self.batch_norm:
                z_hat, inv_std = cache.norms[layer - 1]
                grad_z, grads[f"gamma{layer}"], grads[f"beta{layer}"] = layers.batch_norm_backward(
                    grad_u, p[f"gamma{layer}"], z_hat, inv_std
                )
            else:
                grad_z = grad_u
                grads[f"b{layer}"] = grad_z.sum(axis=0)
            # (units_{l−1}, units_l); for l = 1 this is Xᵀδ₁, sparse-safe.
            grads[f"W{layer}"] = np.asarray(cache.inputs[layer - 1].T @ grad_z)
            if layer > 1:
                grad_a = grad_z @ p[f"W{layer}"].T  # ∂loss/∂a_{l−1}
        if self.embedding_input_ is not None:
            # Only a₀'s embedded columns (the last rows of W1) lead to trainable weights.
            n_rest = len(self.embedding_input_.rest)
            grad_embedded = grad_z @ p["W1"][n_rest:].T  # (n, Σ sizes)
            grads |= self.embedding_input_.backward(cache.blocks, grad_embedded)
        if self.l2:
            for name in self.l1_names:
                grads[name] += (2.0 * self.l2) * p[name]
        return loss, {name: grads[name] for name in p}

    def layer_grad_norms(self, grads: dict[str, np.ndarray]) -> dict[str, float]:
        """‖∂loss/∂W_l‖₂ (Frobenius) per weight matrix, input side first."""
        return {name: float(np.linalg.norm(grads[name])) for name in self.l1_names}

    def hidden_activations(self, X: Any) -> list[np.ndarray]:
        """Evaluation-mode activations f(u_l) of every hidden layer, each (n, units_l)."""
        X = self._check_features(X)
        return self._forward(X, training=False)[1].post

    # ------------------------------------------------------------------ evaluation

    def output(self, X: Any) -> np.ndarray:
        """Evaluation-mode network output o (n, n_outputs): no dropout, running BN stats."""
        return self._forward(self._check_features(X), training=False)[0]

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
            raise DataError("a regression mlp has no class probabilities")
        return probabilities(self.task, self.output(X))

    def validate_targets(self, y: np.ndarray) -> None:
        """Raise `DataError` unless y suits the head: finite; 0/1; or classes 0..K−1."""
        y = np.asarray(y)
        if not np.all(np.isfinite(y)):
            raise DataError("Mlp: the label contains NaN or infinite values")
        if self.task == "binary" and not np.isin(y, (0, 1)).all():
            raise DataError("a binary mlp needs labels 0 and 1")
        if self.task == "multiclass":
            k = self.n_outputs_
            if not (np.isin(y, np.arange(k))).all():
                raise DataError(f"a multiclass mlp with {k} classes needs labels 0..{k - 1}")

    def nonzero_weights(self) -> int:
        """Model size: weight-matrix entries different from 0 (biases, γ, β not counted)."""
        return int(sum(np.count_nonzero(self.params[name]) for name in self.l1_names))

    # ------------------------------------------------------------------ state

    def get_state(self) -> dict[str, Any]:
        """Hyperparameters, weights and batch-norm running averages as JSON-able values."""
        self._check_fitted()
        return {
            "type": self.type,
            **self._hyperparameters(),
            "n_features_in_": self.n_features_in_,
            "n_outputs_": self.n_outputs_,
            "embedding_columns": (
                {c: list(b) for c, b in self.embedding_input_.blocks.items()}
                if self.embedding_input_ is not None
                else None
            ),
            "params": {name: array.tolist() for name, array in self._params.items()},
            "running_mean_": {str(layer): v.tolist() for layer, v in self.running_mean_.items()},
            "running_var_": {str(layer): v.tolist() for layer, v in self.running_var_.items()},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Self:
        """Rebuild a fitted network from `get_state()` output (never unpickles anything)."""
        if state.get("type") != cls.type:
            raise DataError(f"state of model {state.get('type')!r} cannot build Mlp")
        model = cls(**{key: state[key] for key in cls._HYPERPARAMETERS})
        n_classes = state["n_outputs_"] if state["task"] == "multiclass" else None
        model.initialize(int(state["n_features_in_"]), n_classes, state.get("embedding_columns"))
        for name, array in model._params.items():
            saved = np.asarray(state["params"][name], dtype=np.float64)
            if saved.shape != array.shape:
                raise DataError(f"Mlp state: {name} has shape {saved.shape}, not {array.shape}")
            array[...] = saved
        for layer in model.running_mean_:
            model.running_mean_[layer][:] = state["running_mean_"][str(layer)]
            model.running_var_[layer][:] = state["running_var_"][str(layer)]
        return model

    _HYPERPARAMETERS = (
        "hidden_units", "activation", "leaky_slope", "dropout", "batch_norm", "init", "task",
        "embeddings", "l1", "l2", "seed",
    )  # fmt: skip

    def _hyperparameters(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self._HYPERPARAMETERS}

    def _check_fitted(self) -> None:
        if self.n_features_in_ is None:
            raise NotFittedError(self)

    def _check_features(self, X: Any) -> Any:
        """Dense X as float64 ndarray, sparse X as CSR float64 (never densified)."""
        from mlcc_cli.models.linear_base import as_csr, is_sparse

        self._check_fitted()
        X = as_csr(X) if is_sparse(X) else np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise DataError(
                f"Mlp was initialized with {self.n_features_in_} features but got "
                f"{X.shape[1] if X.ndim == 2 else f'a {X.ndim}-D array'}"
            )
        return X
