"""`mlcc inspect`'s closing sections: an experiment's split checks and the suggested steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlcc_cli.errors import cut_lists
from mlcc_cli.render.doctor import CUT_NOTE
from mlcc_cli.render.prose import hanging

if TYPE_CHECKING:
    from mlcc_cli.workflows.inspect import InspectionReport


def render_split_checks(
    console: Console, report: InspectionReport, limit: int | None = None, more: str = ""
) -> None:
    """An experiment's split checks: one warning line per finding (the first `limit`, then
    a count of the rest and `more`, which says how to list them), or a green all-clear."""
    if report.split_order is None and report.split_checks_note is None:
        return  # a data file: nothing was split
    console.print()
    console.rule("[bold]Split checks", align="left")
    if report.split_checks_note is not None:
        note = Text(report.split_checks_note, style="dim")
        console.print(hanging(Text("note: ", style="dim"), note))
        return
    for split, shares in (report.class_shares or {}).items():
        balance = ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
        console.print(Text(f"class balance, {split}: ", style="bold") + Text(balance))
    if not report.split_checks:
        rows = report.split_rows or {}
        names = "/".join(name for name, count in rows.items() if count)
        shape = f": {sum(rows.values()):,} rows split {names}, {report.split_order}"
        console.print(Text("no problems found", style="green") + Text(shape))
        return
    for finding in report.split_checks[:limit]:
        kind = finding.kind.replace("_", " ")
        message = Text(f"{kind}: ", style="bold") + Text(finding.message)
        console.print(hanging(Text("warning: ", style="yellow"), message))
    hidden = len(report.split_checks) - (limit or len(report.split_checks))
    if hidden > 0:
        console.print(Text(f"{hidden:,} more split-check findings not shown; {more}.", style="dim"))


def render_suggestions(console: Console, report: InspectionReport) -> None:
    """Numbered suggestions: evidence — advice, then the config text to use."""
    console.print()
    if not report.suggestions:
        console.rule("[bold]Suggestions[/]: none — the data looks ready", align="left")
        return
    where = "append to features:" if report.after_features is not None else "for features:"
    console.rule(f"[bold]Suggestions[/] ({where} steps, or the setting shown)", align="left")
    # A grid keeps wrapped lines indented under their text, clear of the numbers.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="bold", no_wrap=True)
    grid.add_column()
    for number, suggestion in enumerate(report.suggestions, start=1):
        text = Text(f"{suggestion.evidence} — {suggestion.advice}:\n")
        action, cut = cut_lists(suggestion.action)
        text.append(action, style="cyan")
        if cut:  # not pasteable as printed: say where the whole step is
            text.append(f"\n({CUT_NOTE} in --json)", style="dim")
        grid.add_row(f"{number}.", text)
    console.print(grid)
