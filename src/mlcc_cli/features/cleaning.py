"""Data cleaning: removing rows a model should not learn from.

The crash course lists the usual suspects: duplicate examples (a row logged twice weighs
twice), bad feature values (a negative age, a sensor's 9999 for "no reading") and bad
labels. `drop_duplicates` and `filter` remove such rows from each split separately; they
are skipped when predicting, since every new row needs a prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.columns import require_columns, require_numeric, values_of


class DropDuplicates(Transform):
    """Drop every row equal to an earlier row of the same split on `columns`; keep the first.

    pandas.DataFrame.drop_duplicates(subset=columns, keep="first"): missing values compare
    equal to each other, the kept rows keep their index. Without `columns` every column the
    training split has is compared, label included. Works on any column type. A streaming
    pipeline applies it chunk by chunk, so it only sees repeats within one chunk.

    Attributes
    ----------
    rows_in_, rows_dropped_ : int
        Training rows seen by `fit` and how many of them were repeats.
    """

    tag = "drop_duplicates"
    params = ("columns", "key", "label")
    fitted = ("feature_names_in_", "rows_in_", "rows_dropped_", "warnings_")
    numeric_inputs = False
    drops_rows = True

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        *,
        key: str = "drop_duplicates",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the columns exist and count the repeated training rows (for `notes`)."""
        columns = [str(c) for c in frame.columns] if self.columns is None else list(self.columns)
        require_columns(frame, columns, self.where)
        self.feature_names_in_ = columns
        self.rows_in_ = len(frame)
        self.rows_dropped_ = int(frame.duplicated(subset=columns, keep="first").sum())
        self.warnings_ = []
        return self

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop_duplicates(subset=self.feature_names_in_, keep="first")

    def notes(self) -> list[str]:
        """How many training rows repeated an earlier one."""
        self._check_fitted()
        return [
            f"{self.where}: dropped {self.rows_dropped_:,} of {self.rows_in_:,} training rows "
            f"that repeat an earlier row on {_names(self.feature_names_in_)}."
        ]


class Filter(Transform):
    """Drop rows whose value in any of `columns` is below `min` or above `max`.

    Keeps a row when min <= x <= max for every listed column (a side without a bound is
    open). Missing values are kept, for data.missing or an impute step to handle. The label
    may be listed: cleaning bad label values is legitimate, unlike reading the label as a
    feature.

    Attributes
    ----------
    rows_in_, rows_dropped_ : int
        Training rows seen by `fit` and how many of them fall outside the bounds.
    """

    tag = "filter"
    params = ("columns", "min", "max", "key", "label")
    fitted = ("feature_names_in_", "rows_in_", "rows_dropped_", "warnings_")
    drops_rows = True

    def __init__(
        self,
        columns: Sequence[str],
        min: float | None = None,  # named like the config keys, shadowing the builtins here
        max: float | None = None,
        *,
        key: str = "filter",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.min = min
        self.max = max
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the columns are numeric and count the training rows outside the bounds."""
        columns = list(self.columns)
        require_columns(frame, columns, self.where)
        require_numeric(frame, columns, self.where)
        self.feature_names_in_ = columns
        outside = int(self._outside(frame).sum())
        if len(frame) and outside == len(frame):
            raise DataError(
                f"{self.where}: drops all {len(frame):,} training rows: no row has "
                f"{_names(columns)} within {self._range()}. Loosen min / max."
            )
        self.rows_in_ = len(frame)
        self.rows_dropped_ = outside
        self.warnings_ = []
        return self

    def _outside(self, frame: pd.DataFrame) -> np.ndarray:
        """(n_rows,) True where some listed column is below min or above max."""
        outside = np.zeros(len(frame), dtype=bool)
        for column in self.feature_names_in_:
            x = values_of(frame, column)  # NaN compares False: missing values are kept
            if self.min is not None:
                outside |= x < self.min
            if self.max is not None:
                outside |= x > self.max
        return outside

    def _range(self) -> str:
        low = "-inf" if self.min is None else f"{self.min:g}"
        high = "inf" if self.max is None else f"{self.max:g}"
        return f"[{low}, {high}]"

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[~self._outside(frame)]

    def notes(self) -> list[str]:
        """How many training rows the bounds removed."""
        self._check_fitted()
        return [
            f"{self.where}: dropped {self.rows_dropped_:,} of {self.rows_in_:,} training rows "
            f"with {_names(self.feature_names_in_)} outside {self._range()}."
        ]


def _names(columns: Sequence[str], limit: int = 5) -> str:
    """'a, b, c' (or 'a, b, … (7 columns)' when long) for messages."""
    if len(columns) <= limit:
        return ", ".join(columns)
    return ", ".join(columns[:limit]) + f", … ({len(columns)} columns)"
