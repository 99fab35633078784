"""Numbers and table cells as JSON-able Python values (JSON has no NaN, inf or numpy types)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def json_number(value: float) -> float | None:
    """A float for JSON: NaN and ±inf become null."""
    return float(value) if math.isfinite(value) else None


def json_numbers(values: np.ndarray) -> list[float | None]:
    """An array of floats for JSON, NaN and ±inf as null."""
    return [json_number(v) for v in values.tolist()]


def plain(value: Any) -> Any:
    """A data-frame cell as a JSON-able value.

    numpy scalars are unwrapped; NaN, NaT and ±inf become None; timestamps ISO 8601 text;
    anything else JSON cannot hold (timedeltas, intervals, ...) its text.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)
