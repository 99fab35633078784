"""Time buckets: turning a point in time into a bucket the model learns a weight for.

`time_bucket` adds a categorical column for a part of a date: hour of day, day of week or
month, since traffic at 8 am says more than the raw timestamp does. (`binning` does the same
for numbers.)
"""

from __future__ import annotations

import warnings
from typing import Literal, Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.columns import is_numeric, require_columns, require_not_label
from mlcc_cli.features.indicators import categorical

# The fixed categories of each unit, in code order.
TIME_CATEGORIES: dict[str, list[str]] = {
    "hour": [str(hour) for hour in range(24)],
    "day_of_week": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "month": ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
}


class TimeBucket(Transform):
    """Add a category column for a part of a date/time column: hour, day of week or month.

    The source column (text parsed with pandas.to_datetime, with `format` when given, or
    already datetime) is kept; the new column `name` (default COLUMN_UNIT) has the fixed
    categories "0" … "23", "mon" … "sun" or "jan" … "dec", so every split gets the same
    indicators whatever times it holds. A missing time gets no indicator; a value that is
    not a time is an error naming it. Nothing is learned from the data.
    """

    tag = "time_bucket"
    params = ("column", "unit", "name", "format", "key", "label")
    numeric_inputs = False

    def __init__(
        self,
        column: str,
        unit: Literal["hour", "day_of_week", "month"],
        name: str | None = None,
        format: str | None = None,  # named like the config key, shadowing the builtin here
        *,
        key: str = "time_bucket",
        label: str | None = None,
    ) -> None:
        self.column = column
        self.unit = unit
        self.name = name
        self.format = format
        self.key = key
        self.label = label

    @property
    def name_out(self) -> str:
        """The new column's name: `name`, or COLUMN_UNIT."""
        return self.name if self.name is not None else f"{self.column}_{self.unit}"

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the column exists and parses as times in the training split."""
        require_not_label([self.column], self.label, self.where)
        require_columns(frame, [self.column], self.where)
        if self.name_out == self.label:
            raise DataError(
                f"{self.where}: the new column is named {self.name_out!r}, which is the label; "
                "set `name:` to another name."
            )
        self._parse(frame[self.column])  # surfaces bad values in the training split now
        self.warnings_ = []
        if self.name_out in frame.columns:
            self.warnings_.append(
                f"{self.where}: replaces the existing column {self.name_out!r} with the "
                f"{self.unit} buckets; set `name:` to keep both."
            )
        self.feature_names_in_ = [self.column]
        return self

    def _parse(self, series: pd.Series) -> pd.Series:
        """The column as datetimes; DataError naming an example value that is not a time."""
        if is_numeric(series) and not pd.api.types.is_datetime64_any_dtype(series.dtype):
            raise DataError(
                f"{self.where}: column {self.column!r} holds {series.dtype} numbers, not dates "
                "or times; time_bucket needs text such as '2024-03-01 08:15' or a datetime "
                "column. For a number that already is an hour or month, use one_hot instead."
            )
        try:
            with warnings.catch_warnings():
                # pandas warns when it cannot infer one format and parses value by value;
                # the values it still cannot read are reported below, with the fix.
                warnings.simplefilter("ignore", UserWarning)
                times = pd.to_datetime(series, format=self.format, errors="coerce")
        except ValueError as error:  # a bad `format` directive, mixed time zones
            if _has_mixed_offsets(series, self.format):
                raise DataError(
                    f"{self.where}: column {self.column!r} mixes UTC offsets (e.g. "
                    f"{series.dropna().iloc[0]!r}), so its hours, days and months depend on "
                    "which zone is meant; write every value in one zone (the same offset, or "
                    "none: local time)."
                ) from error
            raise DataError(
                f"{self.where}: column {self.column!r} cannot be read as times: {error}. "
                "Check `format:` (a strftime format such as '%Y-%m-%d %H:%M')."
            ) from error
        bad = times.isna() & series.notna()
        if bad.any():
            example = series[bad].iloc[0]
            given = f"format {self.format!r}" if self.format else "any format pandas infers"
            raise DataError(
                f"{self.where}: column {self.column!r} has {int(bad.sum())} of {len(series)} "
                f"values that do not parse as times with {given}, e.g. {example!r}. Set "
                "`format:` to the strftime format of the column (e.g. '%Y-%m-%d %H:%M'), or "
                "clean those values."
            )
        return times

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        times = self._parse(frame[self.column]).dt
        if self.unit == "hour":
            part = times.hour
        elif self.unit == "day_of_week":
            part = times.day_of_week  # Monday = 0, as TIME_CATEGORIES
        else:
            part = times.month - 1  # pandas counts January as 1
        codes = part.to_numpy(dtype=np.float64, na_value=np.nan)  # NaN: missing time
        codes = np.where(np.isnan(codes), -1, codes).astype(np.int64)
        frame[self.name_out] = categorical(codes, TIME_CATEGORIES[self.unit], frame.index)
        return frame


def _has_mixed_offsets(series: pd.Series, time_format: str | None) -> bool:
    """Whether the values parse as times only once converted to UTC: several UTC offsets."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            parsed = pd.to_datetime(series, format=time_format, utc=True, errors="coerce")
        except ValueError:
            return False
    return bool(parsed.notna().any())
