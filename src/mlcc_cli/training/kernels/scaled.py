"""Sparse SGD with L1 and/or L2 and no clipping, exact, with weights in scaled form w = s·v.

One SGD step on every weight is w' = soft(a·w − η·g_j, τ), a = 1 − 2ηλ₂, τ = ηλ₁, g_j the
data gradient (0 for the columns the batch does not touch), soft(x, θ) = sign(x)·max(|x| − θ, 0).
With w = s·v and s' = a·s this is

    v' = soft(v − (η/s')·g_j, τ/s')

so under L2 alone an untouched v does not change at all: the whole decay is the scalar s
(scikit-learn's `wscale`; exact here, with the penalty gradient in the norm). Under L1 an
untouched v loses τ/s' per step, and soft-thresholds compose by adding their thresholds, so
a column last updated at frame step l catches up exactly to step k with one
soft(v, P[k] − P[l]), P[k] = Σ_{i≤k} τ/s_i. No column lists, no per-column decay tables:
the batch's non-zeros are walked twice, as without a penalty (`sparse._walk_step`).

s_k = a^k is reset to 1 (every v multiplied by s, a "new frame") before it falls below
RENORMALISE_BELOW, so v never overflows. The gradient norm stays exact, computed per step:
Σ g² over the batch's columns plus 4λ₂²·Σ w² over all the others — under L2 alone
s²·(Σ v²), kept by adding each update's change; under L1 + L2 from `scaled_tracker.py`.
With the cumulative L1 penalty (`penalties.owed_penalty`) instead of the exact one, v needs no
catch-up either: only the batch's columns pay, after their step, what they are owed in w
units (u + q with w = s'·v, as scikit-learn's SGD with its wscale), and the norm is kept
as under L2 alone. work[j] = [v, grad] under L2 alone, [v, grad, q] with the cumulative
penalty, [v, grad, last] with the exact L1 alone and [v, grad, last, death] with L1 + L2;
`last` is the frame step v is up to date at (t + ½ while its batch is being stepped, t + 1
once stepped: a repeated column is stepped once). numba's cache does not see edits here or
in `scaled_tracker.py`: clear `__pycache__` after changing them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.kinds import FASTMATH, LINEAR
from mlcc_cli.training.kernels.penalties import owed_penalty
from mlcc_cli.training.kernels.rows import example_terms
from mlcc_cli.training.kernels.scaled_tracker import (
    DEATH,
    GRAD,
    LAST,
    V,
    join,
    leave,
    rebuild,
    retire,
    untouched_squares,
)
from mlcc_cli.training.kernels.sparse_gradient import prefetch_ahead

Q = LAST  # the cumulative penalty's received q takes the exact penalty's `last` column
RENORMALISE_BELOW = 1e-9  # s = a^k at which v is folded back into w (as scikit-learn's wscale)
# last = t + IN_BATCH: caught up at step t and not yet stepped. A column stepped at t − 1 is
# also up to date at t (last = t) but must still leave the untouched sums: the two differ.
IN_BATCH = 0.5


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def soft(x, threshold):
    """sign(x)·max(|x| − θ, 0): the L1 proximal step (θ = 0 returns x, NaN included)."""
    if threshold == 0.0:
        return x
    u = abs(x) - threshold
    return math.copysign(u, x) if u > 0.0 else 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def frame_tables(n_steps, rate, threshold):
    """(S, P, K): S[k] = a^k and P[k] = Σ_{i=1..k} τ/a^i for k ≤ K, the longest frame.

    a = 1 − rate; K = n_steps, or fewer so that a^K stays ≥ RENORMALISE_BELOW (at least 1).
    """
    log_a = math.log1p(-rate)
    frame = n_steps
    if rate > 0.0:
        frame = min(n_steps, max(1, int(math.log(RENORMALISE_BELOW) / log_a)))
    S, P = np.ones(frame + 1), np.zeros(frame + 1)
    for k in range(1, frame + 1):
        S[k] = math.exp(k * log_a)
        P[k] = P[k - 1] + threshold / S[k]
    return S, P, frame


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _gradient(
    data, indices, indptr, y, order, start, stop, work, s, t, k, base, P, b, model_kind, with_l1,
    tracking, touched, counted,
):  # fmt: skip
    """Add r_i·x_i of rows order[start:stop] to work[:, GRAD]; return (probe, Σ r_i, n).

    z_i = s·(x_i·v) + b. Under L1 each column is first brought up to date at step t
    (soft(v, P[k] − P[last])); under L1 + L2 the n distinct columns are listed in touched
    with their tracker value c = |v| + P[last] before the catch-up in counted (−1: not
    counted: v = 0, or it already reached 0 and was retired), for `scaled_tracker.leave`.
    """
    probe = 0.0
    grad_b = 0.0
    n = 0
    reached = P[k]
    for p in range(start, stop):
        prefetch_ahead(data, indices, indptr, y, order, p)
        row = order[p]
        first, end = indptr[row], indptr[row + 1]
        z = 0.0
        for q in range(first, end):
            j = indices[q]
            if with_l1 and work[j, LAST] != t + IN_BATCH:
                v, last = work[j, V], int(work[j, LAST])
                if tracking:
                    death = int(work[j, DEATH])
                    counted_here = v != 0.0 and not 0 <= death <= t
                    touched[n] = j
                    counted[n] = abs(v) + P[last - base] if counted_here else -1.0
                    n += 1
                work[j, V] = soft(v, reached - P[last - base])
                work[j, LAST] = t + IN_BATCH
            z += data[q] * work[j, V]
        example_probe, r = example_terms(s * z + b, y[row], model_kind)
        probe += example_probe
        grad_b += r
        for q in range(first, end):
            work[indices[q], GRAD] += r * data[q]
    return probe / (stop - start), grad_b, n


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _step(
    indices, indptr, order, start, stop, work, s, s_next, step_scale, step_size, l2, threshold,
    t, with_l1, cumulative, owed,
):  # fmt: skip
    """The SGD step on the batch's columns; returns (Σ of their g², change of Σ v²).

    With `cumulative` each column then pays its owed L1 penalty (u = owed, q = work[j, Q]) in
    w units; a repeated column pays nothing the second time (it owes nothing more).

    g = step_scale·grad + 2λ₂·s·v, v' = soft(v − (η/s')·step_scale·grad, τ/s'). Under L2
    alone a repeated column is a no-op the second time (its grad was zeroed), so it adds
    dg² + 4λ₂·dg·w (0 then) and the caller adds 4λ₂²·Σ w² over all weights; with L1 the
    column's `last` marks it stepped (under L1 + L2 the caller then `join`s the batch).
    """
    squared = changed = 0.0
    shift = step_size / s_next
    cut = threshold / s_next
    unscale = 1.0 / s_next  # w' back to v' (a multiply per column instead of a division)
    for p in range(start, stop):
        row = order[p]
        for q in range(indptr[row], indptr[row + 1]):
            j = indices[q]
            if with_l1 and work[j, LAST] != t + IN_BATCH:
                continue  # already stepped (last = t + 1)
            dg = work[j, GRAD] * step_scale
            v = work[j, V]
            work[j, GRAD] = 0.0
            if not with_l1:
                squared += dg * (dg + 4.0 * l2 * s * v)
                updated = v - shift * dg
                if cumulative and l2 == 0.0:
                    # s = 1 throughout and Σ v² is never used: skipping the scaling and the
                    # running sum (a serial chain of adds) gives the same weights, 11 % faster
                    updated, work[j, Q] = owed_penalty(updated, owed, work[j, Q])
                    work[j, V] = updated
                    continue
                if cumulative:
                    w, work[j, Q] = owed_penalty(s_next * updated, owed, work[j, Q])
                    updated = w * unscale
                changed += (updated - v) * (updated + v)
                work[j, V] = updated
                continue
            g = dg + 2.0 * l2 * s * v
            squared += g * g
            v = soft(v - shift * dg, cut)
            work[j, V] = v
            work[j, LAST] = t + 1
    return squared, changed


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _fold(work, t, base, S, P, with_l1):
    """Every weight up to date at step t and s folded in (w = s·v becomes v); Σ v²."""
    k = t - base
    squares = 0.0
    for j in range(work.shape[0]):
        v = work[j, V]
        if with_l1:
            v = soft(v, P[k] - P[int(work[j, LAST]) - base])
            work[j, LAST] = t
        v *= S[k]
        work[j, V] = v
        squares += v * v
    return squares


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def scaled_steps(
    data, indices, indptr, y, order, coef, intercept, batch_size, first_batch, last_batch,
    model_kind, learning_rate, l1, l2, l1_state,
):  # fmt: skip
    """`sparse.csr_linear_family_steps` without clipping, with l1 > 0 or l2 > 0 and
    2ηλ₂ < 1: same arguments (SGD), same returns (steps, examples, summed gradient norms,
    diverged, bad loss probe or NaN). l1_state: the cumulative penalty's [q, u] (updated in
    place), or empty for the exact one."""
    n_rows, n_features = y.shape[0], coef.shape[0]
    n_steps = last_batch - first_batch
    rate, threshold = 2.0 * learning_rate * l2, learning_rate * l1  # 1 − a, τ
    cumulative = l1 > 0.0 and l1_state.shape[0] > 0
    with_l1 = l1 > 0.0 and not cumulative  # the exact penalty's catch-up
    tracking = with_l1 and l2 > 0.0
    scale = 2.0 if model_kind == LINEAR else 1.0
    S, P, frame = frame_tables(n_steps, rate, threshold)
    work = np.zeros((n_features, 4 if tracking else 3 if with_l1 or cumulative else 2))
    for j in range(n_features):  # a loop: slice assignment compiles a costly error message
        work[j, V] = coef[j]
        if cumulative:
            work[j, Q] = l1_state[j]
    owed = l1_state[n_features] if cumulative else 0.0
    sums = np.zeros(3)
    dying = np.zeros((n_steps if tracking else 0, 3))  # see scaled_tracker.py
    touched = np.empty(n_features if tracking else 0, dtype=np.int32)
    counted = np.empty(n_features if tracking else 0)
    base, squares = 0, _fold(work, 0, 0, S, P, with_l1)  # Σ v², for L2 alone
    if tracking:
        rebuild(0, min(frame, n_steps), rate, threshold, P, work, sums, dying)
    norm_sum = 0.0
    examples = 0
    diverged, bad_loss = False, math.nan
    t = 0
    while t < n_steps:
        if t - base == frame:  # s = a^frame: fold it into v before it gets smaller
            squares = _fold(work, t, base, S, P, with_l1)
            base = t
            if tracking:
                limit = min(frame, n_steps - base)
                rebuild(base, limit, rate, threshold, P, work, sums, dying)
        k, limit = t - base, min(frame, n_steps - base)
        start = (first_batch + t) * batch_size
        stop = min(start + batch_size, n_rows)
        m = stop - start
        if tracking:
            retire(t, sums, dying)
        probe, grad_b, n_touched = _gradient(
            data, indices, indptr, y, order, start, stop, work, S[k], t, k, base, P,
            intercept[0], model_kind, with_l1, tracking, touched, counted,
        )  # fmt: skip
        if not math.isfinite(probe):
            diverged, bad_loss = True, probe
            break
        if tracking:
            leave(touched, counted, n_touched, t, work, sums, dying)
        step_scale = scale / m
        grad_b *= step_scale
        squared = grad_b * grad_b
        # 2λ₂w of the weights outside the batch (under L2 alone: of every weight, see _step)
        if tracking:
            squared += 4.0 * l2 * l2 * S[k] * S[k] * untouched_squares(k, P, sums)
        elif not with_l1:
            squared += 4.0 * l2 * l2 * S[k] * S[k] * squares
        owed += threshold
        batch_squared, changed = _step(
            indices, indptr, order, start, stop, work, S[k], S[k + 1], step_scale,
            learning_rate, l2, threshold, t, with_l1, cumulative, owed,
        )  # fmt: skip
        if tracking:
            join(touched, n_touched, k + 1, base, limit, rate, threshold, P, work, sums, dying)
        squares += changed
        norm_sum += math.sqrt(max(squared + batch_squared, 0.0))
        intercept[0] -= learning_rate * grad_b
        examples += m
        t += 1
    _fold(work, t, base, S, P, with_l1)  # exact weights for the caller
    for j in range(n_features):
        coef[j] = work[j, V]
        if cumulative:
            l1_state[j] = work[j, Q]
    if cumulative:
        l1_state[n_features] = owed
    return t, examples, norm_sum, diverged, bad_loss
