"""`mlcc exercise`: the crash course's programming exercises, listed, shown and checked.

A thin Typer sub-app over `mlcc_cli.workflows.exercises`; numpy and pandas load only when `check`
trains, so `mlcc --help` stays fast.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from mlcc_cli.commands.common import (
    JsonOption,
    assignment_text,
    interrupted_exit_code,
    path_text,
    user_errors,
)
from mlcc_cli.commands.completion import complete_config_key, complete_exercise
from mlcc_cli.commands.tracking import (
    TrackOption,
    check_track,
    exit_if_untracked,
    report_tracking,
    track_written,
)
from mlcc_cli.render.console import terminal

exercise_app = typer.Typer(
    help=(
        "The crash course's programming exercises: `list` them, `show NAME` for the task, "
        "`check NAME` to train your attempt and test it against the exercise's goals."
    ),
    no_args_is_help=True,
)

NameArg = Annotated[
    str,
    typer.Argument(
        metavar="NAME",
        help="Exercise name from `mlcc exercise list` (or its number, e.g. 01).",
        show_default=False,
        autocompletion=complete_exercise,
    ),
]


def _goal_json(goal: Any) -> dict[str, Any]:
    return {"metric": goal.metric, "max": goal.max, "min": goal.min}


@exercise_app.command("list")
def list_(json_output: JsonOption = False) -> None:
    """List the exercises in course order with their lesson, title and goal."""
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.workflows.exercises import list_exercises

        exercises = list_exercises()
        if json_output:
            rows = [
                {
                    "name": exercise.name,
                    "title": exercise.info.title,
                    "lesson": exercise.info.lesson,
                    "goals": [_goal_json(goal) for goal in exercise.info.goals],
                    "config": str(exercise.path),
                }
                for exercise in exercises
            ]
            typer.echo(json.dumps({"exercises": rows}))
            return
        from mlcc_cli.render.exercise import exercises_table

        console = terminal()
        console.print(exercises_table(exercises))
        console.print(
            "Read one with `mlcc exercise show NAME`; check it with `mlcc exercise check NAME`."
        )


@exercise_app.command()
def show(
    name: NameArg,
    solution: Annotated[
        bool, typer.Option("--solution", help="Also print the solution's --set overrides.")
    ] = False,
) -> None:
    """Print an exercise: task, goals, hints, and its config (without the solution)."""
    with user_errors():
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.render.exercise import render_exercise
        from mlcc_cli.workflows.exercises import experiment_text, load_exercise

        exercise = load_exercise(name)
        console = terminal()
        render_exercise(console, exercise, experiment_text(exercise.path), solution)


@exercise_app.command()
def check(
    name: NameArg,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Your change to the exercise config, e.g. optimizer.learning_rate=0.01 "
            "(repeatable; values parsed as YAML).",
            autocompletion=complete_config_key,
            parser=assignment_text,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Your edited copy of the exercise config (the goals still come from the "
            "shipped exercise).",
            parser=path_text,
        ),
    ] = None,
    solution: Annotated[
        bool,
        typer.Option("--solution", help="Apply the shipped solution first, then your --set."),
    ] = False,
    runs_dir: Annotated[
        Path,
        typer.Option(
            "--runs-dir", help="Folder that receives the run directory.", parser=path_text
        ),
    ] = Path("runs"),
    json_output: JsonOption = False,
    track: TrackOption = None,
) -> None:
    """Train the exercise with your changes and test the run against its goals.

    Exit 0 when every goal passes, 1 when one fails (the hints are printed) or --track could
    not log the run to MLflow, 2 for a bad config or missing data.
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.render.exercise import render_check
        from mlcc_cli.render.training import TrainingDisplay, render_result
        from mlcc_cli.workflows.exercise_check import check_exercise

        track_uri = check_track(track)
        human = terminal(stderr=json_output)
        display = TrainingDisplay(human)
        try:
            outcome = check_exercise(
                name,
                overrides=set_ or [],
                config_file=config,
                solution=solution,
                runs_dir=runs_dir,
                observer=display,
            )
        finally:
            display.close()
        render_result(human, outcome.result, _check_command(name, config, solution), set_ or [])
        render_check(human, outcome)
        # An interrupted run is not logged: its user asked mlcc to stop.
        interrupted = outcome.result.status == "interrupted"
        tracking = track_written(outcome.result.run_dir, None if interrupted else track_uri)
        report_tracking(human, tracking)
        if json_output:
            payload = _check_json(outcome)
            payload.update({"mlflow": tracking.to_json()} if tracking else {})
            typer.echo(json.dumps(payload))
        if interrupted:
            raise typer.Exit(interrupted_exit_code())
        exit_if_untracked(tracking)
        if not outcome.passed:
            raise typer.Exit(1)


def _check_command(name: str, config: Path | None, solution: bool) -> str:
    """The command that trained the run, before its --set overrides (the doctor's fixes are
    shown after them, replacing any of the same key)."""
    # deferred: numpy, pandas and scikit-learn load only for the command that runs
    import shlex

    parts = ["mlcc", "exercise", "check", name]
    parts += ["--config", str(config)] if config is not None else []
    parts += ["--solution"] if solution else []
    return shlex.join(parts)


def _check_json(outcome: Any) -> dict[str, Any]:
    return {
        "exercise": outcome.exercise.name,
        "run_dir": str(outcome.result.run_dir),
        "status": outcome.result.status,
        "passed": outcome.passed,
        "goals": [
            {
                **_goal_json(verdict.goal),
                "value": (
                    verdict.value
                    if verdict.value is not None and math.isfinite(verdict.value)
                    else None
                ),
                "passed": verdict.passed,
                "reason": verdict.reason,
            }
            for verdict in outcome.goals
        ],
        "doctor": [finding.to_json() for finding in outcome.result.findings],
    }
