"""Config models of the `features:` steps that clean data: drop rows or fill missing values.

`drop_duplicates` and `filter` (transforms in `features/cleaning.py`) and `impute`
(`features/imputation.py`). `features.FeatureStep` is the union of every step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mlcc_cli.config.base import StrictModel


class DropDuplicatesConfig(StrictModel):
    """Data cleaning: drop rows that repeat an earlier row of the same split."""

    type: Literal["drop_duplicates"] = Field(description="Transform tag.")
    columns: list[str] | None = Field(
        None, min_length=1, description="Columns compared (default: all, label included)."
    )


class FilterConfig(StrictModel):
    """Data cleaning: drop rows whose values fall outside [min, max] ("bad feature values")."""

    type: Literal["filter"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Numeric columns checked.")
    min: float | None = Field(None, description="Rows below this value are dropped.")
    max: float | None = Field(None, description="Rows above this value are dropped.")

    @model_validator(mode="after")
    def _needs_a_bound(self) -> FilterConfig:
        if self.min is None and self.max is None:
            raise ValueError("needs at least one bound: min or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class ImputeConfig(StrictModel):
    """Fill missing values per column with a training statistic or a constant."""

    type: Literal["impute"] = Field(description="Transform tag.")
    columns: list[str] | None = Field(
        None, min_length=1, description="Columns to fill (default: every numeric feature)."
    )
    strategy: Literal["mean", "median", "most_frequent", "constant"] = Field(
        "mean", description="Fill value: training mean, median, most frequent value, or fill_value."
    )
    fill_value: float | str | None = Field(
        None, description="The value strategy constant fills in."
    )

    @model_validator(mode="after")
    def _constant_needs_a_value(self) -> ImputeConfig:
        if self.strategy == "constant" and self.fill_value is None:
            raise ValueError("strategy constant needs fill_value")
        if self.strategy != "constant" and self.fill_value is not None:
            raise ValueError("fill_value applies to strategy: constant only")
        return self
