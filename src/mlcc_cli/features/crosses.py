"""Feature crosses: letting a linear model learn conjunctions of categories.

A linear model adds up one weight per input, so on its own it cannot say "expensive only
where latitude AND longitude are both in San Francisco's buckets". A feature cross makes
that conjunction an input of its own: crossing bucketized latitude with bucketized
longitude gives one indicator per (latitude bucket, longitude bucket) cell, each with its
own weight, and the model can then price every cell of the map separately. Crossing numeric
columns multiplies them (x3 = x1·x2); `polynomial` adds every such product up to a degree.

A cross has as many indicators as the product of its inputs' category counts, which grows
fast; `hash_buckets` hashes the combinations into a fixed number of buckets instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.columns import (
    is_numeric,
    new_column_warnings,
    require_columns,
    require_distinct,
    require_not_label,
    require_numeric,
    values_of,
)
from mlcc_cli.features.indicators import categorical, is_categorical, n_indicators

# A full-product cross with more indicators than this must be hashed (`hash_buckets`).
MAX_CROSS_CATEGORIES = 10_000_000
# The combined code of a hashed cross is an int64: the product of category counts must fit.
MAX_COMBINED_CODE = 2**63


class Cross(Transform):
    """Feature cross: the AND of categorical columns, or the product of numeric columns.

    All inputs categorical (category columns from bucketize, one_hot, hash, time_bucket or an
    earlier cross, with K₁ … Kₙ categories and codes c₁ … cₙ): a new category column whose
    category is the combination, code = ((c₁·K₂ + c₂)·K₃ + c₃)… (row-major, the first column
    varying slowest), categories named `A_x_B` from the inputs' (e.g. `bucket_3_x_bucket_5`),
    so indicator (a, b) is 1 exactly when indicator a of the first input and b of the second
    are. With `hash_buckets`, the bucket is instead hash(code) mod hash_buckets, categories
    0 … hash_buckets − 1, where hash is `pandas.util.hash_array` of the code as uint64 (a
    fixed, unsalted bit mix: the same in every process). The code depends on the inputs'
    category order, so buckets are tied to the fitted steps before the cross, as the
    weights are. A missing input makes the cross missing (no indicator set).

    All inputs numeric: a new float column x₁·x₂·…·xₙ (missing if any factor is).

    The new column is `name` (default `A_x_B`); the inputs stay.

    Attributes
    ----------
    kind_ : "categorical" | "numeric"
        Which cross the training split's columns called for.
    sizes_ : list[int]
        Category count of each categorical input (empty for numeric).
    """

    tag = "cross"
    params = ("columns", "hash_buckets", "name", "key", "label")
    fitted = ("feature_names_in_", "kind_", "sizes_", "warnings_")
    numeric_inputs = False  # reads category columns; numeric crosses check their own inputs

    def __init__(
        self,
        columns: Sequence[str],
        hash_buckets: int | None = None,
        name: str | None = None,
        *,
        key: str = "cross",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.hash_buckets = hash_buckets
        self.name = name
        self.key = key
        self.label = label

    @property
    def output_name(self) -> str:
        """The new column: `name`, or the inputs joined by `_x_`."""
        return self.name if self.name is not None else "_x_".join(self.columns)

    def fit(self, frame: pd.DataFrame) -> Self:
        """Decide the kind of cross from the columns' types and check its size."""
        columns = list(self.columns)
        if len(columns) < 2:
            raise DataError(f"{self.where}: a cross needs at least 2 columns, got {columns}.")
        require_distinct(columns, self.where)
        require_not_label(columns, self.label, self.where)
        require_columns(frame, columns, self.where)
        kind = self._kind(frame, columns)
        sizes = [n_indicators(frame[column]) for column in columns] if kind == "categorical" else []
        warnings = new_column_warnings(frame, [self.output_name], self.label, self.where)
        if kind == "numeric" and self.hash_buckets is not None:
            raise DataError(
                f"{self.where}: hash_buckets applies to crosses of categorical columns, but "
                f"{', '.join(map(repr, columns))} are numeric (their cross is their product). "
                "Remove hash_buckets, or bucketize the columns first."
            )
        if kind == "categorical":
            warnings += self._check_size(sizes)
        self.kind_: Literal["categorical", "numeric"] = kind
        self.sizes_ = sizes
        self.feature_names_in_ = columns
        self.warnings_ = warnings
        return self

    def _kind(self, frame: pd.DataFrame, columns: list[str]) -> Literal["categorical", "numeric"]:
        categorical_ = [c for c in columns if is_categorical(frame[c])]
        numeric = [c for c in columns if c not in categorical_ and is_numeric(frame[c])]
        other = [c for c in columns if c not in categorical_ and c not in numeric]
        if other:
            column = other[0]
            raise DataError(
                f"{self.where}: column {column!r} holds {frame[column].dtype} values, which a "
                "cross cannot combine; turn it into categories first with a one_hot or hash "
                "step (or bucketize it, if it holds numbers) placed before this cross."
            )
        if categorical_ and numeric:
            raise DataError(
                f"{self.where}: mixes categorical column(s) {', '.join(map(repr, categorical_))} "
                f"with numeric column(s) {', '.join(map(repr, numeric))}; a cross is the AND of "
                "categories or the product of numbers. Bucketize the numeric columns before "
                "this step (or one_hot them, if they hold codes)."
            )
        return "categorical" if categorical_ else "numeric"

    def _check_size(self, sizes: list[int]) -> list[str]:
        combinations = math.prod(sizes)  # Python int: exact however large
        shown = " × ".join(map(str, sizes))
        if self.hash_buckets is None and combinations > MAX_CROSS_CATEGORIES:
            raise DataError(
                f"{self.where}: the cross has {shown} = {combinations:,} categories (over "
                f"{MAX_CROSS_CATEGORIES:,}); set hash_buckets (e.g. 100000) to hash the "
                "combinations into fewer indicators, or use fewer buckets per input."
            )
        if combinations > MAX_COMBINED_CODE:
            raise DataError(
                f"{self.where}: the cross has {shown} = {combinations:.3g} combinations, too "
                "many to number in 64 bits before hashing; cross the columns in two steps, "
                "each with hash_buckets, or give the inputs fewer buckets."
            )
        if self.hash_buckets is not None and self.hash_buckets >= combinations:
            return [
                f"{self.where}: hash_buckets = {self.hash_buckets:,} is not below the "
                f"{combinations:,} combinations, so hashing only adds collisions; remove "
                "hash_buckets to keep every combination apart."
            ]
        return []

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.kind_ == "numeric":
            require_numeric(frame, self.feature_names_in_, self.where)
            product = np.ones(len(frame))  # (n_rows,)
            for column in self.feature_names_in_:
                product *= values_of(frame, column)  # NaN propagates: missing stays missing
            frame[self.output_name] = product
            return frame
        inputs = [frame[column] for column in self.feature_names_in_]
        self._check_inputs(inputs)
        code = np.zeros(len(frame), dtype=np.int64)  # mixed-radix combination, (n_rows,)
        missing = np.zeros(len(frame), dtype=bool)
        for series, size in zip(inputs, self.sizes_, strict=True):
            codes = series.cat.codes.to_numpy(dtype=np.int64)
            missing |= codes < 0
            # Cannot overflow: fit checked that the product of sizes fits in int64.
            code = code * size + codes
        if self.hash_buckets is None:
            categories = _cross_labels(inputs, self.where)
        else:
            hashes = pd.util.hash_array(code.astype(np.uint64))
            code = (hashes % np.uint64(self.hash_buckets)).astype(np.int64)
            categories = pd.RangeIndex(self.hash_buckets)
        code[missing] = -1
        frame[self.output_name] = categorical(code, categories, frame.index)
        return frame

    def _check_inputs(self, inputs: list[pd.Series]) -> None:
        for series, size in zip(inputs, self.sizes_, strict=True):
            if not is_categorical(series):
                raise DataError(
                    f"{self.where}: column {series.name!r} holds {series.dtype} values, but it "
                    "was categorical when the cross was fitted; the steps before this one must "
                    "produce the same columns for every split."
                )
            if n_indicators(series) != size:
                raise DataError(
                    f"{self.where}: column {series.name!r} has {n_indicators(series)} "
                    f"categories, but had {size} when the cross was fitted; the steps before "
                    "this one must produce the same categories for every split."
                )


def _cross_labels(inputs: list[pd.Series], where: str) -> pd.Index:
    """Every combination's label `a_x_b_x_…`, in the row-major order of the combined code."""
    labels = np.array([""], dtype=object)
    for i, series in enumerate(inputs):
        names = np.array([str(category) for category in series.cat.categories], dtype=object)
        joiner = "_x_" if i else ""
        labels = (labels[:, None] + joiner + names[None, :]).ravel()  # (∏ sizes so far,)
    index = pd.Index(labels, dtype=object)
    if not index.is_unique:  # e.g. "a_x" × "b" and "a" × "x_b" both give "a_x_x_b"
        duplicate = index[index.duplicated()][0]
        raise DataError(
            f"{where}: two combinations of {', '.join(repr(s.name) for s in inputs)} are both "
            f"named {duplicate!r}; set hash_buckets, or rename the inputs' categories."
        )
    return index
