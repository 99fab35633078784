"""Just-in-time regularisation for the sparse kernel: L2 decay and L1 shrinkage in closed form.

With sparse input most weights see no data gradient in a step; their SGD step is only
w ← a·w then soft-threshold by τ, with a = 1 − 2ηλ₂ and τ = ηλ₁. Instead of touching every
weight each step (Carpenter 2008, Tsuruoka et al. 2009; scikit-learn's `wscale`), a weight
remembers the step it was last brought up to date and catches up in closed form when its
column is next touched:

    k untouched steps, w > 0:  w ← max(a^k·w − τ·(1 − a^k)/(1 − a), 0)   (τ·k when a = 1)

and symmetrically for w < 0. Exact for a constant a ∈ (0, 1]; `sparse.py` runs every
weight eagerly when a ≤ 0 (2ηλ₂ ≥ 1: the decay flips signs) or when clipping by global norm
makes a depend on each step's norm.

The reported gradient norm still needs Σ (2λ₂w)² over the untouched weights. With L2 alone
that is a scalar recurrence (sparse.py); with L1 + L2 the tracker below keeps Σ w² of
them in O(1) per touched column, through the same closed form.
Per-column state lives in the kernel's working table work[j] = [w, slot, last, death], one
cache line for all: LAST is the step a weight is up to date at, DEATH is the tracker's (below).
numba's on-disk cache does not see edits in a module a kernel calls into: clear `__pycache__`
after changing this one.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.dense import FASTMATH

W, SLOT, LAST, DEATH = 0, 1, 2, 3  # columns of the working table (see sparse.py)
# The tracker's frame is rebased before a^(t − base) falls below this (a^k underflows).
REBASE_BELOW = 1e-40


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


# ----------------------------------------------------------- untouched-weight tracker
# Each untouched weight has |w| = b_j·h − C at step t, with h = a^(t − base),
# C = τ/(1 − a) = λ₁/(2λ₂) and b_j = (|w_j| + C)·a^(base − t_j) fixed at its update at
# step t_j, so Σ w² = h²·Σb² − 2C·h·Σb + C²·n needs only sums = [Σb, Σb², n, base].
# A column counts while its stored weight is not 0 and, with L1, until the step
# s = work[j, DEATH] at which it reaches 0 (−1: not within this call): columns reaching 0 at
# step s form a doubly linked list from head[s] through links[j] = [previous, next], so one
# leaves it in O(1) when touched first.
PREV, NEXT = 0, 1


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _in_frame(x, shift, decay_at_abs_shift):
    """x·a^shift from the table entry a^|shift| (a division for negative shifts)."""
    return x * decay_at_abs_shift if shift >= 0 else x / decay_at_abs_shift


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def untrack(columns, n, t, work, c, decay, sums, links, head):
    """Columns[:n] are touched at step t: take the counted ones out of the sums and lists."""
    base = int(sums[3])
    with_l1 = len(links) > 0
    sum_b, sum_b2, count = sums[0], sums[1], sums[2]
    for i in range(n):
        j = columns[i]
        if work[j, W] == 0.0:
            continue
        death = int(work[j, DEATH]) if with_l1 else -1
        if 0 <= death <= t:
            continue  # reached 0 and already left the sums (retire)
        shift = base - int(work[j, LAST])
        b = _in_frame(abs(work[j, W]) + c, shift, decay[abs(shift)])
        sum_b -= b
        sum_b2 -= b * b
        count -= 1.0
        if death > t:
            before, after = links[j, PREV], links[j, NEXT]
            if before >= 0:
                links[before, NEXT] = after
            else:
                head[death] = after
            if after >= 0:
                links[after, PREV] = before
    if count == 0.0:
        sum_b = sum_b2 = 0.0  # nothing counted: drop the accumulated rounding
    sums[0], sums[1], sums[2] = sum_b, sum_b2, count


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def track(columns, n, t0, work, c, decay, shrink, sums, links, head):
    """Count the non-zero weights of columns[:n], up to date at step t0, as untouched.

    With L1, column j reaches 0 after k* untouched steps, the first k with
    catch_up(|w_j|, k) = 0 (estimated from a^k·(|w_j| + C) ≤ C, then checked with the same
    closed form); it is listed under step t0 + k* when that step falls inside this call.
    """
    shift = int(sums[3]) - t0
    frame = decay[abs(shift)]
    with_l1 = len(links) > 0
    limit = len(head) - t0  # steps t0 + k < len(head), k >= 1, exist in this call
    minus_log_a = -math.log(decay[1]) if with_l1 and limit >= 2 else 1.0
    sum_b, sum_b2, count = sums[0], sums[1], sums[2]
    for i in range(n):
        j = columns[i]
        u0 = abs(work[j, W])
        if u0 == 0.0:
            continue  # a zero weight stays 0 while untouched
        b = _in_frame(u0 + c, shift, frame)
        sum_b += b
        sum_b2 += b * b
        count += 1.0
        if not with_l1:
            continue
        work[j, DEATH] = -1.0
        if limit < 2 or shrunk(u0, decay[limit - 1], shrink[limit - 1]) != 0.0:
            continue  # still non-zero at the call's last step: no log needed
        estimate = math.log1p(u0 / c) / minus_log_a
        k = max(1, math.ceil(estimate)) if estimate < limit else limit  # NaN: limit
        while k > 1 and shrunk(u0, decay[k - 1], shrink[k - 1]) == 0.0:
            k -= 1
        while k < limit and shrunk(u0, decay[k], shrink[k]) != 0.0:
            k += 1
        if k < limit:
            step = t0 + k
            work[j, DEATH], links[j, PREV], links[j, NEXT] = step, -1, head[step]
            if head[step] >= 0:
                links[head[step], PREV] = j
            head[step] = j
    sums[0], sums[1], sums[2] = sum_b, sum_b2, count


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def retire(t, work, c, decay, sums, links, head):
    """Start of step t: columns reaching 0 now leave the sums; rebase before h underflows."""
    base = int(sums[3])
    j = head[t]
    while j >= 0:
        shift = base - int(work[j, LAST])
        b = _in_frame(abs(work[j, W]) + c, shift, decay[abs(shift)])
        sums[0] -= b
        sums[1] -= b * b
        sums[2] -= 1.0
        j = links[j, NEXT]
    head[t] = -1
    if sums[2] == 0.0:
        sums[0] = sums[1] = 0.0
    h = decay[t - base]
    if h < REBASE_BELOW:  # new frame: the b_j·h are the b_j of base t
        sums[0] *= h
        sums[1] *= h * h
        sums[3] = t


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def untouched_squares(t, c, decay, sums):
    """Σ w_j² over the counted columns at step t: h²·Σb² − 2C·h·Σb + C²·n (≥ 0)."""
    h = decay[t - int(sums[3])]
    return max(h * h * sums[1] - 2.0 * c * h * sums[0] + c * c * sums[2], 0.0)
