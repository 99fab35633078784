"""Batch-1 SGD for the linear family on a dense X (numba): one example per step.

Each step depends on the previous step's weights, so an epoch is one long chain of steps
and what matters is how long one step's chain is, not how much arithmetic it holds. Without
penalties, `lookahead_sgd_steps` takes the next example's dot product off that chain:

    z_{k+1} = b_{k+1} + x_{k+1}·w_{k+1},  w_{k+1} = w_k − η_k c_k x_k
            = b_{k+1} + x_{k+1}·w_k − η_k c_k (x_{k+1}·x_k)

so x_{k+1}·w_k and x_{k+1}·x_k are computed while step k's exp runs, and only two products
follow it (η_k the step size after clipping, c_k = ∂loss/∂z of example k). The first step of
each call computes its z directly. The same weights as the numpy path to rounding
(tests: 1e-10); byte-identical for a config and seed (calls start at the same steps: period
starts and, under `shuffle: windows`, window starts). With an L1 penalty (the threshold is
not linear in c_k) or L2, `stochastic_sgd_steps` computes each z directly.

May import numba and numpy, and the other kernel modules but `dense`; nothing else of mlcc.
"""

from __future__ import annotations

import math

from numba import njit

from mlcc_cli.training.kernels.kinds import FASTMATH, LINEAR
from mlcc_cli.training.kernels.penalties import cumulative_l1_step
from mlcc_cli.training.kernels.rows import example_terms, prefetch_row

# Rows this many steps ahead are prefetched: staged windows written by the other core
# (`window_pipeline.py`) are not in this core's cache, and one row ahead was too late
# (400,000 × 32: 36 → 20 ms of this thread's time per epoch).
PREFETCH_ROWS = 8


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def lookahead_sgd_steps(
    X, y, order, coef, intercept, first, last, model_kind, learning_rate, clip_norm
):  # fmt: skip
    """`stochastic_sgd_steps` without penalties, z_{k+1} from x_{k+1}·w_k (module docstring).

    Returns (steps, examples, summed pre-clip gradient norms, diverged, bad loss probe).
    """
    n_features = X.shape[1]
    scale = 2.0 if model_kind == LINEAR else 1.0
    norm_sum = 0.0
    row = order[first]
    z = intercept[0]
    row_squares = 0.0  # Σ x_j², for the norm ‖(c, c·x)‖ = |c|·√(1 + Σx²)
    for j in range(n_features):
        z += X[row, j] * coef[j]
        row_squares += X[row, j] * X[row, j]
    for k in range(first, last):
        following = k + 1 < last
        if following:  # with the weights before this step: off the chain of steps
            if k + PREFETCH_ROWS < last:
                prefetch_row(X, order[k + PREFETCH_ROWS])
            next_row = order[k + 1]
            ahead, cross, next_squares = 0.0, 0.0, 0.0  # x'·w, x'·x, Σx'²
            for j in range(n_features):
                value = X[next_row, j]
                ahead += value * coef[j]
                cross += value * X[row, j]
                next_squares += value * value
        probe, r = example_terms(z, y[row], model_kind)
        if not math.isfinite(probe):
            return k - first, k - first, norm_sum, True, probe
        c = scale * r
        norm = math.sqrt(c * c * (1.0 + row_squares))
        norm_sum += norm
        step_size = learning_rate
        if clip_norm > 0.0 and norm > clip_norm and math.isfinite(norm):
            step_size = learning_rate * (clip_norm / norm)
        for j in range(n_features):
            coef[j] -= step_size * (c * X[row, j])
        intercept[0] -= step_size * c
        if following:
            z = intercept[0] + ahead - (step_size * c) * cross
            row, row_squares = next_row, next_squares
    return last - first, last - first, norm_sum, False, math.nan


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def stochastic_sgd_steps(
    X, y, order, coef, intercept, first, last, model_kind, learning_rate, l1, l2, clip_norm,
    l1_state,
):  # fmt: skip
    """Batch-1 SGD without a gradient buffer: the same updates in two or three row passes.

    With one example, g_w = c·x + 2λ₂w and g_b = c (c = scale·∂loss/∂z), so each g_j is
    recomputed where it is needed instead of stored. The next example's row is touched
    before this step's arithmetic so its cache miss overlaps the work (each step depends on
    the previous weights, so the CPU could not start that load early by itself), and the row
    PREFETCH_ROWS ahead is prefetched.
    """
    n_features = X.shape[1]
    scale = 2.0 if model_kind == LINEAR else 1.0
    threshold = learning_rate * l1
    cumulative = l1_state.shape[0] > 0
    norm_sum = 0.0
    touched = 0.0
    for k in range(first, last):
        row = order[k]
        if k + PREFETCH_ROWS < last:
            prefetch_row(X, order[k + PREFETCH_ROWS])
        if k + 1 < last:
            touched += X[order[k + 1], n_features - 1]
        z = intercept[0]
        row_squares = 0.0  # Σ x_j², for the norm without L2
        for j in range(n_features):
            z += X[row, j] * coef[j]
            row_squares += X[row, j] * X[row, j]
        probe, r = example_terms(z, y[row], model_kind)
        if not math.isfinite(probe):
            return k - first, k - first, norm_sum, True, probe, touched
        c = scale * r
        if l2 == 0.0:  # ‖(c, c·x)‖² = c²·(1 + Σx²): no second pass over the row
            squared = c * c * (1.0 + row_squares)
        else:
            squared = c * c
            for j in range(n_features):
                g = c * X[row, j] + 2.0 * l2 * coef[j]
                squared += g * g
        norm = math.sqrt(squared)
        norm_sum += norm
        step_size = learning_rate
        if clip_norm > 0.0 and norm > clip_norm and math.isfinite(norm):
            step_size = learning_rate * (clip_norm / norm)
        for j in range(n_features):
            w = coef[j] - step_size * (c * X[row, j] + 2.0 * l2 * coef[j])
            if threshold > 0.0 and not cumulative:
                shrunk = abs(w) - threshold
                w = math.copysign(shrunk, w) if shrunk > 0.0 else 0.0
            coef[j] = w
        if cumulative:
            cumulative_l1_step(coef, threshold, l1_state)
        intercept[0] -= step_size * c
    return last - first, last - first, norm_sum, False, math.nan, touched
