"""Axis ticks for the plotext charts, labelled so that 1e-6 reads "1e-6", not "0.00000".

plotext labels its ticks with a fixed number of decimals, which turns a learning-rate axis
from 1e-6 to 10 into "0.00000 … 10.00000" and a loss of 2e10 into "20000000000.0". Here the
ticks are chosen (decades on a log axis, evenly spaced on a linear one, as plotext spaces
them) and each is written with the fewest significant digits that tell it from its
neighbours, in exponent form outside [0.001, 100000).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

POSITIONAL = (-3, 5)  # decimal exponents written in full; outside them "1e-6", "2.5e10"
LINEAR_TICKS = 5


def tick_label(value: float, digits: int = 3) -> str:
    """`value` with `digits` significant digits and no trailing zeros: 0.25, 1e-6, 3.2e10."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    rounded = float(f"{value:.{digits - 1}e}")  # rounding may reach the next decade
    exponent = math.floor(math.log10(abs(rounded)))
    if POSITIONAL[0] <= exponent < POSITIONAL[1]:
        text = f"{rounded:.{max(digits - 1 - exponent, 0)}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa = f"{rounded / 10**exponent:.{digits - 1}f}".rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def tick_labels(values: Sequence[float]) -> list[str]:
    """Labels for ticks: the fewest significant digits (1 to 6) that keep them all distinct."""
    for digits in range(1, 7):
        labels = [tick_label(v, digits) for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def axis_ticks(values: Sequence[float], log: bool = False) -> tuple[list[float], list[str]]:
    """Tick positions and labels spanning the finite `values`: every decade on a log axis
    (every other one, and so on, past 8 of them), else LINEAR_TICKS even steps."""
    finite = [v for v in values if v is not None and math.isfinite(v) and (v > 0 or not log)]
    if not finite:
        return [], []
    low, high = min(finite), max(finite)
    if log:
        decades = range(math.ceil(math.log10(low)), math.floor(math.log10(high)) + 1)
        if len(decades) >= 2:
            ticks = [10.0**d for d in decades[:: math.ceil(len(decades) / 8)]]
            return ticks, tick_labels(ticks)
        low, high = math.log10(low), math.log10(high)
    steps = [low + (high - low) * i / (LINEAR_TICKS - 1) for i in range(LINEAR_TICKS)]
    ticks = [10**t for t in steps] if log else steps
    ticks = list(dict.fromkeys(ticks))  # one tick when every value is the same
    return ticks, tick_labels(ticks)


def label_axes(plotext: Any, xs: Sequence[float], ys: Sequence[float], xlog: bool = False) -> None:
    """Set both axes' ticks on the current plotext figure (`axis_ticks`)."""
    x_ticks, x_labels = axis_ticks(xs, log=xlog)
    y_ticks, y_labels = axis_ticks(ys)
    if x_ticks:
        plotext.xticks(x_ticks, x_labels)
    if y_ticks:
        plotext.yticks(y_ticks, y_labels)


def label_periods(plotext: Any, periods: Sequence[int], ys: Sequence[float]) -> None:
    """Whole periods on x (at most about ten of them, not fractions), `axis_ticks` on y."""
    last = max(periods, default=1)
    shown = list(range(1, last + 1, max(1, last // 10)))
    plotext.xticks(shown, [str(p) for p in shown])
    y_ticks, y_labels = axis_ticks(ys)
    if y_ticks:
        plotext.yticks(y_ticks, y_labels)
