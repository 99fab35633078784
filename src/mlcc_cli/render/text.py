"""How numbers read in the terminal: the one formatting every table and sentence shares."""

from __future__ import annotations

import math


def metric_text(value: float | int | None) -> str:
    """A metric in a table or sentence: 4 significant digits; big values and counts in full."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def format_cell(value: float | int | None, signed: bool = False) -> str:
    """A number in a table cell: 4 significant digits, thousands separators for counts."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return "—" if math.isnan(value) else str(value)
    return f"{value:+.4g}" if signed else f"{value:.4g}"
