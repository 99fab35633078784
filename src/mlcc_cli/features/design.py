"""The design matrix: the columns the model sees (`inputs`), as one matrix X.

Numeric columns are used as they are. Categorical columns (bucketized, one-hot, hashed,
crossed) expand into their 0/1 indicators; as soon as one input is categorical, X is a
scipy CSR matrix holding only the non-zero values, so a million hash buckets never become
a million dense columns.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError, did_you_mean
from mlcc_cli.features.columns import is_numeric, numeric_dtype, require_columns
from mlcc_cli.features.indicators import (
    expanded_block,
    expanded_names,
    expanded_width,
    expands,
)

if TYPE_CHECKING:
    from scipy.sparse import csr_array

# A string: scipy.sparse is imported only by runs with a categorical input (see design_matrix).
DesignMatrix: TypeAlias = "np.ndarray | csr_array"


def is_model_input(series: pd.Series) -> bool:
    """True for a column a model can read as it is: numbers (bool as 0/1) or categories."""
    return is_numeric(series) or expands(series)


def select_inputs(
    frame: pd.DataFrame, inputs: list[str] | None, label: str
) -> tuple[list[str], list[str]]:
    """The columns the model sees, and warnings about columns left out.

    `inputs` None means every numeric (int, float, bool) and categorical column except the
    label; text and date columns are left out with a warning. Given `inputs` are checked:
    present, numeric or categorical, not the label, not repeated.
    """
    if inputs is None:
        chosen = [str(c) for c in frame.columns if c != label and is_model_input(frame[c])]
        text = [str(c) for c in frame.columns if c != label and not is_model_input(frame[c])]
        warnings = []
        if text:
            warnings.append(
                f"inputs: left out column(s) {', '.join(map(repr, text))} that hold text or "
                "dates; encode them with a one_hot, hash or time_bucket step, or list the "
                "columns you want in `inputs` to silence this."
            )
        # pandas' name for an empty header cell, most often a DataFrame index saved by
        # to_csv without index=False: row numbers, which say nothing about the label
        unnamed = [c for c in chosen if re.fullmatch(r"Unnamed: \d+", c)]
        if unnamed:
            warnings.append(
                f"inputs: column(s) {', '.join(map(repr, unnamed))} have an empty name in the "
                "file's header (pandas calls them 'Unnamed: N') and are used as inputs; if one "
                "is a saved row index (to_csv without index=False), list the columns you want "
                "in `inputs`, else give it a name in the header."
            )
        if not chosen:
            raise DataError(
                f"inputs: no numeric columns besides the label {label!r} to train on; add a "
                "numeric column or a feature step (e.g. ratio, one_hot) that makes one."
            )
        return chosen, warnings
    available = [str(c) for c in frame.columns if c != label]
    seen: set[str] = set()
    for column in inputs:
        if column == label:
            raise DataError(
                f"inputs: lists the label {label!r}, which would leak the answer into the "
                "model's inputs; remove it from `inputs`."
            )
        if column in seen:
            raise DataError(f"inputs: {column!r} is listed twice; list each column once.")
        seen.add(column)
        if column not in frame.columns:
            raise DataError(
                f"inputs: column {column!r} not found.{did_you_mean(column, available)} "
                f"Available columns: {', '.join(available)}."
            )
        if not is_model_input(frame[column]):
            raise DataError(
                f"inputs: column {column!r} holds {frame[column].dtype} values, not numbers; "
                "encode it with a one_hot or hash step (time_bucket for dates) first."
            )
    if not inputs:
        raise DataError("inputs: is empty; list at least one column or leave `inputs` out.")
    return list(inputs), []


def _dense(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Numeric columns as C-contiguous float64 (n_rows, len(columns)); all values finite."""
    X = np.ascontiguousarray(  # (n_rows, n_numeric)
        frame[columns].to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )
    missing = np.isnan(X).sum(axis=0)
    infinite = np.isinf(X).sum(axis=0)
    if missing.any() or infinite.any():
        problems = []
        for column, n_missing, n_infinite in zip(columns, missing, infinite, strict=True):
            if n_missing:
                problems.append(f"{column!r} {n_missing} missing")
            if n_infinite:
                problems.append(f"{column!r} {n_infinite} infinite")
        raise DataError(
            f"the model inputs have missing or infinite values ({', '.join(problems)} of "
            f"{len(frame)} rows). For missing values set data.missing to mean, median or drop "
            "(or add an impute step); for infinite ones fix the feature step that makes them "
            "(e.g. a ratio's on_zero, or a clip step)."
        )
    return X


def design_matrix(frame: pd.DataFrame, columns: list[str]) -> DesignMatrix:
    """The model's X for `columns` of the transformed frame, shape (n_rows, n_features).

    All numeric: a C-contiguous float64 ndarray. Any categorical: a float64 CSR matrix whose
    columns are, input by input, the number itself or the input's indicators.
    """
    require_columns(frame, columns, "inputs")
    # Numbers need no look-up of their column (~0.1 ms each, 0.5 s at 5,000 columns).
    dtypes = frame.dtypes
    others = [c for c in columns if not numeric_dtype(dtypes[c])]
    not_usable = [c for c in others if not is_model_input(frame[c])]
    if not_usable:
        select_inputs(frame, columns, label="")  # raises, naming the first such column
    if not any(expands(frame[c]) for c in others):
        return _dense(frame, columns)
    # deferred: scipy.sparse, imported only once a categorical or text input exists
    from scipy import sparse

    blocks = []
    for column in columns:
        series = frame[column]
        if expands(series):
            blocks.append(expanded_block(series))
        else:
            blocks.append(sparse.csr_array(_dense(frame, [column])))
    X = sparse.hstack(blocks, format="csr", dtype=np.float64)  # (n_rows, n_features)
    X.sum_duplicates()  # canonical CSR: sorted column indices, no explicit duplicates
    return sparse.csr_array(X)


def feature_names(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Names of X's columns: the input's name, or `INPUT_CATEGORY` for each indicator.

    DataError when two columns would share a name (one_hot of `c` makes `c_x`, and the file
    has a column `c_x` too): weights, the doctor and exports are all read by name.
    """
    names: list[str] = []
    made_by: dict[str, str] = {}
    for column in columns:
        series = frame[column]
        for name in expanded_names(column, series) if expands(series) else [column]:
            if name in made_by:
                raise DataError(
                    f"inputs: two model features would be named {name!r}, from inputs "
                    f"{made_by[name]!r} and {column!r} (an indicator is named INPUT_VALUE); "
                    "rename one of the columns in the file, or leave one out of `inputs`."
                )
            made_by[name] = column
            names.append(name)
    return names


def n_features(frame: pd.DataFrame, columns: list[str]) -> int:
    """Width of the design matrix without building it."""
    return sum(expanded_width(frame[c]) if expands(frame[c]) else 1 for c in columns)


def indicator_ranges(frame: pd.DataFrame, columns: list[str]) -> dict[str, tuple[int, int]]:
    """Each categorical input's indicator columns (start, stop) in the design matrix.

    Follows `design_matrix`'s layout, input by input: a number takes one column, a category
    column one per category. Numeric inputs are absent from the result.
    """
    ranges: dict[str, tuple[int, int]] = {}
    start = 0
    for column in columns:
        series = frame[column]
        width = expanded_width(series) if expands(series) else 1
        if expands(series):
            ranges[column] = (start, start + width)
        start += width
    return ranges


# Above this width model.json lists no per-weight names: 2**18 hash buckets would add
# megabytes of "COLUMN_123456" strings that say nothing the inputs do not.
FEATURE_NAMES_LIMIT = 100_000


def saved_feature_names(frame: pd.DataFrame, columns: list[str]) -> list[str] | None:
    """feature_names for model.json, or None when X is wider than FEATURE_NAMES_LIMIT."""
    if n_features(frame, columns) > FEATURE_NAMES_LIMIT:
        return None
    return feature_names(frame, columns)
