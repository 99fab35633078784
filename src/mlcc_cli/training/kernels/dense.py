"""Compiled training steps for the linear family (numba), a whole period per call.

A Python loop pays ~10 µs per step, so batch-1 SGD over millions of rows would take minutes;
here every step of a reporting period runs inside one `@njit` call. The maths is exactly the
numpy reference in `models/linear.py` + `optim/` (tests compare the weights to 1e-10):

- linear:   r_i = x_i·w + b − y_i,   loss = Σr²/m,            ∂/∂z = (2/m)·r
- logistic: s_i = (1 − 2y_i)(x_i·w + b), loss = Σ softplus(s)/m, ∂/∂z = (1/m)·(1 − 2y)·σ(s)
- gradient g_w = Σ (∂/∂z)_i x_i + 2λ₂w, g_b = Σ (∂/∂z)_i; clipped by global norm;
  SGD w ← w − η·g; then L1 soft-threshold w ← sign(w)·max(|w| − η·λ₁, 0), or with the
  cumulative L1 penalty (`optim.base.Optimizer.cumulative_l1`) its state in `l1_state`:
  [q_0 … q_{d−1}, u] (received per weight, owed to each), empty for the exact method.

Rows are read in place through `order` (the epoch's permutation), each prefetched a few rows
ahead, instead of being copied into a shuffled array, so no second copy of X exists. The
kernel checks batch losses only for being finite (divergence); period losses are measured on
whole splits by the model.
Import this module only when training: numba itself takes a few hundred milliseconds.
A scipy.sparse (CSR) X runs `sparse.py` instead, on the same maths.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.kinds import FASTMATH, SGD
from mlcc_cli.training.kernels.penalties import cumulative_l1_step
from mlcc_cli.training.kernels.rows import (  # noqa: F401 - other kernels import them from here
    PREFETCH_ROWS,
    TERMS_ROWS,
    batch_gradient,
    example_terms,
    prefetch,
    prefetch_row,
)
from mlcc_cli.training.kernels.stochastic import lookahead_sgd_steps, stochastic_sgd_steps

# The multiclass kernel copies rows into a small contiguous block before the arithmetic
# (`block_rows`): the copy's loads are independent of each other, so the CPU overlaps the
# cache misses of shuffled rows, and the maths then runs on data in L1. 256 × 32 = 64 KB.
BLOCK_ROWS = 256


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def block_rows(X, order, block_start, rows, block):
    """X's rows order[block_start : block_start + rows], ready to read in order.

    Rows already consecutive (shuffle: blocks, full batches) are returned as a view of X, no
    copy; others are gathered into `block` (independent loads, so their misses overlap).
    """
    first_row = order[block_start]
    contiguous = True
    for k in range(rows):
        if order[block_start + k] != first_row + k:
            contiguous = False
            break
    if contiguous:
        return X[first_row : first_row + rows]
    for k in range(rows):
        row = order[block_start + k]
        for j in range(X.shape[1]):
            block[k, j] = X[row, j]
    return block[:rows]


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def linear_family_steps(
    X,
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
    """Run batches [first_batch, last_batch) of one epoch; update coef/intercept in place.

    clip_norm <= 0 means no clipping; l1_state: the cumulative L1 penalty's [q, u], updated
    in place, or empty for the exact soft-threshold. Returns (steps, examples, summed
    pre-clip gradient norms, diverged, the non-finite loss probe that stopped it — NaN or inf
    exactly as the batch loss would be — or NaN).
    """
    if batch_size == 1 and optimizer_kind == SGD:
        if l1 == 0.0 and l2 == 0.0:
            return lookahead_sgd_steps(
                X, y, order, coef, intercept, first_batch, last_batch, model_kind,
                learning_rate, clip_norm,
            )  # fmt: skip
        steps, examples, norm_sum, diverged, bad_loss, _ = stochastic_sgd_steps(
            X, y, order, coef, intercept, first_batch, last_batch, model_kind,
            learning_rate, l1, l2, clip_norm, l1_state,
        )  # fmt: skip
        return steps, examples, norm_sum, diverged, bad_loss
    n_rows, n_features = X.shape
    grad_w = np.empty(n_features)
    chunk = min(TERMS_ROWS, batch_size)
    outputs, labels = np.empty(chunk), np.empty(chunk)  # batch_gradient's scratch
    steps = 0
    examples = 0
    norm_sum = 0.0
    threshold = learning_rate * l1
    for batch in range(first_batch, last_batch):
        start = batch * batch_size
        stop = min(start + batch_size, n_rows)
        probe, grad_b = batch_gradient(
            X, y, order, start, stop, coef, intercept, model_kind, l2, grad_w, outputs, labels
        )
        if not math.isfinite(probe):
            return steps, examples, norm_sum, True, probe
        squared = grad_b * grad_b
        for j in range(n_features):
            squared += grad_w[j] * grad_w[j]
        norm = math.sqrt(squared)
        norm_sum += norm
        factor = 1.0
        if clip_norm > 0.0 and norm > clip_norm and math.isfinite(norm):
            factor = clip_norm / norm
        if optimizer_kind == SGD:
            step_size = learning_rate * factor
            for j in range(n_features):
                coef[j] -= step_size * grad_w[j]
            intercept[0] -= step_size * grad_b
        if threshold > 0.0 and l1_state.shape[0] > 0:
            cumulative_l1_step(coef, threshold, l1_state)
        elif threshold > 0.0:
            for j in range(n_features):
                shrunk = abs(coef[j]) - threshold
                coef[j] = math.copysign(shrunk, coef[j]) if shrunk > 0.0 else 0.0
        steps += 1
        examples += stop - start
    return steps, examples, norm_sum, False, math.nan
