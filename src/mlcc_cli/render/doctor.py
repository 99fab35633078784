"""Rendering of the run doctor's findings and the split checks (numbers come from the core)."""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from mlcc_cli.doctor.findings import fix_overrides
from mlcc_cli.errors import cut_lists, listed
from mlcc_cli.render.console import render_warnings
from mlcc_cli.render.prose import hanging, wrapped_command

SEVERITY_STYLE = {"warning": "yellow", "info": "cyan"}
FIX_INDENT = 4  # the fixes line up with the finding's text, under its bullet
CUT_NOTE = "column list cut to its first few here; the whole list is"


def fix_command(command: str, overrides: Sequence[str], fix: str) -> list[str]:
    """`command` with the run's own `--set`s and then the fix, minus any earlier `--set` of
    the fix's key or inside it (the fix replaces it: `features=[...]`, computed from the run's
    resolved config, already holds what a `features.0=` set); as units for
    `wrapped_command`, each `--set` with its value."""
    parts = fix_overrides(fix)
    keys = [part.partition("=")[0].strip() for part in parts]
    kept = [
        o
        for o in overrides
        if not any(
            (set_key := o.partition("=")[0].strip()) == key or set_key.startswith(key + ".")
            for key in keys
        )
    ]
    return [
        *(shlex.quote(word) for word in shlex.split(command)),
        *(f"--set {shlex.quote(o)}" for o in kept),
        *(f"--set '{part}'" for part in parts),
    ]


def render_findings(
    console: Console,
    findings: Sequence[Any],
    command: str = "mlcc train CONFIG",
    incomplete: bool = False,
    overrides: Sequence[str] = (),
) -> None:
    """The doctor's section: each finding's title and lesson, evidence, advice and the fix as
    `--set` overrides to paste after `command` and the run's own `overrides` (`fix_command`);
    one line when there is nothing to say, which with `incomplete` (some checks could not
    run) does not claim the run is healthy."""
    if not findings and incomplete:
        console.print(
            "[bold]doctor[/]: [yellow]nothing found in what could be checked[/]; some checks "
            "could not run (the notes below say which and why)"
        )
        return
    if not findings:
        console.print(
            "[bold]doctor[/]: [green]no problems found[/] in the loss curves, inputs or metrics"
        )
        return
    console.print(f"[bold]doctor[/]: {findings_headline(findings, incomplete)}")
    for finding in findings:
        style = SEVERITY_STYLE.get(finding.severity, "yellow")
        began = f", from period {finding.period}" if finding.period else ""
        # Without colour (a pipe, a log) the word is what tells a note from a problem.
        began += " (note)" if finding.severity == "info" else ""
        title = Text(finding.title, style="bold") + Text(began + " ")
        title.append(f"— lesson: {finding.concept}", style="dim")
        # Wrapped lines stay under the text, clear of the bullet.
        bullet = Text("● ", style=style)
        console.print(hanging(bullet, [title, Text(finding.evidence), Text(finding.advice)], 2))
        cut_in_all = 0
        for number, whole in enumerate(finding.fix):
            lead = "next step:" if number == 0 else "or:"
            fix, cut = cut_lists(whole)
            cut_in_all += cut
            units = [lead, *fix_command(command, overrides, fix)]
            lines = wrapped_command(units, console.width - FIX_INDENT)
            # soft_wrap: a word longer than the line (a path) stays whole, for pasting.
            text = Text(textwrap.indent(lines, " " * FIX_INDENT))
            text.stylize("bold", FIX_INDENT, FIX_INDENT + len(lead))
            console.print(text, soft_wrap=True)
        if cut_in_all:
            # A cut list is not runnable as printed: say where the whole fix is.
            note = Text(f"{CUT_NOTE} in doctor.json's fix (and --json)", style="dim")
            console.print(hanging("", note, FIX_INDENT))


def findings_headline(findings: Sequence[Any], incomplete: bool = False) -> str:
    """The headline: `2 problems, 1 note`, or `no problems found; 1 note` when every finding is a
    note (an `info`: a fact worth knowing, such as a long tail a model this good hardly feels)
    — which with `incomplete` (some checks could not run) does not claim the run is healthy."""
    problems = sum(finding.severity == "warning" for finding in findings)
    notes = len(findings) - problems
    said_notes = f"{notes} note{'s' if notes != 1 else ''}"
    if not problems and incomplete:
        return f"[yellow]no problems in what could be checked[/]; {said_notes}"
    if not problems:
        return f"[green]no problems found[/]; {said_notes}"
    said = f"{problems} problem{'s' if problems != 1 else ''}"
    return f"{said}, {said_notes}" if notes else said


def render_split_checks(console: Console, checks: Sequence[dict[str, Any]]) -> None:
    """The split checks made before training (their to_json()/doctor.json form), one line per
    kind of problem: the first finding's message, then the other columns with the same
    problem (`mlcc inspect CONFIG` shows each in full)."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        by_kind.setdefault(check["kind"], []).append(check)
    for same in by_kind.values():
        line = same[0]["message"]
        others = [str(c["column"]) for c in same[1:] if c.get("column")]
        if others:
            line += f" (Also: {listed(others)}; `mlcc inspect CONFIG` shows each.)"
        console.print(hanging(Text("split check: ", style="yellow"), Text(line)))


def render_doctor(console: Console, report: Any) -> None:
    """`mlcc doctor RUN`: the split checks, the findings, and what could not be checked."""
    console.print(f"[bold]run[/] {report.run_dir}", soft_wrap=True)
    render_warnings(console, report.warnings)
    render_split_checks(console, report.split_checks)
    render_findings(
        console,
        report.findings,
        shlex.join(["mlcc", "train", str(report.run_dir / "config.yaml")]),
        incomplete=bool(report.notes),
    )
    for note in report.notes:
        console.print(hanging(Text("note: ", style="cyan"), Text(note)))
