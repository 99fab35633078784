"""The optional `exercise:` section: a crash-course exercise's goal, hints and solution.

`mlcc train` ignores it; `mlcc exercise check NAME` trains the config (with the learner's
`--set` changes) and tests each goal against the run's metrics.json.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from mlcc_cli.config_base import StrictModel


class GoalConfig(StrictModel):
    """One checked condition on a metric of the finished run."""

    metric: str = Field(
        pattern=r"^(train|validation|test)\.[a-z0-9_]+$",
        description=(
            "SPLIT.METRIC from metrics.json, e.g. `validation.rmse`, `validation.log_loss`, "
            "`validation.accuracy`, `validation.nonzero_weights`."
        ),
    )
    max: float | None = Field(None, description="The metric must be at most this value.")
    min: float | None = Field(None, description="The metric must be at least this value.")

    @model_validator(mode="after")
    def _a_bound(self) -> GoalConfig:
        if self.max is None and self.min is None:
            raise ValueError("give max, min or both")
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
