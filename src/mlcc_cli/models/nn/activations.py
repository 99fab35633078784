"""Hidden-layer non-linearities and their derivatives, one pair per crash-course activation.

Each activation maps the pre-activation u (n_samples, units) to a = f(u); `derivative`
returns f'(u) elementwise, which backpropagation multiplies into ∂loss/∂a to get ∂loss/∂u.
"""

from __future__ import annotations

import numpy as np


def sigmoid(u: np.ndarray) -> np.ndarray:
    """σ(u) = 1 / (1 + e^−u), evaluated without overflow for large |u|."""
    # e^(−|u|) is in (0, 1], so neither branch can overflow.
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activate(name: str, u: np.ndarray, leaky_slope: float = 0.01) -> np.ndarray:
    """f(u) for `name`: relu max(0, u); leaky_relu u if u > 0 else slope·u; tanh; sigmoid σ(u)."""
    if name == "relu":
        return np.maximum(u, 0.0)
    if name == "leaky_relu":
        return np.where(u > 0, u, leaky_slope * u)
    if name == "tanh":
        return np.tanh(u)
    if name == "sigmoid":
        return sigmoid(u)
    raise ValueError(f"unknown activation {name!r}")


def derivative(name: str, u: np.ndarray, a: np.ndarray, leaky_slope: float = 0.01) -> np.ndarray:
    """f'(u), given u and a = f(u) (tanh' = 1 − a², σ' = a·(1 − a) reuse a).

    relu' = 1 where u > 0 else 0 (0 at u = 0 by convention); leaky_relu' = 1 or slope.
    """
    if name == "relu":
        return (u > 0).astype(np.float64)
    if name == "leaky_relu":
        return np.where(u > 0, 1.0, leaky_slope)
    if name == "tanh":
        return 1.0 - a * a
    if name == "sigmoid":
        return a * (1.0 - a)
    raise ValueError(f"unknown activation {name!r}")


def default_init(activation: str) -> str:
    """The initialisation `init: auto` picks: `he` for the ReLU family, `xavier` otherwise."""
    return "he" if activation in ("relu", "leaky_relu") else "xavier"
