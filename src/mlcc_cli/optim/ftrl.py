"""FTRL-Proximal: per-coordinate rates with L1 and L2 folded into a closed-form update."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from mlcc_cli.optim.base import Optimizer, soft_threshold
from mlcc_cli.optim.schedules import LearningRateSchedule


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al. 2013, Algorithm 1), per coordinate, alpha = learning_rate.

    State z, n start at 0; p = (β + √n)/α is the accumulated precision (p₀ = β/α₀). Each step:
    n ← n + g²; p' = (β + √n)/α_t; σ = p' − p; z ← z + g − σ·w; p ← p';
    w = 0 if |z| ≤ λ₁ else −(z − sign(z)·λ₁) / (p + λ₂).
    With a constant α this is the paper's σ = (√n' − √n)/α; writing it through p lets a
    (decreasing) schedule change α without making σ negative. λ₁, λ₂ (this optimizer's l1, l2)
    apply to every parameter, bias included, as in TensorFlow's Ftrl. The model's L1 (model.l1,
    a per-step penalty on coef_ only) is folded into the same closed form as λ₁ + t·model.l1
    after t updates: the cumulative objective Σₜ(lossₜ + model.l1·‖w‖₁) that FTRL minimises.
    Deviation: z starts at −p₀·w₀ rather than 0, so FTRL continues from non-zero starting
    weights w₀ (identical to the paper for w₀ = 0, which is how the linear models start).
    """

    type = "ftrl"
    per_weight_steps = True
    _hyperparameters = ("beta", "l1", "l2")
    # model.l1 is always folded into the closed form, which already charges every weight the
    # whole penalty t·l1 accumulated so far: what the cumulative method approximates
    l1_method_matters = False

    def __init__(
        self,
        learning_rate: float,
        clip_norm: float | None = None,
        schedule: LearningRateSchedule | None = None,
        beta: float = 1.0,
        l1: float = 0.0,
        l2: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, clip_norm, schedule)
        self.beta = beta
        self.l1 = l1
        self.l2 = l2

    def _update(self, name: str, param: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        state = self.state_.get(name)
        if state is None:
            state = self._state(name, param, z=0.0, n=0.0, p=self.beta / learning_rate)
            # z₀ = −p₀·w₀ makes the closed form start at the model's weights (the paper's
            # z₀ = 0 is the case w₀ = 0); then step 1 is w₀ − g/p₁ without penalties.
            state["z"] = -state["p"] * param
        state["t"] += 1
        state["n"] += grad * grad
        precision = (self.beta + np.sqrt(state["n"])) / learning_rate
        sigma = precision - state["p"]
        state["z"] += grad - sigma * param
        state["p"] = precision
        self._solve(state, param, self.l1)

    def _solve(self, state: dict[str, Any], param: np.ndarray, l1: float) -> None:
        """w = argmin z·w + ½p‖w‖² + λ₁‖w‖₁ + ½λ₂‖w‖², in place (soft-threshold of −z)."""
        z = state["z"]
        denominator = state["p"] + self.l2
        # Where the denominator is 0 (β = 0 and no gradient yet), z is 0 too and w is 0.
        with np.errstate(divide="ignore", invalid="ignore"):
            solution = -(z - np.sign(z) * l1) / denominator
        np.copyto(param, np.where(np.abs(z) <= l1, 0.0, solution))

    def proximal_l1(self, params: dict[str, np.ndarray], names: Iterable[str], l1: float) -> None:
        """Fold the model's L1 into FTRL's closed form: re-solve w with λ₁ + t·l1 (see class)."""
        for name in names:
            state = self.state_.get(name)
            if state is None:  # not updated yet: a plain soft-threshold step
                soft_threshold(params[name], self._step_size(name) * l1)
                continue
            self._solve(state, params[name], self.l1 + state["t"] * l1)

    def _step_size(self, name: str) -> float | np.ndarray:
        state = self.state_.get(name)
        if state is None:
            return self._learning_rate_used / self.beta if self.beta else 0.0
        return 1.0 / (state["p"] + self.l2)
