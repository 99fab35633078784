"""Optimizers: how a gradient turns into a weight update (SGD, momentum, Adagrad, Adam, FTRL).

Every optimizer updates a dict of named arrays in place with `step(params, grads)`. Three
things are shared helpers, never re-implemented per optimizer: gradient clipping by global
norm (applied before any update rule), the learning-rate schedule (`lr_schedules.py`, asked
for η_t once per step, t = updates already made), and the L1 proximal step (soft-thresholding
after the update with threshold ηᵢ·λ₁, where ηᵢ is the step size the optimizer just used on
coordinate i: a scalar for SGD, η/(√G + ε) for Adagrad, η/(√v̂ + ε) for Adam; FTRL instead
folds the L1 term into its own closed form). Per-parameter state (velocities, accumulators,
moments, step counts) lives in `state_`, created lazily on first use and keyed by parameter
name, so one instance serves the whole model, including layers named "W1", "b1", ….
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

from mlcc_cli.config.optimizers import OptimizerConfig
from mlcc_cli.optim.schedules import LearningRateSchedule, build_schedule


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
    """Base of every optimizer: clipping, the schedule, the step loop, the L1 proximal step.

    Subclasses implement `_update(name, param, grad, learning_rate)` (the update rule, in
    place, with η_t from the schedule) and `_step_size(name)` (the step size the last update
    used for that parameter, a scalar or a per-coordinate array), which is also the step size
    of the L1 proximal operator.

    Attributes: state_ — per-parameter dicts of arrays, keyed by parameter name; iterations_
    — updates made so far (t); total_steps_ — the training's length, for schedules that need it.
    """

    type: str
    _hyperparameters: tuple[str, ...] = ()  # shown by __repr__ after learning_rate, clip_norm

    def __init__(
        self,
        learning_rate: float,
        clip_norm: float | None = None,
        schedule: LearningRateSchedule | None = None,
    ) -> None:
        self.learning_rate = learning_rate
        self.clip_norm = clip_norm
        self.schedule = schedule if schedule is not None else LearningRateSchedule()
        self.state_: dict[str, dict[str, Any]] = {}  # per-parameter, created lazily
        self.iterations_ = 0
        self.total_steps_: int | None = None
        self._last_learning_rate: float | None = None

    def __repr__(self) -> str:
        names = ("learning_rate", "clip_norm", *self._hyperparameters)
        args = [f"{name}={getattr(self, name)!r}" for name in names]
        if self.schedule.type != "constant":
            args.append(f"schedule={self.schedule!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    def expect_total_steps(self, total_steps: int) -> None:
        """Tell the schedule how long training will run (cosine decays over it by default)."""
        self.total_steps_ = total_steps

    @property
    def current_learning_rate(self) -> float:
        """η_t at t = iterations_: the rate of the next update (history.csv's learning_rate)."""
        return self.schedule(self.learning_rate, self.iterations_, self.total_steps_)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> float:
        """Clip the gradients by global norm, update every parameter in place with η_t.

        Returns the global gradient norm before clipping (reported as `grad_norm`).
        """
        grads, global_norm = clip_by_global_norm(grads, self.clip_norm)
        learning_rate = self.current_learning_rate
        self._last_learning_rate = learning_rate
        self.iterations_ += 1
        for name, param in params.items():
            self._update(name, param, grads[name], learning_rate)
        return global_norm

    def proximal_l1(self, params: dict[str, np.ndarray], names: Iterable[str], l1: float) -> None:
        """Apply the L1 penalty λ₁‖w‖₁ as a proximal step after `step`, in place.

        Soft-thresholding with the step size ηᵢ just used: w ← sign(w)·max(|w| − ηᵢ·λ₁, 0).
        Unlike adding λ₁·sign(w) to the gradient, this lands on exact zeros, which is what
        makes L1 shrink the model size (`nonzero_weights`).
        """
        for name in names:
            soft_threshold(params[name], self._step_size(name) * l1)

    @property
    def _learning_rate_used(self) -> float:
        # Before any numpy step (or after compiled steps, whose schedule is constant) the
        # rate in effect is the current one.
        if self._last_learning_rate is None:
            return self.current_learning_rate
        return self._last_learning_rate

    def _state(self, name: str, param: np.ndarray, **initial: float) -> dict[str, Any]:
        """The state of parameter `name`, created on first use: arrays shaped like it."""
        state = self.state_.get(name)
        if state is None:
            state = {key: np.full_like(param, value) for key, value in initial.items()}
            state["t"] = 0  # this parameter's own update count (Adam, FTRL)
            self.state_[name] = state
        return state

    @abstractmethod
    def _update(self, name: str, param: np.ndarray, grad: np.ndarray, learning_rate: float) -> None:
        """Apply the update rule to one named parameter in place."""

    @abstractmethod
    def _step_size(self, name: str) -> float | np.ndarray:
        """Effective learning rate of the last update of `name` (scalar or per coordinate)."""


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


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): per-coordinate step sizes shrinking with past gradients.

    G ← G + g² (G starts at initial_accumulator); w ← w − η_t·g / (√G + ε), elementwise.
    ε sits outside the square root (as in TensorFlow). The L1 proximal step uses the
    per-coordinate ηᵢ = η_t / (√Gᵢ + ε).
    """

    type = "adagrad"
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
    _hyperparameters = ("beta", "l1", "l2")

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


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "adam": Adam,
    "ftrl": Ftrl,
}


def build_optimizer(config: OptimizerConfig) -> Optimizer:
    """Instantiate the optimizer a validated `optimizer:` config section names.

    Every class takes its section's fields (but `type`) as keyword arguments; `schedule`
    becomes a `LearningRateSchedule`.
    """
    kwargs = config.model_dump(exclude={"type", "schedule"})
    return OPTIMIZERS[config.type](schedule=build_schedule(config.schedule), **kwargs)
