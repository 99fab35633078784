"""The optimizer contract and its shared helpers: how a gradient turns into a weight update.

Every optimizer (SGD and momentum in `sgd`, Adagrad and Adam in `adaptive`, FTRL in `ftrl`;
built from config by `registry`) updates a dict of named arrays in place with
`step(params, grads)`. Three things are shared helpers, defined here and never re-implemented
per optimizer: gradient clipping by global norm (applied before any update rule), the
learning-rate schedule (`schedules.py`, asked for η_t once per step, t = updates already
made), and the L1 proximal step (soft-thresholding after the update with threshold ηᵢ·λ₁,
where ηᵢ is the step size the optimizer just used on coordinate i: a scalar for SGD,
η/(√G + ε) for Adagrad, η/(√v̂ + ε) for Adam; FTRL instead folds the L1 term into its own
closed form). Per-parameter state (velocities, accumulators, moments, step counts) lives in
`state_`, created lazily on first use and keyed by parameter name, so one instance serves the
whole model, including layers named "W1", "b1", ….
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

from mlcc_cli.optim.schedules import LearningRateSchedule


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
    # Whether `model.l1_method` changes anything (`training.steps.apply_l1` asks): FTRL
    # applies model.l1 in its own closed form through `proximal_l1` whichever the method.
    l1_method_matters: bool = True
    # Whether each weight's step is scaled by its own gradient history (Adagrad, Adam, FTRL):
    # then an input's spread does not set its weight's pace, but every weight moves about
    # learning_rate a step, in whatever units the inputs give it (the doctor's scaling fix).
    per_weight_steps: bool = False

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
        # the cumulative L1 penalty's u (offered so far) and q (received), per parameter
        self.l1_owed_: dict[str, float | np.ndarray] = {}
        self.l1_received_: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        names = ("learning_rate", "clip_norm", *self._hyperparameters)
        args = [f"{name}={getattr(self, name)!r}" for name in names]
        if self.schedule.type != "constant":
            args.append(f"schedule={self.schedule!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    def quadratic_step_limit(self) -> float | None:
        """The largest η·h at which these steps still converge on a quadratic of curvature h
        (an L2 penalty λ₂·w² has h = 2λ₂; past it each step overshoots further), or None
        where each weight's step is scaled by its own gradients and no such η·h exists."""
        return None

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

    def cumulative_l1(
        self,
        params: dict[str, np.ndarray],
        names: Iterable[str],
        l1: float,
        rows: np.ndarray | None = None,
    ) -> None:
        """Apply λ₁‖w‖₁ by the cumulative penalty after `step`, in place (Tsuruoka et al. 2009).

        u ← u + ηᵢ·λ₁ is the penalty every weight could have received so far, q the signed
        penalty it did receive. Only the weights the batch touched (`rows` of each parameter's
        first axis; None: all) are penalised, each by what it is owed:
        w > 0: w ← max(0, w − (u + q)); w < 0: w ← min(0, w + (u − q)); then q ← q + (w' − w).
        A weight clipped at 0 keeps its unpaid penalty for the next time a row touches it, so
        zeros stay zeros; scikit-learn's SGDClassifier/SGDRegressor apply L1 this way.
        """
        for name in names:
            param = params[name]
            owed, received = self.cumulative_l1_state(name, param)
            owed += self._step_size(name) * l1
            self.l1_owed_[name] = owed
            where = slice(None) if rows is None else rows
            before = param[where]
            total = owed if np.ndim(owed) == 0 else owed[where]
            paid = received[where]
            after = np.where(
                before > 0.0,
                np.maximum(before - (total + paid), 0.0),
                np.where(before < 0.0, np.minimum(before + (total - paid), 0.0), before),
            )
            received[where] = paid + (after - before)
            param[where] = after

    def cumulative_l1_state(
        self, name: str, param: np.ndarray
    ) -> tuple[float | np.ndarray, np.ndarray]:
        """(u, q) of `cumulative_l1` for parameter `name`: 0 and zeros shaped like it at first."""
        if name not in self.l1_received_:
            self.l1_owed_[name] = 0.0
            self.l1_received_[name] = np.zeros_like(param)
        return self.l1_owed_[name], self.l1_received_[name]

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
