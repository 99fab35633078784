"""Compiled training steps for the linear family (numba), a whole period per call.

A Python loop pays ~10 µs per step, so batch-1 SGD over millions of rows would take minutes;
here every step of a reporting period runs inside one `@njit` call. The maths is exactly the
numpy reference in `models.py` + `optimizers.py` (tests compare the weights to 1e-10):

- linear:   r_i = x_i·w + b − y_i,   loss = Σr²/m,            ∂/∂z = (2/m)·r
- logistic: s_i = (1 − 2y_i)(x_i·w + b), loss = Σ softplus(s)/m, ∂/∂z = (1/m)·(1 − 2y)·σ(s)
- gradient g_w = Σ (∂/∂z)_i x_i + 2λ₂w, g_b = Σ (∂/∂z)_i; clipped by global norm;
  SGD w ← w − η·g; then L1 soft-threshold w ← sign(w)·max(|w| − η·λ₁, 0).

Rows are read through `order` (the epoch's permutation) instead of being copied into a
shuffled array, so no second copy of X exists. Import this module only when training: numba
itself takes a few hundred milliseconds to import.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LINEAR, LOGISTIC = 0, 1
MODEL_KINDS = {"linear": LINEAR, "logistic": LOGISTIC}
SGD = 0
OPTIMIZER_KINDS = {"sgd": SGD}


@njit(cache=True, nogil=True)
def _softplus(s: float) -> float:
    """log(1 + e^s) without overflow, as np.logaddexp(0, s) computes it."""
    if s > 0.0:
        return s + math.log1p(math.exp(-s))
    return math.log1p(math.exp(s))


@njit(cache=True, nogil=True)
def _batch_gradient(X, y, order, start, stop, coef, intercept, model_kind, l2, grad_w, dz):
    """Fill grad_w with the batch gradient (incl. 2λ₂w); return (loss, grad_b)."""
    n_features = X.shape[1]
    m = stop - start
    b = intercept[0]
    loss = 0.0
    for k in range(m):  # pass 1: outputs, loss and ∂loss/∂z per example
        row = order[start + k]
        z = 0.0
        for j in range(n_features):
            z += X[row, j] * coef[j]
        z += b
        if model_kind == LINEAR:
            r = z - y[row]
            loss += r * r
            dz[k] = r
        else:
            sign = 1.0 - 2.0 * y[row]
            s = sign * z
            softplus = _softplus(s)
            loss += softplus
            dz[k] = sign * math.exp(s - softplus)  # p − y
    loss /= m
    scale = 2.0 / m if model_kind == LINEAR else 1.0 / m
    for j in range(n_features):
        grad_w[j] = 0.0
    grad_b = 0.0
    for k in range(m):  # pass 2: Xᵀ·r over the same rows, still in cache
        row = order[start + k]
        r = dz[k]
        grad_b += r
        for j in range(n_features):
            grad_w[j] += r * X[row, j]
    for j in range(n_features):
        grad_w[j] = grad_w[j] * scale + 2.0 * l2 * coef[j]
    return loss, grad_b * scale


@njit(cache=True, nogil=True)
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
):
    """Run batches [first_batch, last_batch) of one epoch; update coef/intercept in place.

    clip_norm <= 0 means no clipping. Returns (steps, examples, summed pre-clip gradient
    norms, diverged, the non-finite loss that stopped it or NaN).
    """
    n_rows, n_features = X.shape
    grad_w = np.empty(n_features)
    dz = np.empty(min(batch_size, n_rows))
    steps = 0
    examples = 0
    norm_sum = 0.0
    threshold = learning_rate * l1
    for batch in range(first_batch, last_batch):
        start = batch * batch_size
        stop = min(start + batch_size, n_rows)
        loss, grad_b = _batch_gradient(
            X, y, order, start, stop, coef, intercept, model_kind, l2, grad_w, dz
        )
        if not math.isfinite(loss):
            return steps, examples, norm_sum, True, loss
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
        if threshold > 0.0:
            for j in range(n_features):
                shrunk = abs(coef[j]) - threshold
                coef[j] = math.copysign(shrunk, coef[j]) if shrunk > 0.0 else 0.0
        steps += 1
        examples += stop - start
    return steps, examples, norm_sum, False, math.nan
