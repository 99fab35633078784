"""Normalising numeric features: clipping, z-score, min-max and log scaling.

The crash course's rule: learn every statistic (mean, std, min, max, quantiles) from the
training split only, then apply the same numbers to validation, test and new rows.
Missing values are ignored when learning and stay missing when transforming, as in
scikit-learn's scalers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.accumulators import Extremes, Moments, Reservoir
from mlcc_cli.features.base import StatisticsTransform, Transform
from mlcc_cli.features.columns import resolve_columns, values_of, values_table, with_values

EPS = float(np.finfo(np.float64).eps)


class Clip(StatisticsTransform):
    """Limit columns to [lower, upper]: x ← min(max(x, lower), upper).

    Each bound is fixed (`min`, `max`) or a quantile of the training split
    (`lower_quantile`, `upper_quantile`, linear interpolation as pandas' default); a side
    with neither is left open. A streaming fit estimates quantiles from a uniform sample of
    the training values (exact while the split has no more values than the sample).

    Attributes
    ----------
    lower_, upper_ : dict[str, float | None]
        The bound per column (None = open).
    """

    tag = "clip"
    params = ("columns", "min", "max", "lower_quantile", "upper_quantile", "key", "label", "within")
    fitted = ("feature_names_in_", "lower_", "upper_", "warnings_")

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        min: float | None = None,  # named like the config keys, shadowing the builtins here
        max: float | None = None,
        lower_quantile: float | None = None,
        upper_quantile: float | None = None,
        *,
        key: str = "clip",
        label: str | None = None,
        within: Sequence[str] | None = None,
    ) -> None:
        self.columns = columns
        self.within = within
        self.min = min
        self.max = max
        self.lower_quantile = lower_quantile
        self.upper_quantile = upper_quantile
        self.key = key
        self.label = label

    @property
    def learns_from_data(self) -> bool:
        """True only with a quantile bound: fixed bounds learn nothing."""
        return self.lower_quantile is not None or self.upper_quantile is not None

    def _new_statistic(self, rng: np.random.Generator | None, sample_size: int | None) -> Reservoir:
        # Without a quantile bound nothing needs keeping: capacity 0 only counts the values.
        return Reservoir(sample_size if self.learns_from_data else 0, rng)

    def _learn(self, statistics: dict[str, Reservoir]) -> None:
        """Set each column's bounds: fixed, or the quantile of its (sampled) training values."""
        lower: dict[str, float | None] = {}
        upper: dict[str, float | None] = {}
        for column, reservoir in statistics.items():
            present = reservoir.sample
            lower[column] = _bound(self.min, self.lower_quantile, present)
            upper[column] = _bound(self.max, self.upper_quantile, present)
            low, high = lower[column], upper[column]
            if low is not None and high is not None and low > high:
                raise DataError(
                    f"{self.where}: for column {column!r} the lower bound {low:g} exceeds the "
                    f"upper bound {high:g}; loosen min / lower_quantile or max / upper_quantile."
                )
        self.lower_, self.upper_ = lower, upper
        self.warnings_ = []

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = self.feature_names_in_
        if not columns:
            return frame
        lower = np.array([-np.inf if (v := self.lower_[c]) is None else v for c in columns])
        upper = np.array([np.inf if (v := self.upper_[c]) is None else v for c in columns])
        # NaN stays NaN; every column in one array operation (see `with_values`).
        return with_values(frame, columns, np.clip(values_table(frame, columns), lower, upper))


def _bound(fixed: float | None, quantile: float | None, present: np.ndarray) -> float | None:
    if fixed is not None:
        return float(fixed)
    if quantile is not None:
        return float(np.quantile(present, quantile))  # method="linear", as pandas
    return None


class ZScore(StatisticsTransform):
    """Standardise columns: z = (x − μ)/σ, μ and σ (population, ddof=0) from the training split.

    Same numbers as scikit-learn's StandardScaler: a constant column gets σ = 1 (so it becomes
    0) and a warning.

    Attributes
    ----------
    mean_, scale_ : dict[str, float]
        μ and σ per column.
    """

    tag = "zscore"
    params = ("columns", "key", "label", "within")
    fitted = ("feature_names_in_", "mean_", "scale_", "warnings_")

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        *,
        key: str = "zscore",
        label: str | None = None,
        within: Sequence[str] | None = None,
    ) -> None:
        self.columns = columns
        self.within = within
        self.key = key
        self.label = label

    def _new_statistic(self, rng: np.random.Generator | None, sample_size: int | None) -> Moments:
        return Moments()  # exact in one chunk or many (Chan's merge)

    def _learn(self, statistics: dict[str, Moments]) -> None:
        """Set μ and σ of each column; a constant column gets σ = 1 and a warning."""
        mean: dict[str, float] = {}
        scale: dict[str, float] = {}
        warnings: list[str] = []
        for column, moments in statistics.items():
            # Two-pass variance with the rounding-error correction term, as StandardScaler.
            n, mu, var = moments.count, moments.mean, moments.variance
            mean[column] = float(mu)
            scale[column] = float(np.sqrt(var))
            # StandardScaler's test: var within the two-pass algorithm's error bound is 0.
            if var <= n * EPS * var + (n * mu * EPS) ** 2:
                scale[column] = 1.0
                warnings.append(
                    f"{self.where}: column {column!r} is constant in the training split "
                    f"(always {mu:g}); it becomes 0 everywhere (σ set to 1). Consider leaving "
                    "it out of `inputs`."
                )
        self.mean_, self.scale_ = mean, scale
        self.warnings_ = warnings

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = self.feature_names_in_
        if not columns:
            return frame
        # All columns in one array operation: a column at a time cost ~0.25 ms of pandas
        # indexing each, 1.3 s per split on a 5,000-column table. Same floats: (x − μ) / σ.
        values = values_table(frame, columns)  # (rows, columns)
        mean = np.array([self.mean_[column] for column in columns])
        scale = np.array([self.scale_[column] for column in columns])
        return with_values(frame, columns, (values - mean) / scale)


class MinMax(StatisticsTransform):
    """Rescale columns linearly so the training split spans [low, high].

    x' = x·s + m with s = (high − low)/(max − min) and m = low − min·s, min and max from the
    training split: scikit-learn's MinMaxScaler(feature_range=(low, high)). A constant column
    gets max − min = 1 (so it maps to `low`) and a warning. Values outside the training range
    land outside [low, high].

    Attributes
    ----------
    data_min_, data_max_, scale_, min_ : dict[str, float]
        Training min and max, and s and m per column.
    """

    tag = "minmax"
    params = ("columns", "low", "high", "key", "label", "within")
    fitted = ("feature_names_in_", "data_min_", "data_max_", "scale_", "min_", "warnings_")

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        low: float = 0.0,
        high: float = 1.0,
        *,
        key: str = "minmax",
        label: str | None = None,
        within: Sequence[str] | None = None,
    ) -> None:
        self.columns = columns
        self.within = within
        self.low = low
        self.high = high
        self.key = key
        self.label = label

    def _new_statistic(self, rng: np.random.Generator | None, sample_size: int | None) -> Extremes:
        return Extremes()

    def _learn(self, statistics: dict[str, Extremes]) -> None:
        """Set s and m of each column from its training min and max."""
        data_mins: dict[str, float] = {}
        data_maxs: dict[str, float] = {}
        scales: dict[str, float] = {}
        offsets: dict[str, float] = {}
        warnings: list[str] = []
        for column, extremes in statistics.items():
            data_min, data_max = extremes.min, extremes.max
            data_range = data_max - data_min
            if data_range < 10 * EPS:  # MinMaxScaler's threshold for "constant"
                data_range = 1.0
                warnings.append(
                    f"{self.where}: column {column!r} is constant in the training split "
                    f"(always {data_min:g}); it maps to {self.low:g} everywhere. Consider "
                    "leaving it out of `inputs`."
                )
            scale = (self.high - self.low) / data_range
            data_mins[column], data_maxs[column] = data_min, data_max
            scales[column] = scale
            offsets[column] = self.low - data_min * scale
        self.data_min_, self.data_max_ = data_mins, data_maxs
        self.scale_, self.min_ = scales, offsets
        self.warnings_ = warnings

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = self.feature_names_in_
        if not columns:
            return frame
        scale = np.array([self.scale_[column] for column in columns])
        offset = np.array([self.min_[column] for column in columns])
        return with_values(frame, columns, values_table(frame, columns) * scale + offset)


class Log(Transform):
    """Compress a long tail: x' = ln(x) (needs x > 0), or ln(1 + x) with log1p (needs x > −1).

    Nothing is learned; the domain is checked on every split, since validation rows can hold
    values the training rows did not.
    """

    tag = "log"
    params = ("columns", "log1p", "key", "label")

    def __init__(
        self,
        columns: Sequence[str],
        log1p: bool = False,
        *,
        key: str = "log",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.log1p = log1p
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the columns exist, are numeric and lie in the log's domain."""
        columns = resolve_columns(frame, self.columns, self.label, self.where)
        for column in columns:
            self._check_domain(values_of(frame, column), column)
        self.feature_names_in_ = columns
        self.warnings_ = []
        return self

    def _check_domain(self, x: np.ndarray, column: str) -> None:
        floor = -1.0 if self.log1p else 0.0
        outside = x <= floor  # NaN compares False: missing values stay missing
        if outside.any():
            function, needs = ("log1p", "x > -1") if self.log1p else ("log", "x > 0")
            fix = "clip the column first (a clip step with min)"
            if not self.log1p:
                fix = "set `log1p: true` (accepts zeros) or " + fix
            raise DataError(
                f"{self.where}: column {column!r} has {int(outside.sum())} of {len(x)} rows "
                f"with values <= {floor:g} (minimum {np.nanmin(x):g}), but {function} needs "
                f"{needs}. Fix: {fix}."
            )

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            x = values_of(frame, column)
            self._check_domain(x, column)
            frame[column] = np.log1p(x) if self.log1p else np.log(x)
        return frame
