"""Σ w² of the untouched weights under L1 + L2, for the exact gradient norm (`scaled.py`).

The reported gradient norm includes 2λ₂w of every weight, also of the weights the batch does
not touch. In the scaled form w = s·v (`scaled.py`) an untouched column's |v| only loses the
step thresholds: at frame step k its |v_j(k)| = max(c_j − P[k], 0), with
c_j = |v_j| + P[l_j] fixed when it was last updated (at frame step l_j), P[k] = Σ_{i≤k} τ/s_i.
So over the columns still above 0

    Σ v² = Σ c² − 2·P[k]·Σ c + n·P[k]²,    sums = [Σ c, Σ c², n]

and Σ w² = s²·Σ v². P grows, so a column reaches 0 at a known step, the first with P ≥ c_j;
when that falls inside the frame its c also goes into that step's dying[step] = [Σ c, Σ c², n],
which leaves the sums as a whole when the step starts (`retire`); a column touched before
its step takes its own c out again (`leave`). work[j, DEATH] is that step (−1: not within
this frame). Aggregates only, no lists: no random access beyond the column's own row.
numba's on-disk cache does not see edits here: clear `__pycache__` after changing this module.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.dense import FASTMATH

V, GRAD, LAST, DEATH = 0, 1, 2, 3  # columns of the working table (see scaled.py)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def join(columns, n, k, base, limit, rate, threshold, P, work, sums, dying):
    """Columns[:n] were just updated at frame step k: count the non-zero ones as untouched.

    Column j reaches 0 at the first frame step d with P[d] ≥ c = |v_j| + P[k];
    P[d] = τ·(a^−d − 1)/(1 − a) gives the estimate d ≈ log1p(c·(1 − a)/τ)/(−log a), checked
    against the table. When d < limit (later steps are not run in this frame) c also goes
    into dying[base + d]. One call per batch, the loop inside: numba reference-counts the
    array arguments of every call (atomic instructions, ~10 ns each), too much per column.
    """
    minus_log_a = -math.log1p(-rate)
    sum_c, sum_c2, count = sums[0], sums[1], sums[2]
    for i in range(n):
        j = columns[i]
        v = work[j, V]
        if v == 0.0:
            continue  # a 0 stays 0 while untouched
        c = abs(v) + P[k]
        sum_c += c
        sum_c2 += c * c
        count += 1.0
        work[j, DEATH] = -1.0
        if limit <= k + 1 or not P[limit - 1] >= c:
            continue  # still above 0 at the frame's last step (or NaN: diverging)
        d = math.ceil(math.log1p(c * rate / threshold) / minus_log_a)
        d = min(max(d, k + 1), limit - 1)
        while d > k + 1 and P[d - 1] >= c:
            d -= 1
        while P[d] < c:  # stops: P[limit − 1] ≥ c
            d += 1
        step = base + d
        work[j, DEATH] = step
        dying[step, 0] += c
        dying[step, 1] += c * c
        dying[step, 2] += 1.0
    sums[0], sums[1], sums[2] = sum_c, sum_c2, count


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def leave(columns, counted, n, t, work, sums, dying):
    """Columns[:n] are touched at step t: take their c (counted[i], −1 if not counted) out of
    the sums and out of dying[death] when listed there. The caller computed c before
    catching the weight up: |v| + P[last], exactly the value `join` added."""
    sum_c, sum_c2, count = sums[0], sums[1], sums[2]
    for i in range(n):
        c = counted[i]
        if c < 0.0:
            continue
        sum_c -= c
        sum_c2 -= c * c
        count -= 1.0
        death = int(work[columns[i], DEATH])
        if death > t:
            _take(dying, death, c)
    if count == 0.0:
        sum_c = sum_c2 = 0.0  # nothing counted: drop the accumulated rounding
    sums[0], sums[1], sums[2] = sum_c, sum_c2, count


@njit(cache=True, nogil=True, fastmath=FASTMATH, inline="always")
def _take(dying, step, c):
    """c leaves dying[step]; an emptied entry drops its accumulated rounding."""
    dying[step, 0] -= c
    dying[step, 1] -= c * c
    dying[step, 2] -= 1.0
    if dying[step, 2] == 0.0:
        dying[step, 0] = dying[step, 1] = 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def retire(t, sums, dying):
    """Start of step t: the columns reaching 0 now leave the sums (all of dying[t] at once)."""
    for i in range(3):
        sums[i] -= dying[t, i]
        dying[t, i] = 0.0
    if sums[2] == 0.0:
        sums[0] = sums[1] = 0.0


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def rebuild(base, limit, rate, threshold, P, work, sums, dying):
    """A new frame at step `base`, every weight up to date there: count each non-zero one."""
    sums[:] = 0.0
    dying[:] = 0.0
    every_column = np.arange(work.shape[0])
    join(every_column, work.shape[0], 0, base, limit, rate, threshold, P, work, sums, dying)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def untouched_squares(k, P, sums):
    """Σ v_j² over the counted columns at frame step k: Σc² − 2·P[k]·Σc + n·P[k]² (≥ 0)."""
    p = P[k]
    return max(sums[1] - 2.0 * p * sums[0] + sums[2] * p * p, 0.0)
