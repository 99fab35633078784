"""The optional `sweep:` section: grid values and random draws that `mlcc sweep` expands.

`mlcc train` ignores it; `mlcc sweep` turns it into points, each an ordinary run with
`--set KEY=VALUE` overrides (see `workflows/sweep/`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from mlcc_cli.config.base import StrictModel

Scalar = bool | int | float | str


class UniformParam(StrictModel):
    """A value drawn uniformly from [low, high)."""

    type: Literal["uniform"] = Field(description="Draw uniformly between low and high.")
    low: float = Field(description="Smallest value (inclusive).")
    high: float = Field(description="Largest value (exclusive); must exceed low.")

    @model_validator(mode="after")
    def _low_below_high(self) -> UniformParam:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class LogUniformParam(StrictModel):
    """A value whose logarithm is uniform: exp(uniform(log low, log high))."""

    type: Literal["log_uniform"] = Field(
        description="Draw uniformly on a log scale, e.g. learning rates."
    )
    low: float = Field(gt=0, description="Smallest value (inclusive); must be above 0.")
    high: float = Field(gt=0, description="Largest value (exclusive); must exceed low.")

    @model_validator(mode="after")
    def _low_below_high(self) -> LogUniformParam:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class ChoiceParam(StrictModel):
    """One of a list of values, each equally likely."""

    type: Literal["choice"] = Field(description="Pick one of the listed values.")
    values: list[Scalar] = Field(min_length=1, description="The values to pick from.")


SweepParam = Annotated[UniformParam | LogUniformParam | ChoiceParam, Field(discriminator="type")]


class RandomSweepConfig(StrictModel):
    """Random search: `trials` draws of every listed key, reproducible from `seed`."""

    trials: int = Field(ge=1, description="Number of random points drawn.")
    params: dict[str, SweepParam] = Field(
        min_length=1,
        description="Dotted config key -> distribution (`uniform`, `log_uniform` or `choice`).",
    )


class SweepConfig(StrictModel):
    """Points for `mlcc sweep`: the grid's product times the random trials (training ignores it)."""

    grid: dict[str, Annotated[list[Scalar | list[Scalar]], Field(min_length=1)]] | None = Field(
        None,
        min_length=1,
        description="Dotted config key -> values to try (a value may be a list, e.g. "
        "model.hidden_units: [[4], [8, 8]]); `--grid` on the command line adds keys and "
        "overrides keys of the same name (`--grid 'model.hidden_units=[4],[8, 8]'`).",
    )
    random: RandomSweepConfig | None = Field(
        None, description="Random search drawn from the experiment seed."
    )

    @model_validator(mode="after")
    def _something_to_sweep(self) -> SweepConfig:
        if self.grid is None and self.random is None:
            raise ValueError("give sweep.grid, sweep.random or both")
        return self
