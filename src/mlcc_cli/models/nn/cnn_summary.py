"""What a `Cnn` shows the learner: its layer table and its filters and feature maps.

`layer_rows` walks the hyperparameters (no weights needed) the way `Cnn.initialize` sizes
the parameters: a k×k convolution from c to f channels has k·k·c·f weights + f biases; a
pool or flatten has none; a dense layer fan_in·units + units. `image_views` reads the first
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
        weights = k * k * channels * filters + filters
        rows.append((f"{name}, {net.activation}", _shape(height, width, filters), weights))
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
    for units in net.hidden_units:
        rows.append((f"dense {units}, {net.activation}", _shape(units), fan_in * units + units))
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
