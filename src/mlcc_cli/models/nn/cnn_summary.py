"""What a `Cnn` shows the learner: its layer table and its filters and feature maps.

`layer_rows` walks the hyperparameters (no weights needed) the way `Cnn.initialize` sizes
the parameters: a k×k convolution from c to f channels has k·k·c·f weights + f biases; a
pool, flatten or dropout has none; a dense layer fan_in·units + units. With batch norm the
biases give way to a row of their own holding γ and β: 2·f per conv block, 2·units per dense
layer. `image_views` reads the first
block's kernels and runs a few images through the blocks (`block_outputs`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlcc_cli.models.base import ImageViews, LayerRow
from mlcc_cli.models.nn import pooling
from mlcc_cli.models.nn.cnn_propagation import block_outputs
from mlcc_cli.models.nn.convolution import output_size
from mlcc_cli.models.nn.heads import resolve_head

HEAD_NAMES = {"regression": "linear", "binary": "sigmoid", "multiclass": "softmax"}


def _shape(*sizes: int) -> str:
    """(h, w, c) for images; a plain width for vectors."""
    return str(sizes[0]) if len(sizes) == 1 else f"({', '.join(map(str, sizes))})"


def _weighted(name: str, shape: str, weights: int, width: int, net: Any) -> list[LayerRow]:
    """A conv or dense layer of `width` filters or units: with its bias and activation, or,
    with batch norm, followed by a row for γ and β (2·width) and the activation."""
    if not net.batch_norm:
        return [(f"{name}, {net.activation}", shape, weights + width)]
    per = "filter" if name.startswith("conv") else "unit"
    norm = f"batch norm (γ, β per {per}), {net.activation}"
    return [(name, shape, weights), (norm, shape, 2 * width)]


def layer_rows(net: Any, n_classes: int | None) -> list[LayerRow]:
    """(layer, output shape, parameters) from the input through every block to the head."""
    height, width, channels = net.image_shape
    rows: list[LayerRow] = [("input", _shape(height, width, channels), 0)]
    for block in net.conv:
        k, filters, stride, padding = (
            block["kernel"], block["filters"], block["stride"], block["padding"]
        )  # fmt: skip
        height = output_size(height, k, stride, padding)
        width = output_size(width, k, stride, padding)
        name = f"conv {k}×{k}, {filters} filters, {padding}"
        name += f", stride {stride}" if stride != 1 else ""
        rows += _weighted(
            name, _shape(height, width, filters), k * k * channels * filters, filters, net
        )
        channels = filters
        if block["pool"]:
            size = block["pool"]
            height = pooling.pooled_size(height, size, size)
            width = pooling.pooled_size(width, size, size)
            rows.append(
                (f"{block['pool_type']} pool {size}×{size}", _shape(height, width, channels), 0)
            )
    fan_in = height * width * channels
    rows.append(("flatten", _shape(fan_in), 0))
    for units, rate in zip(net.hidden_units, net.dropout_rates(), strict=True):
        rows += _weighted(f"dense {units}", _shape(units), fan_in * units, units, net)
        if rate:
            rows.append((f"dropout {rate:g}", _shape(units), 0))
        fan_in = units
    task, n_outputs = resolve_head(net.task, n_classes)
    head = f"output ({HEAD_NAMES.get(task, task)})"
    rows.append((head, _shape(n_outputs), fan_in * n_outputs + n_outputs))
    return rows


def image_views(net: Any, X: np.ndarray) -> ImageViews:
    """The first block's kernels (k, k, filters), the images in X and every block's output."""
    kernels = net.params["K1"]  # (k, k, in_channels, filters)
    images = pooling.unflatten(X, tuple(net.image_shape))  # (n, h, w, c)
    return ImageViews(
        filters=kernels.mean(axis=2),
        images=images.mean(axis=3),
        feature_maps=block_outputs(net, X),
    )
