"""Terminal rendering of the crash-course exercises: the list, one exercise, a check's verdict.

It draws what `mlcc_cli.workflows.exercises` returns and never computes numbers itself.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlcc_cli.render.layout import print_table
from mlcc_cli.render.prose import hanging, wrapped_command
from mlcc_cli.workflows.exercises import describe_goal

if TYPE_CHECKING:
    from mlcc_cli.workflows.exercise_check import ExerciseCheck
    from mlcc_cli.workflows.exercises import Exercise


def _goals(exercise: Exercise) -> str:
    # The list's goal column says "validation" once in its header; other splits stay named.
    return "\n".join(describe_goal(goal).replace("validation.", "") for goal in exercise.info.goals)


def exercises_table(exercises: Sequence[Exercise]) -> Table:
    """One row per exercise, in course order: name, title, goal (`show` adds the lesson)."""
    # Three columns, the middle one wrapping on word boundaries, fit an 80-column terminal.
    table = Table(title="Crash-course exercises", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("name", no_wrap=True)
    table.add_column("exercise", ratio=1)
    table.add_column("goal (validation)", no_wrap=True)
    for exercise in exercises:
        table.add_row(exercise.name, exercise.info.title, _goals(exercise))
    return table


def render_exercise(
    console: Console, exercise: Exercise, experiment_yaml: str, solution: bool
) -> None:
    """An exercise as a learner reads it: task, goals, hints, the config (and the solution)."""
    info = exercise.info
    console.print(Text(info.title, style="bold"), Text(f"({info.lesson})", style="dim"))
    console.print(hanging("", Text(info.task)))  # wrapped without trailing spaces
    console.print(Text("goals", style="bold"))

    for goal in info.goals:
        console.print(hanging("", Text(describe_goal(goal)), indent=2))
    if info.hints:
        console.print(Text("hints", style="bold"))
        for hint in info.hints:
            console.print(hanging("- ", Text(hint), indent=2))
    console.print(Text("config ", style="bold") + Text(str(exercise.path)), soft_wrap=True)
    # The file verbatim: a YAML line broken in two would not paste back.
    console.print(Text(experiment_yaml.rstrip()), soft_wrap=True)
    if solution:
        console.print(Text("solution", style="bold"))
        if not info.solution:
            console.print(Text("  the config passes as shipped"))
        for assignment in info.solution:
            command = wrapped_command([f"--set '{assignment}'"], console.width - 2)
            console.print(Text(textwrap.indent(command, "  ")), soft_wrap=True)
        console.print(Text(f"check it: mlcc exercise check {exercise.name} --solution"))
    else:
        console.print(
            Text(
                f"try it: mlcc exercise check {exercise.name} [--set KEY=VALUE]... or edit a "
                f"copy and run mlcc exercise check {exercise.name} --config MY_COPY.yaml",
                style="dim",
            )
        )


def _value(value: float | None) -> str:
    if value is None:
        return "—"
    if not math.isfinite(value):
        return str(value)
    return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1 else f"{value:.4g}"


def goals_table(check: ExerciseCheck) -> Table:
    """PASS/FAIL per goal with the measured value and, for a fail, why."""

    table = Table(title=f"Exercise {check.exercise.name}", title_justify="left")
    table.add_column("goal", no_wrap=True)
    table.add_column("measured", justify="right")
    table.add_column("result")
    for verdict in check.goals:
        result = Text("PASS", style="bold green") if verdict.passed else Text("FAIL", "bold red")
        if verdict.reason and verdict.value is None:
            result += Text(f" ({verdict.reason})")
        table.add_row(describe_goal(verdict.goal), _value(verdict.value), result)
    return table


def render_check(console: Console, check: ExerciseCheck) -> None:
    """The goal table, then the verdict; a fail also lists the hints."""
    print_table(console, goals_table(check))
    if check.passed:
        console.print(Text(f"PASS: {check.exercise.info.title} solved.", style="bold green"))
        return
    if check.result.status != "complete":
        console.print(
            Text(f"FAIL: the run {check.result.status} ({check.result.message})", "bold red")
        )
    else:
        console.print(Text("FAIL: not every goal is met yet.", style="bold red"))
    hints = check.exercise.info.hints
    if hints:
        console.print(Text("hints", style="bold"))
        for hint in hints:
            console.print(hanging("- ", Text(hint), indent=2))
