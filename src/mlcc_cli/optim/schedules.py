"""Learning-rate schedules: the step size η_t as a closed-form function of the step count t.

t counts the updates already made (0 for the first update), so η_t is the rate of update t+1
and, at a period end after t steps, the rate history.csv reports. Every optimizer asks its
schedule for η_t once per step; no optimizer implements a schedule itself. (Not to be
confused with `schedule.py`, which plans steps, epochs and reporting periods.)
"""

from __future__ import annotations

import math
from typing import Any


class LearningRateSchedule:
    """Constant: η_t = η₀ (the base class; subclasses decay η₀ with t)."""

    type = "constant"

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in vars(self).items())
        return f"{type(self).__name__}({args})"

    def __call__(self, base: float, t: int, total_steps: int | None = None) -> float:
        """η_t for base rate `base` after t updates; total_steps is the training's length."""
        return base


class StepDecay(LearningRateSchedule):
    """Piecewise constant: η_t = η₀ · factor^⌊t / drop_every⌋."""

    type = "step"

    def __init__(self, drop_every: int, factor: float) -> None:
        self.drop_every = drop_every
        self.factor = factor

    def __call__(self, base: float, t: int, total_steps: int | None = None) -> float:
        return base * self.factor ** (t // self.drop_every)


class ExponentialDecay(LearningRateSchedule):
    """Smooth exponential: η_t = η₀ · decay_rate^(t / decay_steps)."""

    type = "exponential"

    def __init__(self, decay_rate: float, decay_steps: int) -> None:
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps

    def __call__(self, base: float, t: int, total_steps: int | None = None) -> float:
        return base * self.decay_rate ** (t / self.decay_steps)


class CosineDecay(LearningRateSchedule):
    """Cosine: η_t = η_min + (η₀ − η_min)·½(1 + cos(π·min(t, T)/T)).

    T is decay_steps, or the training's total steps when decay_steps is None (the training
    loop tells the optimizer); after T steps the rate stays at η_min.
    """

    type = "cosine"

    def __init__(self, decay_steps: int | None = None, min_learning_rate: float = 0.0) -> None:
        self.decay_steps = decay_steps
        self.min_learning_rate = min_learning_rate

    def __call__(self, base: float, t: int, total_steps: int | None = None) -> float:
        T = self.decay_steps or total_steps
        if T is None:
            raise ValueError("cosine schedule without decay_steps needs the training's total steps")
        progress = min(t, T) / T
        low = self.min_learning_rate
        return low + (base - low) * 0.5 * (1.0 + math.cos(math.pi * progress))


SCHEDULES: dict[str, type[LearningRateSchedule]] = {
    "constant": LearningRateSchedule,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "cosine": CosineDecay,
}


def build_schedule(config: Any) -> LearningRateSchedule:
    """Instantiate the schedule a validated `optimizer.schedule` section names."""
    return SCHEDULES[config.type](**config.model_dump(exclude={"type"}))
