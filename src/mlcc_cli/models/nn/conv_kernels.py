"""Compiled (numba) im2col and col2im: the same maths as `convolution.py`, in one pass.

The numpy im2col pads a copy of the images, takes a strided view of every window and copies
it into the columns matrix: three numpy calls and a padded copy a batch, which on small
images (8×8 digits, 32 a batch) cost more than the matrix product itself. Here:

    im2col:  columns[(n, i, j), (p, q, c)] = x[n, i·s+p−top, j·s+q−left, c], 0 outside x
    col2im:  grad_x[n, i·s+p−top, j·s+q−left, c] += columns[(n, i, j), (p, q, c)]

rows in (n, i, j) and columns in (p, q, c) row-major order, as `convolution.im2col`.
tests/test_convolution.py checks both against the numpy versions.
Import this module only where a convolution runs: importing numba takes a few hundred ms.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def im2col_kernel(
    x: np.ndarray, kernel: int, stride: int, top: int, left: int, out_h: int, out_w: int
) -> np.ndarray:
    """Every receptive field of x (n, height, width, c) as one row: (n·out_h·out_w, k·k·c)."""
    n, height, width, channels = x.shape
    columns = np.empty((n * out_h * out_w, kernel * kernel * channels))
    for image in range(n):
        for i in range(out_h):
            for j in range(out_w):
                row = (image * out_h + i) * out_w + j
                for p in range(kernel):
                    r = i * stride + p - top
                    for q in range(kernel):
                        s = j * stride + q - left
                        start = (p * kernel + q) * channels
                        inside = 0 <= r < height and 0 <= s < width  # else: zero padding
                        for c in range(channels):
                            columns[row, start + c] = x[image, r, s, c] if inside else 0.0
    return columns


@njit(cache=True, nogil=True)
def col2im_kernel(
    columns: np.ndarray,
    n: int,
    height: int,
    width: int,
    kernel: int,
    stride: int,
    top: int,
    left: int,
    out_h: int,
    out_w: int,
) -> np.ndarray:
    """The adjoint of `im2col_kernel`: each entry added onto the pixel it was read from
    (n, height, width, c); entries read from the padding are dropped."""
    channels = columns.shape[1] // (kernel * kernel)
    grad_x = np.zeros((n, height, width, channels))
    for image in range(n):
        for i in range(out_h):
            for j in range(out_w):
                row = (image * out_h + i) * out_w + j
                for p in range(kernel):
                    r = i * stride + p - top
                    if r < 0 or r >= height:
                        continue
                    for q in range(kernel):
                        s = j * stride + q - left
                        if s < 0 or s >= width:
                            continue
                        start = (p * kernel + q) * channels
                        for c in range(channels):
                            grad_x[image, r, s, c] += columns[row, start + c]
    return grad_x
