"""Compiled training steps for softmax and one-vs-all (numba), a whole period per call.

The same maths as the numpy reference in `models/multiclass.py` + `optim/` (tests compare the
weights to 1e-10), for scores Z = X·W + b with W (n_features, K), b (K,), over a batch of m:

- softmax:    P = softmax(z_i), loss = −Σ log P[i, yᵢ]/m,             ∂/∂z_i = (P_i − onehot(yᵢ))/m
- one_vs_all: s = (1 − 2t)·z with t = onehot(y), loss = Σ softplus(s)/m, ∂/∂z = (1 − 2t)·σ(s)/m
- gradient G_W = Xᵀ·∂/∂Z + 2λ₂W, g_b = Σᵢ ∂/∂z_i; clipped by the global norm over W and b;
  SGD W ← W − η·G; then L1 soft-threshold W ← sign(W)·max(|W| − η·λ₁, 0) (b never), or the
  cumulative L1 penalty (`penalties.py`) on every weight.

Dense X only: a scipy.sparse X and `sampled_softmax` train on the numpy path. Rows are read
through `order` as in `dense.py` (runs already in order are read in place, others are
gathered into a small block first). Inside, the weights are held transposed, Wᵀ (K, d), so
every score is a contiguous dot product of length d and every gradient row a contiguous
axpy, both of which LLVM vectorises; they are copied back to `coef` before returning.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mlcc_cli.training.kernels.dense import BLOCK_ROWS, FASTMATH, block_rows
from mlcc_cli.training.kernels.kinds import SOFTMAX
from mlcc_cli.training.kernels.penalties import owed_penalty


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _example_terms(z, label, model_kind, residual):
    """Fill residual (K,) with ∂loss/∂z of one example (before the 1/m); return its probe.

    The probe is finite exactly when the example's loss is. Softmax: the loss itself,
    −(z_y − max − log Σ exp(z − max)) (one log, the exps are needed for P anyway).
    One-vs-all: Σ_k max(s_k, 0), a lower bound of Σ softplus(s_k) finite exactly when it is.
    """
    n_classes = z.shape[0]
    if model_kind == SOFTMAX:
        largest = z[0]
        for c in range(1, n_classes):
            if z[c] > largest:
                largest = z[c]
        total = 0.0
        for c in range(n_classes):
            residual[c] = math.exp(z[c] - largest)  # ≤ 1: never overflows
            total += residual[c]
        for c in range(n_classes):
            residual[c] /= total  # P
        residual[label] -= 1.0  # P − onehot(y)
        return -(z[label] - largest - math.log(total))
    probe = 0.0
    for c in range(n_classes):
        sign = -1.0 if c == label else 1.0  # 1 − 2t
        s = sign * z[c]
        e = math.exp(-abs(s))
        q = 1.0 / (1.0 + e)
        sigma = q if s >= 0.0 else 1.0 - q  # σ(s), as models/linear_base.py computes it
        probe += 0.0 if s <= 0.0 else s  # NaN falls through to s, as it must
        residual[c] = sign * sigma  # σ(z) − t
    return probe


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _batch_gradient(
    X, y, order, start, stop, weights, intercept, model_kind, l2, grad_w, grad_b, block, z, residual
):
    """Fill grad_w (K, d) (incl. 2λ₂W) and grad_b (K,) for one batch; return the mean probe."""
    n_classes, n_features = weights.shape
    m = stop - start
    probe = 0.0
    grad_w[:, :] = 0.0
    grad_b[:] = 0.0
    for block_start in range(start, stop, BLOCK_ROWS):
        block_stop = min(block_start + BLOCK_ROWS, stop)
        rows = block_stop - block_start
        source = block_rows(X, order, block_start, rows, block)
        for k in range(rows):
            for c in range(n_classes):  # z = x·W + b, one contiguous dot per class
                score = intercept[c]
                for j in range(n_features):
                    score += source[k, j] * weights[c, j]
                z[c] = score
            label = int(y[order[block_start + k]])
            probe += _example_terms(z, label, model_kind, residual)
            for c in range(n_classes):  # G_Wᵀ += r ⊗ x
                r = residual[c]
                grad_b[c] += r
                for j in range(n_features):
                    grad_w[c, j] += r * source[k, j]
    scale = 1.0 / m
    for c in range(n_classes):
        grad_b[c] *= scale
        for j in range(n_features):
            grad_w[c, j] = grad_w[c, j] * scale + 2.0 * l2 * weights[c, j]
    return probe / m


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def multiclass_steps(
    X,
    y,
    order,
    coef,
    intercept,
    batch_size,
    first_batch,
    last_batch,
    model_kind,
    learning_rate,
    l1,
    l2,
    clip_norm,
    l1_state,
):
    """Run SGD batches [first_batch, last_batch) of one epoch; update coef (d, K) and
    intercept (K,) in place.

    clip_norm <= 0 means no clipping. l1_state: the cumulative L1 penalty's [q, u] with q in
    coef's order (q of W[j, c] at j·K + c), updated in place, or empty for the exact one.
    Returns (steps, examples, summed pre-clip global gradient norms, diverged, the
    non-finite batch loss probe that stopped it — NaN or inf exactly as the batch loss would
    be — or NaN), like `kernels.linear_family_steps`.
    """
    n_rows, n_features = X.shape
    n_classes = coef.shape[1]
    weights = np.ascontiguousarray(coef.T)  # Wᵀ (K, d), a copy
    grad_w = np.empty((n_classes, n_features))
    grad_b = np.empty(n_classes)
    block = np.empty((min(batch_size, n_rows, BLOCK_ROWS), n_features))
    z = np.empty(n_classes)
    residual = np.empty(n_classes)
    threshold = learning_rate * l1
    cumulative = l1_state.shape[0] > 0
    owed = l1_state[-1] if cumulative else 0.0
    steps = 0
    examples = 0
    norm_sum = 0.0
    diverged = False
    bad_loss = math.nan
    for batch in range(first_batch, last_batch):
        start = batch * batch_size
        stop = min(start + batch_size, n_rows)
        probe = _batch_gradient(
            X, y, order, start, stop, weights, intercept, model_kind, l2, grad_w, grad_b,
            block, z, residual,
        )  # fmt: skip
        if not math.isfinite(probe):
            diverged, bad_loss = True, probe
            break
        squared = 0.0
        for c in range(n_classes):
            squared += grad_b[c] * grad_b[c]
            for j in range(n_features):
                squared += grad_w[c, j] * grad_w[c, j]
        norm = math.sqrt(squared)
        norm_sum += norm
        step_size = learning_rate
        if clip_norm > 0.0 and norm > clip_norm and math.isfinite(norm):
            step_size = learning_rate * (clip_norm / norm)
        owed += threshold
        for c in range(n_classes):
            intercept[c] -= step_size * grad_b[c]
            for j in range(n_features):
                w = weights[c, j] - step_size * grad_w[c, j]
                if cumulative:  # a dense batch touches every weight
                    at = j * n_classes + c
                    w, l1_state[at] = owed_penalty(w, owed, l1_state[at])
                elif threshold > 0.0:
                    shrunk = abs(w) - threshold
                    w = math.copysign(shrunk, w) if shrunk > 0.0 else 0.0
                weights[c, j] = w
        steps += 1
        examples += stop - start
    coef[:, :] = weights.T
    if cumulative:
        l1_state[-1] = owed
    return steps, examples, norm_sum, diverged, bad_loss
