"""Optimizers: how a gradient turns into a weight update.

Every optimizer updates a dict of named arrays in place with `step(params, grads)`. Gradient
clipping by global norm is one shared helper applied before any update rule, and the L1
proximal step (soft-thresholding) is shared too: it asks the optimizer only for the step size
it just used, so per-coordinate optimizers (Adagrad, FTRL) can plug in their own.
Per-parameter state (accumulators, moments) lives in `state_`, created lazily on first use
and keyed by parameter name, so one instance serves the whole model.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable

import numpy as np

from mlcc_cli.config import SGDConfig


def clip_by_global_norm(
    grads: dict[str, np.ndarray], clip_norm: float | None
) -> tuple[dict[str, np.ndarray], float]:
    """Rescale all gradients together when their global L2 norm exceeds clip_norm.

    global_norm = √(Σ_arrays Σ_i g_i²); if global_norm > clip_norm every gradient becomes
    g · clip_norm / global_norm, which keeps the direction and caps the step length.

    Returns (gradients, global_norm measured before clipping). The input dict and arrays are
    never modified; new arrays are returned only when clipping happens. A non-finite norm is
    returned unclipped so the training loop can report divergence instead of hiding it.
    """
    global_norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if clip_norm is None or global_norm <= clip_norm or not math.isfinite(global_norm):
        return grads, global_norm
    scale = clip_norm / global_norm
    return {name: g * scale for name, g in grads.items()}, global_norm


def soft_threshold(param: np.ndarray, threshold: float | np.ndarray) -> None:
    """Proximal operator of threshold·‖w‖₁, in place: w ← sign(w)·max(|w| − threshold, 0).

    Weights whose magnitude is within the threshold become exactly 0.0; the others shrink
    towards zero by the threshold. `threshold` may be a scalar or an array shaped like `param`.
    """
    shrunk = np.abs(param)
    shrunk -= threshold
    np.maximum(shrunk, 0.0, out=shrunk)
    np.copysign(shrunk, param, out=param)


class Optimizer(ABC):
    """Base of every optimizer: clipping, the step loop over parameters, the L1 proximal step.

    Subclasses implement `_update(name, param, grad)` (the update rule, in place) and
    `_step_size(name)` (the learning rate the last update used for that parameter, a scalar
    or a per-coordinate array), which is also the step size of the L1 proximal operator.
    """

    type: str

    def __init__(self, learning_rate: float, clip_norm: float | None = None) -> None:
        self.learning_rate = learning_rate
        self.clip_norm = clip_norm
        self.state_: dict[str, dict[str, np.ndarray]] = {}  # per-parameter, created lazily
        self.iterations_ = 0

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(learning_rate={self.learning_rate!r}, "
            f"clip_norm={self.clip_norm!r})"
        )

    @property
    def current_learning_rate(self) -> float:
        """The base learning rate in effect now (a schedule may change it between steps)."""
        return self.learning_rate

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> float:
        """Clip the gradients by global norm, update every parameter in place.

        Returns the global gradient norm before clipping (reported as `grad_norm`).
        """
        grads, global_norm = clip_by_global_norm(grads, self.clip_norm)
        self.iterations_ += 1
        for name, param in params.items():
            self._update(name, param, grads[name])
        return global_norm

    def proximal_l1(self, params: dict[str, np.ndarray], names: Iterable[str], l1: float) -> None:
        """Apply the L1 penalty λ₁‖w‖₁ as a proximal step after `step`, in place.

        Soft-thresholding with the step size η just used: w ← sign(w)·max(|w| − η·λ₁, 0).
        Unlike adding λ₁·sign(w) to the gradient, this lands on exact zeros, which is what
        makes L1 shrink the model size (`nonzero_weights`).
        """
        for name in names:
            soft_threshold(params[name], self._step_size(name) * l1)

    @abstractmethod
    def _update(self, name: str, param: np.ndarray, grad: np.ndarray) -> None:
        """Apply the update rule to one named parameter in place."""

    @abstractmethod
    def _step_size(self, name: str) -> float | np.ndarray:
        """Effective learning rate of the last update of `name` (scalar or per coordinate)."""


class SGD(Optimizer):
    """Stochastic (mini-batch) gradient descent: w ← w − learning_rate · g.

    g is the (optionally clipped) gradient of the batch loss. No momentum, no state; the L1
    proximal step uses η = learning_rate.

    Parameters: learning_rate (> 0); clip_norm — cap on the global gradient norm, or None.
    """

    type = "sgd"

    def _update(self, name: str, param: np.ndarray, grad: np.ndarray) -> None:
        param -= self.learning_rate * grad

    def _step_size(self, name: str) -> float:
        return self.learning_rate


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD}


def build_optimizer(config: SGDConfig) -> Optimizer:
    """Instantiate the optimizer a validated `optimizer:` config section names."""
    return OPTIMIZERS[config.type](learning_rate=config.learning_rate, clip_norm=config.clip_norm)
