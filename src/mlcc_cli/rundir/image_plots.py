"""PNG pictures of what an image model learned: its first filters and its feature maps.

The numbers come from the model (`model.image_views`, an `ImageViews`); these functions only
draw them, in grey, one small image per filter or per channel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.rundir.plots import pyplot, save_figure

# Channels shown per block in feature_maps.png: a wide block is cut to its first few.
MAX_CHANNELS = 8


def _grey(axes: Any, image: np.ndarray, title: str | None = None) -> None:
    """One image in grey, scaled to its own range, without ticks."""
    axes.imshow(image, cmap="gray", interpolation="nearest")
    axes.set_xticks([])
    axes.set_yticks([])
    if title:
        axes.set_title(title, fontsize=8)


def draw_filters(path: Path, filters: np.ndarray) -> None:
    """The first convolution's kernels (k, k, filters) as one grey square each: light
    weights answer to light pixels."""
    plt = pyplot()
    count = filters.shape[2]
    columns = min(count, 8)
    rows = -(-count // columns)
    figure, grid = plt.subplots(
        rows, columns, figsize=(1.3 * columns, 1.4 * rows + 0.4), dpi=100, squeeze=False
    )
    for index, axes in enumerate(grid.flat):
        if index < count:
            _grey(axes, filters[:, :, index], f"filter {index + 1}")
        else:
            axes.axis("off")
    figure.suptitle("First convolution layer: filters")
    save_figure(plt, figure, path)


def draw_feature_maps(path: Path, images: np.ndarray, feature_maps: list[np.ndarray]) -> None:
    """One row per image: the image, then each block's output channels (up to MAX_CHANNELS
    per block), `images` (n, h, w) and `feature_maps` per block (n, h_i, w_i, channels_i)."""
    plt = pyplot()
    shown = [min(block.shape[3], MAX_CHANNELS) for block in feature_maps]
    columns = 1 + sum(shown)
    figure, grid = plt.subplots(
        len(images), columns, figsize=(1.0 * columns, 1.1 * len(images) + 0.5), dpi=100,
        squeeze=False,
    )  # fmt: skip
    for row, image in enumerate(images):
        _grey(grid[row, 0], image, "image" if row == 0 else None)
        column = 1
        for number, (block, count) in enumerate(zip(feature_maps, shown, strict=True), start=1):
            for channel in range(count):
                title = f"block {number}\nmap {channel + 1}" if row == 0 else None
                _grey(grid[row, column], block[row, :, :, channel], title)
                column += 1
    figure.suptitle("Validation images and each block's feature maps")
    save_figure(plt, figure, path)
