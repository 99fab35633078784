"""Per-column statistics behind `mlcc inspect` and the doctor, all computed by pandas.

Per column: type, count, missing, distinct values and `Series.describe()` numbers, tail
quantiles, skew, outlier counts and value counts. The thresholds every reader of these
statistics shares (outlier fences, rare counts, redundancy) are named here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlcc_cli.features.indicators import is_categorical, n_indicators
from mlcc_cli.features.token_bags import is_token_bag

TUKEY_K = 1.5  # Tukey fences: outliers lie outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]
OUTLIER_SIGMAS = 3.0  # or |x − mean| > 3·std (sample std, ddof = 1, as pandas' describe)
RARE_COUNT = 5  # a category seen fewer times than this is rare (the crash course's rule of thumb)
CONSTANT_MAX_DISTINCT = 1  # one value (or none): the column carries no information
FEW_DISTINCT_MAX = 3  # 2–3 values: an indicator or codes, not a measured amount
MOSTLY_ZERO_SHARE = 0.9  # more than 90 % zeros: a sparse feature, or 0 standing for "unknown"
IDENTIFIER_SHARE = 0.5  # text with more distinct values than half its rows: ids or free text
IDENTIFIER_MIN_ROWS = 20  # too few rows to tell an identifier from a small vocabulary
REDUNDANT_R = 0.9  # two features with Pearson |r| above this carry the same information
TAIL_QUANTILES = (0.01, 0.99)  # the body of a distribution, for clip bounds and body skew
TOP_VALUES = 10  # most frequent values kept per text/categorical column
INPUT_SAMPLE_ROWS = 100_000  # rows the doctor's input statistics use: enough for quantiles
EXAMPLES = 5  # duplicated rows shown as examples


@dataclass
class ValueCount:
    """A value (as text) and how many rows hold it."""

    value: str
    count: int


@dataclass
class ColumnSummary:
    """One column's statistics; numbers that do not apply to its type are None.

    `kind` is numeric, bool, text, datetime or categorical (a pandas category column, as
    bucketize, one_hot, hash and cross steps make). `role` is label, feature (data file),
    input or unused (what the model sees after the feature steps). mean … max come from
    `Series.describe()` (bool as 0/1; datetime min/max as ISO text); p01/p99 from
    `Series.quantile`; `skew` is pandas' sample skewness and `body_skew` the same within
    [p01, p99], so a few extreme values cannot dominate it.
    """

    name: str
    kind: str
    role: str
    count: int
    missing: int
    unique: int
    mean: float | None = None
    std: float | None = None
    min: float | str | None = None
    q25: float | None = None
    median: float | None = None
    q75: float | None = None
    max: float | str | None = None
    p01: float | None = None
    p99: float | None = None
    skew: float | None = None
    body_skew: float | None = None
    zero_share: float | None = None
    outliers_iqr: int | None = None
    outliers_std: int | None = None
    top_values: list[ValueCount] = field(default_factory=list)
    rare_values: int = 0  # distinct values seen fewer than RARE_COUNT times
    rare_rows: int = 0  # rows holding one of them
    rare_examples: list[ValueCount] = field(default_factory=list)
    indicators: int | None = None  # category columns: indicator columns in the design matrix
    empty_categories: int = 0  # category columns: categories no row holds
    empty_examples: list[str] = field(default_factory=list)


def column_kind(series: pd.Series) -> str:
    """numeric, bool, datetime, categorical, tokens (a text step's output) or text; text in
    ISO 8601 form counts as datetime."""
    if is_token_bag(series):
        return "tokens"
    if pd.api.types.is_bool_dtype(series.dtype):
        return "bool"
    if is_categorical(series):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "numeric"
    present = series.dropna()
    if len(present) and pd.api.types.is_string_dtype(present):
        parsed = pd.to_datetime(present.astype(str), format="ISO8601", errors="coerce")
        if parsed.notna().all():
            return "datetime"
    return "text"


def summarise_column(series: pd.Series, name: str, role: str) -> ColumnSummary:
    """Type, count, missing, distinct values and the statistics that suit the type."""
    kind = column_kind(series)
    count = int(series.count())
    summary = ColumnSummary(
        name=name,
        kind=kind,
        role=role,
        count=count,
        missing=len(series) - count,
        unique=int(series.nunique(dropna=True)),
    )
    if kind in ("numeric", "bool"):
        _numeric_statistics(summary, series.astype("float64"), outliers=kind == "numeric")
    elif kind == "datetime":
        times = pd.to_datetime(series, format="ISO8601", errors="coerce")
        if count:
            # Dates without a time of day read best as plain dates.
            dated = bool((times.dropna() == times.dropna().dt.normalize()).all())
            shown = "%Y-%m-%d" if dated else "%Y-%m-%d %H:%M:%S"
            summary.min, summary.max = times.min().strftime(shown), times.max().strftime(shown)
    if kind in ("text", "categorical", "bool"):
        _value_counts(summary, series)
    if kind == "categorical":
        summary.indicators = n_indicators(series)
    return summary


def _numeric_statistics(summary: ColumnSummary, x: pd.Series, outliers: bool) -> None:
    """describe() numbers, tail quantiles, skew, share of zeros and outlier counts."""
    described = x.describe()  # count, mean, std, min, 25%, 50%, 75%, max
    summary.mean, summary.std = float(described["mean"]), float(described["std"])
    summary.min, summary.max = float(described["min"]), float(described["max"])
    summary.q25, summary.median = float(described["25%"]), float(described["50%"])
    summary.q75 = float(described["75%"])
    if not outliers or summary.count == 0:
        return
    summary.p01, summary.p99 = (float(q) for q in x.quantile(list(TAIL_QUANTILES)))
    summary.skew = float(x.skew())
    summary.body_skew = float(x.clip(summary.p01, summary.p99).skew())
    summary.zero_share = float((x == 0).sum() / summary.count)
    iqr = summary.q75 - summary.q25
    low, high = summary.q25 - TUKEY_K * iqr, summary.q75 + TUKEY_K * iqr
    summary.outliers_iqr = int(((x < low) | (x > high)).sum())
    if summary.std > 0:  # NaN (one value) and 0 (constant) have no 3σ outliers
        summary.outliers_std = int(((x - summary.mean).abs() > OUTLIER_SIGMAS * summary.std).sum())
    else:
        summary.outliers_std = 0


def _value_counts(summary: ColumnSummary, series: pd.Series) -> None:
    """Most frequent values, and the rare ones (fewer than RARE_COUNT rows) with examples."""
    counts = series.value_counts(dropna=True)  # most frequent first; categories include zeros
    summary.top_values = [ValueCount(str(v), int(n)) for v, n in counts.head(TOP_VALUES).items()]
    # A category no row holds (a hash bucket nothing fell into) is an indicator that is never
    # on: worth its own finding rather than counting as rare.
    empty = counts[counts == 0]
    summary.empty_categories = len(empty)
    summary.empty_examples = [str(v) for v in empty.index[:EXAMPLES]]
    rare = counts[(counts > 0) & (counts < RARE_COUNT)].sort_values(kind="stable")
    summary.rare_values, summary.rare_rows = len(rare), int(rare.sum())
    summary.rare_examples = [ValueCount(str(v), int(n)) for v, n in rare.head(EXAMPLES).items()]


def input_statistics(frame: pd.DataFrame, inputs: list[str], seed: int) -> dict[str, dict]:
    """Per numeric input column of the training split (after the feature steps): what the
    doctor's rules read from `mlcc inspect`'s own column summary
    (`summarise_column`: pandas describe, quantile and sample skewness) —
    range, 1st/50th/99th percentiles, standard deviation, skewness and the number of distinct
    values (2: an indicator).

    Measured on at most INPUT_SAMPLE_ROWS rows drawn with `seed`, so it costs little on big data.
    """
    if len(frame) > INPUT_SAMPLE_ROWS:
        rows = np.random.default_rng(seed).choice(len(frame), INPUT_SAMPLE_ROWS, replace=False)
        frame = frame.iloc[np.sort(rows)]
    statistics: dict[str, dict] = {}
    for column in inputs:
        summary = summarise_column(frame[column], column, role="input")
        if summary.kind != "numeric" or summary.count == 0:
            continue
        skew = summary.skew if summary.skew is not None and math.isfinite(summary.skew) else 0.0
        statistics[column] = {
            "min": summary.min,
            "max": summary.max,
            "p01": summary.p01,
            "p50": summary.median,
            "p99": summary.p99,
            "std": summary.std if summary.std is not None and math.isfinite(summary.std) else 0.0,
            "skew": skew,  # a constant column has none: no tail
            "distinct": summary.unique,
        }
    return statistics
