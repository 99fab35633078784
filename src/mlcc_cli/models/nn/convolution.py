"""2-D convolution over image batches, forward and backward, as one matrix product.

Images are NHWC, (n, height, width, channels): a row of mlcc's pixel columns, read in
row-major (height, width, channels) order, reshapes to one image. Like every deep-learning
library we compute the cross-correlation (the kernel is not flipped) and call it convolution:

    y[n,i,j,f] = b_f + Σ_{p,q,c} x[n, i·s+p−pad_top, j·s+q−pad_left, c] · W[p,q,c,f]

with stride s, a square kernel W of shape (kernel, kernel, in_channels, filters) and zeros
read outside the image. `im2col` lays every receptive field out as one row, so the whole
layer is columns @ W.reshape(−1, filters); `col2im`, its adjoint, carries the gradient back.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from mlcc_cli.errors import ConfigError

Padding = Literal["same", "valid"]


class ConvCache(NamedTuple):
    """What `conv2d_forward` keeps for `conv2d_backward`."""

    columns: np.ndarray  # (n·out_h·out_w, kernel·kernel·in_channels), im2col of the input
    input_shape: tuple[int, int, int, int]  # (n, height, width, in_channels)
    W: np.ndarray  # (kernel, kernel, in_channels, filters)
    stride: int
    padding: Padding
    has_bias: bool  # False: the caller adds its own (batch norm's β, or after pooling)


def output_size(size: int, kernel: int, stride: int, padding: Padding) -> int:
    """Length of the output along one axis of `size` pixels (the TensorFlow/Keras rule).

    same: out = ⌈size / stride⌉ (zeros are padded so every input pixel is covered);
    valid: out = ⌊(size − kernel) / stride⌋ + 1 (only windows wholly inside the input).
    Raises ConfigError when a valid kernel is larger than its input.
    """
    if kernel < 1 or stride < 1:
        raise ValueError(f"kernel and stride must be >= 1, got kernel {kernel}, stride {stride}")
    if padding == "same":
        return math.ceil(size / stride)
    if padding == "valid":
        if kernel > size:
            raise ConfigError(
                f"convolution kernel {kernel} is larger than its input {size} with padding "
                "valid; use a smaller kernel, padding same, or less pooling before this layer"
            )
        return (size - kernel) // stride + 1
    raise ValueError(f"unknown padding {padding!r}; expected 'same' or 'valid'")


def pad_amounts(size: int, kernel: int, stride: int, padding: Padding) -> tuple[int, int]:
    """Zeros added (before, after) along one axis: (top, bottom) or (left, right).

    same: total = max((out − 1)·stride + kernel − size, 0), split as TensorFlow does with the
    odd pixel after (bottom/right), so weights trained there line up; valid: (0, 0).
    """
    out = output_size(size, kernel, stride, padding)
    if padding == "valid":
        return 0, 0
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _padded(
    shape: tuple[int, ...], kernel: int, stride: int, padding: Padding
) -> tuple[tuple[int, int], tuple[int, int], int, int]:
    """(top, bottom), (left, right), out_h, out_w for an NHWC input of `shape`."""
    _, height, width, _ = shape
    out_h = output_size(height, kernel, stride, padding)
    out_w = output_size(width, kernel, stride, padding)
    rows = pad_amounts(height, kernel, stride, padding)
    cols = pad_amounts(width, kernel, stride, padding)
    return rows, cols, out_h, out_w


def im2col(
    x: np.ndarray, kernel: int, stride: int, padding: Padding
) -> tuple[np.ndarray, int, int]:
    """Every kernel×kernel receptive field of x as one row: (columns, out_h, out_w).

    Row (n, i, j) (row-major) holds x[n, i·s+p−pad_top, j·s+q−pad_left, c] in (p, q, c)
    order, the order of W.reshape(−1, filters), so a convolution is one matrix product.

    Parameters: x (n, height, width, channels). Returns columns of shape
    (n·out_h·out_w, kernel·kernel·channels).
    """
    n, _, _, channels = x.shape
    rows, cols, out_h, out_w = _padded(x.shape, kernel, stride, padding)
    padded = np.pad(x, ((0, 0), rows, cols, (0, 0)))  # (n, height + pads, width + pads, c)
    # A read-only view of every window at stride 1; slicing keeps every stride-th one, and
    # the pad rule makes exactly out_h × out_w of them remain.
    windows = sliding_window_view(padded, (kernel, kernel), axis=(1, 2))
    windows = windows[:, ::stride, ::stride]  # (n, out_h, out_w, c, kernel, kernel)
    # (p, q, c) order to match W; the reshape copies, once, into a contiguous matrix.
    columns = windows.transpose(0, 1, 2, 4, 5, 3).reshape(
        n * out_h * out_w, kernel * kernel * channels
    )
    return columns, out_h, out_w


def col2im(
    columns: np.ndarray,
    input_shape: tuple[int, int, int, int],
    kernel: int,
    stride: int,
    padding: Padding,
) -> np.ndarray:
    """The adjoint of `im2col`: add every row back onto the pixels it was read from.

    A pixel inside several receptive fields receives the sum of their entries, so
    ⟨im2col(x), C⟩ = ⟨x, col2im(C)⟩; entries that fell on padding are dropped.

    Parameters: columns (n·out_h·out_w, kernel·kernel·channels), input_shape
    (n, height, width, channels). Returns an array of input_shape.
    """
    n, height, width, channels = input_shape
    (top, bottom), (left, right), out_h, out_w = _padded(input_shape, kernel, stride, padding)
    blocks = columns.reshape(n, out_h, out_w, kernel, kernel, channels)
    padded = np.zeros((n, height + top + bottom, width + left + right, channels))
    # One strided slice per kernel offset (p, q): window (i, j) read pixel (i·s+p, j·s+q).
    for p in range(kernel):
        for q in range(kernel):
            rows = slice(p, p + stride * out_h, stride)
            cols = slice(q, q + stride * out_w, stride)
            padded[:, rows, cols] += blocks[:, :, :, p, q]  # (n, out_h, out_w, channels)
    return padded[:, top : top + height, left : left + width]


def im2col_compiled(
    x: np.ndarray, kernel: int, stride: int, padding: Padding
) -> tuple[np.ndarray, int, int]:
    """`im2col` by the numba kernel of `conv_kernels`: the same columns, out_h, out_w, read
    straight from x (no padded copy, no strided view)."""
    # deferred: numba takes a few hundred ms to import; only convolutional networks pay it.
    from mlcc_cli.models.nn.conv_kernels import im2col_kernel

    (top, _), (left, _), out_h, out_w = _padded(x.shape, kernel, stride, padding)
    pixels = np.ascontiguousarray(x, dtype=np.float64)
    return im2col_kernel(pixels, kernel, stride, top, left, out_h, out_w), out_h, out_w


def col2im_compiled(
    columns: np.ndarray,
    input_shape: tuple[int, int, int, int],
    kernel: int,
    stride: int,
    padding: Padding,
) -> np.ndarray:
    """`col2im` by the numba kernel of `conv_kernels`: the same sums onto input_shape."""
    # deferred: numba, as in im2col_compiled.
    from mlcc_cli.models.nn.conv_kernels import col2im_kernel

    n, height, width, _ = input_shape
    (top, _), (left, _), out_h, out_w = _padded(input_shape, kernel, stride, padding)
    grad = np.ascontiguousarray(columns, dtype=np.float64)
    return col2im_kernel(grad, n, height, width, kernel, stride, top, left, out_h, out_w)


def conv2d_forward(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None,
    stride: int = 1,
    padding: Padding = "same",
) -> tuple[np.ndarray, ConvCache]:
    """A convolution layer's output y (n, out_h, out_w, filters) and its cache.

    y[n,i,j,f] = b_f + Σ_{p,q,c} x[n, i·s+p−pad_top, j·s+q−pad_left, c] · W[p,q,c,f],
    computed as im2col(x) @ W.reshape(−1, filters) + b (im2col by its compiled twin).

    Parameters: x (n, height, width, in_channels); W (kernel, kernel, in_channels, filters);
    b (filters,), or None for no bias (batch norm's β takes its place).
    """
    kernel, kernel_w, in_channels, filters = W.shape
    bias_fits = b is None or b.shape == (filters,)
    if kernel != kernel_w or x.ndim != 4 or x.shape[3] != in_channels or not bias_fits:
        raise ValueError(
            f"conv2d shapes do not fit: x {x.shape} (n, h, w, c), W {W.shape} "
            f"(k, k, c, filters), b {None if b is None else b.shape} (filters,)"
        )
    columns, out_h, out_w = im2col_compiled(x, kernel, stride, padding)  # (n·out_h·out_w, k·k·c)
    y = columns @ W.reshape(-1, filters)  # (n·out_h·out_w, filters) = (…, k·k·c) @ (k·k·c, f)
    if b is not None:
        y += b  # a fresh array: add the bias in place
    cache = ConvCache(
        columns, (x.shape[0], x.shape[1], x.shape[2], in_channels), W, stride, padding,
        b is not None,
    )  # fmt: skip
    return y.reshape(x.shape[0], out_h, out_w, filters), cache


def conv2d_backward(
    grad_out: np.ndarray, cache: ConvCache, input_gradient: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Gradients of a convolution layer given grad_out = ∂loss/∂y, (n, out_h, out_w, filters).

    With X = im2col(x) and G = grad_out as rows: ∂W = Xᵀ G, ∂b = Σ_rows G, and
    ∂x = col2im(G Wᵀ), each pixel collecting from every window that read it.
    Returns (∂loss/∂x, ∂loss/∂W, ∂loss/∂b) shaped like x, W and b; ∂loss/∂x is None when
    input_gradient is False (a network's first layer: nothing learns below the images), and
    ∂loss/∂b None when the forward pass had no bias.
    """
    W = cache.W
    kernel, filters = W.shape[0], W.shape[3]
    G = grad_out.reshape(-1, filters)  # (n·out_h·out_w, filters)
    grad_W = (cache.columns.T @ G).reshape(W.shape)  # (k·k·c, f) = (k·k·c, rows) @ (rows, f)
    grad_b = G.sum(axis=0) if cache.has_bias else None  # (filters,)
    if not input_gradient:
        return None, grad_W, grad_b
    grad_columns = G @ W.reshape(-1, filters).T  # (rows, k·k·c) = (rows, f) @ (f, k·k·c)
    grad_x = col2im_compiled(grad_columns, cache.input_shape, kernel, cache.stride, cache.padding)
    return grad_x, grad_W, grad_b
