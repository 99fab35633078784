"""The convolutional network: convolution blocks, then dense hidden layers, then a head.

Each row of X is one image's pixels in row-major (height, width, channels) order; the network
reshapes it to NHWC (`pooling.unflatten`), runs every block — convolution (`convolution.py`),
activation, optional max or average pooling (`pooling.py`) — flattens the last block's
output and feeds it through dense hidden layers to the head the task names (`heads.py`).
Parameters are named K1, c1, K2, c2, … (kernels (k, k, in_channels, filters) and their
biases) and W1, b1, …, W{L+1}, b{L+1} (dense layers), so optimizers, L2 and the per-layer
diagnostics address them by name. With batch norm, conv_gamma_i and conv_beta_i (per filter)
replace c_i and gamma_l, beta_l (per unit) replace b_l, as in `Mlp`. The two passes live in
`cnn_propagation.py` (the dense layers, dropout included, are the Mlp's `propagation.py`) and
the saved state in `cnn_state.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np

from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.models.base import EXACT_L1, ImageViews, LayerRow
from mlcc_cli.models.linear_base import is_sparse
from mlcc_cli.models.nn import layers, pooling
from mlcc_cli.models.nn.activations import default_init
from mlcc_cli.models.nn.cnn_memory import keep_freed_memory
from mlcc_cli.models.nn.cnn_propagation import backward, forward
from mlcc_cli.models.nn.cnn_state import cnn_state, restore_cnn
from mlcc_cli.models.nn.cnn_summary import image_views, layer_rows
from mlcc_cli.models.nn.convolution import output_size
from mlcc_cli.models.nn.headed import HeadedNetwork
from mlcc_cli.models.nn.heads import head_loss, resolve_head
from mlcc_cli.models.nn.propagation import Masks

# A conv block as `CnnConfig.conv` holds it, with the defaults of `ConvBlockConfig`.
BLOCK_DEFAULTS = {"stride": 1, "padding": "same", "pool": None, "pool_type": "max"}


class Cnn(HeadedNetwork):
    """A convolutional neural network with a task-specific head.

    Block i: u_i = conv(a_{i−1}, K_i) + c_i, or BN(conv(a_{i−1}, K_i)) with batch norm (per
    filter, over batch, height and width); a_i = pool(f(u_i)) (pool optional), a₀ = the
    images. Then h₀ = flatten(a_last); h_l = f(BN(h_{l−1}W_l) or h_{l−1}W_l + b_l)·mask_l
    (inverted dropout, training only); o = h_L W_{L+1} + b_{L+1}; the head's loss and
    δ = ∂loss/∂o are in `heads.py`. Backpropagation runs the same chain in reverse
    (`conv2d_backward`, the pool's backward, f', BN'). L2 adds 2λ₂·K or 2λ₂·W to every
    kernel and weight matrix (never biases, γ, β); L1 is the optimizer's proximal step on
    `l1_names` = the kernels and weight matrices.

    Initialisation: kernels by he or xavier with fan_in = k·k·in_channels (fan_out =
    filters), dense layers as in `Mlp`; biases and β 0, γ 1. Randomness: weights and dropout
    masks come from two Generators spawned from SeedSequence(seed) in `initialize`, so the
    same seed gives the same run.

    Parameters: image_shape, conv (block dicts), hidden_units, activation, leaky_slope,
    dropout, batch_norm, init, task, l1, l2 as in `CnnConfig`; seed (int).
    Attributes: params (K1, c1 | conv_gamma1, conv_beta1, …, W1, b1 | gamma1, beta1, …),
    buffers (batch-norm running averages, also as conv_running_mean_ / conv_running_var_ by
    block and running_mean_ / running_var_ by dense layer), n_features_in_, n_outputs_,
    classes_ (classification), feature_shapes_ (each block's output (h, w, channels)),
    l1_names.
    `initialize` replaces task `auto` by the task it resolves.
    """

    type = "cnn"
    layer_diagnostics = True  # grad_norm_K*/W*, dead_relu_* each period (training/diagnostics)
    embedding_input_ = None  # the Mlp's dense passes (propagation.py) ask; a Cnn has none

    def __init__(
        self,
        image_shape: Sequence[int] = (8, 8, 1),
        conv: Sequence[dict[str, Any]] = ({"filters": 8, "kernel": 3},),
        hidden_units: Sequence[int] = (),
        activation: str = "relu",
        leaky_slope: float = 0.01,
        dropout: float | list[float] = 0.0,
        batch_norm: bool = False,
        init: str = "auto",
        task: str = "auto",
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int = 0,
        l1_method: str = EXACT_L1,
    ) -> None:
        self.image_shape = [int(size) for size in image_shape]
        self.conv = [BLOCK_DEFAULTS | dict(block) for block in conv]
        self.hidden_units = list(hidden_units)
        self.activation = activation
        self.leaky_slope = leaky_slope
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.task = task  # "auto" is resolved from the label before `initialize`
        self.l1 = l1
        self.l2 = l2
        self.l1_method = l1_method
        self.seed = seed
        self.n_features_in_: int | None = None
        self._params: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return (
            f"Cnn(image_shape={self.image_shape!r}, conv={self.conv!r}, "
            f"hidden_units={self.hidden_units!r}, activation={self.activation!r}, "
            f"dropout={self.dropout!r}, batch_norm={self.batch_norm!r}, "
            f"task={self.task!r}, l1={self.l1!r}, l2={self.l2!r})"
        )

    # ------------------------------------------------------------ what mlcc asks

    def divergence_advice(self) -> str:
        """Batch normalisation keeps every layer's inputs in range."""
        return "" if self.batch_norm else "; for a cnn, model.batch_norm: true also steadies it"

    def underfitting_fixes(self) -> tuple[str, ...]:
        """Twice the filters in the first convolution block."""
        return (f"model.conv.0.filters={2 * int(self.conv[0]['filters'])}",)

    def overfitting_fixes(self) -> tuple[str, ...]:
        """Dropout, when the network has none and has dense hidden layers to apply it to."""
        return () if self.dropout or not self.hidden_units else ("model.dropout=0.2",)

    def stability_fixes(self) -> tuple[str, ...]:
        """Batch normalisation, when it is off."""
        return () if self.batch_norm else ("model.batch_norm=true",)

    def layer_summary(self, n_classes: int | None = None) -> list[LayerRow]:
        """Input, each block's convolution and pool, flatten, dense layers, head (cnn_summary)."""
        return layer_rows(self, n_classes)

    def image_views(self, X: Any) -> ImageViews:
        """The first block's filters and every block's feature maps of the images in X."""
        return image_views(self, self._check_features(X))

    @property
    def l1_names(self) -> tuple[str, ...]:
        """Kernels K1 … and weight matrices W1 … W{L+1}: what L1 and L2 penalise."""
        kernels = tuple(f"K{block}" for block in range(1, len(self.conv) + 1))
        return kernels + tuple(f"W{layer}" for layer in range(1, len(self.hidden_units) + 2))

    # ------------------------------------------------------------------ set-up

    @property
    def n_layers(self) -> int:
        """Dense hidden layers L; the output layer is number L + 1."""
        return len(self.hidden_units)

    def dropout_rates(self) -> list[float]:
        """One inverted-dropout rate per dense hidden layer."""
        rates = self.dropout if isinstance(self.dropout, list) else [self.dropout] * self.n_layers
        return [float(rate) for rate in rates]

    def initialize(self, n_features: int, n_classes: int | None = None) -> Self:
        """Draw kernels and weights (he or xavier), zero the biases and β, set γ = 1.

        n_features must be height·width·channels of `image_shape` (ConfigError naming both
        otherwise). The head's width is 1 (regression, binary) or n_classes (multiclass);
        with task `auto`, n_classes decides: 2 → binary, more → multiclass.
        """
        try:
            pooling.unflatten(np.zeros((0, n_features)), tuple(self.image_shape))
        except ConfigError as error:
            raise ConfigError(f"model.image_shape {self.image_shape}: {error}") from None
        self.task, self.n_outputs_ = resolve_head(self.task, n_classes)
        if self.task != "regression":
            self.classes_ = np.arange(max(self.n_outputs_, 2))
        keep_freed_memory()  # every batch reuses the last one's pages (cnn_memory)
        init_seed, dropout_seed = np.random.SeedSequence(self.seed).spawn(2)
        rng = np.random.default_rng(init_seed)
        self.dropout_rng_ = np.random.default_rng(dropout_seed)
        self.conv_running_mean_: dict[int, np.ndarray] = {}
        self.conv_running_var_: dict[int, np.ndarray] = {}
        scheme = default_init(self.activation) if self.init == "auto" else self.init
        params: dict[str, np.ndarray] = {}
        height, width, channels = self.image_shape
        self.feature_shapes_ = []
        for number, block in enumerate(self.conv, start=1):
            k, filters, stride, padding = (
                block["kernel"], block["filters"], block["stride"], block["padding"]
            )  # fmt: skip
            kernel = layers.init_weights(scheme, k * k * channels, filters, rng)
            params[f"K{number}"] = kernel.reshape(k, k, channels, filters)
            if self.batch_norm:  # β does the bias's job; running averages start at N(0, 1)
                params[f"conv_gamma{number}"] = np.ones(filters)
                params[f"conv_beta{number}"] = np.zeros(filters)
                self.conv_running_mean_[number] = np.zeros(filters)
                self.conv_running_var_[number] = np.ones(filters)
            else:
                params[f"c{number}"] = np.zeros(filters)
            try:
                height = output_size(height, k, stride, padding)
                width = output_size(width, k, stride, padding)
                if block["pool"]:
                    height = pooling.pooled_size(height, block["pool"], block["pool"])
                    width = pooling.pooled_size(width, block["pool"], block["pool"])
            except ConfigError as error:  # name the block: the sizes alone do not say which
                raise ConfigError(f"model.conv.{number - 1}: {error.args[0]}") from None
            channels = filters
            self.feature_shapes_.append((height, width, channels))
        sizes = [height * width * channels, *self.hidden_units, self.n_outputs_]
        dense, self.running_mean_, self.running_var_ = layers.dense_layers(
            sizes, scheme, self.batch_norm, rng
        )
        params |= dense
        self._params = params
        self.n_features_in_ = n_features
        return self

    @property
    def buffers(self) -> dict[str, np.ndarray]:
        """Batch-norm running averages (live arrays, saved next to `params`): per block
        conv_running_mean1, conv_running_var1, …; per dense layer running_mean1, …."""
        self._check_fitted()
        named = {}
        for prefix, means, variances in (
            ("conv_", self.conv_running_mean_, self.conv_running_var_),
            ("", self.running_mean_, self.running_var_),
        ):
            for number in means:
                named[f"{prefix}running_mean{number}"] = means[number]
                named[f"{prefix}running_var{number}"] = variances[number]
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
        o, block_caches, dense_cache = forward(self, X, True, masks, update_running)
        loss, delta = head_loss(self.task, o, y)  # δ: (n, n_outputs)
        return loss, self._with_l2(backward(self, delta, block_caches, dense_cache))

    def hidden_activations(self, X: Any) -> list[np.ndarray]:
        """Evaluation-mode activations f(u) of every conv block as (n·h·w, filters) — a filter
        is dead when it never fires anywhere; after a max-pool, the pooled maps, where it fires
        iff it fired in a window — then of every dense hidden layer, (n, units_l)."""
        _, block_caches, dense_cache = forward(self, self._check_features(X), training=False)
        convs = [cache.activated.reshape(-1, cache.activated.shape[-1]) for cache in block_caches]
        return convs + dense_cache.post

    # ------------------------------------------------------------------ evaluation

    def output(self, X: Any) -> np.ndarray:
        """Evaluation-mode network output o (n, n_outputs): no dropout, running BN stats."""
        return forward(self, self._check_features(X), training=False)[0]

    # ------------------------------------------------------------------ state

    def get_state(self) -> dict[str, Any]:
        """Hyperparameters, weights and batch-norm running averages as JSON-able values."""
        return cnn_state(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Self:
        """Rebuild a fitted network from `get_state()` output (never unpickles anything)."""
        return restore_cnn(cls, state)

    def _check_features(self, X: Any) -> np.ndarray:
        """X as a dense float64 ndarray (n, height·width·channels)."""
        self._check_fitted()
        X = X.toarray() if is_sparse(X) else X
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise DataError(
                f"Cnn was initialized with {self.n_features_in_} features but got "
                f"{X.shape[1] if X.ndim == 2 else f'a {X.ndim}-D array'}"
            )
        return X
