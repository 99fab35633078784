"""Config models of the `features:` steps that make categorical features or combine columns.

Binning (`bucketize`, `time_bucket`), encoding (`one_hot`, `hash`) and crosses (`cross`,
`polynomial`); their transforms live in `features/binning.py`, `features/categorical.py` and
`features/crosses.py`. `features.FeatureStep` is the union of every step.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from mlcc_cli.config.base import StrictModel


class BucketizeConfig(StrictModel):
    """Binning: numeric columns into buckets (one-hot `COLUMN_bucket_K` or a bucket index)."""

    type: Literal["bucketize"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Numeric columns to bucketize.")
    strategy: Literal["quantile", "fixed", "boundaries"] = Field(
        "quantile",
        description=(
            "`quantile`: equal-population buckets (boundaries = training quantiles by linear "
            "interpolation, as scikit-learn KBinsDiscretizer(strategy='quantile', "
            "quantile_method='linear')); `fixed`: equal width over the training range (or "
            "`width`); `boundaries`: the given `boundaries`."
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
        description=(
            "Keep at most this many most frequent values (on a tie in count, the first in "
            "vocabulary order); the rest go to `<other>`. scikit-learn's OneHotEncoder counts "
            "its infrequent column in max_categories and keeps the later value on a tie: "
            "max_categories: k equals its max_categories=k + 1 when no counts tie."
        ),
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
