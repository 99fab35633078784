"""Built-in image datasets, one pixel per column, for convolutional networks.

An image of height H, width W and C channels is flattened row-major in (H, W, C) order,
the layout of the crash course's MNIST exercise: single-channel pixels are named
`p_{row}_{col}` (`p_0_0`, `p_0_1`, ..., `p_{H-1}_{W-1}`), so a model reshapes a row back into
its image with `row.reshape(H, W, C)`. Pixel values lie in [0, 1]; the label is `target`.

- `digits_images`: scikit-learn's bundled 8x8 handwritten digits, divided by 16.
- `shapes`: small shapes drawn at seeded random positions plus Gaussian pixel noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.config.data import SyntheticConfig

LABEL = "target"  # every builtin's label column (data.builtin names it for the rest)


def _square_outline() -> np.ndarray:
    """5x5 ones with the inside 3x3 left empty."""
    square = np.ones((5, 5))
    square[1:-1, 1:-1] = 0.0
    return square


def _plus() -> np.ndarray:
    """5x5 with the middle row and middle column lit."""
    plus = np.zeros((5, 5))
    plus[2, :] = plus[:, 2] = 1.0
    return plus


# The shapes of `shapes`, in class order: target k is SHAPES[k]. Each is its own bounding box
# (every edge row and column holds a lit pixel), at most 5x5 so a 5x5 image holds any of them.
SHAPES: dict[str, np.ndarray] = {
    "horizontal bar": np.ones((1, 5)),
    "vertical bar": np.ones((5, 1)),
    "square outline": _square_outline(),
    "plus": _plus(),
    "diagonal": np.eye(5),
}


def pixel_columns(height: int, width: int) -> list[str]:
    """Names `p_{row}_{col}` of a single-channel image's pixels, in row-major order."""
    return [f"p_{row}_{col}" for row in range(height) for col in range(width)]


def image_frame(images: np.ndarray, target: np.ndarray) -> pd.DataFrame:
    """One row per image: pixel columns (row-major) plus `target`.

    Parameters
    ----------
    images : (n_samples, height, width) single-channel pixel values
    target : (n_samples,) class labels
    """
    n, height, width = images.shape
    pixels = pd.DataFrame(images.reshape(n, height * width), columns=pixel_columns(height, width))
    return pixels.assign(**{LABEL: target})


def digits_images(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """scikit-learn's 8x8 digits (load_digits, no network) as pixels in [0, 1], target 0-9.

    Pixels are the bundled intensities 0..16 divided by 16.
    """
    del synthetic, rng  # a bundled table: size and seed do not apply
    # deferred: scikit-learn (about a second to import), only when the digits are loaded
    from sklearn import datasets as sklearn_datasets

    digits = sklearn_datasets.load_digits()
    return image_frame(digits.images / 16.0, digits.target.astype(np.int64))


def shapes(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Seeded images of small shapes: one lit shape per image, noise, pixels clipped to [0, 1].

    Each of the `samples` images is `image_size` x `image_size`, background 0, the shape of
    its class (the first `classes` of SHAPES, balanced and shuffled) lit at 1 with its top-left
    corner drawn uniformly among the positions where it fits; then N(0, noise²) is added to
    every pixel and the result clipped to [0, 1]. With `placement: halves`, rows
    0..ceil(samples/2)-1 keep the shape inside the left half (columns < image_size // 2) and
    the rest inside the right half (columns >= image_size - image_size // 2).

    Draws, in order: the label permutation, the position fractions, the pixel noise.
    """
    n, size = synthetic.samples, synthetic.image_size
    templates = list(SHAPES.values())[: synthetic.classes]
    target = rng.permutation(np.arange(n) % synthetic.classes).astype(np.int64)
    heights = np.array([t.shape[0] for t in templates])[target]  # (n,)
    widths = np.array([t.shape[1] for t in templates])[target]  # (n,)
    # Top-left corner: a uniform fraction scaled to the range [low, high] of valid positions.
    low_col, high_col = np.zeros(n, dtype=np.int64), size - widths
    if synthetic.placement == "halves":
        half = size // 2
        right = np.arange(n) >= (n + 1) // 2
        low_col = np.where(right, size - half, 0)
        high_col = np.where(right, size - widths, half - widths)
    fraction = rng.random((n, 2))  # (n, 2): row, column
    top = np.floor(fraction[:, 0] * (size - heights + 1)).astype(np.int64)
    left = low_col + np.floor(fraction[:, 1] * (high_col - low_col + 1)).astype(np.int64)
    images = np.zeros((n, size, size))
    for label, template in enumerate(templates):
        members = np.flatnonzero(target == label)
        dy, dx = np.nonzero(template)  # offsets of the lit pixels inside the shape's box
        images[members[:, None], top[members, None] + dy, left[members, None] + dx] = 1.0
    noisy = images + rng.normal(0.0, synthetic.noise, size=images.shape)
    return image_frame(np.clip(noisy, 0.0, 1.0), target)
