"""The optional `exercise:` section: a crash-course exercise's goal, hints and solution.

`mlcc train` ignores it; `mlcc exercise check NAME` trains the config (with the learner's
`--set` changes) and tests each goal against the run's metrics.json.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from mlcc_cli.config.base import StrictModel


class GoalConfig(StrictModel):
    """One checked condition on a metric of the finished run."""

    metric: str = Field(
        description=(
            "SPLIT.METRIC from metrics.json, e.g. `validation.rmse`, `validation.log_loss`, "
            "`validation.accuracy`, `validation.nonzero_weights`."
        ),
    )
    max: float | None = Field(None, description="The metric must be at most this value.")
    min: float | None = Field(None, description="The metric must be at least this value.")

    @field_validator("metric")
    @classmethod
    def _split_dot_metric(cls, metric: str) -> str:
        # A validator rather than a Field pattern, so the error says what a metric looks like.
        if not re.fullmatch(r"(train|validation|test)\.[a-z0-9_]+", metric):
            raise ValueError(
                f"{metric!r} is not SPLIT.METRIC; SPLIT is train, validation or test and METRIC "
                "a key of metrics.json, e.g. validation.rmse"
            )
        return metric

    @model_validator(mode="after")
    def _a_bound(self) -> GoalConfig:
        if self.max is None and self.min is None:
            raise ValueError("give max, min or both")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class ExerciseConfig(StrictModel):
    """A crash-course programming exercise: what to do, the goal mlcc checks, and hints."""

    title: str = Field(min_length=1, description="The exercise's name, as the course titles it.")
    lesson: str = Field(min_length=1, description="The crash-course module it belongs to.")
    task: str = Field(min_length=1, description="What the learner is asked to do.")
    goals: list[GoalConfig] = Field(
        min_length=1, description="Conditions on the run's metrics that pass the exercise."
    )
    hints: list[str] = Field(
        default_factory=list, description="Shown by `mlcc exercise show` (one per line)."
    )
    solution: list[str] = Field(
        default_factory=list,
        description=(
            "`--set KEY=VALUE` overrides that solve the exercise (`mlcc exercise check NAME "
            "--solution`); empty when the shipped config already passes."
        ),
    )

    @field_validator("solution")
    @classmethod
    def _overrides_look_like_set(cls, solution: list[str]) -> list[str]:
        # Checked here, so a malformed solution is a config error naming the file, not a
        # surprise when a learner runs `mlcc exercise check NAME --solution`.
        for assignment in solution:
            key, sep, _ = assignment.partition("=")
            if not sep or not key.strip() or " " in key.strip():
                raise ValueError(
                    f"{assignment!r} is not a --set override; write KEY=VALUE, e.g. model.l1=0.001"
                )
        return solution
