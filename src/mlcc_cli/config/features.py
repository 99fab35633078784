"""Config models of the `features:` steps, one class per transform tag.

Split from `config.py` (which holds the other sections) to keep each module short; every
class here has a matching transform in `features/` (a test checks the registry).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

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

    type: Literal["zscore"] = Field(description="Transform tag.")
    columns: list[str] | None = Field(
        None, min_length=1, description="Columns to scale (default: every numeric feature)."
    )


class MinMaxConfig(StrictModel):
    """Rescale columns linearly so the training split spans [low, high]."""

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


class BucketizeConfig(StrictModel):
    """Binning: numeric columns into buckets (one-hot `COLUMN_bucket_K` or a bucket index)."""

    type: Literal["bucketize"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Numeric columns to bucketize.")
    strategy: Literal["quantile", "fixed", "boundaries"] = Field(
        "quantile",
        description=(
            "`quantile`: equal-population buckets (boundaries = training quantiles, as "
            "scikit-learn KBinsDiscretizer(strategy='quantile')); `fixed`: equal width over "
            "the training range (or `width`); `boundaries`: the given `boundaries`."
        ),
    )
    bins: int = Field(10, ge=2, description="Number of buckets (quantile and fixed).")
    width: float | None = Field(
        None, gt=0, description="fixed only: bucket width, starting at the training minimum."
    )
    boundaries: list[float] | None = Field(
        None,
        min_length=1,
        description="Increasing inner boundaries; k boundaries make k + 1 buckets.",
    )
    output: Literal["one_hot", "index"] = Field(
        "one_hot",
        description=(
            "`one_hot`: the column becomes bucket indicators `COLUMN_bucket_K` (sparse); "
            "`index`: one integer column holding the bucket number."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _boundaries_imply_their_strategy(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("boundaries") is not None:
            data = {"strategy": "boundaries", **data}
        return data

    @model_validator(mode="after")
    def _settings_fit_the_strategy(self) -> BucketizeConfig:
        if self.strategy == "boundaries":
            if self.boundaries is None:
                raise ValueError("strategy boundaries needs `boundaries: [b1, b2, ...]`")
            if any(b >= a for b, a in zip(self.boundaries, self.boundaries[1:], strict=False)):
                raise ValueError("boundaries must be strictly increasing")
        elif self.boundaries is not None:
            raise ValueError(f"boundaries are given, but strategy is {self.strategy}")
        if self.width is not None and self.strategy != "fixed":
            raise ValueError("width applies to strategy: fixed only")
        return self


class TimeBucketConfig(StrictModel):
    """A date/time column into hour-of-day, day-of-week or month buckets (one-hot)."""

    type: Literal["time_bucket"] = Field(description="Transform tag.")
    column: str = Field(min_length=1, description="Date/time column (text or datetime).")
    unit: Literal["hour", "day_of_week", "month"] = Field(
        description="Which part of the time: 24 hour, 7 day or 12 month buckets."
    )
    name: str | None = Field(None, description="New column name (default COLUMN_UNIT).")
    format: str | None = Field(
        None,
        description="strftime format of text dates, e.g. '%Y-%m-%d %H:%M' (default: inferred).",
    )


class OneHotConfig(StrictModel):
    """Categories (text or integer) into one-hot indicators, vocabulary from training rows."""

    type: Literal["one_hot"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Categorical columns to encode.")
    min_frequency: int = Field(
        1,
        ge=1,
        description=(
            "Values seen fewer times in the training split go to the out-of-vocabulary "
            "bucket `COLUMN_<other>` (the crash course suggests about 5)."
        ),
    )
    max_categories: int | None = Field(
        None,
        ge=1,
        description="Keep at most this many most frequent values; the rest go to `<other>`.",
    )


class HashConfig(StrictModel):
    """Feature hashing: each value to one of `buckets` indicators by a stable hash."""

    type: Literal["hash"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Columns to hash (text or numbers).")
    buckets: int = Field(ge=2, description="Number of hash buckets (indicator columns).")


class CrossConfig(StrictModel):
    """Feature cross: the AND of categorical/bucketized columns, or the product of numbers."""

    type: Literal["cross"] = Field(description="Transform tag.")
    columns: list[str] = Field(
        min_length=2,
        description=(
            "Columns to cross: all categorical (after bucketize, one_hot, hash or "
            "time_bucket) or all numeric (their product)."
        ),
    )
    hash_buckets: int | None = Field(
        None,
        ge=2,
        description="Hash the categorical cross into this many buckets (default: full product).",
    )
    name: str | None = Field(None, description="New column name (default A_x_B).")


class PolynomialConfig(StrictModel):
    """Polynomial features: products of numeric columns up to `degree` (X1², X1·X2, …)."""

    type: Literal["polynomial"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Numeric columns to combine.")
    degree: int = Field(2, ge=2, description="Highest total degree of a product.")
    interaction_only: bool = Field(
        False, description="Only products of distinct columns (no X1², X1³ …)."
    )


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


FeatureStep = Annotated[
    RatioConfig
    | ExpressionConfig
    | ClipConfig
    | ZScoreConfig
    | MinMaxConfig
    | LogConfig
    | BucketizeConfig
    | TimeBucketConfig
    | OneHotConfig
    | HashConfig
    | CrossConfig
    | PolynomialConfig
    | DropDuplicatesConfig
    | FilterConfig
    | ImputeConfig
    | PcaConfig,
    Field(discriminator="type"),
]
