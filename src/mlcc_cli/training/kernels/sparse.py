"""Compiled training steps for a CSR design matrix: work per step ∝ the batch's non-zeros.

The maths is exactly the dense kernel's (`dense.py`; tests compare weights to 1e-10): SGD on
g_w = scale·Xᵀr + 2λ₂w, g_b = scale·Σr, clipped by global norm, then the L1 soft-threshold
with τ = η·λ₁. With 2**18 hashed columns and ~40 non-zeros a row, touching every weight each
step would cost thousands of times the batch's own arithmetic, so only the batch's columns
are touched, in one of four ways:

- no penalty, no clipping (*walk*): gradients accumulate next to their weights and the step
  walks the batch's non-zeros again, zeroing each gradient it uses (`_walk_step`);
- a penalty without clipping: the same walk with the weights in scaled form w = s·v, L2 a
  scalar decay of s and L1 a closed-form catch-up per column (`scaled.py`), exact, the
  gradient norm included;
- clipping without L2: the batch's distinct columns are listed once (a slot map), their
  gradients accumulate in a compact vector that stays in L1 until the norm is known, and
  L1 shrinkage of the other weights is applied just in time (`lazy.py`);
- with clipping *and* L2 (an untouched weight's decay then depends on each step's global
  norm) or with 2ηλ₂ ≥ 1 (it flips signs) the eager path steps every weight every step,
  O(n_features) per step, X still sparse.

Rows are read in the epoch's order through indptr, never copied, and loaded a few rows ahead
(`sparse_gradient.py`, which folds a batch's rows into its gradient).
Per-column state sits in one working table (weights copied in and out once per call), so the
random accesses of a non-zero hit one cache line: work[j] = [w, slot, last, ·] when lazy,
[w, slot] otherwise, [w, grad] when walking. Import only when training (numba); numba's cache
does not see edits in `dense.py`, `lazy.py`, `penalties.py`, `scaled*.py` or
`sparse_gradient.py`: clear `__pycache__` after changing them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.kinds import FASTMATH, LINEAR, SMALLEST_DECAY
from mlcc_cli.training.kernels.lazy import LAST, SLOT, W, catch_up_columns, lazy_tables
from mlcc_cli.training.kernels.scaled import scaled_steps
from mlcc_cli.training.kernels.sparse_gradient import (
    GRAD,
    csr_batch_gradient,
    csr_walk_gradient,
)

STORE, FUSED, APPLY = 0, 1, 2  # what _step_columns does with each gradient


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _walk_step(indices, indptr, order, start, stop, work, step_scale, step_size):
    """The step without penalty or clipping, walking the batch's non-zeros again; Σ g_j².

    g_j = step_scale·work[j, GRAD], w_j ← w_j − step_size·g_j, then work[j, GRAD] ← 0, so a
    column met again in the batch adds 0 to the sum and subtracts 0: the same result as one
    visit, without listing the distinct columns (the fastest path; with a penalty or
    clipping a second visit would not be a no-op).
    """
    squared = 0.0
    for p in range(start, stop):
        row = order[p]
        for q in range(indptr[row], indptr[row + 1]):
            j = indices[q]
            g = work[j, GRAD] * step_scale
            squared += g * g
            work[j, W] -= step_size * g
            work[j, GRAD] = 0.0
    return squared


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _step_columns(
    touched, n, batch_grad, work, t, step_scale, l2, step_size, threshold, mode, keep_last
):
    """The SGD step on the batch's columns touched[:n]; returns Σ g_j² (STORE, FUSED).

    g_j = step_scale·batch_grad[i] + 2λ₂·w_j for j = touched[i]. STORE keeps g_j in
    batch_grad[i] (with clipping the step size waits for the norm); APPLY then steps with it;
    FUSED computes and steps in one pass. A step: w_j' = w_j − step_size·g_j, soft-thresholded
    by τ; then the column leaves the slot map, and with keep_last is up to date at step t + 1.
    """
    squared = 0.0
    for i in range(n):
        j = touched[i]
        w = work[j, W]
        if mode == APPLY:
            g = batch_grad[i]
        else:
            g = batch_grad[i] * step_scale + 2.0 * l2 * w
            squared += g * g
        if mode == STORE:
            batch_grad[i] = g
            continue
        w -= step_size * g
        if threshold > 0.0:
            shrunk_w = abs(w) - threshold
            w = math.copysign(shrunk_w, w) if shrunk_w > 0.0 else 0.0
        work[j, W] = w
        work[j, SLOT] = 0.0
        if keep_last:
            work[j, LAST] = t + 1
    return squared


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _step_every_column(batch_grad, work, step_scale, l2, step_size, threshold, apply):
    """The eager path: Σ g_j² over every column (apply False), or the SGD step on each.

    g_j = step_scale·batch_grad[slot − 1] + 2λ₂·w_j, the first term 0 outside the batch. The
    step recomputes g_j from the same inputs rather than storing n_features of them.
    """
    squared = 0.0
    for j in range(work.shape[0]):
        slot = int(work[j, SLOT])
        data_grad = batch_grad[slot - 1] if slot > 0 else 0.0
        g = data_grad * step_scale + 2.0 * l2 * work[j, W]
        if not apply:
            squared += g * g
            continue
        w = work[j, W] - step_size * g
        if threshold > 0.0:
            shrunk_w = abs(w) - threshold
            w = math.copysign(shrunk_w, w) if shrunk_w > 0.0 else 0.0
        work[j, W] = w
        work[j, SLOT] = 0.0
    return squared


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def csr_linear_family_steps(
    data,
    indices,
    indptr,
    y,
    order,
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
    """`kernels.linear_family_steps` for X given as CSR (data, indices, indptr).

    Runs batches [first_batch, last_batch) of the epoch whose row order is `order`; updates
    coef/intercept in place (SGD, the only optimizer_kind). clip_norm <= 0: no clipping.
    Returns (steps, examples, summed pre-clip gradient norms, diverged, bad loss probe or NaN).
    Column lists are int32: fewer than 2**31 columns and steps per call. The cumulative L1
    penalty (l1_state not empty) runs only in `scaled.py`: not with clipping or 2ηλ₂ ≥ 1 −
    SMALLEST_DECAY (`compiled.compiled_kernel_supports` sends those to numpy).
    """
    n_rows, n_features = y.shape[0], coef.shape[0]
    n_steps = last_batch - first_batch
    rate = 2.0 * learning_rate * l2  # 1 − a
    threshold = learning_rate * l1  # τ
    eager = l2 > 0.0 and (clip_norm > 0.0 or 1.0 - rate < SMALLEST_DECAY)
    clipping = clip_norm > 0.0
    if not (eager or clipping) and (l1 > 0.0 or l2 > 0.0):
        return scaled_steps(
            data, indices, indptr, y, order, coef, intercept, batch_size, first_batch,
            last_batch, model_kind, learning_rate, l1, l2, l1_state,
        )  # fmt: skip
    lazy = not eager and l1 > 0.0  # L1 with clipping: the closed-form catch-up of lazy.py
    walk = not (lazy or eager or clipping)
    scale = 2.0 if model_kind == LINEAR else 1.0
    # [w, slot, last, death] per column (lazy.py), [w, slot], or [w, grad] when walking
    work = np.zeros((n_features, 4 if lazy else 2))
    for j in range(n_features):  # a loop: slice assignment compiles a costly error message
        work[j, W] = coef[j]
    listed = 0 if walk else n_features
    touched = np.empty(listed, dtype=np.int32)  # the batch's distinct columns
    batch_grad = np.empty(listed)  # their data gradients (first n_touched entries)
    every_column = np.arange(n_features if lazy else 0, dtype=np.int32)
    decay, shrink = lazy_tables(n_steps if lazy else 1, rate, threshold)
    norm_sum = 0.0
    examples = 0
    diverged, bad_loss = False, math.nan
    t = 0
    while t < n_steps:
        start = (first_batch + t) * batch_size
        stop = min(start + batch_size, n_rows)
        m = stop - start
        if walk:
            probe, grad_b = csr_walk_gradient(
                data, indices, indptr, y, order, start, stop, work, intercept[0], model_kind
            )
        else:
            probe, grad_b, n_touched = csr_batch_gradient(
                data, indices, indptr, y, order, start, stop, work, intercept[0], model_kind,
                True, touched, batch_grad, 0, t, lazy, decay, shrink,
            )  # fmt: skip
        if not math.isfinite(probe):
            diverged, bad_loss = True, probe
            break
        step_scale = scale / m
        grad_b *= step_scale
        squared = grad_b * grad_b
        step_size = learning_rate
        if walk:
            squared += _walk_step(indices, indptr, order, start, stop, work, step_scale, step_size)
        elif eager:
            squared += _step_every_column(
                batch_grad, work, step_scale, l2, step_size, threshold, False
            )
        else:
            batch_squared = _step_columns(
                touched, n_touched, batch_grad, work, t, step_scale, l2, step_size, threshold,
                STORE if clipping else FUSED, lazy,
            )  # fmt: skip
            squared += batch_squared
        norm = math.sqrt(squared)
        norm_sum += norm
        if clipping and norm > clip_norm and math.isfinite(norm):
            step_size = learning_rate * (clip_norm / norm)
        if eager:
            _step_every_column(batch_grad, work, step_scale, l2, step_size, threshold, True)
        elif clipping:
            _step_columns(
                touched, n_touched, batch_grad, work, t, step_scale, l2, step_size, threshold,
                APPLY, lazy,
            )  # fmt: skip
        intercept[0] -= step_size * grad_b
        examples += m
        t += 1
    if lazy:  # every weight up to date at the steps done, so the caller sees exact weights
        catch_up_columns(every_column, n_features, t, work, decay, shrink)
    for j in range(n_features):
        coef[j] = work[j, W]
    return t, examples, norm_sum, diverged, bad_loss
