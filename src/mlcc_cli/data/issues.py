"""What `mlcc inspect` notices in the statistics: duplicates, gaps, odd columns, outliers.

Each finding is a fact with its evidence, found by a plain comparison against a named
threshold below; what to do about it is `inspection_rules`' job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlcc_cli.data.column_stats import ColumnSummary, FrameReport

TUKEY_K = 1.5  # Tukey fences: outliers lie outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]
OUTLIER_SIGMAS = 3.0  # or |x − mean| > 3·std (sample std, ddof = 1, as pandas' describe)
RARE_COUNT = 5  # a category seen fewer times than this is rare (the crash course's rule of thumb)
CONSTANT_MAX_DISTINCT = 1  # one value (or none): the column carries no information
FEW_DISTINCT_MAX = 3  # 2–3 values: an indicator or codes, not a measured amount
MOSTLY_ZERO_SHARE = 0.9  # more than 90 % zeros: a sparse feature, or 0 standing for "unknown"
IDENTIFIER_SHARE = 0.5  # text with more distinct values than half its rows: ids or free text
IDENTIFIER_MIN_ROWS = 20  # too few rows to tell an identifier from a small vocabulary
REDUNDANT_R = 0.9  # two features with Pearson |r| above this carry the same information


@dataclass
class ValueCount:
    """A value (as text) and how many rows hold it."""

    value: str
    count: int


@dataclass
class Finding:
    """Something notable about the data, with its evidence; `column` is None for whole rows."""

    kind: str  # duplicates | missing | constant | few_values | mostly_zero | rare_values |
    # empty_categories | identifier | outliers | redundant
    column: str | None
    detail: str


def number_text(value: float | str | None) -> str:
    """A statistic for a sentence: 4 significant digits, thousands separated."""
    if value is None or isinstance(value, str):
        return str(value)
    if math.isnan(value):
        return "—"
    if abs(value) < 1e-12:  # rounding noise, e.g. the mean of a z-scored column
        return "0"
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.4g}"


def is_identifier(column: ColumnSummary) -> bool:
    """Text with so many distinct values that it names rows (ids) rather than categories."""
    return (
        column.kind == "text"
        and column.count >= IDENTIFIER_MIN_ROWS
        and column.unique > IDENTIFIER_SHARE * column.count
    )


def find_issues(report: FrameReport) -> list[Finding]:
    """Duplicates, gaps, constant / few-valued / mostly-zero columns, rare values, outliers."""
    rows, findings = report.rows, []
    duplicates = report.duplicates
    if duplicates.count:
        shown = ", ".join(f"row {d.row} = row {d.same_as}" for d in duplicates.examples)
        more = ", …" if duplicates.count > len(duplicates.examples) else ""
        detail = f"{duplicates.count:,} of {rows:,} rows repeat earlier rows ({shown}{more})"
        findings.append(Finding("duplicates", None, detail))
    for c in report.columns:
        if c.missing:
            detail = f"{c.missing:,} of {rows:,} values missing ({c.missing / rows:.1%})"
            findings.append(Finding("missing", c.name, detail))
        if c.unique <= CONSTANT_MAX_DISTINCT:
            value = c.top_values[0].value if c.top_values else number_text(c.min)
            detail = "no values at all" if c.count == 0 else f"one value only ({value})"
            findings.append(Finding("constant", c.name, detail))
        elif c.unique <= FEW_DISTINCT_MAX and c.kind == "numeric" and c.role != "label":
            low, high = number_text(c.min), number_text(c.max)
            detail = f"only {c.unique} distinct values, from {low} to {high}"
            findings.append(Finding("few_values", c.name, detail))
        if c.zero_share is not None and c.zero_share > MOSTLY_ZERO_SHARE and c.unique > 1:
            detail = f"{c.zero_share:.1%} of values are 0 (a sparse feature, or 0 for unknown?)"
            findings.append(Finding("mostly_zero", c.name, detail))
        if is_identifier(c):
            detail = f"{c.unique:,} distinct values in {c.count:,} rows: an id or free text"
            findings.append(Finding("identifier", c.name, detail))
        elif c.rare_values and c.kind in ("text", "categorical"):
            examples = ", ".join(f"{v.value!r} ×{v.count}" for v in c.rare_examples)
            more = ", …" if c.rare_values > len(c.rare_examples) else ""
            detail = (
                f"{c.rare_values:,} of {c.unique:,} values seen fewer than {RARE_COUNT} times "
                f"({c.rare_rows:,} rows): {examples}{more}"
            )
            findings.append(Finding("rare_values", c.name, detail))
        if c.empty_categories:
            examples = ", ".join(map(repr, c.empty_examples))
            more = ", …" if c.empty_categories > len(c.empty_examples) else ""
            detail = (
                f"{c.empty_categories:,} of {c.indicators:,} indicators never on in these rows: "
                f"{examples}{more}"
            )
            findings.append(Finding("empty_categories", c.name, detail))
        if c.outliers_iqr or c.outliers_std:
            detail = (
                f"{c.outliers_iqr:,} beyond the {TUKEY_K:g}·IQR fences, "
                f"{c.outliers_std:,} beyond {OUTLIER_SIGMAS:g}σ (min {number_text(c.min)}, median "
                f"{number_text(c.median)}, max {number_text(c.max)})"
            )
            findings.append(Finding("outliers", c.name, detail))
    for pair in report.redundant_pairs:
        detail = f"r = {pair.r:+.3f} with {pair.second}: nearly the same information"
        findings.append(Finding("redundant", pair.first, detail))
    return findings
