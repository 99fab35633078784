"""Filling missing values with a statistic of the training split (`data.missing: mean|median`).

Not a `features:` step of its own yet; the pipeline puts one in front of the configured
steps when `data.missing` asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from mlcc_cli.features.accumulators import Moments, Reservoir
from mlcc_cli.features.base import StatisticsTransform, values_of

STRATEGIES = ("mean", "median")


class Impute(StatisticsTransform):
    """Replace missing values with the training split's mean or median of the column.

    Same numbers as scikit-learn's SimpleImputer(strategy=...): the statistic ignores
    missing values, and every split is filled with the training statistic. A streaming fit
    keeps the mean exact and estimates the median from a uniform sample of the values.

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

    def _new_statistic(
        self, rng: np.random.Generator | None, sample_size: int | None
    ) -> Moments | Reservoir:
        if self.strategy not in STRATEGIES:  # not user input: data.missing is a checked Literal
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        return Moments() if self.strategy == "mean" else Reservoir(sample_size, rng)

    def _learn(self, statistics: dict[str, Moments | Reservoir]) -> None:
        """Set each column's fill value: the running mean, or the median of the sample."""
        self.statistics_ = {
            column: float(s.mean if isinstance(s, Moments) else np.median(s.sample))
            for column, s in statistics.items()
        }
        self.warnings_ = []

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            x = values_of(frame, column)
            frame[column] = np.where(np.isnan(x), self.statistics_[column], x)
        return frame
