"""The two passes of a `Cnn`: the forward pass with its caches, and backpropagation.

forward: images → per block conv → (batch norm) → f → (pool) → flatten → the dense layers
and the output, which are an `Mlp`'s (`propagation.py`: batch norm, dropout and all).
backward: the dense layers' backpropagation hands back ∂loss/∂z₁; ∂loss/∂h₀ = ∂z₁·W₁ᵀ is
unflattened to the last block's output shape and runs through each block's pool, f', batch
norm and `conv2d_backward` in reverse.

Max-pooling runs before the bias and the activation: every activation here is
non-decreasing and the bias is one constant per filter, so pool(f(z + c)) = f(pool(z) + c)
exactly, and the bias, f and f' then touch k² times fewer numbers; a window's gradient
reaches only its arg-max pixel, whose f'(u) is the pooled f', and ∂c sums the pooled
gradient. Average-pooling does not commute with f and runs after it.

Batch norm in a conv block is spatial: one γ, β (and one pair of running averages) per filter,
with the statistics taken over the batch, height and width — the (n·h·w, filters) rows of the
convolution's output — so every position of a feature map is normalised alike.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from mlcc_cli.models.nn import layers, pooling, propagation
from mlcc_cli.models.nn.activations import activate, derivative
from mlcc_cli.models.nn.convolution import ConvCache, conv2d_backward, conv2d_forward
from mlcc_cli.models.nn.propagation import ForwardCache, Masks


class BlockCache(NamedTuple):
    """What a conv block's forward pass keeps for backpropagation."""

    conv: ConvCache
    pre: np.ndarray  # the activation's input: u_i, or max-pool(u_i) (n, h, w, filters)
    activated: np.ndarray  # f(pre), the same shape
    pool: pooling.PoolCache | None
    norm: tuple[np.ndarray, np.ndarray] | None  # batch norm's ẑ (n·h'·w', f) and 1/σ (f,)


def conv_blocks(
    net: Any, X: np.ndarray, training: bool, update_running: bool = True
) -> tuple[list[np.ndarray], list[BlockCache]]:
    """Each block's output a_i = pool(f(u_i)), (n, h_i, w_i, filters_i), and its cache.

    u_i = conv(a_{i−1}, K_i) + c_i, or BN(conv(a_{i−1}, K_i)) with batch norm (β_i replaces
    c_i); `training` picks the batch's statistics or the running averages.
    """
    p, f, slope = net.params, net.activation, net.leaky_slope
    a = pooling.unflatten(X, tuple(net.image_shape))  # (n, h, w, c)
    outputs, caches = [], []
    for number, block in enumerate(net.conv, start=1):
        z, conv_cache = conv2d_forward(
            a, p[f"K{number}"], None, block["stride"], block["padding"]
        )  # (n, h', w', filters), the bias comes below
        u, norm = normalize_block(net, number, z, training, update_running)
        pool_cache = None
        if block["pool"] and block["pool_type"] == "max":  # f(max-pool(z) + c): see the top
            u, pool_cache = pooling.max_pool_forward_compiled(u, block["pool"])
        if f"c{number}" in p:  # no batch norm: u is a fresh z or pooled z, add c in place
            u += p[f"c{number}"]
        a = activated = activate(f, u, slope)
        if block["pool"] and block["pool_type"] == "average":
            a, pool_cache = pooling.average_pool_forward(activated, block["pool"])
        outputs.append(a)
        caches.append(BlockCache(conv_cache, u, activated, pool_cache, norm))
    return outputs, caches


def normalize_block(
    net: Any, number: int, z: np.ndarray, training: bool, update_running: bool
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Spatial batch norm of block `number`'s convolution output z (n, h, w, filters).

    Per filter f: u = γ_f·(z − μ_f)/√(σ²_f + ε) + β_f, μ_f and σ²_f over the batch, height and
    width (`layers.batch_norm` on the (n·h·w, filters) rows). Without batch norm u = z.
    """
    if not net.batch_norm:
        return z, None
    p, filters = net.params, z.shape[-1]
    running = net.conv_running_mean_[number], net.conv_running_var_[number]
    u, norm = layers.batch_norm(
        z.reshape(-1, filters),  # a view: conv2d_forward's output is one contiguous matrix
        p[f"conv_gamma{number}"], p[f"conv_beta{number}"], *running, training, update_running,
    )  # fmt: skip
    return u.reshape(z.shape), norm


def forward(
    net: Any, X: np.ndarray, training: bool, masks: Masks = True, update_running: bool = True
) -> tuple[np.ndarray, list[BlockCache], ForwardCache]:
    """Output o (n, n_outputs), the conv blocks' caches and the dense layers' cache.

    `training` selects batch statistics and dropout (masks as in `propagation.Masks`).
    """
    outputs, block_caches = conv_blocks(net, X, training, update_running)
    h = pooling.flatten(outputs[-1])  # h₀ (n, h·w·c)
    o, dense_cache = propagation.forward(net, h, training, masks, update_running)
    return o, block_caches, dense_cache


def backward(
    net: Any, delta: np.ndarray, block_caches: list[BlockCache], dense_cache: ForwardCache
) -> dict[str, np.ndarray]:
    """∂loss/∂(every parameter) from δ = ∂loss/∂o (n, n_outputs), by the chain rule."""
    p, f, slope = net.params, net.activation, net.leaky_slope
    grads, grad_z1 = propagation.dense_backward(net, dense_cache, delta)
    grad = grad_z1 @ p["W1"].T  # ∂loss/∂h₀ (n, h·w·c)
    grad = grad.reshape(grad.shape[0], *net.feature_shapes_[-1])  # (n, h, w, c)
    for number in range(len(block_caches), 0, -1):
        cache = block_caches[number - 1]
        pool = net.conv[number - 1]["pool_type"] if cache.pool is not None else None
        if pool == "average":
            grad = pooling.average_pool_backward(grad, cache.pool)
        grad = grad * derivative(f, cache.pre, cache.activated, slope)  # ∂loss/∂pre
        if f"c{number}" in p:  # c was added to pre: ∂c_f = Σ over (n, h, w) of ∂pre
            rows = grad.reshape(-1, grad.shape[-1])  # (n·h·w, filters)
            # 1ᵀ·rows, a BLAS product: numpy's rows.sum(axis=0) is ~10× slower on a tall,
            # narrow matrix like this one.
            grads[f"c{number}"] = np.ones(len(rows)) @ rows
        if pool == "max":
            grad = pooling.max_pool_backward_compiled(grad, cache.pool)  # ∂loss/∂u_i
        if cache.norm is not None:
            z_hat, inv_std = cache.norm
            rows, grads[f"conv_gamma{number}"], grads[f"conv_beta{number}"] = (
                layers.batch_norm_backward(
                    grad.reshape(-1, grad.shape[-1]), p[f"conv_gamma{number}"], z_hat, inv_std
                )
            )
            grad = rows.reshape(grad.shape)  # ∂loss/∂z_i
        # The images themselves need no gradient: block 1 skips ∂loss/∂x (a product + col2im).
        grad_x, grads[f"K{number}"], _ = conv2d_backward(grad, cache.conv, number > 1)
        if grad_x is not None:
            grad = grad_x  # ∂loss/∂a_{i−1}
    return grads


def block_outputs(net: Any, X: np.ndarray) -> list[np.ndarray]:
    """Each conv block's evaluation-mode output a_i = pool(f(u_i)), (n, h_i, w_i, filters_i):
    the feature maps the dense layers never see unflattened."""
    return conv_blocks(net, X, training=False)[0]
