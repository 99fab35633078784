"""Terminal rendering of `mlcc inspect` with rich: tables of what the core measured, no maths.

Long lists are cut in the terminal (the most telling rows first, a count of the rest);
`--json` always carries everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlcc_cli.data.column_stats import OUTLIER_SIGMAS, REDUNDANT_R, TUKEY_K
from mlcc_cli.data.issues import number_text
from mlcc_cli.render.inspection_advice import render_split_checks, render_suggestions
from mlcc_cli.render.layout import print_table
from mlcc_cli.render.prose import hanging

if TYPE_CHECKING:
    from mlcc_cli.data.column_stats import ColumnSummary
    from mlcc_cli.data.frame_report import Correlation, DataFinding, FrameReport
    from mlcc_cli.workflows.inspect import InspectionReport

SHOWN_COLUMNS = 50  # rows of each column table by default (`mlcc inspect --columns N`)
SHOWN_CORRELATIONS = 15  # strongest correlations with the label listed in the terminal
SHOWN_PAIRS = 10  # redundant pairs listed
SHOWN_PER_FINDING_KIND = 6  # findings of one kind (e.g. outliers) listed before "… N more"
SHOWN_VALUES = 4  # most frequent values listed per text/categorical column
BAR_WIDTH = 10  # characters of the |r| bar at |r| = 1
KIND_STYLE = {
    "numeric": "",
    "bool": "",
    "text": "yellow",
    "datetime": "blue",
    "categorical": "magenta",
}


def render_inspection(
    console: Console, report: InspectionReport, limit: int | None = SHOWN_COLUMNS
) -> None:
    """The whole report: data, training split after the features (for a config), suggestions.

    Each column table lists at most `limit` columns (None: all), the most telling first.
    """
    # Names and values come from the data, so they go in as Text: never parsed as markup.
    label = f"label {report.label}" if report.label else "no label (use --label)"
    # Paragraphs wrap under their text (prose.hanging), clear of their label.
    header = Text(f"{report.target}: {report.source}; {label}")
    console.print(hanging(Text("inspect ", style="bold"), header))
    for warning in report.warnings:
        console.print(hanging(Text("warning: ", style="yellow"), Text(warning)))
    render_frame(console, report.data, limit)
    if report.after_features is not None:
        if report.split_rows:
            rows = ", ".join(f"{n} {count:,}" for n, count in report.split_rows.items() if count)
            console.print(f"\n[bold]split[/] {rows} rows; fitted on the training rows only")
        if report.inputs is not None:
            inputs = Text(", ".join(report.inputs[:limit]))
            if limit is not None and len(report.inputs) > limit:
                inputs.append(f" and {len(report.inputs) - limit:,} more ({MORE})", style="dim")
            console.print(hanging(Text("model inputs ", style="bold"), inputs))
        render_frame(console, report.after_features, limit)
    elif report.features_error is not None:
        console.rule("[bold]Training split after the feature steps", align="left")
        lead = Text("cannot prepare it: ", style="bold red")
        console.print(hanging(lead, Text(report.features_error)))
    render_split_checks(console, report, limit, MORE)
    render_suggestions(console, report)


def render_frame(console: Console, frame: FrameReport, limit: int | None = SHOWN_COLUMNS) -> None:
    """One table's section: columns, numeric summary, categories, findings, correlations.

    A column table longer than `limit` lists the `limit` columns ranked first by
    `FrameReport.ranked_columns` and says how many it leaves out.
    """
    console.print()
    size = f"{frame.rows:,} rows × {len(frame.columns):,} columns"
    console.rule(Text(frame.title, style="bold") + Text(f": {size}"), align="left")
    ranked = frame.ranked_columns() if limit is not None and len(frame.columns) > limit else []
    kinds = {
        columns_table: None,
        numeric_table: ("numeric", "bool"),
        values_table: ("text", "categorical", "datetime"),
    }
    for make_table, kind in kinds.items():
        columns = [c for c in frame.columns if kind is None or c.kind in kind]
        if not columns:
            continue
        if limit is None or len(columns) <= limit:
            print_table(console, make_table(columns))
            continue
        table = make_table([c for c in ranked if kind is None or c.kind in kind][:limit])
        table.caption = _hidden_columns(len(columns) - limit, limit, frame)
        table.caption_justify = "left"
        print_table(console, table)
    # Redundant pairs get their own table below, so they are not listed twice.
    render_findings(console, [f for f in frame.findings if f.kind != "redundant"])
    if frame.correlations:
        print_table(console, correlations_table(frame.correlations, str(frame.label)))
        console.print(
            "[dim]r: Pearson correlation; η: how much of the label its quantile buckets "
            "explain (η ≫ |r|: not a straight line)[/]"
        )
    if frame.redundant_pairs:
        table = _table(f"Redundant pairs (|r| > {REDUNDANT_R:g})")
        for header in ("feature", "feature", "r"):
            table.add_column(header, justify="right" if header == "r" else "left")
        for pair in frame.redundant_pairs[:SHOWN_PAIRS]:
            table.add_row(Text(pair.first), Text(pair.second), f"{pair.r:+.3f}")
        hidden = len(frame.redundant_pairs) - SHOWN_PAIRS
        if hidden > 0:
            table.caption = f"{hidden:,} more pairs not shown (all in --json)"
            table.caption_justify = "left"
        print_table(console, table, keys=2)
    for note in frame.notes:
        console.print(hanging(Text("note: ", style="dim"), Text(note, style="dim")))


MORE = "--columns N or --all lists more; --json has them all"


def _hidden_columns(hidden: int, shown: int, frame: FrameReport) -> str:
    """The caption of a cut column table: how many are left out, which are listed, how to see
    them all."""
    if frame.correlations:
        listed = f"these are the most related to {frame.label} (|r| or η)"
    else:
        listed = f"these are the first {shown:,}"
    return f"{hidden:,} more columns not shown; {listed}. {MORE}."


def _table(title: str | Text) -> Table:
    # SIMPLE_HEAD and one space of padding: two spaces between columns, no vertical rules,
    # so the describe table's eight columns fit a 100-column terminal whole.
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )


def _name(column: ColumnSummary) -> Text:
    """The column name, marked when it is the label or a column the model does not see."""
    if column.role == "label":
        return Text(f"{column.name} (label)", style="bold")
    return Text(column.name, style="dim" if column.role == "unused" else "")


def _count(value: int | None) -> str:
    return "" if not value else f"{value:,}"


def columns_table(columns: Sequence[ColumnSummary]) -> Table:
    """Type, count, missing, distinct values, zeros and outlier counts of every column."""
    table = _table("Columns")
    table.add_column("column", overflow="fold")
    table.add_column("type")
    for header in (
        "count",
        "missing",
        "unique",
        "zeros",
        f">{TUKEY_K:g}·IQR",
        f">{OUTLIER_SIGMAS:g}σ",
    ):
        table.add_column(header, justify="right", no_wrap=True)
    for c in columns:
        missing = (
            f"{c.missing:,} ({c.missing / max(c.count + c.missing, 1):.0%})" if c.missing else ""
        )
        zeros = f"{c.zero_share:.0%}" if c.zero_share else ""
        table.add_row(
            _name(c),
            Text(c.kind, style=KIND_STYLE.get(c.kind, "")),
            f"{c.count:,}",
            Text(missing, style="yellow"),
            f"{c.unique:,}",
            zeros,
            _count(c.outliers_iqr),
            _count(c.outliers_std),
        )
    return table


def numeric_table(columns: Sequence[ColumnSummary]) -> Table:
    """pandas' describe() numbers of the numeric and bool columns (bool as 0/1)."""
    table = _table("Numeric columns (describe)")
    table.add_column("column", overflow="fold")
    for header in ("mean", "std", "min", "25%", "50%", "75%", "max"):
        table.add_column(header, justify="right", no_wrap=True)
    for c in columns:
        values = (c.mean, c.std, c.min, c.q25, c.median, c.q75, c.max)
        table.add_row(_name(c), *("—" if v is None else number_text(v) for v in values))
    return table


def values_table(columns: Sequence[ColumnSummary]) -> Table:
    """Text, category and date columns: most frequent values (or range), indicator counts."""
    table = _table("Text, categorical and date columns")
    table.add_column("column", overflow="fold")
    table.add_column("type")
    table.add_column("indicators", justify="right")
    table.add_column("most frequent values (rows), or range", overflow="fold")
    for c in columns:
        if c.kind == "datetime":
            shown = f"{c.min} … {c.max}"
        else:
            shown = ", ".join(f"{v.value} ({v.count:,})" for v in c.top_values[:SHOWN_VALUES])
            if c.unique > SHOWN_VALUES:
                shown += f", … {c.unique - SHOWN_VALUES:,} more"
        indicators = "" if c.indicators is None else f"{c.indicators:,}"
        table.add_row(_name(c), Text(c.kind, style=KIND_STYLE[c.kind]), indicators, Text(shown))
    return table


def render_findings(console: Console, findings: Sequence[DataFinding]) -> None:
    """Findings grouped by kind, each kind cut at SHOWN_PER_FINDING_KIND rows."""
    if not findings:
        console.print(
            "[green]no findings[/]: no duplicates, gaps, constant columns, rare values or outliers"
        )
        return
    table = _table("Findings")
    table.add_column("finding", style="yellow", no_wrap=True)
    table.add_column("column", overflow="fold")
    table.add_column("evidence", overflow="fold")
    hidden = []
    for kind in dict.fromkeys(f.kind for f in findings):
        of_kind = [f for f in findings if f.kind == kind]
        for finding in of_kind[:SHOWN_PER_FINDING_KIND]:
            where = Text(finding.column or "(rows)")
            table.add_row(kind.replace("_", " "), where, Text(finding.detail))
        if len(of_kind) > SHOWN_PER_FINDING_KIND:
            hidden.append(f"{len(of_kind) - SHOWN_PER_FINDING_KIND:,} {kind.replace('_', ' ')}")
    if hidden:
        table.caption = f"not shown: {', '.join(hidden)} (all in --json)"
        table.caption_justify = "left"
    print_table(console, table, keys=2)


def correlations_table(correlations: Sequence[Correlation], label: str) -> Table:
    """Pearson r with the label, strongest first, with η over quantile buckets and a bar."""
    table = _table(Text(f"Correlation with {label}"))
    table.add_column("feature", overflow="fold")
    table.add_column("r", justify="right", no_wrap=True)
    table.add_column("η", justify="right", no_wrap=True)
    table.add_column("|r|", no_wrap=True)
    for c in correlations[:SHOWN_CORRELATIONS]:
        if c.r is None:
            table.add_row(Text(c.column), "—", "—", Text("constant", style="dim"))
            continue
        bar = Text("█" * round(abs(c.r) * BAR_WIDTH), style="green" if c.r > 0 else "red")
        eta = "—" if c.eta is None else f"{c.eta:.2f}"
        table.add_row(Text(c.column), f"{c.r:+.3f}", eta, bar)
    if len(correlations) > SHOWN_CORRELATIONS:
        table.caption = f"{len(correlations) - SHOWN_CORRELATIONS} weaker not shown (--json)"
        table.caption_justify = "left"
    return table
