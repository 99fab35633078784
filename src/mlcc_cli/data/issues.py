"""What `mlcc inspect` notices in the statistics: duplicates, gaps, odd columns, outliers.

Each finding is a fact with its evidence, found by a plain comparison against a threshold named
in `column_stats`; what to do about it is the inspect workflow's suggestions' job.
"""

from __future__ import annotations

import math

from mlcc_cli.data.column_stats import (
    CONSTANT_MAX_DISTINCT,
    FEW_DISTINCT_MAX,
    IDENTIFIER_MIN_ROWS,
    IDENTIFIER_SHARE,
    MOSTLY_ZERO_SHARE,
    OUTLIER_SIGMAS,
    RARE_COUNT,
    TUKEY_K,
    ColumnSummary,
)
from mlcc_cli.data.frame_report import DataFinding, FrameReport


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


def find_issues(report: FrameReport) -> list[DataFinding]:
    """Duplicates, gaps, constant / few-valued / mostly-zero columns, rare values, outliers."""
    rows, findings = report.rows, []
    duplicates = report.duplicates
    if duplicates.count:
        shown = ", ".join(f"row {d.row} = row {d.same_as}" for d in duplicates.examples)
        more = ", …" if duplicates.count > len(duplicates.examples) else ""
        verb = "repeat earlier rows" if duplicates.count != 1 else "repeats an earlier row"
        detail = f"{duplicates.count:,} of {rows:,} rows {verb} ({shown}{more})"
        findings.append(DataFinding("duplicates", None, detail))
    for c in report.columns:
        if c.missing:
            detail = f"{c.missing:,} of {rows:,} values missing ({c.missing / rows:.1%})"
            findings.append(DataFinding("missing", c.name, detail))
        if c.unique <= CONSTANT_MAX_DISTINCT:
            value = c.top_values[0].value if c.top_values else number_text(c.min)
            detail = "no values at all" if c.count == 0 else f"one value only ({value})"
            findings.append(DataFinding("constant", c.name, detail))
        elif c.unique <= FEW_DISTINCT_MAX and c.kind == "numeric" and c.role != "label":
            low, high = number_text(c.min), number_text(c.max)
            detail = f"only {c.unique} distinct values, from {low} to {high}"
            findings.append(DataFinding("few_values", c.name, detail))
        if c.zero_share is not None and c.zero_share > MOSTLY_ZERO_SHARE and c.unique > 1:
            detail = f"{c.zero_share:.1%} of values are 0 (a sparse feature, or 0 for unknown?)"
            findings.append(DataFinding("mostly_zero", c.name, detail))
        if is_identifier(c):
            detail = f"{c.unique:,} distinct values in {c.count:,} rows: an id or free text"
            findings.append(DataFinding("identifier", c.name, detail))
        elif c.rare_values and c.kind in ("text", "categorical"):
            examples = ", ".join(f"{v.value!r} ×{v.count}" for v in c.rare_examples)
            more = ", …" if c.rare_values > len(c.rare_examples) else ""
            detail = (
                f"{c.rare_values:,} of {c.unique:,} values seen fewer than {RARE_COUNT} times "
                f"({c.rare_rows:,} rows): {examples}{more}"
            )
            findings.append(DataFinding("rare_values", c.name, detail))
        if c.empty_categories:
            examples = ", ".join(map(repr, c.empty_examples))
            more = ", …" if c.empty_categories > len(c.empty_examples) else ""
            detail = (
                f"{c.empty_categories:,} of {c.indicators:,} indicators never on in these rows: "
                f"{examples}{more}"
            )
            findings.append(DataFinding("empty_categories", c.name, detail))
        if c.outliers_iqr or c.outliers_std:
            detail = (
                f"{c.outliers_iqr:,} beyond the {TUKEY_K:g}·IQR fences, "
                f"{c.outliers_std:,} beyond {OUTLIER_SIGMAS:g}σ (min {number_text(c.min)}, median "
                f"{number_text(c.median)}, max {number_text(c.max)})"
            )
            findings.append(DataFinding("outliers", c.name, detail))
    for pair in report.redundant_pairs:
        detail = f"r = {pair.r:+.3f} with {pair.second}: nearly the same information"
        findings.append(DataFinding("redundant", pair.first, detail))
    return findings
