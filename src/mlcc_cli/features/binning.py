"""Binning: turning a number into a bucket the model learns a weight for.

The crash course's example is latitude: house prices do not rise steadily from south to
north, so one weight per latitude is a poor fit, while one weight per latitude *band* can
follow any shape. `bucketize` cuts a numeric column into buckets (equal-population
quantiles, equal width, or given boundaries) and replaces it by a categorical column whose
indicators `latitude_bucket_0`, `latitude_bucket_1`, … each get their own weight.
(`time_buckets` does the same for dates.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.accumulators import Extremes, Reservoir
from mlcc_cli.features.base import StatisticsTransform
from mlcc_cli.features.columns import values_of
from mlcc_cli.features.indicators import categorical

# scikit-learn's KBinsDiscretizer drops quantile edges closer than this to the previous one.
MIN_BUCKET_WIDTH = 1e-8
# More buckets than this from `width` is surely a unit mistake (and would flood the model).
MAX_BUCKETS = 10_000


class _RangeAndSample:
    """Exact min and max of a column plus a uniform sample of it (for its quantiles)."""

    def __init__(self, capacity: int | None, rng: np.random.Generator | None) -> None:
        self.extremes = Extremes()
        self.reservoir = Reservoir(capacity, rng)

    @property
    def count(self) -> int:
        """Values seen so far."""
        return self.extremes.count

    def add(self, x: np.ndarray) -> None:
        """Fold the values `x` (no NaN) into the range and the sample."""
        self.extremes.add(x)
        self.reservoir.add(x)


class Bucketize(StatisticsTransform):
    """Replace numeric columns by their bucket: bucket(x) = #{inner boundaries b : b <= x}.

    With inner boundaries b_1 < … < b_{K−1}, bucket k holds b_k <= x < b_{k+1}
    (np.searchsorted(b, x, side="right")), so values beyond the training range fall in the
    first or last bucket. The boundaries come from the training split:

    - `quantile`: b_k = the k/bins quantile, linear interpolation (pandas' and numpy's
      default), giving buckets of equal population. These are the inner bin edges of
      scikit-learn's KBinsDiscretizer(strategy="quantile", quantile_method="linear"); note
      that scikit-learn 1.9 changed that method's default to "averaged_inverted_cdf", which
      gives other edges. Ties can make boundaries coincide: as scikit-learn does, an edge
      within 1e-8 of the previous one (the training min counting as the first edge) is
      dropped, with a warning, so fewer buckets remain.
    - `fixed`: equal width over [training min, training max], bins − 1 inner boundaries
      (KBinsDiscretizer(strategy="uniform")); or, with `width`, b_k = min + k·width for
      every such value below the max.
    - `boundaries`: the given values (nothing is learned).

    A constant training column becomes a single bucket, with a warning. `output="one_hot"`
    makes a category column with categories bucket_0 … bucket_{K−1} (indicators
    COLUMN_bucket_k; a missing value gets none); `output="index"` makes an int64 column of
    bucket numbers, which cannot hold a missing value. A streaming fit keeps the min and max
    exact and estimates quantiles from a uniform sample of the training values (exact while
    the split has no more values than the sample).

    Attributes
    ----------
    boundaries_ : dict[str, list[float]]
        The increasing inner boundaries per column; K − 1 of them make K buckets.
    """

    tag = "bucketize"
    params = ("columns", "strategy", "bins", "width", "boundaries", "output", "key", "label")
    fitted = ("feature_names_in_", "boundaries_", "warnings_")

    def __init__(
        self,
        columns: Sequence[str],
        strategy: Literal["quantile", "fixed", "boundaries"] = "quantile",
        bins: int = 10,
        width: float | None = None,
        boundaries: Sequence[float] | None = None,
        output: Literal["one_hot", "index"] = "one_hot",
        *,
        key: str = "bucketize",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.strategy = strategy
        self.bins = bins
        self.width = width
        self.boundaries = boundaries
        self.output = output
        self.key = key
        self.label = label

    @property
    def learns_from_data(self) -> bool:
        """False with given boundaries: only quantile and fixed read the training values."""
        return self.strategy != "boundaries"

    def _new_statistic(
        self, rng: np.random.Generator | None, sample_size: int | None
    ) -> _RangeAndSample:
        # Only quantiles need the values themselves; capacity 0 keeps none (it still counts).
        return _RangeAndSample(sample_size if self.strategy == "quantile" else 0, rng)

    def _learn(self, statistics: dict[str, _RangeAndSample]) -> None:
        """Set each column's inner boundaries from its training range or (sampled) values."""
        boundaries: dict[str, list[float]] = {}
        warnings_: list[str] = []
        for column, statistic in statistics.items():
            low, high = statistic.extremes.min, statistic.extremes.max
            if self.strategy == "boundaries":
                inner = np.asarray(self.boundaries, dtype=np.float64)
            elif low == high:
                inner = np.empty(0)
                warnings_.append(
                    f"{self.where}: column {column!r} is constant in the training split "
                    f"(always {low:g}), so it makes a single bucket. Consider leaving it out."
                )
            elif self.strategy == "quantile":
                inner = self._quantile_boundaries(column, statistic, warnings_)
            else:
                inner = self._fixed_boundaries(column, low, high)
            boundaries[column] = [float(b) for b in inner]
        self.boundaries_ = boundaries
        self.warnings_ = warnings_

    def _quantile_boundaries(
        self, column: str, statistic: _RangeAndSample, warnings_: list[str]
    ) -> np.ndarray:
        levels = np.linspace(0.0, 1.0, self.bins + 1)[1:-1]  # k/bins, k = 1 … bins−1
        inner = np.quantile(statistic.reservoir.sample, levels)  # method="linear", as pandas
        # scikit-learn's rule for ties: drop every edge within 1e-8 of the previous one.
        edges = np.concatenate(([statistic.extremes.min], inner, [statistic.extremes.max]))
        edges = edges[np.ediff1d(edges, to_begin=np.inf) > MIN_BUCKET_WIDTH]
        if len(edges) - 1 != self.bins:
            warnings_.append(
                f"{self.where}: column {column!r} has so many tied values that "
                f"{self.bins} quantile buckets collapse to {len(edges) - 1} (duplicate "
                "boundaries merged, as scikit-learn does). Consider fewer bins or "
                "strategy: fixed."
            )
        return edges[1:-1]

    def _fixed_boundaries(self, column: str, low: float, high: float) -> np.ndarray:
        if self.width is None:
            return np.linspace(low, high, self.bins + 1)[1:-1]  # as KBinsDiscretizer "uniform"
        n_buckets = math.ceil((high - low) / self.width)
        if n_buckets > MAX_BUCKETS:
            raise DataError(
                f"{self.where}: width {self.width:g} cuts column {column!r} (training range "
                f"{low:g} to {high:g}) into {n_buckets:,} buckets, more than {MAX_BUCKETS:,}; "
                "use a larger width (in the column's units) or `bins:` instead."
            )
        inner = low + self.width * np.arange(1, n_buckets)
        return inner[inner < high]  # rounding can put the last one at the max

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            x = values_of(frame, column)
            boundaries = np.asarray(self.boundaries_[column], dtype=np.float64)
            bucket = np.searchsorted(boundaries, x, side="right")  # (n_rows,)
            missing = np.isnan(x)
            if self.output == "index":
                if missing.any():
                    raise DataError(
                        f"{self.where}: column {column!r} has {int(missing.sum())} missing "
                        f"of {len(x)} values, which a bucket index cannot hold. Fill them "
                        "first (data.missing: mean|median, or an impute step before this "
                        "one), or use output: one_hot."
                    )
                frame[column] = bucket.astype(np.int64)
            else:
                bucket[missing] = -1  # code −1: missing, no indicator on
                names = [f"bucket_{k}" for k in range(len(boundaries) + 1)]
                frame[column] = categorical(bucket, names, frame.index)
        return frame
