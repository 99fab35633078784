"""Refusing numbers no model can learn from: infinities and values whose squares overflow.

pandas reads `inf`, `-inf` and `Infinity` as float infinities, and a value like `1e308` is a
valid float whose square (in a variance, a z-score, a squared loss) is infinite. Either one
turns statistics and losses into inf or NaN long after loading, so the file is refused here,
naming the file, the column and the first row that holds such a value.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from mlcc_cli.data.csv_records import RowPlaces
from mlcc_cli.errors import DataError

# Largest magnitude accepted: its square is 1e300, so sums of squares over even 1e7 rows stay
# below float64's maximum (about 1.8e308); sqrt(max) ≈ 1.3e154 would leave no headroom.
LARGEST_VALUE = 1e150
CHUNK_VALUES = 1 << 22  # values per chunk of float columns (32 MiB as float64)


def float_tables(
    frame: pd.DataFrame, columns: list[str] | None = None
) -> Iterator[tuple[list[str], np.ndarray]]:
    """The float columns of `columns` (default: all), in frame order, as (names, values)
    chunks: values (n_rows, len(names)) float64 with missing values as NaN.

    A chunk of columns at a time, not one: a column look-up costs ~0.1 ms (0.5 s at 5,000
    columns); chunks of at most CHUNK_VALUES values bound the copy on a tall table.
    """
    wanted = None if columns is None else set(columns)
    names = [
        str(column)
        for column, dtype in frame.dtypes.items()
        if pd.api.types.is_float_dtype(dtype) and (wanted is None or column in wanted)
    ]
    step = max(1, CHUNK_VALUES // max(1, len(frame)))
    for start in range(0, len(names), step):
        chunk = names[start : start + step]
        yield chunk, frame[chunk].to_numpy(dtype=np.float64, na_value=np.nan)


def check_finite_columns(frame: pd.DataFrame, places: RowPlaces, row_offset: int = 0) -> None:
    """DataError for the first float column holding ±inf or a value beyond ±LARGEST_VALUE.

    Only float columns are scanned (integers and booleans cannot hold such values), one
    vectorised comparison each: |x| > LARGEST_VALUE is true for ±inf and false for NaN, so
    missing values are left to data.missing. `places` names a row's file line (CSV) or
    position (Parquet); `row_offset` is the row_id of the frame's first row (a streamed chunk).
    """
    for names, values in float_tables(frame):
        with np.errstate(invalid="ignore"):
            bad = np.abs(values) > LARGEST_VALUE  # (n_rows, len(names))
        if not bad.any():
            continue
        j = int(np.flatnonzero(bad.any(axis=0))[0])  # the first such column
        offenders = np.flatnonzero(bad[:, j])
        position = int(offenders[0])
        raise DataError(
            _message(places(position + row_offset), names[j], values[position, j], len(offenders))
        )


def _message(where: str, column: str, value: float, count: int) -> str:
    """One paragraph: where the value sits, why it cannot be used, and the fix."""
    more = f" (and {count - 1} more)" if count > 1 else ""
    if np.isinf(value):
        what = f"holds {'-' if value < 0 else ''}infinity"
        why = "no statistic or loss can be computed from it"
    else:
        what = f"holds {value:g}"
        why = f"values beyond ±{LARGEST_VALUE:g} overflow when squared (z-score, loss)"
    return (
        f"{where}: column '{column}' {what}{more}; {why}. Replace it with a finite value, or "
        "leave the cell empty to mark it missing (then data.missing decides: drop, mean or "
        "median)."
    )


def scaled_label(values: np.ndarray, label_scale: float, label_name: str) -> np.ndarray:
    """A regression label times data.label_scale; DataError naming the key when that takes a
    value beyond ±LARGEST_VALUE (the file's own values were checked on reading)."""
    with np.errstate(over="ignore"):  # an overflow is refused below, in words
        scaled = values * label_scale
    beyond = np.abs(scaled) > LARGEST_VALUE  # false for NaN, left to data.missing
    if beyond.any():
        raise DataError(
            f"data.label_scale: {label_scale:g} times label '{label_name}' gives "
            f"{scaled[beyond][0]:g}, beyond ±{LARGEST_VALUE:g}, whose square (in the loss) "
            "overflows; use a smaller data.label_scale (it multiplies the label: 0.001 reads "
            "dollars as thousands)"
        )
    return scaled
