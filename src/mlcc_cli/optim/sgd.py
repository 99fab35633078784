"""Stochastic (mini-batch) gradient descent, plain or with (Nesterov) momentum."""

from __future__ import annotations

import numpy as np

from mlcc_cli.optim.base import Optimizer
from mlcc_cli.optim.schedules import LearningRateSchedule


class SGD(Optimizer):
    """Stochastic (mini-batch) gradient descent, optionally with momentum μ.

    Plain (μ = 0): w ← w − η_t·g. Momentum (PyTorch's form, velocity v starts at 0):
    v ← μ·v + g; w ← w − η_t·v. Nesterov: v ← μ·v + g; w ← w − η_t·(g + μ·v).
    g is the (optionally clipped) gradient. Note this form keeps η outside the velocity, so a
    schedule rescales past velocity too (Sutskever's v ← μv − ηg form would not); both agree
    for a constant rate.

    The L1 proximal step uses ηᵢ = η_t/(1 − μ), momentum's effective step size (at a steady
    state v = g/(1 − μ), for Nesterov too). Deviation, deliberately: thresholding with η_t
    alone would make the fixed points those of a penalty (1 − μ)·λ₁, i.e. L1 ten times weaker
    at μ = 0.9; with η_t/(1 − μ) they are exactly the L1-penalised optimum.

    Parameters: learning_rate (> 0); clip_norm — cap on the global gradient norm, or None;
    schedule; momentum in [0, 1); nesterov.
    """

    type = "sgd"
    _hyperparameters = ("momentum", "nesterov")

    def __init__(
        self,
        learning_rate: float,
        clip_norm: float | None = None,
        schedule: LearningRateSchedule | None = None,
        momentum: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(learning_rate, clip_norm, schedule)
        self.momentum = momentum
        self.nesterov = nesterov

    def quadratic_step_limit(self) -> float:
        """Gradient descent on h·w²/2 converges for η·h < 2; heavy-ball momentum for
        η·h < 2(1 + μ); Nesterov for η·h < 2(1 + μ)/(1 + 2μ) (the roots of each update's
        characteristic polynomial stay inside the unit circle)."""
        if self.nesterov:
            return 2.0 * (1.0 + self.momentum) / (1.0 + 2.0 * self.momentum)
        return 2.0 * (1.0 + self.momentum)

    def _update(self, name: str, param: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        if self.momentum == 0.0:
            param -= learning_rate * grad  # no state at all for plain SGD
            return
        velocity = self._state(name, param, velocity=0.0)["velocity"]
        velocity *= self.momentum
        velocity += grad
        direction = grad + self.momentum * velocity if self.nesterov else velocity
        param -= learning_rate * direction

    def _step_size(self, name: str) -> float:
        return self._learning_rate_used / (1.0 - self.momentum)
