"""The `optimizer:` section: one variant per optimizer, each with a learning-rate schedule.

Every variant shares `learning_rate`, `clip_norm` and `schedule`; the update rules themselves
are documented (and implemented) in the `optim` package, the schedules in `optim/schedules.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from mlcc_cli.config.base import StrictModel

# ---------------------------------------------------------------------- schedules


class ConstantScheduleConfig(StrictModel):
    """The same learning rate at every step: η_t = learning_rate."""

    type: Literal["constant"] = Field(description="Schedule tag.")


class StepScheduleConfig(StrictModel):
    """Piecewise constant decay: η_t = learning_rate · factor^⌊t / drop_every⌋."""

    type: Literal["step"] = Field(description="Schedule tag.")
    drop_every: int = Field(ge=1, description="Steps between two drops of the learning rate.")
    factor: float = Field(
        0.5, gt=0, le=1, description="Multiplier applied to the learning rate at every drop."
    )


class ExponentialScheduleConfig(StrictModel):
    """Smooth exponential decay: η_t = learning_rate · decay_rate^(t / decay_steps)."""

    type: Literal["exponential"] = Field(description="Schedule tag.")
    decay_rate: float = Field(
        gt=0, le=1, description="Factor by which the learning rate shrinks every decay_steps."
    )
    decay_steps: int = Field(ge=1, description="Steps over which the rate shrinks by decay_rate.")


class CosineScheduleConfig(StrictModel):
    """Cosine decay: η_t = η_min + (learning_rate − η_min)·½(1 + cos(π·min(t, T)/T))."""

    type: Literal["cosine"] = Field(description="Schedule tag.")
    decay_steps: int | None = Field(
        None,
        ge=1,
        description="T, the steps over which the rate falls to min_learning_rate "
        "(default: the training's total steps); it stays there afterwards.",
    )
    min_learning_rate: float = Field(
        0.0, ge=0, description="η_min, the learning rate reached after decay_steps."
    )


ScheduleConfig = Annotated[
    ConstantScheduleConfig | StepScheduleConfig | ExponentialScheduleConfig | CosineScheduleConfig,
    Field(discriminator="type"),
]

# --------------------------------------------------------------------- optimizers


class _OptimizerConfigBase(StrictModel):
    """Keys every optimizer shares (the subclasses narrow `type` to their tag)."""

    type: str = Field(description="Optimizer tag.")
    learning_rate: float = Field(
        gt=0, description="Step size of each update (the schedule's starting value)."
    )
    clip_norm: float | None = Field(
        None,
        gt=0,
        description="Rescale the gradient when its global L2 norm exceeds this value "
        "(before the update rule sees it).",
    )
    schedule: ScheduleConfig = Field(
        default_factory=lambda: ConstantScheduleConfig(type="constant"),
        description="How the learning rate changes with the step count t "
        "(`constant`, `step`, `exponential`, `cosine`); history.csv reports η at each "
        "period's step.",
    )

    @model_validator(mode="after")
    def _minimum_below_start(self) -> _OptimizerConfigBase:
        schedule = self.schedule
        cosine = isinstance(schedule, CosineScheduleConfig)
        if cosine and schedule.min_learning_rate > self.learning_rate:
            raise ValueError(
                f"schedule.min_learning_rate {schedule.min_learning_rate:g} exceeds "
                f"learning_rate {self.learning_rate:g}; a decay must end below its start"
            )
        return self


class SGDConfig(_OptimizerConfigBase):
    """Gradient descent, optionally with (Nesterov) momentum: v ← μv + g; w ← w − η·v."""

    type: Literal["sgd"] = Field(description="Optimizer tag.")
    momentum: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="μ, the fraction of the previous velocity kept (0 = plain gradient descent).",
    )
    nesterov: bool = Field(
        False,
        description="Nesterov momentum: step along g + μ·v (the look-ahead) instead of v; "
        "needs momentum > 0.",
    )

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self) -> SGDConfig:
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov: true needs momentum > 0 (e.g. momentum: 0.9)")
        return self


class AdagradConfig(_OptimizerConfigBase):
    """Adagrad: per-coordinate steps η/(√G + ε), G the running sum of squared gradients."""

    type: Literal["adagrad"] = Field(description="Optimizer tag.")
    initial_accumulator: float = Field(
        0.1, ge=0, description="Starting value of every G (keeps the first steps finite)."
    )
    epsilon: float = Field(1e-7, gt=0, description="ε added to √G in the denominator.")


class AdamConfig(_OptimizerConfigBase):
    """Adam: bias-corrected moment estimates, step η·m̂/(√v̂ + ε) (ε outside the root)."""

    type: Literal["adam"] = Field(description="Optimizer tag.")
    beta1: float = Field(
        0.9, ge=0, lt=1, description="β₁, decay of the first-moment (mean gradient) estimate m."
    )
    beta2: float = Field(
        0.999, ge=0, lt=1, description="β₂, decay of the second-moment (squared gradient) v."
    )
    epsilon: float = Field(1e-8, gt=0, description="ε added to √v̂ (outside the square root).")


class FtrlConfig(_OptimizerConfigBase):
    """FTRL-Proximal (McMahan et al. 2013), alpha = learning_rate: L1-friendly, for sparse data.

    Per-coordinate rates α/(β + √n) with its own L1/L2 in the closed form (see `optimizers.Ftrl`).
    """

    type: Literal["ftrl"] = Field(description="Optimizer tag.")
    beta: float = Field(
        1.0, ge=0, description="β in the per-coordinate rate α/(β + √n) (smooths early steps)."
    )
    l1: float = Field(
        0.0,
        ge=0,
        description="FTRL's own λ₁, applied once to every parameter in its closed form "
        "(model.l1 also works and is added per step; see README).",
    )
    l2: float = Field(
        0.0,
        ge=0,
        description="FTRL's own λ₂ in its closed form, on every parameter (model.l2 stays a "
        "gradient term).",
    )


OptimizerConfig = Annotated[
    SGDConfig | AdagradConfig | AdamConfig | FtrlConfig, Field(discriminator="type")
]
