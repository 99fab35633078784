"""Refusing numbers no model can learn from: infinities and values whose squares overflow.

pandas reads `inf`, `-inf` and `Infinity` as float infinities, and a value like `1e308` is a
valid float whose square (in a variance, a z-score, a squared loss) is infinite. Either one
turns statistics and losses into inf or NaN long after loading, so the file is refused here,
naming the file, the column and the first row that holds such a value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.data.csv_records import RowPlaces
from mlcc_cli.errors import DataError

# Largest magnitude accepted: its square is 1e300, so sums of squares over even 1e7 rows stay
# below float64's maximum (about 1.8e308); sqrt(max) ≈ 1.3e154 would leave no headroom.
LARGEST_VALUE = 1e150


def check_finite_columns(frame: pd.DataFrame, places: RowPlaces, row_offset: int = 0) -> None:
    """DataError for the first float column holding ±inf or a value beyond ±LARGEST_VALUE.

    Only float columns are scanned (integers and booleans cannot hold such values), one
    vectorised comparison each: |x| > LARGEST_VALUE is true for ±inf and false for NaN, so
    missing values are left to data.missing. `places` names a row's file line (CSV) or
    position (Parquet); `row_offset` is the row_id of the frame's first row (a streamed chunk).
    """
    for column in frame.columns:
        series = frame[column]
        if not pd.api.types.is_float_dtype(series.dtype):
            continue
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.abs(values) > LARGEST_VALUE
        if not bad.any():
            continue
        offenders = np.flatnonzero(bad)
        position = int(offenders[0])
        raise DataError(
            _message(places(position + row_offset), str(column), values[position], len(offenders))
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
