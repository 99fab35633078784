"""Max- and average-pooling over NHWC image batches, and flattening images for dense layers.

A pool of size k slides over each channel separately with stride s (default k, so windows
tile the image) and keeps only windows wholly inside it ("valid"):

    max:     y[n,i,j,c] = max_{p,q < k} x[n, i·s+p, j·s+q, c]
    average: y[n,i,j,c] = (1/k²) Σ_{p,q < k} x[n, i·s+p, j·s+q, c]

with out = ⌊(size − k) / s⌋ + 1 along each axis. Max-pooling's gradient goes to the
arg-max of each window (the first in row-major order on ties); average-pooling shares it
equally among the window's k² pixels.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from mlcc_cli.errors import ConfigError


class PoolCache(NamedTuple):
    """What a pooling forward pass keeps for its backward pass."""

    input_shape: tuple[int, int, int, int]  # (n, height, width, channels)
    pool: int
    stride: int
    argmax: np.ndarray | None  # (n, out_h, out_w, channels) index p·k + q; None for average


def pooled_size(size: int, pool: int, stride: int) -> int:
    """Length of the output along one axis of `size` pixels: ⌊(size − pool) / stride⌋ + 1.

    Raises ConfigError when the pool is larger than its input.
    """
    if pool < 1 or stride < 1:
        raise ValueError(f"pool and stride must be >= 1, got pool {pool}, stride {stride}")
    if pool > size:
        raise ConfigError(
            f"pool size {pool} is larger than its input {size}; use a smaller pool, "
            "padding same in the convolutions before it, or fewer pooling layers"
        )
    return (size - pool) // stride + 1


def _windows(x: np.ndarray, pool: int, stride: int) -> np.ndarray:
    """A read-only view of every pooling window: (n, out_h, out_w, channels, pool, pool)."""
    _, height, width, _ = x.shape
    out_h, out_w = pooled_size(height, pool, stride), pooled_size(width, pool, stride)
    if stride == pool:
        # Non-overlapping windows (the usual pooling) are a reshape of the image's top-left
        # out_h·pool × out_w·pool pixels: one copy instead of a gather over strided views.
        n, channels = x.shape[0], x.shape[3]
        tiles = x[:, : out_h * pool, : out_w * pool].reshape(n, out_h, pool, out_w, pool, channels)
        return tiles.transpose(0, 1, 3, 5, 2, 4)  # (n, out_h, out_w, channels, pool, pool)
    windows = sliding_window_view(x, (pool, pool), axis=(1, 2))  # every window at stride 1
    return windows[:, : stride * out_h : stride, : stride * out_w : stride]


def _scatter(grad_windows: np.ndarray, input_shape: tuple[int, ...], stride: int) -> np.ndarray:
    """Add each window's gradient (n, out_h, out_w, channels, pool, pool) onto its pixels.

    One strided slice per offset (p, q) in the window; overlapping windows (stride < pool)
    add up, as they must.
    """
    n, out_h, out_w, channels, pool, _ = grad_windows.shape
    grad_x = np.zeros(input_shape)
    if stride == pool:  # non-overlapping windows: each pixel gets one window's gradient
        tiles = grad_windows.transpose(0, 1, 4, 2, 5, 3)  # (n, out_h, pool, out_w, pool, c)
        grad_x[:, : out_h * pool, : out_w * pool] = tiles.reshape(
            n, out_h * pool, out_w * pool, channels
        )
        return grad_x
    for p in range(pool):
        for q in range(pool):
            rows = slice(p, p + stride * out_h, stride)
            cols = slice(q, q + stride * out_w, stride)
            grad_x[:, rows, cols] += grad_windows[..., p, q]  # (n, out_h, out_w, channels)
    return grad_x


def _shape4(x: np.ndarray) -> tuple[int, int, int, int]:
    """x.shape as an (n, height, width, channels) tuple; other ranks are a caller's bug."""
    if x.ndim != 4:
        raise ValueError(f"pooling expects (n, height, width, channels), got shape {x.shape}")
    return x.shape[0], x.shape[1], x.shape[2], x.shape[3]


def max_pool_forward(
    x: np.ndarray, pool: int, stride: int | None = None
) -> tuple[np.ndarray, PoolCache]:
    """Max-pooling: y[n,i,j,c] = max_{p,q < k} x[n, i·s+p, j·s+q, c]; stride defaults to k.

    Parameters: x (n, height, width, channels). Returns y (n, out_h, out_w, channels) and
    the cache holding each window's arg-max.
    """
    stride = pool if stride is None else stride
    shape = _shape4(x)
    windows = _windows(x, pool, stride)
    flat = windows.reshape(*windows.shape[:4], pool * pool)  # (n, out_h, out_w, c, k·k)
    argmax = flat.argmax(axis=-1)  # np.argmax returns the first maximum on ties
    y = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]  # (n, out_h, out_w, c)
    return y, PoolCache(shape, pool, stride, argmax)


def max_pool_backward(grad_out: np.ndarray, cache: PoolCache) -> np.ndarray:
    """∂loss/∂x of max-pooling: each window passes grad_out to its arg-max pixel only.

    Parameters: grad_out (n, out_h, out_w, channels). Returns an array shaped like x.
    """
    if cache.argmax is None:
        raise ValueError("max_pool_backward needs the cache of max_pool_forward")
    pool = cache.pool
    routed = np.zeros((*cache.argmax.shape, pool * pool))  # (n, out_h, out_w, c, k·k)
    np.put_along_axis(routed, cache.argmax[..., None], grad_out[..., None], axis=-1)
    return _scatter(routed.reshape(*routed.shape[:4], pool, pool), cache.input_shape, cache.stride)


def max_pool_forward_compiled(
    x: np.ndarray, pool: int, stride: int | None = None
) -> tuple[np.ndarray, PoolCache]:
    """`max_pool_forward` by the numba kernel of `pooling_kernels`: the same y and cache, in
    one pass over the pixels instead of a copy of every window."""
    # deferred: numba takes a few hundred ms to import; only max-pooling networks pay it.
    from mlcc_cli.models.nn.pooling_kernels import max_pool_forward_kernel

    stride = pool if stride is None else stride
    shape = _shape4(x)
    out_h, out_w = pooled_size(shape[1], pool, stride), pooled_size(shape[2], pool, stride)
    pixels = np.ascontiguousarray(x, dtype=np.float64)
    y, argmax = max_pool_forward_kernel(pixels, pool, stride, out_h, out_w)
    return y, PoolCache(shape, pool, stride, argmax)


def max_pool_backward_compiled(grad_out: np.ndarray, cache: PoolCache) -> np.ndarray:
    """`max_pool_backward` by the numba kernel of `pooling_kernels`: each window's gradient
    added straight onto its arg-max pixel."""
    # deferred: numba, as in max_pool_forward_compiled (whose cache this reads).
    from mlcc_cli.models.nn.pooling_kernels import max_pool_backward_kernel

    if cache.argmax is None:
        raise ValueError("max_pool_backward_compiled needs the cache of a max-pool forward")
    _, height, width, _ = cache.input_shape
    grad = np.ascontiguousarray(grad_out, dtype=np.float64)
    return max_pool_backward_kernel(grad, cache.argmax, height, width, cache.pool, cache.stride)


def average_pool_forward(
    x: np.ndarray, pool: int, stride: int | None = None
) -> tuple[np.ndarray, PoolCache]:
    """Average-pooling: y[n,i,j,c] = (1/k²) Σ_{p,q < k} x[n, i·s+p, j·s+q, c].

    Stride defaults to k. Parameters: x (n, height, width, channels). Returns
    y (n, out_h, out_w, channels) and the cache.
    """
    stride = pool if stride is None else stride
    shape = _shape4(x)
    y = _windows(x, pool, stride).mean(axis=(-2, -1))  # (n, out_h, out_w, c)
    return y, PoolCache(shape, pool, stride, None)


def average_pool_backward(grad_out: np.ndarray, cache: PoolCache) -> np.ndarray:
    """∂loss/∂x of average-pooling: each pixel of a window gets grad_out / k².

    Parameters: grad_out (n, out_h, out_w, channels). Returns an array shaped like x.
    """
    pool = cache.pool
    share = grad_out / (pool * pool)  # (n, out_h, out_w, c)
    # A broadcast view: the k×k copies of each share are never materialised.
    grad_windows = np.broadcast_to(share[..., None, None], (*share.shape, pool, pool))
    return _scatter(grad_windows, cache.input_shape, cache.stride)


def flatten(x: np.ndarray) -> np.ndarray:
    """Images (n, height, width, channels) as rows (n, height·width·channels), row-major.

    Column (i·width + j)·channels + c holds pixel (i, j) of channel c: mlcc's pixel order,
    so the backward pass, like the input side, is `unflatten`.
    """
    return x.reshape(x.shape[0], -1)


def unflatten(X: np.ndarray, image_shape: tuple[int, int, int]) -> np.ndarray:
    """Rows (n, height·width·channels) in mlcc's row-major pixel order as images (n, h, w, c).

    Raises ConfigError when the column count is not height·width·channels.
    """
    height, width, channels = image_shape
    if X.ndim != 2 or X.shape[1] != height * width * channels:
        raise ConfigError(
            f"an image of {height}×{width}×{channels} needs {height * width * channels} "
            f"pixel columns, got {X.shape[1] if X.ndim == 2 else X.shape}; check the image "
            "height, width and channels against the data"
        )
    return X.reshape(X.shape[0], height, width, channels)
