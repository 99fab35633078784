"""Table-level statistics behind `mlcc inspect`: duplicated rows and Pearson correlations.

Per table: duplicated rows, Pearson correlation (`DataFrame.corr`) of every numeric feature
with the label and between features, and the correlation ratio η; `issues` then names what is
notable, and the inspect workflow adds the targets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlcc_cli.data.column_stats import EXAMPLES, REDUNDANT_R, ColumnSummary, summarise_columns
from mlcc_cli.data.correlation_ratio import correlation_ratios
from mlcc_cli.data.frame_report import (
    Correlation,
    DuplicateRow,
    Duplicates,
    FrameReport,
    RedundantPair,
)
from mlcc_cli.data.issues import find_issues

MAX_PAIR_COLUMNS = 500  # above this many numeric features, skip the feature×feature matrix


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
    frame = _hashable(frame).rename(columns=str)  # Parquet may name columns by number
    chosen = set(inputs) if inputs is not None else None
    roles = {}
    for name in map(str, frame.columns):
        is_input = chosen is not None and name in chosen
        roles[name] = "label" if name == label else ("input" if is_input else role)
    columns = summarise_columns(frame, roles)
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
    correlations = []
    if with_label:
        etas = correlation_ratios(table[numeric], table[label])
        for column, eta in zip(numeric, etas, strict=True):
            correlations.append(Correlation(column, _finite(r_with_label[column]), eta))
    correlations.sort(key=lambda c: -abs(c.r) if c.r is not None else 1.0)
    pairs = []
    if pairs_of:
        values = matrix.loc[pairs_of, pairs_of].to_numpy()  # (n_features, n_features)
        for i, j in zip(*np.nonzero(np.triu(np.abs(values) > REDUNDANT_R, k=1)), strict=True):
            pairs.append(RedundantPair(pairs_of[i], pairs_of[j], float(values[i, j])))
    pairs.sort(key=lambda pair: -abs(pair.r))
    return correlations, pairs, notes


def _finite(value: float) -> float | None:
    """A float, or None for NaN (e.g. the correlation of a constant column)."""
    value = float(value)
    return value if math.isfinite(value) else None
