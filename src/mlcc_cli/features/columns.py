"""The column checks every transform shares: presence, numeric type, the label, new names.

Each check raises DataError naming the step (`where`, e.g. `features.2 (zscore)`) and what to
do about it; the helpers that pick and read columns (`resolve_columns`, `values_of`) live here
too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError, did_you_mean

ENCODE_TEXT = "encode text with a one_hot or hash step first"


def _listing(columns: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(map(str, columns[:limit]))
    return shown + (f", … ({len(columns) - limit} more)" if len(columns) > limit else "")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise DataError naming `where` if a column is absent, listing those available."""
    available = [str(column) for column in frame.columns]
    for column in columns:
        if column not in frame.columns:
            raise DataError(
                f"{where}: column {column!r} not found.{did_you_mean(column, available)} "
                f"Available columns: {_listing(available)}."
            )


def numeric_dtype(dtype: Any) -> bool:
    """True for int, float and bool dtypes (bool counts as 0/1); False for text, dates."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)


def is_numeric(series: pd.Series) -> bool:
    """True for int, float and bool columns (bool counts as 0/1); False for text, dates."""
    return numeric_dtype(series.dtype)


def require_numeric(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise DataError naming `where` and the column if it does not hold numbers."""
    # The dtypes at once: a column look-up each costs ~0.1 ms, 0.5 s at 5,000 columns.
    dtypes = frame.dtypes
    for column in columns:
        if not numeric_dtype(dtypes[column]):
            raise DataError(
                f"{where}: column {column!r} holds {dtypes[column]} values, not numbers; "
                f"this step needs numbers ({ENCODE_TEXT}). Leave the column out of this "
                "step, and out of `inputs`."
            )


def require_not_label(columns: Iterable[str], label: str | None, where: str) -> None:
    """Raise DataError if a feature step reads the label: that leaks the answer."""
    if label is not None and label in columns:
        raise DataError(
            f"{where}: uses the label {label!r} as a feature column, which leaks the answer "
            "into the inputs (and the label is absent when predicting). Remove it from this "
            "step; rescale the label with data.label_scale instead."
        )


def numeric_columns(frame: pd.DataFrame, label: str | None) -> list[str]:
    """Every numeric (int, float, bool) column except the label, in frame order."""
    return [
        str(column)
        for column, dtype in frame.dtypes.items()
        if column != label and numeric_dtype(dtype)
    ]


def values_of(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as a float64 array, missing values (None, pd.NA) as NaN."""
    return frame[column].to_numpy(dtype=np.float64, na_value=np.nan)


def values_table(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """(n_rows, len(columns)) float64 values of `columns`, missing values as NaN."""
    return frame[columns].to_numpy(dtype=np.float64, na_value=np.nan)


def with_values(frame: pd.DataFrame, columns: list[str], values: np.ndarray) -> pd.DataFrame:
    """`frame` with `columns` replaced by the (n_rows, len(columns)) array `values`, each in
    its place. One concat, not a setitem per column: pandas gives each set column a block of
    its own (1 s at 5,000 columns, and every later column look-up slower for it)."""
    new = pd.DataFrame(values, index=frame.index, columns=columns)
    return pd.concat([frame.drop(columns=columns), new], axis=1)[list(frame.columns)]


def observed(values: np.ndarray, column: str, where: str) -> np.ndarray:
    """The non-NaN values of a training column; DataError if there are none to learn from."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        raise DataError(
            f"{where}: column {column!r} has no values in the training split (all missing), "
            "so nothing can be learned from it. Leave it out of this step or fill it first."
        )
    return present


def resolve_columns(
    frame: pd.DataFrame, columns: Sequence[str] | None, label: str | None, where: str
) -> list[str]:
    """The columns a step works on: those given (checked), or every numeric non-label column."""
    if columns is None:
        chosen = numeric_columns(frame, label)
        if not chosen:
            raise DataError(
                f"{where}: found no numeric columns to work on; name them with `columns:`."
            )
        return chosen
    require_not_label(columns, label, where)
    require_columns(frame, columns, where)
    require_numeric(frame, columns, where)
    return list(columns)


def new_column_warnings(
    frame: pd.DataFrame, names: Sequence[str], label: str | None, where: str
) -> list[str]:
    """Refuse to overwrite the label; warn when an existing column is replaced."""
    if label is not None and label in names:
        raise DataError(
            f"{where}: a new column is named {label!r}, which is the label; pick another name."
        )
    return [
        f"{where}: replaces the existing column {name!r} with the new feature."
        for name in names
        if name in frame.columns
    ]


def require_distinct(columns: Sequence[str], where: str) -> None:
    """Raise DataError naming `where` if a column is listed more than once."""
    repeated = sorted({column for column in columns if list(columns).count(column) > 1})
    if repeated:
        raise DataError(f"{where}: lists {', '.join(map(repr, repeated))} twice; list each once.")
