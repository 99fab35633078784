"""Compiled (numba) max-pooling, forward and backward: the same maths as `pooling.py`.

The numpy version gathers every window into a copy, takes its argmax, then scatters the
gradient through a second (…, k·k) array; on a 28×28 batch that bookkeeping cost several
times the convolution's matrix products. Here one pass over the pixels does each direction:

    forward:  y[n,i,j,c] = max_{p,q < k} x[n, i·s+p, j·s+q, c], argmax = p·k + q of the first
              maximum in row-major (p, q) order (np.argmax's rule; a NaN counts as the maximum)
    backward: ∂x[n, i·s+p*, j·s+q*, c] += ∂y[n,i,j,c] at each window's (p*, q*) = argmax

The channel loop is innermost because NHWC keeps a pixel's channels next to each other.
tests/test_pooling_kernels.py checks both against `pooling.max_pool_forward/backward`.
Import this module only where pooling runs: importing numba takes a few hundred milliseconds.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def max_pool_forward_kernel(
    x: np.ndarray, pool: int, stride: int, out_h: int, out_w: int
) -> tuple[np.ndarray, np.ndarray]:
    """(y, argmax) of max-pooling x (n, height, width, channels): both (n, out_h, out_w, c)."""
    n, _, _, channels = x.shape
    y = np.empty((n, out_h, out_w, channels))
    argmax = np.zeros((n, out_h, out_w, channels), dtype=np.int64)
    for image in range(n):
        for i in range(out_h):
            for j in range(out_w):
                for c in range(channels):
                    y[image, i, j, c] = x[image, i * stride, j * stride, c]
                for p in range(pool):
                    for q in range(pool):
                        if p == 0 and q == 0:
                            continue
                        for c in range(channels):
                            value = x[image, i * stride + p, j * stride + q, c]
                            best = y[image, i, j, c]
                            # `>` keeps the first maximum; a NaN wins once, as in np.argmax.
                            if value > best or (value != value and best == best):
                                y[image, i, j, c] = value
                                argmax[image, i, j, c] = p * pool + q
    return y, argmax


@njit(cache=True, nogil=True)
def max_pool_backward_kernel(
    grad_out: np.ndarray, argmax: np.ndarray, height: int, width: int, pool: int, stride: int
) -> np.ndarray:
    """∂loss/∂x (n, height, width, c): each window's gradient added onto its arg-max pixel."""
    n, out_h, out_w, channels = grad_out.shape
    if stride != pool:  # overlapping (or gapped) windows: zeros, then add each gradient
        grad_x = np.zeros((n, height, width, channels))
        for image in range(n):
            for i in range(out_h):
                for j in range(out_w):
                    for c in range(channels):
                        p, q = divmod(argmax[image, i, j, c], pool)
                        grad_x[image, i * stride + p, j * stride + q, c] += grad_out[image, i, j, c]
        return grad_x
    # Windows tile the image: write every pixel once, in memory order (0 off the arg-max),
    # rather than zero the whole array and then scatter into it.
    grad_x = np.empty((n, height, width, channels))
    grad_x[:, out_h * pool :] = 0.0  # rows and columns no window covers
    grad_x[:, :, out_w * pool :] = 0.0
    for image in range(n):
        for i in range(out_h):
            for p in range(pool):
                for j in range(out_w):
                    for q in range(pool):
                        offset = p * pool + q
                        for c in range(channels):
                            hit = argmax[image, i, j, c] == offset
                            grad_x[image, i * pool + p, j * pool + q, c] = (
                                grad_out[image, i, j, c] if hit else 0.0
                            )
    return grad_x
