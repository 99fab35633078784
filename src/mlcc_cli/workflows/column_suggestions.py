"""Suggestions for one column at a time: log, clip, encode, bucketize, and a common scale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mlcc_cli.data.column_stats import (
    RARE_COUNT,
)
from mlcc_cli.data.issues import is_identifier, number_text

if TYPE_CHECKING:
    from mlcc_cli.data.column_stats import ColumnSummary
    from mlcc_cli.data.frame_report import Correlation
from mlcc_cli.workflows.suggestion import (
    BUCKETS,
    EXTREME_TAIL_GAP,
    LIST_LIMIT,
    LONG_TAIL_SKEW,
    ONE_HOT_MAX_VALUES,
    SCALE_RATIO,
    Suggestion,
    bound,
    listing,
    suggestion,
)


def long_tail(c: ColumnSummary) -> bool:
    """A non-negative column whose bulk (within p01–p99) is skewed beyond LONG_TAIL_SKEW."""
    return c.body_skew is not None and c.body_skew > LONG_TAIL_SKEW and float(c.min or 0) >= 0


def log_steps(columns: list[ColumnSummary]) -> list[Suggestion]:
    """One log step for every long-tailed column."""
    if not columns:
        return []
    names = [c.name for c in columns]
    if len(columns) == 1:
        c = columns[0]
        evidence = f"{c.name}: long tail (skew {c.skew:.1f}; {c.body_skew:.1f} within p01–p99)"
    else:
        evidence = "long tails: " + listing([f"{c.name} (skew {c.skew:.1f})" for c in columns])
    # log1p rather than log: it accepts zeros, which new rows may hold.
    step = {"type": "log", "columns": names, "log1p": True}
    return [suggestion(evidence, "log scaling compresses a long tail", "log", names, step)]


def clip_steps(c: ColumnSummary) -> list[Suggestion]:
    """clip at p01 / p99 when a few values lie far beyond them (EXTREME_TAIL_GAP)."""
    if c.p01 is None or c.p99 is None or c.median is None:
        return []
    low, high = float(c.min or 0), float(c.max or 0)
    step: dict[str, Any] = {"type": "clip", "columns": [c.name]}
    parts = []
    if c.p01 < c.median and (c.p01 - low) > EXTREME_TAIL_GAP * (c.median - c.p01):
        step["min"] = bound(c.p01)
        parts.append(f"min {number_text(low)} vs 1st percentile {number_text(c.p01)}")
    if c.p99 > c.median and (high - c.p99) > EXTREME_TAIL_GAP * (c.p99 - c.median):
        step["max"] = bound(c.p99)
        parts.append(f"max {number_text(high)} vs 99th percentile {number_text(c.p99)}")
    if not parts:
        return []
    evidence = f"{c.name}: {' and '.join(parts)} (median {number_text(c.median)})"
    return [suggestion(evidence, "clip the extreme outliers", "clip", [c.name], step)]


def encode_steps(c: ColumnSummary) -> list[Suggestion]:
    """one_hot for text categories, time_bucket for dates; nothing for ids or free text."""
    if c.kind == "datetime":
        span_days = (days(c.max) - days(c.min)) if c.min and c.max else 0.0
        unit = "month" if span_days >= 365 else "day_of_week" if span_days >= 14 else "hour"
        evidence = f"{c.name}: dates from {c.min} to {c.max}"
        advice = "a model cannot use raw dates; bucket them"
        step = {"type": "time_bucket", "column": c.name, "unit": unit}
        return [suggestion(evidence, advice, "time_bucket", [c.name], step)]
    if is_identifier(c):
        return []
    step: dict[str, Any] = {"type": "one_hot", "columns": [c.name]}
    evidence = f"{c.name}: text with {c.unique:,} values"
    advice = "a model needs numbers; one-hot gives each value its own indicator"
    if c.unique > ONE_HOT_MAX_VALUES:
        step["max_categories"] = ONE_HOT_MAX_VALUES
        advice += f"; keep the {ONE_HOT_MAX_VALUES} most frequent (or hash them)"
    elif c.rare_values:
        step["min_frequency"] = RARE_COUNT
        evidence += f" ({c.rare_values} seen fewer than {RARE_COUNT} times)"
        advice += "; rare ones share one out-of-vocabulary indicator"
    return [suggestion(evidence, advice, "one_hot", [c.name], step)]


def days(iso: float | str) -> float:
    return pd.Timestamp(str(iso)).value / 86_400e9


def bucketize_steps(nonlinear: list[Correlation], label: str | None) -> list[Suggestion]:
    """One bucketize step for features whose buckets explain the label far better than a line."""
    if not nonlinear:
        return []
    names = [r.column for r in nonlinear]
    if len(nonlinear) == 1:
        r = nonlinear[0]
        evidence = (
            f"{r.column}: correlation with {label} small (r = {r.r:+.2f}), but its {BUCKETS} "
            f"quantile buckets explain it (η = {r.eta:.2f})"
        )
    else:
        evidence = "small r but large η over quantile buckets: " + listing(
            [f"{r.column} (r {r.r:+.2f}, η {r.eta:.2f})" for r in nonlinear]
        )
    advice = "the relation is not a straight line; bucketize to learn one weight per range"
    step = {"type": "bucketize", "columns": names, "bins": BUCKETS, "strategy": "quantile"}
    return [suggestion(evidence, advice, "bucketize", names, step)]


def scale_steps(varied: list[ColumnSummary]) -> list[Suggestion]:
    """z-score when feature spreads differ by more than SCALE_RATIO (standardised ones kept)."""
    spread = [c for c in varied if c.std is not None and c.std > 0]
    if len(spread) < 2:
        return []
    widest = max(spread, key=lambda c: c.std or 0.0)
    narrowest = min(spread, key=lambda c: c.std or 0.0)
    ratio = (widest.std or 0.0) / (narrowest.std or 1.0)
    if ratio <= SCALE_RATIO:
        return []
    # Columns already near mean 0, std 1 (an earlier zscore) need nothing more.
    unscaled = [
        c.name for c in spread if not (abs(c.mean or 0.0) < 0.1 and 0.9 < (c.std or 0) < 1.1)
    ]
    step: dict[str, Any] = {"type": "zscore"}
    if len(unscaled) <= LIST_LIMIT:
        step["columns"] = unscaled
    evidence = (
        f"feature spreads differ {ratio:,.0f}×: {widest.name} std {number_text(widest.std)} vs "
        f"{narrowest.name} std {number_text(narrowest.std)}"
    )
    advice = "gradient descent converges faster when features share one scale"
    return [suggestion(evidence, advice, "zscore", unscaled, step)]
