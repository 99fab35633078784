"""Just-in-time regularisation for the sparse kernel: L2 decay and L1 shrinkage in closed form.

With sparse input most weights see no data gradient in a step; their SGD step is only
w ← a·w then soft-threshold by τ, with a = 1 − 2ηλ₂ and τ = ηλ₁. Instead of touching every
weight each step (Carpenter 2008, Tsuruoka et al. 2009; scikit-learn's `wscale`), a weight
remembers the step it was last brought up to date and catches up in closed form when its
column is next touched:

    k untouched steps, w > 0:  w ← max(a^k·w − τ·(1 − a^k)/(1 − a), 0)   (τ·k when a = 1)

and symmetrically for w < 0. Exact for a constant a ∈ (0, 1]. `sparse.py` uses it for L1
with clipping (a = 1: the clipped step changes only the touched weights); without clipping
`scaled.py` runs every penalty in the scaled form w = s·v instead.
Per-column state lives in the kernel's working table work[j] = [w, slot, last]: LAST is the
step a weight is up to date at. numba's on-disk cache does not see edits in a module a
kernel calls into: clear `__pycache__` after changing this one.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.dense import FASTMATH

W, SLOT, LAST = 0, 1, 2  # columns of the working table (see sparse.py)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def lazy_tables(n_steps, rate, threshold):
    """(decay[k], shrink[k]) for k = 0..n_steps: what k untouched steps do to a weight.

    decay[k] = a^k = e^(k·log(1 − rate)) and shrink[k] = τ·(1 − a^k)/(1 − a), or τ·k when
    rate = 0; a = 1 − rate = 1 − 2ηλ₂, τ = threshold = ηλ₁. See `catch_up`.
    """
    decay = np.ones(n_steps + 1)
    shrink = np.zeros(n_steps + 1)
    log_decay = math.log1p(-rate)
    for k in range(1, n_steps + 1):
        if rate == 0.0:
            shrink[k] = threshold * k
        else:
            x = k * log_decay
            decay[k] = math.exp(x)
            shrink[k] = threshold * (-math.expm1(x) / rate)  # 1 − a^k without cancellation
    return decay, shrink


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def shrunk(w, decay_k, shrink_k):
    """sign(w)·max(decay_k·|w| − shrink_k, 0), or decay_k·w without L1 (shrink_k = 0).

    Scalars only: numba reference-counts array arguments even of inlined calls, with atomic
    instructions that cost ~10 ns each inside per-column loops.
    """
    if shrink_k == 0.0:
        return w * decay_k  # a NaN weight stays NaN, as eagerly
    u = decay_k * abs(w) - shrink_k
    return math.copysign(u, w) if u > 0.0 else 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def catch_up(w, k, decay, shrink):
    """w after k steps without data gradient: w_k = sign(w)·max(a^k·|w| − shrink[k], 0).

    Equals k eager steps w ← sign(w)·max(|a·w| − τ, 0) for a ∈ (0, 1]: |w| follows
    u ← a·u − τ while positive, solved by a^k·u − τ·(1 + a + … + a^(k−1)), and once at 0
    it stays there (a·0 − τ < 0). Without L1 it is a^k·w.
    """
    return shrunk(w, decay[k], shrink[k])


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def catch_up_columns(columns, n, t, work, decay, shrink):
    """Bring the weights of columns[:n] up to date at step t (see catch_up)."""
    for i in range(n):
        j = columns[i]
        k = t - int(work[j, LAST])
        work[j, W] = shrunk(work[j, W], decay[k], shrink[k])
        work[j, LAST] = t
