"""The transform contract: what every feature transform is and how its state is saved.

A transform is sklearn-shaped and micrograd-sized: the constructor stores hyperparameters,
`fit` learns state from the training split (attributes ending in `_`), `transform` returns a
new frame, and `get_state` / `from_state` move the fitted state through JSON so run
directories never hold pickles. The column checks every transform shares are in `columns`.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.features.columns import (
    observed,
    require_columns,
    require_numeric,
    resolve_columns,
    values_of,
)

# Values per column kept to estimate quantiles when fitting chunk by chunk (streaming): the
# estimate's rank has a standard error of √(q(1 − q)/SAMPLE_SIZE): at most 0.16 percentile points.
SAMPLE_SIZE = 100_000


class Transform(ABC):
    """Base of every feature transform: fit on the training split, then transform any split.

    Subclasses list their constructor arguments in `params` and their learned attributes in
    `fitted`; those two tuples drive `get_state`, `from_state` and `__repr__`, so a new
    transform only writes `fit` and `_transform`.

    Attributes
    ----------
    feature_names_in_ : list[str]
        Columns the transform reads; `transform` checks they are present.
    warnings_ : list[str]
        Recoverable oddities found by `fit` (e.g. a constant column), for the run report.
    """

    tag: ClassVar[str]
    params: ClassVar[tuple[str, ...]]
    fitted: ClassVar[tuple[str, ...]] = ("feature_names_in_", "warnings_")
    # False for steps that read text, categorical or datetime columns (one_hot, hash, ...):
    # `transform` then checks only that the columns exist.
    numeric_inputs: ClassVar[bool] = True
    # True for data-cleaning steps that remove rows (filter, drop_duplicates); predicting
    # skips them, since every new row needs a prediction.
    drops_rows: ClassVar[bool] = False

    key: str
    label: str | None
    feature_names_in_: list[str]
    warnings_: list[str]

    @abstractmethod
    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn state from the training split and return self."""

    @abstractmethod
    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Change `frame` (already a private copy, columns checked) and return it."""

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply the fitted transform to any split; the input frame is left untouched."""
        self._check_fitted()
        require_columns(frame, self.feature_names_in_, self.where)
        if self.numeric_inputs:
            require_numeric(frame, self.feature_names_in_, self.where)
        return self._transform(frame.copy())

    def fit_transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Fit on `frame`, then transform it."""
        return self.fit(frame).transform(frame)

    @property
    def where(self) -> str:
        """How messages name this step: `features.2 (zscore)`."""
        return self.key if self.key == self.tag else f"{self.key} ({self.tag})"

    @property
    def is_fitted(self) -> bool:
        """True once `fit` (or `from_state`) has set the learned attributes."""
        return all(hasattr(self, name) for name in self.fitted)

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(self)

    def get_state(self) -> dict[str, Any]:
        """Hyperparameters and learned state as JSON-able values (floats, lists, strings)."""
        self._check_fitted()
        state = {
            "type": self.tag,
            "params": {name: getattr(self, name) for name in self.params},
            "fitted": {name: getattr(self, name) for name in self.fitted},
        }
        return copy.deepcopy(state)  # editing the exported state must not change the transform

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Self:
        """Rebuild a fitted transform from `get_state()` output (after a JSON round trip)."""
        if state.get("type") != cls.tag:
            raise DataError(
                f"saved feature state has type {state.get('type')!r}, expected {cls.tag!r}; "
                "the run directory may be damaged."
            )
        transform = cls(**state["params"])
        for name in cls.fitted:
            setattr(transform, name, copy.deepcopy(state["fitted"][name]))
        return transform

    @property
    def learns_from_data(self) -> bool:
        """True when `fit` learns numbers from the rows (streaming then needs a pass for it)."""
        return False

    def notes(self) -> list[str]:
        """Facts about the fit worth showing after training (e.g. PCA's explained variance).

        Unlike `warnings_`, nothing here asks for action; the default has none.
        """
        return []

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.params)
        return f"{type(self).__name__}({shown})"


class Accumulator(Protocol):
    """A per-column statistic fed chunk by chunk (see `features.accumulators`)."""

    count: int

    def add(self, x: np.ndarray) -> None: ...


class StatisticsTransform(Transform):
    """A transform whose `fit` learns per-column statistics, also learnable chunk by chunk.

    Streaming training calls `partial_fit(chunk, rng)` once per chunk of training rows and then
    `finish_fit()`; `fit(frame)` is the same with the whole split as the one chunk and
    unbounded samples, so in-memory and streaming fits share one code path. Subclasses give
    `_new_statistic` (an accumulator per column) and `_learn` (accumulators -> attributes).
    """

    columns: Sequence[str] | None
    # Scaling steps without `columns` act on the numeric columns among these (the pipeline
    # passes the columns that reach the model), so no statistic is learned, and later
    # demanded at predict time, for a column the model never sees. None: every one.
    within: Sequence[str] | None = None

    @property
    def learns_from_data(self) -> bool:
        """True: the statistics come from the training rows."""
        return True

    @abstractmethod
    def _new_statistic(self, rng: np.random.Generator | None, sample_size: int | None) -> Any:
        """An empty accumulator for one column; `sample_size` bounds any sample (None: all)."""

    @abstractmethod
    def _learn(self, statistics: dict[str, Any]) -> None:
        """Set the fitted attributes (but feature_names_in_) from the per-column accumulators."""

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn each column's statistics from the training split."""
        self._partial: dict[str, Accumulator] | None = None
        self._accumulate(frame, rng=None, sample_size=None)
        return self.finish_fit()

    def partial_fit(
        self, frame: pd.DataFrame, rng: np.random.Generator, sample_size: int = SAMPLE_SIZE
    ) -> Self:
        """Add one chunk of training rows to the statistics; `finish_fit` completes the fit.

        Columns are resolved on the first chunk and checked on the later ones; quantiles are
        estimated from a uniform sample of `sample_size` values per column drawn with `rng`.
        """
        self._accumulate(frame, rng, sample_size)
        return self

    def finish_fit(self) -> Self:
        """Turn the statistics gathered by `partial_fit` into the fitted attributes."""
        statistics = getattr(self, "_partial", None)
        if statistics is None:
            raise NotFittedError(self)
        self._partial = None
        for column, statistic in statistics.items():
            if statistic.count == 0:
                observed(np.empty(0), column, self.where)  # raises: nothing to learn from
        self._learn(statistics)
        self.feature_names_in_ = list(statistics)
        return self

    def _columns_to_learn(self, frame: pd.DataFrame) -> list[str]:
        """The columns this step learns from, resolved (and checked) on the first chunk."""
        columns = resolve_columns(frame, self.columns, self.label, self.where)
        if self.columns is None and self.within is not None:
            columns = [column for column in columns if column in self.within]
        return columns

    def _values(self, frame: pd.DataFrame, column: str) -> Any:
        """One chunk of a column as the accumulator takes it: its non-missing float64 values.

        Steps that learn from text (one_hot, impute most_frequent) hand over other forms.
        """
        x = values_of(frame, column)
        return x[~np.isnan(x)]

    def _accumulate(
        self, frame: pd.DataFrame, rng: np.random.Generator | None, sample_size: int | None
    ) -> None:
        statistics = getattr(self, "_partial", None)
        if statistics is None:
            columns = self._columns_to_learn(frame)
            statistics = {column: self._new_statistic(rng, sample_size) for column in columns}
            self._partial = statistics
        else:
            require_columns(frame, statistics, self.where)
            if self.numeric_inputs:
                require_numeric(frame, statistics, self.where)
        for column, statistic in statistics.items():
            statistic.add(self._values(frame, column))
