"""Adaptive optimizers: per-coordinate step sizes from past gradients (Adagrad, Adam)."""

from __future__ import annotations

import math

import numpy as np

from mlcc_cli.optim.base import Optimizer
from mlcc_cli.optim.schedules import LearningRateSchedule


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): per-coordinate step sizes shrinking with past gradients.

    G ← G + g² (G starts at initial_accumulator); w ← w − η_t·g / (√G + ε), elementwise.
    ε sits outside the square root (as in TensorFlow). The L1 proximal step uses the
    per-coordinate ηᵢ = η_t / (√Gᵢ + ε).
    """

    type = "adagrad"
    per_weight_steps = True
    _hyperparameters = ("initial_accumulator", "epsilon")

    def __init__(
        self,
        learning_rate: float,
        clip_norm: float | None = None,
        schedule: LearningRateSchedule | None = None,
        initial_accumulator: float = 0.1,
        epsilon: float = 1e-7,
    ) -> None:
        super().__init__(learning_rate, clip_norm, schedule)
        self.initial_accumulator = initial_accumulator
        self.epsilon = epsilon

    def _update(self, name: str, param: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        state = self._state(name, param, accumulator=self.initial_accumulator)
        state["accumulator"] += grad * grad
        state["step_size"] = learning_rate / (np.sqrt(state["accumulator"]) + self.epsilon)
        param -= state["step_size"] * grad

    def _step_size(self, name: str) -> float | np.ndarray:
        state = self.state_.get(name)
        if state is None:  # never updated: the first step's size
            return self._learning_rate_used / (math.sqrt(self.initial_accumulator) + self.epsilon)
        return state["step_size"]


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction, ε outside the square root.

    With t this parameter's update count (from 1), m, v starting at 0:
    m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m/(1 − β₁ᵗ); v̂ = v/(1 − β₂ᵗ);
    w ← w − η_t·m̂ / (√v̂ + ε). The L1 proximal step uses ηᵢ = η_t / (√v̂ᵢ + ε).
    """

    type = "adam"
    per_weight_steps = True
    _hyperparameters = ("beta1", "beta2", "epsilon")

    def __init__(
        self,
        learning_rate: float,
        clip_norm: float | None = None,
        schedule: LearningRateSchedule | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate, clip_norm, schedule)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def _update(self, name: str, param: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        state = self._state(name, param, m=0.0, v=0.0)
        state["t"] += 1
        t = state["t"]
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1.0 - self.beta1) * grad
        v *= self.beta2
        v += (1.0 - self.beta2) * (grad * grad)
        m_hat = m / (1.0 - self.beta1**t)
        v_hat = v / (1.0 - self.beta2**t)
        state["step_size"] = learning_rate / (np.sqrt(v_hat) + self.epsilon)
        param -= state["step_size"] * m_hat

    def _step_size(self, name: str) -> float | np.ndarray:
        state = self.state_.get(name)
        if state is None:  # never updated, so nothing moved: no shrinkage either
            return 0.0
        return state["step_size"]
