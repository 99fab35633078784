"""Config models of the `features:` steps on numeric columns, one class per transform tag.

New columns (`ratio`, `expression`), scaling (`clip`, `zscore`, `minmax`, `log`) and
projection (`pca`); their transforms live in `features/synthetic.py`, `features/scaling.py`
and `features/projection.py`. `features.FeatureStep` is the union of every step.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from mlcc_cli.config.base import StrictModel


class RatioConfig(StrictModel):
    """Synthetic feature numerator / denominator (e.g. rooms_per_person)."""

    type: Literal["ratio"] = Field(description="Transform tag.")
    name: str = Field(min_length=1, description="Name of the new column.")
    numerator: str = Field(min_length=1, description="Column divided.")
    denominator: str = Field(min_length=1, description="Column divided by.")
    on_zero: Literal["error", "zero"] = Field(
        "error",
        description="A zero denominator is an error (`error`) or gives 0 (`zero`).",
    )


class ExpressionConfig(StrictModel):
    """A new column from a safe arithmetic expression over columns."""

    type: Literal["expression"] = Field(description="Transform tag.")
    name: str = Field(min_length=1, description="Name of the new column.")
    expression: str = Field(
        min_length=1,
        description=(
            "Arithmetic over column names and numbers: + - * / ** and log, log1p, exp, sqrt, "
            "abs. Nothing else can run."
        ),
    )


class ClipConfig(StrictModel):
    """Limit columns to [min, max], fixed or learned as quantiles of the training split."""

    type: Literal["clip"] = Field(description="Transform tag.")
    columns: list[str] | None = Field(
        None, min_length=1, description="Columns to clip (default: every numeric feature)."
    )
    min: float | None = Field(None, description="Fixed lower bound.")
    max: float | None = Field(None, description="Fixed upper bound.")
    lower_quantile: float | None = Field(
        None, ge=0, le=1, description="Lower bound = this quantile of the training split."
    )
    upper_quantile: float | None = Field(
        None, ge=0, le=1, description="Upper bound = this quantile of the training split."
    )

    @model_validator(mode="after")
    def _one_kind_of_bound_per_side(self) -> ClipConfig:
        if self.min is not None and self.lower_quantile is not None:
            raise ValueError("give either min or lower_quantile, not both")
        if self.max is not None and self.upper_quantile is not None:
            raise ValueError("give either max or upper_quantile, not both")
        if all(v is None for v in (self.min, self.max, self.lower_quantile, self.upper_quantile)):
            raise ValueError("needs at least one bound: min, max, lower_quantile or upper_quantile")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        lower, upper = self.lower_quantile, self.upper_quantile
        if lower is not None and upper is not None and lower > upper:
            raise ValueError(
                f"lower_quantile ({lower:g}) must not exceed upper_quantile ({upper:g})"
            )
        return self


class ZScoreConfig(StrictModel):
    """Standardise columns: (x − mean) / std, statistics from the training split."""

    # A fitted rescaling: a step reshaping a column's values (clip, log) belongs before it.
    rescales: ClassVar[bool] = True

    type: Literal["zscore"] = Field(description="Transform tag.")
    columns: list[str] | None = Field(
        None, min_length=1, description="Columns to scale (default: every numeric feature)."
    )


class MinMaxConfig(StrictModel):
    """Rescale columns linearly so the training split spans [low, high]."""

    rescales: ClassVar[bool] = True  # as ZScoreConfig

    type: Literal["minmax"] = Field(description="Transform tag.")
    columns: list[str] | None = Field(
        None, min_length=1, description="Columns to scale (default: every numeric feature)."
    )
    low: float = Field(0.0, description="Value the training minimum maps to.")
    high: float = Field(1.0, description="Value the training maximum maps to.")

    @model_validator(mode="after")
    def _low_below_high(self) -> MinMaxConfig:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class LogConfig(StrictModel):
    """Compress a long tail: log(x), or log(1 + x) with `log1p: true`."""

    type: Literal["log"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Columns to transform.")
    log1p: bool = Field(
        False, description="Use log(1 + x), which accepts zeros; plain log needs x > 0."
    )


class PcaConfig(StrictModel):
    """Principal components: replace numeric columns by their first `components` projections."""

    type: Literal["pca"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=2, description="Numeric columns to project.")
    components: int = Field(ge=1, description="Number of principal components kept.")
    prefix: str = Field("pc", min_length=1, description="Output columns PREFIX1, PREFIX2, ….")

    @model_validator(mode="after")
    def _fewer_components_than_columns(self) -> PcaConfig:
        if self.components > len(self.columns):
            raise ValueError(
                f"components ({self.components}) cannot exceed the number of columns "
                f"({len(self.columns)})"
            )
        return self
