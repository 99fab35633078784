"""Backpropagation through an `Mlp`: the forward pass keeps a cache, the backward pass reads it.

`net` is the network (`mlp.Mlp`): its parameters, hyperparameters and batch-norm state.

Forward, layer l = 1..L: z_l = a_{l−1}W_l (+ b_l), u_l = BN(z_l) or z_l + b_l, a_l = f(u_l),
then inverted dropout in training; the output is o = a_L W_{L+1} + b_{L+1}.
Backward, from δ = ∂loss/∂o (the head's, `heads.py`): ∂W_l = a_{l−1}ᵀ δ_l, ∂b_l = Σ δ_l,
∂a_{l−1} = δ_l W_lᵀ, δ_l = BN'(∂a_l · mask_l · f'(u_l)); with embeddings, the rows of W1 that
read the embedded columns pass their gradient on to the embedding matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlcc_cli.models.nn import layers
from mlcc_cli.models.nn.activations import activate, derivative

# Dropout masks for a forward pass: True draws them from the network's Generator, False
# disables dropout, a list gives one fixed mask (or None) per hidden layer (gradient checks).
Masks = bool | list[np.ndarray | None]


@dataclass
class ForwardCache:
    """What the forward pass keeps for backpropagation, one entry per hidden layer."""

    inputs: list[Any] = field(default_factory=list)  # a₋ entering each layer (a₀ for layer 1)
    blocks: list[Any] = field(default_factory=list)  # X's indicator blocks that are embedded
    pre: list[np.ndarray] = field(default_factory=list)  # u, the activation's input
    post: list[np.ndarray] = field(default_factory=list)  # f(u), before dropout
    masks: list[np.ndarray | None] = field(default_factory=list)
    norms: list[tuple[np.ndarray, np.ndarray] | None] = field(default_factory=list)  # ẑ, 1/σ


def forward(
    net: Any, X: Any, training: bool, masks: Masks = True, update_running: bool = True
) -> tuple[np.ndarray, ForwardCache]:
    """Output o (n, n_outputs) and the cache; `training` selects batch statistics and dropout.

    X has been checked by the network (float64, dense or CSR, n_features_in_ columns).
    """
    p, cache, a = net.params, ForwardCache(), X
    if net.embedding_input_ is not None:
        a, cache.blocks = net.embedding_input_.forward(X, p)  # a₀ = [X_rest, X_c·E_c, …]
    rates = net.dropout_rates()
    for layer in range(1, net.n_layers + 1):
        cache.inputs.append(a)
        z = a @ p[f"W{layer}"]  # (n, units_l) = (n, units_{l−1}) @ (units_{l−1}, units_l)
        u, norm = normalize(net, layer, z, training, update_running)
        a = activate(net.activation, u, net.leaky_slope)
        cache.pre.append(u)
        cache.post.append(a)
        cache.norms.append(norm)
        mask = None
        if training and isinstance(masks, list):
            mask = masks[layer - 1]
        elif training and masks and rates[layer - 1] > 0:
            mask = layers.dropout_mask(a.shape, rates[layer - 1], net.dropout_rng_)
        cache.masks.append(mask)
        if mask is not None:
            a = a * mask
    out = net.n_layers + 1
    cache.inputs.append(a)
    o = a @ p[f"W{out}"]  # (n, n_outputs), a fresh array: add the bias in place
    o += p[f"b{out}"]
    return o, cache


def normalize(
    net: Any, layer: int, z: np.ndarray, training: bool, update_running: bool
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """The activation's input u for layer `layer`, and the batch-norm cache (or None).

    Without batch norm u = z + b. With it: training uses the batch's statistics (and
    moves the running averages towards them unless update_running is False);
    evaluation uses the running averages.
    """
    p = net.params
    if not net.batch_norm:
        z += p[f"b{layer}"]  # z is the fresh product a₋·W: no second (n, units) array
        return z, None
    gamma, beta = p[f"gamma{layer}"], p[f"beta{layer}"]
    running = net.running_mean_[layer], net.running_var_[layer]
    return layers.batch_norm(z, gamma, beta, *running, training, update_running)


def backward(net: Any, cache: ForwardCache, delta: np.ndarray) -> dict[str, np.ndarray]:
    """Gradients of the data loss for every parameter, given δ = ∂loss/∂o (n, n_outputs).

    L2 is not included (the network adds it to the weight matrices).
    """
    grads, grad_z = dense_backward(net, cache, delta)
    if net.embedding_input_ is not None:
        # Only a₀'s embedded columns (the last rows of W1) lead to trainable weights.
        n_rest = len(net.embedding_input_.rest)
        grad_embedded = grad_z @ net.params["W1"][n_rest:].T  # (n, Σ sizes)
        grads |= net.embedding_input_.backward(cache.blocks, grad_embedded)
    return grads


def dense_backward(
    net: Any, cache: ForwardCache, delta: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Gradients of the dense layers' parameters, and ∂loss/∂z₁ (n, units_1) for z₁ = a₀W₁.

    What lies below a₀ (embeddings, a CNN's convolution blocks) continues from ∂loss/∂z₁:
    ∂loss/∂a₀ = (∂loss/∂z₁)·W₁ᵀ. Without hidden layers z₁ is the output's a₀W₁ and ∂z₁ = δ.
    """
    p = net.params
    grads: dict[str, np.ndarray] = {}
    out = net.n_layers + 1
    grads[f"W{out}"] = cache.inputs[out - 1].T @ delta  # (units_L, n_outputs)
    grads[f"b{out}"] = delta.sum(axis=0)
    grad_z = delta
    grad_a = delta @ p[f"W{out}"].T if net.n_layers else delta  # ∂loss/∂a_L, (n, units_L)
    for layer in range(net.n_layers, 0, -1):
        if cache.masks[layer - 1] is not None:
            grad_a = grad_a * cache.masks[layer - 1]  # dropped units pass no gradient
        # grad_a is always a fresh array here (a product or a masked copy): scale it in
        # place instead of allocating another (n, units_l) array per layer and step.
        grad_u = grad_a
        grad_u *= derivative(
            net.activation, cache.pre[layer - 1], cache.post[layer - 1], net.leaky_slope
        )
        if net.batch_norm:
            z_hat, inv_std = cache.norms[layer - 1]
            grad_z, grads[f"gamma{layer}"], grads[f"beta{layer}"] = layers.batch_norm_backward(
                grad_u, p[f"gamma{layer}"], z_hat, inv_std
            )
        else:
            grad_z = grad_u
            grads[f"b{layer}"] = grad_z.sum(axis=0)
        # (units_{l−1}, units_l); for l = 1 this is Xᵀδ₁, sparse-safe.
        grads[f"W{layer}"] = np.asarray(cache.inputs[layer - 1].T @ grad_z)
        if layer > 1:
            grad_a = grad_z @ p[f"W{layer}"].T  # ∂loss/∂a_{l−1}
    return grads, grad_z
