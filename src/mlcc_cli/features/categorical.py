"""Categorical data: one-hot encoding with a learned vocabulary, and feature hashing.

A linear model multiplies every input by a weight, so a category such as
`ocean_proximity = "NEAR BAY"` cannot go in as a number: encoding the categories 0, 1, 2, …
would claim that "INLAND" lies between "<1H OCEAN" and "NEAR BAY". One-hot encoding gives each
vocabulary value its own 0/1 indicator instead, and so its own weight. The vocabulary comes
from the training split; values too rare to learn a weight for (`min_frequency`), beyond
`max_categories`, or first seen at prediction time share one out-of-vocabulary indicator,
`COLUMN_<other>`.

When a column has too many values for a vocabulary (user ids, street names, words), feature
hashing bounds the number of indicators instead: each value goes to bucket
hash(value) mod `buckets`, with no vocabulary to learn or store. Different values can share a
bucket (a collision); the model then learns one weight for both, which costs a little
accuracy and saves a vocabulary of any size.

Both steps replace the column by a pandas category column (see `indicators`); the design
matrix expands it into the indicator columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import StatisticsTransform, Transform
from mlcc_cli.features.columns import require_columns, require_not_label
from mlcc_cli.features.indicators import categorical

OTHER = "<other>"  # the out-of-vocabulary category, always last
# Beyond this many vocabulary values a one-hot column is better hashed (the warning says so).
LARGE_VOCABULARY = 10_000
# Floats are written as integers ("3", not "3.0") only while every integer is exact in float64.
EXACT_INTEGERS = 2**53


def canonical_text(value: object) -> str:
    """The text form by which one_hot and hash compare values: 3, 3.0 and "3" all give "3".

    Text stays as it is; booleans give "True" / "False"; integers and integral floats below
    2**53 give the integer's digits, so a column read as int in training and as float in new
    rows (pandas turns ints into floats when a value is missing) keeps its categories; other
    floats give Python's shortest round-trip repr ("2.5", "1e-05", "inf").
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):  # before int: bool is an int subclass
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if number.is_integer() and abs(number) < EXACT_INTEGERS:
            return str(int(number))
        return repr(number)
    return str(value)


def label_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's value as a code into a list of distinct text labels (missing: code −1).

    Returns (codes of shape (n_rows,), labels); values with the same `canonical_text` may
    appear as separate labels with equal text. Only the distinct values pass through Python.
    """
    codes, uniques = pd.factorize(series)  # missing values (None, NaN, NA, NaT) → −1
    return codes.astype(np.int64), [canonical_text(value) for value in uniques]


def _lookup(mapped: Sequence[int] | np.ndarray) -> np.ndarray:
    """Per-label codes with −1 appended, so indexing with code −1 (missing) gives −1."""
    return np.append(np.asarray(mapped, dtype=np.int64), -1)


def _vocabulary_order(label: str) -> tuple[int, float, str]:
    """Sort key: labels that read as numbers first, numerically; then the rest as text."""
    try:
        number = float(label)
    except ValueError:
        return (1, 0.0, label)
    return (1, 0.0, label) if math.isnan(number) else (0, number, label)


class ValueCounts:
    """How many training rows hold each value of a column, merged chunk by chunk (exact).

    Values are counted by their `canonical_text`; missing values are skipped.

    Attributes
    ----------
    count : int
        Non-missing values seen.
    counts : dict[str, int]
        Rows per value.
    """

    def __init__(self) -> None:
        self.count = 0
        self.counts: dict[str, int] = {}

    def add(self, values: pd.Series) -> None:
        """Count one chunk of a column (a Series: text and numbers alike)."""
        codes, labels = label_codes(values)
        present = codes[codes >= 0]
        per_label = np.bincount(present, minlength=len(labels))  # (n_labels,)
        for label, n in zip(labels, per_label.tolist(), strict=True):
            self.counts[label] = self.counts.get(label, 0) + n
        self.count += present.size

    def __repr__(self) -> str:
        return f"ValueCounts(count={self.count}, values={len(self.counts)})"


class OneHot(StatisticsTransform):
    """One-hot encoding: each column becomes a category column over its training vocabulary.

    Vocabulary of a column: the training values seen at least `min_frequency` times; with
    `max_categories`, only that many of them, the most frequent (equal counts: the earlier
    value in vocabulary order wins; scikit-learn keeps the later one). It is ordered by value:
    numbers numerically, then text lexicographically. Values are compared by
    `canonical_text`, so 3, 3.0 and "3" are one category.

    The column is replaced in place by a category column whose categories are the vocabulary
    and a last `<other>`: rare, excluded and unseen values go there, so new values at
    prediction time never fail. A missing value sets no indicator (a row of zeros). The
    design matrix names the indicators `COLUMN_VALUE`, e.g. `ocean_proximity_NEAR BAY` and
    `ocean_proximity_<other>`. Same indicators as scikit-learn's
    OneHotEncoder(min_frequency=m, max_categories=k + 1, handle_unknown="infrequent_if_exist"),
    whose `max_categories` counts the infrequent column, up to column order.

    Attributes
    ----------
    vocabulary_ : dict[str, list[str]]
        The vocabulary per column, in category order (`<other>` not included).
    n_values_ : dict[str, int]
        Distinct values per column in the training split.
    """

    tag = "one_hot"
    params = ("columns", "min_frequency", "max_categories", "key", "label")
    fitted = ("feature_names_in_", "vocabulary_", "n_values_", "warnings_")
    numeric_inputs = False

    def __init__(
        self,
        columns: Sequence[str],
        min_frequency: int = 1,
        max_categories: int | None = None,
        *,
        key: str = "one_hot",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.key = key
        self.label = label

    def _new_statistic(
        self, rng: np.random.Generator | None, sample_size: int | None
    ) -> ValueCounts:
        return ValueCounts()  # exact counts: no sample needed

    def _columns_to_learn(self, frame: pd.DataFrame) -> list[str]:
        require_not_label(self.columns, self.label, self.where)
        require_columns(frame, self.columns, self.where)
        return list(self.columns)

    def _values(self, frame: pd.DataFrame, column: str) -> pd.Series:
        # one_hot counts text, booleans and numbers alike: the chunk's column as it is.
        return frame[column]

    def _learn(self, statistics: dict[str, ValueCounts]) -> None:
        """Choose each column's vocabulary from its value counts."""
        vocabulary: dict[str, list[str]] = {}
        n_values: dict[str, int] = {}
        warnings: list[str] = []
        for column, value_counts in statistics.items():
            counts = value_counts.counts
            kept = [value for value, n in counts.items() if n >= self.min_frequency]
            if self.max_categories is not None:
                by_frequency = sorted(kept, key=lambda v: (-counts[v], _vocabulary_order(v)))
                kept = by_frequency[: self.max_categories]
            kept.sort(key=_vocabulary_order)
            if OTHER in kept:
                raise DataError(
                    f"{self.where}: column {column!r} holds the value {OTHER!r}, which is the "
                    "name of the out-of-vocabulary category; rename that value in the data."
                )
            vocabulary[column], n_values[column] = kept, len(counts)
            warnings += self._warnings(column, kept, counts)
        self.vocabulary_, self.n_values_ = vocabulary, n_values
        self.warnings_ = warnings

    def _warnings(self, column: str, kept: list[str], counts: dict[str, int]) -> list[str]:
        if len(counts) == 1:
            (value,) = counts
            return [
                f"{self.where}: column {column!r} has a single value ({value!r}) in the "
                "training split, so its indicator is constant and carries no signal; "
                "consider leaving the column out."
            ]
        if not kept:
            return [
                f"{self.where}: no value of column {column!r} occurs min_frequency = "
                f"{self.min_frequency} times in the training split, so every row goes to "
                f"{OTHER!r}; lower min_frequency."
            ]
        if len(kept) > LARGE_VOCABULARY:
            return [
                f"{self.where}: column {column!r} has {len(kept):,} categories, one indicator "
                "(and one weight) each; consider a `hash` step with a fixed number of buckets, "
                "or raise min_frequency."
            ]
        return []

    def notes(self) -> list[str]:
        """How many distinct training values each column sends to `<other>`, if any."""
        notes = []
        for column, kept in self.vocabulary_.items():
            dropped = self.n_values_[column] - len(kept)
            if dropped:
                notes.append(
                    f"{self.where}: column {column!r}: {len(kept)} of {self.n_values_[column]} "
                    f"training values kept; {dropped} go to {OTHER!r}."
                )
        return notes

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            vocabulary = self.vocabulary_[column]
            position = {value: i for i, value in enumerate(vocabulary)}
            codes, labels = label_codes(frame[column])
            other = len(vocabulary)
            lookup = _lookup([position.get(label, other) for label in labels])
            frame[column] = categorical(lookup[codes], [*vocabulary, OTHER], frame.index)
        return frame


def hash_buckets(labels: Sequence[str], buckets: int) -> np.ndarray:
    """The bucket of each text label: SipHash-2-4(UTF-8 text) mod `buckets`.

    `pandas.util.hash_array` with its fixed key "0123456789123456": the same bucket in every
    process, on every machine and Python version (unlike Python's salted `hash()`).
    Returns an int64 array of shape (len(labels),).
    """
    hashes = pd.util.hash_array(np.array(labels, dtype=object), categorize=False)  # uint64
    return (hashes % np.uint64(buckets)).astype(np.int64)


class Hash(Transform):
    """Feature hashing: each value goes to bucket SipHash-2-4(text) mod `buckets`.

    A value is hashed by its `canonical_text`, so 3, 3.0 and "3" share a bucket (and an int
    column that arrives as float because of a missing value keeps its buckets). Nothing is
    learned: unseen values get a bucket like any other, and the buckets are the same in every
    process (see `hash_buckets`). The column is replaced in place by a category column with
    categories 0 … buckets − 1, indicators `COLUMN_0` … ; a missing value sets none.
    """

    tag = "hash"
    params = ("columns", "buckets", "key", "label")
    numeric_inputs = False

    def __init__(
        self, columns: Sequence[str], buckets: int, *, key: str = "hash", label: str | None = None
    ) -> None:
        self.columns = columns
        self.buckets = buckets
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the columns exist and are not the label; hashing learns nothing."""
        require_not_label(self.columns, self.label, self.where)
        require_columns(frame, self.columns, self.where)
        self.feature_names_in_ = list(self.columns)
        self.warnings_ = []
        return self

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        categories = pd.RangeIndex(self.buckets)  # integers: no million label strings
        for column in self.feature_names_in_:
            codes, labels = label_codes(frame[column])
            lookup = _lookup(hash_buckets(labels, self.buckets))
            frame[column] = categorical(lookup[codes], categories, frame.index)
        return frame
