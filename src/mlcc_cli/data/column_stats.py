"""The statistics behind `mlcc inspect`, all computed by pandas: one table at a time.

Per column: type, count, missing, distinct values and `Series.describe()` numbers, tail
quantiles, skew, outlier counts and value counts; per table: duplicated rows, Pearson
correlation (`DataFrame.corr`) of every numeric feature with the label and between features.
`inspection_findings` turns them into findings; `inspection` adds the targets and the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlcc_cli.data.issues import (
    OUTLIER_SIGMAS,
    RARE_COUNT,
    REDUNDANT_R,
    TUKEY_K,
    Finding,
    ValueCount,
    find_issues,
)
from mlcc_cli.features.indicators import is_categorical, n_indicators

TAIL_QUANTILES = (0.01, 0.99)  # the body of a distribution, for clip bounds and body skew
TOP_VALUES = 10  # most frequent values kept per text/categorical column
EXAMPLES = 5  # duplicated rows shown as examples
ETA_BUCKETS = 10  # quantile buckets for the correlation ratio η (is the relation non-linear?)
ETA_MIN_DISTINCT = 20  # fewer distinct values: the feature is already coarse, η says little
ETA_MIN_ROWS = 100  # with fewer rows per bucket η is mostly noise
MAX_PAIR_COLUMNS = 500  # above this many numeric features, skip the feature×feature matrix


# ------------------------------------------------------------------------ results


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


@dataclass
class DuplicateRow:
    """A row that repeats an earlier one; both are row ids (0-based positions in the source)."""

    row: int
    same_as: int


@dataclass
class Duplicates:
    """Rows equal in every column to an earlier row: how many, and the first few."""

    count: int
    examples: list[DuplicateRow] = field(default_factory=list)


@dataclass
class Correlation:
    """Pearson r of a feature with the label, and the correlation ratio η over quantile buckets.

    η² = Σ_k n_k (ȳ_k − ȳ)² / Σ_i (y_i − ȳ)², the share of the label's variance explained by
    the feature's K = ETA_BUCKETS quantile buckets, corrected for chance as adjusted R² is:
    1 − (1 − η²)(n − 1)/(n − K), floored at 0 (with K means, η² > 0 even for pure noise).
    η well above |r| means a relation that is not a straight line (bucketizing can model it).
    """

    column: str
    r: float | None
    eta: float | None = None


@dataclass
class RedundantPair:
    """Two features whose Pearson |r| exceeds the redundancy threshold."""

    first: str
    second: str
    r: float


@dataclass
class FrameReport:
    """The statistics of one table: the loaded data, or the training split after the features."""

    title: str
    rows: int
    label: str | None
    columns: list[ColumnSummary]
    duplicates: Duplicates
    correlations: list[Correlation]
    redundant_pairs: list[RedundantPair]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> ColumnSummary:
        """The summary of column `name` (KeyError if absent)."""
        for summary in self.columns:
            if summary.name == name:
                return summary
        raise KeyError(name)


# --------------------------------------------------------------------- statistics


def summarise_frame(
    frame: pd.DataFrame,
    label: str | None,
    title: str,
    role: str = "feature",
    inputs: Sequence[str] | None = None,
) -> FrameReport:
    """Column statistics, duplicates, correlations and findings of one table.

    Columns in `inputs` get role "input", the label "label", the rest `role`. Correlations
    cover the numeric and bool inputs (every such feature when `inputs` is None).
    """
    frame = _hashable(frame)
    chosen = set(inputs) if inputs is not None else None
    columns = []
    for name in frame.columns:
        name = str(name)
        is_input = chosen is not None and name in chosen
        kind_of_role = "label" if name == label else ("input" if is_input else role)
        columns.append(summarise_column(frame[name], name, kind_of_role))
    numeric = [
        c.name
        for c in columns
        if c.kind in ("numeric", "bool")
        and c.role != "label"
        and (chosen is None or c.role == "input")
    ]
    correlations, pairs, notes = _correlations(frame, numeric, label, columns)
    report = FrameReport(
        title=title,
        rows=len(frame),
        label=label,
        columns=columns,
        duplicates=find_duplicates(frame),
        correlations=correlations,
        redundant_pairs=pairs,
        notes=notes,
    )
    report.findings = find_issues(report)
    return report


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with list or array cells (from Parquet) as their text, so they can be counted."""
    unhashable = []
    for name in frame.columns:
        if pd.api.types.is_object_dtype(frame[name].dtype):
            try:
                frame[name].nunique()
            except TypeError:
                unhashable.append(name)
    if not unhashable:
        return frame
    frame = frame.copy()  # the caller's frame is left untouched
    for name in unhashable:
        column = frame[name]
        frame[name] = column.where(column.isna(), column.astype(str))
    return frame


def column_kind(series: pd.Series) -> str:
    """numeric, bool, datetime, categorical or text; text in ISO 8601 form counts as datetime."""
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


def find_duplicates(frame: pd.DataFrame) -> Duplicates:
    """Rows equal in every column (missing equals missing) to an earlier row, as pandas sees it."""
    repeated = frame.duplicated(keep="first")
    count = int(repeated.sum())
    if not count:
        return Duplicates(0)
    group = frame.groupby(list(frame.columns), dropna=False, sort=False, observed=True).ngroup()
    first_row = pd.Series(frame.index[~repeated], index=group[~repeated].to_numpy())
    shown = group[repeated].head(EXAMPLES)
    examples = [DuplicateRow(int(row), int(first_row[g])) for row, g in shown.items()]
    return Duplicates(count, examples)


def _correlations(
    frame: pd.DataFrame, numeric: list[str], label: str | None, columns: list[ColumnSummary]
) -> tuple[list[Correlation], list[RedundantPair], list[str]]:
    """Pearson r (one `DataFrame.corr` matrix): with the label, |r| first; redundant pairs.

    Returns (correlations with the label, pairs of features above REDUNDANT_R, notes).
    """
    notes = []
    label_kind = next((c.kind for c in columns if c.name == label), None)
    with_label = label_kind in ("numeric", "bool")
    if label is None:
        notes.append("no label: pass --label COLUMN to see correlations with it")
    elif not with_label:
        notes.append(f"label '{label}' is {label_kind}; Pearson correlation needs a numeric label")
    if len(numeric) > MAX_PAIR_COLUMNS:
        notes.append(f"{len(numeric):,} numeric features: feature-pair correlations skipped")
        pairs_of: list[str] = []
    else:
        pairs_of = numeric
    table = frame[[*numeric, label] if with_label else numeric].astype("float64")
    if with_label and not pairs_of:
        r_with_label = table[numeric].corrwith(table[label])  # the matrix's label column only
        matrix = pd.DataFrame()
    else:
        matrix = table.corr()  # (n_columns, n_columns)
        r_with_label = matrix[label].drop(label) if with_label else pd.Series(dtype="float64")
    correlations = [
        Correlation(column, _finite(r_with_label[column]), _eta(table[column], table[label]))
        for column in (numeric if with_label else [])
    ]
    correlations.sort(key=lambda c: -abs(c.r) if c.r is not None else 1.0)
    pairs = []
    if pairs_of:
        values = matrix.loc[pairs_of, pairs_of].to_numpy()  # (n_features, n_features)
        for i, j in zip(*np.nonzero(np.triu(np.abs(values) > REDUNDANT_R, k=1)), strict=True):
            pairs.append(RedundantPair(pairs_of[i], pairs_of[j], float(values[i, j])))
    pairs.sort(key=lambda pair: -abs(pair.r))
    return correlations, pairs, notes


def _eta(x: pd.Series, y: pd.Series) -> float | None:
    """η of the label over ETA_BUCKETS quantile buckets of x (None when x is too coarse)."""
    both = x.notna() & y.notna()
    x, y = x[both], y[both]
    if len(x) < ETA_MIN_ROWS or x.nunique() < ETA_MIN_DISTINCT or y.var() == 0:
        return None
    buckets = pd.qcut(x, ETA_BUCKETS, duplicates="drop")
    bucket_mean = y.groupby(buckets, observed=True).transform("mean")
    # var()/var(): the ddof corrections cancel, leaving Σ n_k (ȳ_k − ȳ)² / Σ (y − ȳ)².
    eta_squared = bucket_mean.var() / y.var()
    n, k = len(y), buckets.nunique()
    adjusted = 1 - (1 - eta_squared) * (n - 1) / (n - k)
    return _finite(math.sqrt(max(adjusted, 0.0)))


def _finite(value: float) -> float | None:
    """A float, or None for NaN (e.g. the correlation of a constant column)."""
    value = float(value)
    return value if math.isfinite(value) else None
