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
BATCH_BYTES = 64 * 2**20  # float64 values summarised per pandas call (a few copies at once)


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
    return summarise_columns(series.to_frame(name), {name: role})[0]


def summarise_columns(frame: pd.DataFrame, roles: dict[str, str]) -> list[ColumnSummary]:
    """`summarise_column` of each column named in `roles` (name -> role), in that order.

    The numeric and bool columns are summarised together, each statistic one pandas call over
    all of them: per column, pandas' fixed cost (~5 ms a column) outweighs the arithmetic of
    the crash course's small tables many times.
    """
    # float64 columns are counted from their sorted batch below: pandas' nunique hashes one
    # column at a time (~1 ms each on a 5,000-column table).
    dtypes = frame.dtypes
    hashed = [name for name in roles if dtypes[name] != np.float64]
    counts, uniques = frame[hashed].count(), frame[hashed].nunique(dropna=True)
    summaries = [
        ColumnSummary(
            name=name,
            kind=column_kind(frame[name]),
            role=role,
            count=int(counts.get(name, 0)),
            missing=len(frame) - int(counts.get(name, 0)),
            unique=int(uniques.get(name, 0)),
        )
        for name, role in roles.items()
    ]
    # Columns at a time that fit BATCH_BYTES as float64: all of a small table, one of a big one.
    per_batch = max(1, BATCH_BYTES // max(1, 8 * len(frame)))
    for kind in ("numeric", "bool"):
        chosen = [summary for summary in summaries if summary.kind == kind]
        for start in range(0, len(chosen), per_batch):
            batch = chosen[start : start + per_batch]
            numbers = frame[[summary.name for summary in batch]].astype("float64")
            # One 2-D block: a frame read from a wide CSV holds a block per column, and pandas
            # reduces those one at a time (~0.1 ms each, per statistic).
            numbers = pd.DataFrame(numbers.to_numpy(), index=frame.index, columns=numbers.columns)
            count, unique = distinct_counts(numbers.to_numpy())
            for summary, present, distinct in zip(batch, count, unique, strict=True):
                if dtypes[summary.name] == np.float64:
                    summary.count, summary.unique = int(present), int(distinct)
                    summary.missing = len(frame) - summary.count
            _numeric_statistics(batch, numbers, outliers=kind == "numeric")
    for summary in summaries:
        series = frame[summary.name]
        if summary.kind == "datetime":
            times = pd.to_datetime(series, format="ISO8601", errors="coerce")
            if summary.count:
                # Dates without a time of day read best as plain dates.
                dated = bool((times.dropna() == times.dropna().dt.normalize()).all())
                shown = "%Y-%m-%d" if dated else "%Y-%m-%d %H:%M:%S"
                summary.min = times.min().strftime(shown)
                summary.max = times.max().strftime(shown)
        if summary.kind in ("text", "categorical", "bool"):
            _value_counts(summary, series)
        if summary.kind == "categorical":
            summary.indicators = n_indicators(series)
    return summaries


def distinct_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column of `values` (rows, columns): the values present and the distinct ones among
    them, as Series.count() and Series.nunique() count them (NaN is missing, 0.0 == -0.0)."""
    present = (~np.isnan(values)).sum(axis=0)
    ordered = np.sort(values, axis=0)  # NaN last
    changes = ordered[1:] != ordered[:-1]
    # A change at row i counts when rows i − 1 and i both hold values (i < present).
    both = np.arange(1, len(values))[:, None] < present
    return present, (changes & both).sum(axis=0) + (present > 0)


def _numeric_statistics(summaries: list[ColumnSummary], x: pd.DataFrame, outliers: bool) -> None:
    """describe() numbers, tail quantiles, skew, share of zeros and outlier counts of each
    column of `x` (float64, one per summary), each a DataFrame reduction over every column."""
    mean, std, low, high = x.mean(), x.std(), x.min(), x.max()  # std: ddof 1, as describe()
    q25, median, q75 = (x.quantile(q) for q in (0.25, 0.5, 0.75))
    described = _per_column(mean, std, low, high, q25, median, q75)
    for summary, values in zip(summaries, described, strict=True):
        summary.mean, summary.std, summary.min, summary.max = map(float, values[:4])
        summary.q25, summary.median, summary.q75 = map(float, values[4:])
    measured = [summary.count > 0 for summary in summaries]
    if not outliers or not any(measured):
        return
    summaries = [summary for summary, ok in zip(summaries, measured, strict=True) if ok]
    x = x.loc[:, measured]
    mean, std, q25, q75 = mean[x.columns], std[x.columns], q25[x.columns], q75[x.columns]
    tails = x.quantile(list(TAIL_QUANTILES))
    p01, p99 = tails.iloc[0], tails.iloc[1]
    skew = x.skew()
    # numpy's clip: DataFrame.clip with per-column bounds goes column by column (~2 ms each)
    body = np.clip(x.to_numpy(), p01.to_numpy(), p99.to_numpy())
    body_skew = pd.DataFrame(body, columns=x.columns).skew()
    zeros = x.eq(0).sum()
    iqr = q75 - q25
    outside_iqr = (x.lt(q25 - TUKEY_K * iqr, axis=1) | x.gt(q75 + TUKEY_K * iqr, axis=1)).sum()
    outside_std = x.sub(mean, axis=1).abs().gt(OUTLIER_SIGMAS * std, axis=1).sum()
    measured_values = _per_column(p01, p99, skew, body_skew, zeros, outside_iqr, outside_std)
    for summary, values in zip(summaries, measured_values, strict=True):
        summary.p01, summary.p99, summary.skew, summary.body_skew = map(float, values[:4])
        summary.zero_share = float(values[4] / summary.count)
        summary.outliers_iqr = int(values[5])
        # NaN (one value) and 0 (constant) have no 3σ outliers
        summary.outliers_std = int(values[6]) if summary.std > 0 else 0


def _per_column(*statistics: pd.Series) -> list[tuple]:
    """Each column's values of `statistics` (Series over the same columns), as Python numbers.

    By position: a Series lookup by name per column and statistic took longer than the
    statistics themselves on a 5,000-column table.
    """
    return list(zip(*(statistic.tolist() for statistic in statistics), strict=True))


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
    for summary in summarise_columns(frame, dict.fromkeys(inputs, "input")):
        column = summary.name
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
