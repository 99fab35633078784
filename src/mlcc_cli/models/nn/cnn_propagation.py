"""The two passes of a `Cnn`: the forward pass with its caches, and backpropagation.

forward: images → (conv → f → pool) per block → flatten → dense hidden layers → output o.
backward: δ = ∂loss/∂o back through the dense layers, unflattened to the last block's
output shape, then through each block's pool, f' and `conv2d_backward` in reverse.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlcc_cli.models.nn import pooling
from mlcc_cli.models.nn.activations import activate, derivative
from mlcc_cli.models.nn.convolution import conv2d_backward, conv2d_forward

POOLS = {
    "max": (pooling.max_pool_forward, pooling.max_pool_backward),
    "average": (pooling.average_pool_forward, pooling.average_pool_backward),
}


def forward(net: Any, X: np.ndarray) -> tuple[np.ndarray, list[Any], list[Any]]:
    """Output o (n, n_outputs), the conv blocks' caches and the dense layers' caches."""
    p, f, slope = net.params, net.activation, net.leaky_slope
    a = pooling.unflatten(X, tuple(net.image_shape))  # (n, h, w, c)
    conv_caches = []
    for number, block in enumerate(net.conv, start=1):
        z, conv_cache = conv2d_forward(
            a, p[f"K{number}"], p[f"c{number}"], block["stride"], block["padding"]
        )  # (n, h', w', filters)
        a = activated = activate(f, z, slope)
        pool_cache = None
        if block["pool"]:
            a, pool_cache = POOLS[block["pool_type"]][0](activated, block["pool"])
        conv_caches.append((conv_cache, z, activated, pool_cache))
    h = pooling.flatten(a)  # (n, h·w·c)
    dense_caches = []
    for layer in range(1, len(net.hidden_units) + 1):
        u = h @ p[f"W{layer}"] + p[f"b{layer}"]  # (n, units_l)
        dense_caches.append((h, u))
        h = activate(f, u, slope)
    out = len(net.hidden_units) + 1
    dense_caches.append((h, None))
    return h @ p[f"W{out}"] + p[f"b{out}"], conv_caches, dense_caches


def backward(
    net: Any, delta: np.ndarray, conv_caches: list[Any], dense_caches: list[Any]
) -> dict[str, np.ndarray]:
    """∂loss/∂(every parameter) from δ = ∂loss/∂o (n, n_outputs), by the chain rule."""
    p, f, slope = net.params, net.activation, net.leaky_slope
    grads: dict[str, np.ndarray] = {}
    for layer in range(len(dense_caches), 0, -1):
        h_in, _ = dense_caches[layer - 1]  # h_{l−1} (n, fan_in)
        grads[f"W{layer}"] = h_in.T @ delta  # (fan_in, fan_out)
        grads[f"b{layer}"] = delta.sum(axis=0)
        delta = delta @ p[f"W{layer}"].T  # ∂loss/∂h_{l−1}
        if layer > 1:
            u = dense_caches[layer - 2][1]
            delta = delta * derivative(f, u, h_in, slope)  # ∂loss/∂u_{l−1}
    grad = delta.reshape(delta.shape[0], *net.feature_shapes_[-1])  # (n, h, w, c)
    for number in range(len(conv_caches), 0, -1):
        conv_cache, z, activated, pool_cache = conv_caches[number - 1]
        if pool_cache is not None:
            grad = POOLS[net.conv[number - 1]["pool_type"]][1](grad, pool_cache)
        grad = grad * derivative(f, z, activated, slope)  # ∂loss/∂z_i
        grad, grads[f"K{number}"], grads[f"c{number}"] = conv2d_backward(grad, conv_cache)
    return grads


def block_outputs(net: Any, X: np.ndarray) -> list[np.ndarray]:
    """Each conv block's output a_i = pool(f(z_i)), (n, h_i, w_i, filters_i): the feature
    maps the dense layers never see unflattened."""
    p, f, slope = net.params, net.activation, net.leaky_slope
    a = pooling.unflatten(X, tuple(net.image_shape))  # (n, h, w, c)
    outputs = []
    for number, block in enumerate(net.conv, start=1):
        z, _ = conv2d_forward(
            a, p[f"K{number}"], p[f"c{number}"], block["stride"], block["padding"]
        )
        a = activate(f, z, slope)
        if block["pool"]:
            a, _ = POOLS[block["pool_type"]][0](a, block["pool"])
        outputs.append(a)
    return outputs
