"""The window shuffle (numba): rows shuffled within windows of randomly ordered 256-row blocks.

`training.shuffle: windows` draws each epoch's row order in three steps:

1. base: the training split's runs of 256 consecutive rows (blocks) in a random order, as
   `blocks` does (`blocks_base`; the split was shuffled once, so a block is a random set
   of rows);
2. base is cut into windows of `window_rows` consecutive positions: a whole number of
   batches, at least 4, about WINDOW_BYTES of rows (16 blocks of 32 float64 features);
3. within each window a uniformly random permutation (Fisher–Yates) of its m rows:
   local[p] ∈ [0, m) and order[p] = base[w0 + local[p]] for the window starting at w0.

So a batch is a random subset of the rows of about 16 random blocks, and both the blocks and
the subset are drawn afresh every epoch: batch-mates change from epoch to epoch (row-level
randomness, unlike `blocks`, whose batches are the same runs every epoch), while memory is
still read in runs of 256 rows. The compiled steps copy each window's rows once, in base
order (sequential runs), into a buffer that stays in cache, and run the ordinary kernel on it
through `local`: the same rows in the same order as reading X through `order`, so the numpy
path (X gathered in `order`) computes the same steps.

May import numba and numpy, and the other kernel modules; nothing else of mlcc.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.dense import linear_family_steps

# About this many bytes of rows per window: fits a core's L2 cache (1 MB on the benchmark
# machine) beside the kernel's block, so a window's rows are read from memory once.
WINDOW_BYTES = 2**20
# A window holds at least this many batches, so a batch is drawn from ≥ 4× its own size.
MIN_BATCHES_PER_WINDOW = 4


def window_rows(batch_size: int, row_bytes: int) -> int:
    """Rows per window: a whole number (≥ MIN_BATCHES_PER_WINDOW) of batches of about
    WINDOW_BYTES; a whole number so that no batch straddles two windows."""
    batches = max(MIN_BATCHES_PER_WINDOW, WINDOW_BYTES // max(1, batch_size * row_bytes))
    return batch_size * batches


@njit(cache=True, nogil=True)
def blocks_base(block_starts, n_rows, block_rows, base):
    """Fill base (n_rows,) with step 1: the rows of each block start..start+block_rows (cut
    at n_rows), blocks in the given order — `engine.epoch_order(..., "blocks")` without its
    temporaries."""
    p = 0
    for start in block_starts:
        for row in range(start, min(start + block_rows, n_rows)):
            base[p] = row
            p += 1


@njit(cache=True, nogil=True)
def shuffle_windows(base, bits, window_rows, local, order):
    """Fill local and order (n,) with step 3: a Fisher–Yates permutation of each window.

    For i = m−1 … 1 the swap partner is j = ⌊u_i·(i+1) / 2³²⌋ with u_i = bits[w0 + i], a
    uniform 32-bit draw (Lemire's multiply-shift; each j has probability within 2⁻³² of
    1/(i+1), far below anything training can notice). Each window of local becomes a
    permutation of 0..m−1, and order = base[w0 + local].
    """
    n = base.shape[0]
    for w0 in range(0, n, window_rows):
        m = min(window_rows, n - w0)
        window = local[w0 : w0 + m]
        for i in range(m):
            window[i] = i
        for i in range(m - 1, 0, -1):
            # u < 2**32 and i + 1 < 2**31, so the product fits in int64
            j = (np.int64(bits[w0 + i]) * (i + 1)) >> 32
            swapped = window[j]
            window[j] = window[i]
            window[i] = swapped
        for p in range(m):
            order[w0 + p] = base[w0 + window[p]]


@njit(cache=True, nogil=True)
def stage_window(X, y, base, w0, m, X_window, y_window):
    """Copy rows base[w0 : w0+m] of X and y into the window buffers, in base order (runs
    of consecutive rows, so memory is read sequentially)."""
    n_features = X.shape[1]
    for q in range(m):
        row = base[w0 + q]
        for j in range(n_features):
            X_window[q, j] = X[row, j]
        y_window[q] = y[row]


@njit(cache=True, nogil=True)
def staged_linear_family_steps(
    X_staged,
    y_staged,
    local,
    first_window,
    window_rows,
    coef,
    intercept,
    batch_size,
    first_batch,
    last_batch,
    model_kind,
    optimizer_kind,
    learning_rate,
    l1,
    l2,
    clip_norm,
    l1_state,
    norm_sum,
):
    """`dense.linear_family_steps` for batches [first_batch, last_batch) of a window-order
    epoch whose windows first_window, first_window + 1, … are staged, back to back, in
    X_staged and y_staged (`stage_window` of their base positions); every batch must lie in
    a staged window. Each window's batches read its rows through `local`.

    The gradient norms are added, window by window, to `norm_sum` (the caller's running
    total), so that staging in chunks of any size sums them in the same order, to the bit.
    """
    n_staged = X_staged.shape[0]
    per_window = window_rows // batch_size  # batches per window
    steps = 0
    examples = 0
    batch = first_batch
    while batch < last_batch:
        window = batch // per_window
        q0 = (window - first_window) * window_rows  # the window's first row in X_staged
        m = min(window_rows, n_staged - q0)
        w0 = window * window_rows
        stop = min(last_batch, (window + 1) * per_window)
        done, seen, norms, diverged, bad_loss = linear_family_steps(
            X_staged[q0 : q0 + m], y_staged[q0 : q0 + m], local[w0 : w0 + m], coef, intercept,
            batch_size, batch - window * per_window, stop - window * per_window, model_kind,
            optimizer_kind, learning_rate, l1, l2, clip_norm, l1_state,
        )  # fmt: skip
        steps += done
        examples += seen
        norm_sum += norms
        if diverged:
            return steps, examples, norm_sum, True, bad_loss
        batch = stop
    return steps, examples, norm_sum, False, math.nan


@njit(cache=True, nogil=True)
def windowed_linear_family_steps(
    X,
    y,
    base,
    local,
    window_rows,
    coef,
    intercept,
    batch_size,
    first_batch,
    last_batch,
    model_kind,
    optimizer_kind,
    learning_rate,
    l1,
    l2,
    clip_norm,
    l1_state,
):
    """`dense.linear_family_steps` for an epoch in window order, on one core: stage each
    window once, then run its batches on the staged copy through `local`. Same arguments and
    return value, with (base, local, window_rows) in place of order (window_rows a multiple
    of batch_size). `training/window_pipeline.py` stages on a second core instead.
    """
    n_rows, n_features = X.shape
    per_window = window_rows // batch_size  # batches per window
    size = min(window_rows, n_rows)
    X_window = np.empty((size, n_features))
    y_window = np.empty(size)
    steps = 0
    examples = 0
    norm_sum = 0.0
    batch = first_batch
    while batch < last_batch:
        window = batch // per_window
        w0 = window * window_rows
        m = min(window_rows, n_rows - w0)
        stage_window(X, y, base, w0, m, X_window, y_window)
        stop = min(last_batch, (window + 1) * per_window)
        done, seen, norm_sum, diverged, bad_loss = staged_linear_family_steps(
            X_window[:m], y_window[:m], local, window, window_rows, coef, intercept,
            batch_size, batch, stop, model_kind, optimizer_kind, learning_rate, l1, l2,
            clip_norm, l1_state, norm_sum,
        )  # fmt: skip
        steps += done
        examples += seen
        if diverged:
            return steps, examples, norm_sum, True, bad_loss
        batch = stop
    return steps, examples, norm_sum, False, math.nan
