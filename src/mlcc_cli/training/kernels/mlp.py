"""Compiled training steps for a dense multilayer perceptron (numba), a whole period per call.

The same maths as the numpy reference (`models/nn/propagation.py`, `heads.py`, `optim/`;
tests compare the weights to 1e-10) for a network without batch norm, dropout or
embeddings, on a dense X, trained by plain SGD at one fixed rate:

- forward, hidden layer l: u_l = a_{l−1}·W_l + b_l, a_l = f(u_l); output o = a_L·W_{L+1} + b;
- head: regression δ = (2/m)(o − y); binary δ = (σ(o) − y)/m; multiclass
  δ = (softmax(o) − onehot(y))/m; a non-finite batch loss stops before the update;
- backward: ∂W_l = a_{l−1}ᵀ·δ_l, ∂b_l = Σᵢ δ_l, δ_{l−1} = (δ_l·W_lᵀ)·f'(u_{l−1});
  plus 2λ₂W on every weight matrix; clipped by the global norm over all parameters;
- SGD W ← W − η·G, then L1 soft-threshold on the weight matrices with η·λ₁.

The matrix products go to BLAS through numba's np.dot into preallocated buffers, so a step
costs its products plus one pass over each layer's activations; the numpy path pays about
forty array calls a step on top (benchmarks/RESULTS.md, MLP rows). All parameters travel in
one flat vector, W1, b1, W2, b2, … in C order (`flat_parameters`), which the kernel views
layer by layer, so one compiled signature serves every depth.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

RELU, LEAKY_RELU, TANH, SIGMOID = 0, 1, 2, 3
ACTIVATIONS = {"relu": RELU, "leaky_relu": LEAKY_RELU, "tanh": TANH, "sigmoid": SIGMOID}
REGRESSION, BINARY, MULTICLASS = 0, 1, 2
TASKS = {"regression": REGRESSION, "binary": BINARY, "multiclass": MULTICLASS}


def flat_parameters(params: dict[str, np.ndarray], n_weight_layers: int) -> np.ndarray:
    """W1, b1, …, W{L+1}, b{L+1} raveled into one new vector (the kernel's layout)."""
    parts = []
    for layer in range(1, n_weight_layers + 1):
        parts += [params[f"W{layer}"].ravel(), params[f"b{layer}"]]
    return np.concatenate(parts)


def restore_parameters(
    flat: np.ndarray, params: dict[str, np.ndarray], n_weight_layers: int
) -> None:
    """Copy the kernel's flat vector back into the live parameter arrays, in place."""
    offset = 0
    for layer in range(1, n_weight_layers + 1):
        for name in (f"W{layer}", f"b{layer}"):
            size = params[name].size
            params[name][...] = flat[offset : offset + size].reshape(params[name].shape)
            offset += size


@njit(cache=True, nogil=True)
def _activate(u, a, activation, leaky_slope):
    """a ← f(u) elementwise over (m, units), as `activations.activate`."""
    for i in range(u.shape[0]):
        for j in range(u.shape[1]):
            value = u[i, j]
            if activation == RELU:
                a[i, j] = max(value, 0.0)
            elif activation == LEAKY_RELU:
                a[i, j] = value if value > 0 else leaky_slope * value
            elif activation == TANH:
                a[i, j] = math.tanh(value)
            else:
                e = math.exp(-abs(value))
                a[i, j] = 1.0 / (1.0 + e) if value >= 0 else e / (1.0 + e)


@njit(cache=True, nogil=True)
def _times_derivative(grad, u, a, activation, leaky_slope):
    """grad ← grad·f'(u) in place (relu' is 0 at u = 0; tanh' = 1 − a², σ' = a(1 − a))."""
    for i in range(grad.shape[0]):
        for j in range(grad.shape[1]):
            if activation == RELU:
                grad[i, j] *= 1.0 if u[i, j] > 0 else 0.0
            elif activation == LEAKY_RELU:
                grad[i, j] *= 1.0 if u[i, j] > 0 else leaky_slope
            elif activation == TANH:
                grad[i, j] *= 1.0 - a[i, j] * a[i, j]
            else:
                grad[i, j] *= a[i, j] * (1.0 - a[i, j])


@njit(cache=True, nogil=True)
def _head(o, y, start, order, task, delta):
    """Fill δ = ∂loss/∂o (m, K) for the batch; return its mean data loss (as `heads.head_loss`)."""
    m, n_outputs = o.shape
    total = 0.0
    for i in range(m):
        label = y[order[start + i]]
        if task == REGRESSION:
            residual = o[i, 0] - label
            total += residual * residual
            delta[i, 0] = (2.0 / m) * residual
        elif task == BINARY:
            s = (1.0 - 2.0 * label) * o[i, 0]
            e = math.exp(-abs(o[i, 0]))
            # softplus(s) = max(s, 0) + log1p(e^−|s|); |s| = |o| for a 0/1 label, so the
            # sigmoid's exp serves both
            tail = e if label == 0.0 or label == 1.0 else math.exp(-abs(s))
            total += max(s, 0.0) + math.log1p(tail)
            p = 1.0 / (1.0 + e) if o[i, 0] >= 0 else e / (1.0 + e)
            delta[i, 0] = (p - label) / m
        else:
            largest = o[i, 0]
            for c in range(1, n_outputs):
                largest = max(largest, o[i, c])
            # one exp per class: softmax_c = e_c / Σe, log softmax_y = (o_y − max) − log Σe
            exp_sum = 0.0
            for c in range(n_outputs):
                e = math.exp(o[i, c] - largest)
                delta[i, c] = e
                exp_sum += e
            k = int(label)
            total -= (o[i, k] - largest) - math.log(exp_sum)
            scale = 1.0 / (exp_sum * m)
            for c in range(n_outputs):
                delta[i, c] *= scale
            delta[i, k] -= 1.0 / m
    return total / m


@njit(cache=True, nogil=True, fastmath={"reassoc", "nsz"})
def _sum_of_squares(values):
    """Σ values²; reassociation lets the sum run in vector lanes (the gradient norm is a
    diagnostic and a clipping factor: its last bits do not need numpy's order)."""
    total = 0.0
    for k in range(values.shape[0]):
        total += values[k] * values[k]
    return total


@njit(cache=True, nogil=True)
def _add_bias(z, b):
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            z[i, j] += b[j]


@njit(cache=True, nogil=True)
def _column_sums(values, out):
    """out ← Σᵢ values[i, :], row after row (numpy's order for sum(axis=0) on C arrays)."""
    out[:] = 0.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            out[j] += values[i, j]


@njit(cache=True, nogil=True)
def _matrix(flat, at, rows, cols):
    """The (rows, cols) view of flat[at : at + rows·cols]."""
    return flat[at : at + rows * cols].reshape((rows, cols))


@njit(cache=True, nogil=True)
def _bias(flat, at, rows, cols):
    """The bias that follows the weight matrix at `at`: flat[at + rows·cols :][:cols]."""
    return flat[at + rows * cols : at + rows * cols + cols]


@njit(cache=True, nogil=True)
def mlp_steps(
    X,
    y,
    order,
    flat,
    widths,
    batch_size,
    first,
    stop,
    activation,
    leaky_slope,
    task,
    learning_rate,
    l1,
    l2,
    clip_norm,
):
    """Run batches first..stop−1 of the epoch whose row order is `order`.

    X (n, d) dense, y (n,), flat the parameters (`flat_parameters`), widths (L + 2,) the layer
    widths d, units_1 … units_L, n_outputs. Returns (steps, examples, Σ gradient norms,
    diverged, the non-finite batch loss).
    """
    n = X.shape[0]
    n_layers = widths.shape[0] - 1  # weight layers: L hidden + the output layer
    hidden = n_layers - 1
    grad_flat = np.zeros_like(flat)
    weight_at = np.empty(n_layers, np.int64)  # where W_l starts in flat; b_l follows it
    offset = 0
    for layer in range(n_layers):
        weight_at[layer] = offset
        offset += (widths[layer] + 1) * widths[layer + 1]
    weights = [_matrix(flat, weight_at[k], widths[k], widths[k + 1]) for k in range(n_layers)]
    grad_weights = [
        _matrix(grad_flat, weight_at[k], widths[k], widths[k + 1]) for k in range(n_layers)
    ]
    biases = [_bias(flat, weight_at[k], widths[k], widths[k + 1]) for k in range(n_layers)]
    grad_biases = [
        _bias(grad_flat, weight_at[k], widths[k], widths[k + 1]) for k in range(n_layers)
    ]
    # activations[l]: a_l (batch, widths[l]), a_0 the gathered rows of X; pre[l]: u_{l+1}
    activations = [np.empty((batch_size, widths[layer])) for layer in range(n_layers)]
    pre = [np.empty((batch_size, widths[layer + 1])) for layer in range(hidden)]
    grad_a = [np.empty((batch_size, widths[layer + 1])) for layer in range(hidden)]
    output = np.empty((batch_size, widths[n_layers]))
    delta = np.empty((batch_size, widths[n_layers]))
    steps, examples, norm_sum = 0, 0, 0.0
    for index in range(first, stop):
        start = index * batch_size
        m = min(batch_size, n - start)  # the last batch of an epoch may be smaller
        a0 = activations[0][:m]
        for i in range(m):
            a0[i, :] = X[order[start + i], :]
        for layer in range(hidden):
            u = pre[layer][:m]
            np.dot(activations[layer][:m], weights[layer], u)
            _add_bias(u, biases[layer])
            _activate(u, activations[layer + 1][:m], activation, leaky_slope)
        o = output[:m]
        np.dot(activations[hidden][:m], weights[hidden], o)
        _add_bias(o, biases[hidden])
        d = delta[:m]
        loss = _head(o, y, start, order, task, d)
        if not math.isfinite(loss):
            return steps, examples, norm_sum, True, loss
        np.dot(activations[hidden][:m].T, d, grad_weights[hidden])
        _column_sums(d, grad_biases[hidden])
        upstream = d
        for layer in range(hidden - 1, -1, -1):
            g = grad_a[layer][:m]  # ∂loss/∂a_{layer+1}, then ∂loss/∂u_{layer+1}
            np.dot(upstream, weights[layer + 1].T, g)
            _times_derivative(
                g, pre[layer][:m], activations[layer + 1][:m], activation, leaky_slope
            )
            np.dot(activations[layer][:m].T, g, grad_weights[layer])
            _column_sums(g, grad_biases[layer])
            upstream = g
        if l2 > 0:
            for layer in range(n_layers):
                grad_weights[layer] += (2.0 * l2) * weights[layer]
        norm = math.sqrt(_sum_of_squares(grad_flat))
        if clip_norm > 0 and norm > clip_norm and math.isfinite(norm):
            grad_flat *= clip_norm / norm
        for k in range(flat.shape[0]):
            flat[k] -= learning_rate * grad_flat[k]
        if l1 > 0:
            threshold = learning_rate * l1
            for layer in range(n_layers):
                w = weights[layer]
                for i in range(w.shape[0]):
                    for j in range(w.shape[1]):
                        shrunk = max(abs(w[i, j]) - threshold, 0.0)
                        w[i, j] = math.copysign(shrunk, w[i, j])
        norm_sum += norm
        steps += 1
        examples += m
    return steps, examples, norm_sum, False, math.nan
