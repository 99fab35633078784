"""Filling missing values: a training statistic or a constant in place of each gap.

The crash course's advice for incomplete examples: drop them when they are few, otherwise
fill the gaps with something plausible, learned from the training split only. An `impute`
step does that per column (mean, median, most frequent value, or a constant; the last two
also fill text columns); `data.missing: mean|median` puts one in front of the configured
steps for every numeric column.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Literal, Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.accumulators import Moments, Reservoir
from mlcc_cli.features.base import StatisticsTransform
from mlcc_cli.features.columns import (
    is_numeric,
    require_columns,
    require_not_label,
    resolve_columns,
    values_of,
)

# What `data.missing` accepts (the pipeline's imputer); the `impute` step has all four.
STRATEGIES = ("mean", "median")
ALL_STRATEGIES = ("mean", "median", "most_frequent", "constant")

Fill = float | str


class ModeCounts:
    """Exact count of every distinct value of a stream, for its most frequent value."""

    def __init__(self) -> None:
        self.count = 0
        self.counts: dict[Hashable, int] = {}

    def add(self, x: np.ndarray) -> None:
        """Count the values `x` (numbers or text, no missing ones)."""
        for value, n in pd.Series(x, dtype=x.dtype).value_counts(sort=False).items():
            self.counts[value] = self.counts.get(value, 0) + int(n)
        self.count += len(x)

    @property
    def mode(self) -> Hashable:
        """The most frequent value; the smallest of those tied, as scikit-learn (scipy.mode)."""
        top = max(self.counts.values())
        tied = [value for value, n in self.counts.items() if n == top]
        try:
            return min(tied)  # type: ignore[type-var]
        except TypeError:  # mixed text and numbers: scikit-learn's _safe_min fallback
            return min(tied, key=lambda value: (str(type(value)), str(value)))

    def __repr__(self) -> str:
        return f"ModeCounts(count={self.count}, distinct={len(self.counts)})"


def _is_text(series: pd.Series) -> bool:
    """True for text columns (str or object dtype)."""
    dtype = series.dtype
    return pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)


class Impute(StatisticsTransform):
    """Replace missing values per column with a fill value learned from the training split.

    `mean` and `median` (numeric columns) ignore missing values when learning; `most_frequent`
    takes the commonest value, the smallest one on a tie; `constant` fills `fill_value`.
    Same numbers as scikit-learn's SimpleImputer(strategy=..., fill_value=...). The last two
    also fill text columns (named in `columns`; the default is every numeric non-label
    column). A streaming fit keeps the mean and the value counts exact and estimates the
    median from a uniform sample of the values.

    Attributes
    ----------
    statistics_ : dict[str, float | str]
        The fill value per column.
    """

    tag = "impute"
    params = ("columns", "strategy", "fill_value", "key", "label")
    fitted = ("feature_names_in_", "statistics_", "warnings_")

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        strategy: Literal["mean", "median", "most_frequent", "constant"] = "mean",
        fill_value: Fill | None = None,
        *,
        key: str = "data.missing",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.strategy = strategy
        self.fill_value = fill_value
        self.key = key
        self.label = label
        # mean and median need numbers, checked by Transform.transform; the other two also
        # accept text, so they check each column's type themselves.
        self.numeric_inputs = strategy in STRATEGIES

    @property
    def learns_from_data(self) -> bool:
        """False for a constant: its fill value is given, not learned."""
        return self.strategy != "constant"

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn each column's fill value from the training split."""
        if self.strategy != "constant":
            return super().fit(frame)
        if self.fill_value is None:  # not user input: the config requires fill_value
            raise ValueError("strategy constant needs a fill_value")
        columns = self._resolve(frame)
        for column in columns:
            self._check_fill(frame[column], column, self.fill_value)
        self.statistics_ = {column: self.fill_value for column in columns}
        self.feature_names_in_ = columns
        self.warnings_ = []
        return self

    def _resolve(self, frame: pd.DataFrame) -> list[str]:
        """The columns to fill: numbers for mean and median, numbers or text otherwise."""
        if self.numeric_inputs or self.columns is None:
            return resolve_columns(frame, self.columns, self.label, self.where)
        require_not_label(self.columns, self.label, self.where)
        require_columns(frame, self.columns, self.where)
        for column in self.columns:
            if not (is_numeric(frame[column]) or _is_text(frame[column])):
                raise DataError(
                    f"{self.where}: column {column!r} holds {frame[column].dtype} values; "
                    "impute fills numbers and text only. Leave it out of this step."
                )
        return list(self.columns)

    def _check_fill(self, series: pd.Series, column: str, fill: Fill) -> None:
        """DataError when a numeric column would get a text fill value, or the reverse."""
        fits = _is_text(series) if isinstance(fill, str) else is_numeric(series)
        if fits or series.isna().all():  # a column of gaps only: its dtype says nothing
            return
        if self.strategy != "constant":
            fix = "the training split held another kind of value; give the column one type"
        elif is_numeric(series):
            fix = "give a number (unquoted in YAML)"
        else:
            fix = f"quote it in YAML (fill_value: '{fill}') to fill text"
        raise DataError(
            f"{self.where}: column {column!r} holds {series.dtype} values but the fill value "
            f"is {fill!r}; {fix}, or leave the column out of this step."
        )

    def _new_statistic(
        self, rng: np.random.Generator | None, sample_size: int | None
    ) -> Moments | Reservoir | ModeCounts:
        if self.strategy not in ALL_STRATEGIES:  # not user input: the config is a Literal
            raise ValueError(f"strategy must be one of {ALL_STRATEGIES}, got {self.strategy!r}")
        if self.strategy == "mean":
            return Moments()
        if self.strategy == "median":
            return Reservoir(sample_size, rng)
        return ModeCounts()  # most_frequent (constant never gets here: it learns nothing)

    def _columns_to_learn(self, frame: pd.DataFrame) -> list[str]:
        return self._resolve(frame)

    def _values(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        # most_frequent counts text values too; numbers go as NaN-free floats.
        series = frame[column]
        if is_numeric(series):
            return super()._values(frame, column)
        return series[series.notna()].to_numpy(dtype=object)

    def _learn(self, statistics: dict[str, Any]) -> None:
        """Set each column's fill value: the mean, the (sampled) median or the mode."""
        fills: dict[str, Fill] = {}
        for column, statistic in statistics.items():
            if isinstance(statistic, Moments):
                fills[column] = float(statistic.mean)
            elif isinstance(statistic, Reservoir):
                fills[column] = float(np.median(statistic.sample))
            else:
                mode = statistic.mode
                fills[column] = mode if isinstance(mode, str) else float(mode)  # JSON-able
        self.statistics_ = fills
        self.warnings_ = []

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            fill = self.statistics_[column]
            series = frame[column]
            if not self.numeric_inputs:
                self._check_fill(series, column, fill)
            if isinstance(fill, str):
                # A split where the column has no value at all may have come in as float64.
                text = series if _is_text(series) else series.astype(object)
                frame[column] = text.fillna(fill)
            else:
                x = values_of(frame, column)
                frame[column] = np.where(np.isnan(x), fill, x)
        return frame
