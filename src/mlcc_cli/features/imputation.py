"""Filling missing values with a statistic of the training split (`data.missing: mean|median`).

Not a `features:` step of its own yet; the pipeline puts one in front of the configured
steps when `data.missing` asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Self

import numpy as np
import pandas as pd

from mlcc_cli.features.base import Transform, observed, resolve_columns, values_of

STRATEGIES = ("mean", "median")


class Impute(Transform):
    """Replace missing values with the training split's mean or median of the column.

    Same numbers as scikit-learn's SimpleImputer(strategy=...): the statistic ignores
    missing values, and every split is filled with the training statistic.

    Attributes
    ----------
    statistics_ : dict[str, float]
        The fill value per column.
    """

    tag = "impute"
    params = ("columns", "strategy", "key", "label")
    fitted = ("feature_names_in_", "statistics_", "warnings_")

    def __init__(
        self,
        columns: Sequence[str],
        strategy: Literal["mean", "median"] = "mean",
        *,
        key: str = "data.missing",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.strategy = strategy
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn each column's mean or median from the training split's present values."""
        if self.strategy not in STRATEGIES:  # not user input: data.missing is a checked Literal
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        columns = resolve_columns(frame, self.columns, self.label, self.where)
        statistic = np.mean if self.strategy == "mean" else np.median
        self.statistics_ = {
            column: float(statistic(observed(values_of(frame, column), column, self.where)))
            for column in columns
        }
        self.feature_names_in_ = columns
        self.warnings_ = []
        return self

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            x = values_of(frame, column)
            frame[column] = np.where(np.isnan(x), self.statistics_[column], x)
        return frame
