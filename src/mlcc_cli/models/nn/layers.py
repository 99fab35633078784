"""Building blocks of a dense network: weight init, batch normalisation, inverted dropout.

Each block is a pair of plain functions (forward, backward) over numpy arrays so the maths
stays visible; `Mlp` in `mlp.py` chains them layer by layer.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

BATCH_NORM_EPS = 1e-5  # keeps 1/√(var + eps) finite for a unit that is constant in a batch
BATCH_NORM_MOMENTUM = 0.9  # running ← momentum·running + (1 − momentum)·batch statistic


def init_weights(scheme: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """A (fan_in, fan_out) weight matrix drawn from N(0, std²).

    he: std = √(2 / fan_in) keeps the variance of ReLU outputs constant layer to layer;
    xavier (Glorot normal): std = √(2 / (fan_in + fan_out)) does so for tanh and sigmoid.
    """
    if scheme == "he":
        std = math.sqrt(2.0 / fan_in)
    elif scheme == "xavier":
        std = math.sqrt(2.0 / (fan_in + fan_out))
    else:
        raise ValueError(f"unknown init {scheme!r}")
    return rng.normal(0.0, std, size=(fan_in, fan_out))


def dense_layers(
    sizes: list[int], scheme: str, batch_norm: bool, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Fresh parameters of dense layers sizes[0] → sizes[1] → … → sizes[-1].

    W_l is drawn with `scheme` (the output layer, linear or feeding a sigmoid/softmax, with
    xavier), in layer order from `rng`; b_l = 0. With batch norm a hidden layer has γ_l = 1
    and β_l = 0 instead of b_l, and running averages mean 0, variance 1.
    Returns (params W1, b1 | gamma1, beta1, …; running means; running variances by layer).
    """
    params: dict[str, np.ndarray] = {}
    running_mean: dict[int, np.ndarray] = {}
    running_var: dict[int, np.ndarray] = {}
    for layer, (fan_in, fan_out) in enumerate(pairwise(sizes), start=1):
        is_output = layer == len(sizes) - 1
        params[f"W{layer}"] = init_weights("xavier" if is_output else scheme, fan_in, fan_out, rng)
        if batch_norm and not is_output:
            params[f"gamma{layer}"] = np.ones(fan_out)
            params[f"beta{layer}"] = np.zeros(fan_out)
            running_mean[layer] = np.zeros(fan_out)
            running_var[layer] = np.ones(fan_out)
        else:
            params[f"b{layer}"] = np.zeros(fan_out)
    return params, running_mean, running_var


def batch_norm_forward(
    z: np.ndarray, gamma: np.ndarray, beta: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Training-mode batch norm: u = γ·ẑ + β with ẑ = (z − μ_B) / √(σ²_B + ε).

    μ_B and σ²_B are the batch mean and (biased) variance per unit. Returns u and the cache
    (ẑ, 1/√(σ²_B + ε), μ_B, σ²_B) that `batch_norm_backward` and the running averages need.
    """
    mean = z.mean(axis=0)  # (units,)
    var = z.var(axis=0)  # (units,)
    inv_std = 1.0 / np.sqrt(var + BATCH_NORM_EPS)  # (units,)
    z_hat = (z - mean) * inv_std  # (n, units)
    return gamma * z_hat + beta, (z_hat, inv_std, mean, var)


def batch_norm_backward(
    du: np.ndarray, gamma: np.ndarray, z_hat: np.ndarray, inv_std: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of batch norm given du = ∂loss/∂u, shape (n, units).

    ∂/∂γ = Σᵢ duᵢ·ẑᵢ; ∂/∂β = Σᵢ duᵢ; with g = du·γ (∂loss/∂ẑ), since μ_B and σ²_B depend on
    every example: ∂loss/∂z = (1/√(σ²+ε))·(g − mean(g) − ẑ·mean(g·ẑ)).
    Returns (∂loss/∂z, ∂loss/∂γ, ∂loss/∂β).
    """
    grad_gamma = (du * z_hat).sum(axis=0)  # (units,)
    grad_beta = du.sum(axis=0)  # (units,)
    g = du * gamma  # (n, units)
    dz = inv_std * (g - g.mean(axis=0) - z_hat * (g * z_hat).mean(axis=0))
    return dz, grad_gamma, grad_beta


def batch_norm(
    z: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    training: bool,
    update_running: bool = True,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Batch norm in either mode: u = γ·ẑ + β and the backward cache (ẑ, 1/√(σ²_B + ε)).

    Training: ẑ = (z − μ_B)/√(σ²_B + ε) with the batch's statistics per column of z (n, units),
    and unless update_running is False the running averages move towards them in place:
    running ← momentum·running + (1 − momentum)·batch. Evaluation: μ_run and σ²_run replace
    μ_B and σ²_B (`batch_norm_inference`) and the cache is None.
    """
    if not training:
        return batch_norm_inference(z, gamma, beta, running_mean, running_var), None
    u, (z_hat, inv_std, mean, var) = batch_norm_forward(z, gamma, beta)
    if update_running:
        running_mean *= BATCH_NORM_MOMENTUM  # in place: the arrays are the model's state
        running_mean += (1 - BATCH_NORM_MOMENTUM) * mean
        running_var *= BATCH_NORM_MOMENTUM
        running_var += (1 - BATCH_NORM_MOMENTUM) * var
    return u, (z_hat, inv_std)


def batch_norm_inference(
    z: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
) -> np.ndarray:
    """Evaluation-mode batch norm: the running averages replace the batch statistics.

    u = γ·(z − μ_run) / √(σ²_run + ε) + β, so a prediction never depends on its batch.
    """
    return gamma * (z - running_mean) / np.sqrt(running_var + BATCH_NORM_EPS) + beta


def dropout_mask(shape: tuple[int, int], rate: float, rng: np.random.Generator) -> np.ndarray:
    """Inverted-dropout mask: each unit kept with probability 1 − rate, scaled by 1/(1 − rate).

    Multiplying activations by it keeps their expected value, so evaluation (no dropout)
    needs no rescaling.
    """
    keep = rng.random(shape) >= rate
    return keep / (1.0 - rate)
