"""The `mlcc` command line: the Typer app, with every command registered in help order.

The commands live in `mlcc_cli.commands` (one module per family); each parses options, calls
one core function, renders and maps errors to exit codes. numpy, pandas and scikit-learn are
imported inside the commands that need them, so `mlcc --help`, `mlcc validate` and `mlcc
schema` start instantly.
"""

from __future__ import annotations

# First: from here on a Ctrl-C during the half second of imports below says `interrupted`.
import mlcc_cli.commands.startup  # noqa: F401

# isort: split
import copy
import os
import sys
from typing import Annotated

import typer
from typer.main import get_command_name

from mlcc_cli import __version__
from mlcc_cli.commands import data, experiment, housekeeping, neighbors, report, runs, sweep
from mlcc_cli.commands.closed_pipes import survive_closed_pipes
from mlcc_cli.commands.common import JsonErrorsGroup
from mlcc_cli.commands.exercise import exercise_app
from mlcc_cli.commands.export import export
from mlcc_cli.commands.process_exit import end_process
from mlcc_cli.commands.tracking import track
from mlcc_cli.training.blas_threads import free_idle_blas_threads

app = typer.Typer(
    name="mlcc",
    help="The Machine Learning Crash Course as a command line: one YAML file per experiment.",
    no_args_is_help=True,
    cls=JsonErrorsGroup,
    # --install-completion / --show-completion: typer imports its completion code either way,
    # so the two options cost start-up about 0.1 ms.
    add_completion=True,
    pretty_exceptions_show_locals=False,
    # Plain help output: typer's rich help pulls in rich.markdown and markdown-it, which
    # alone would make `mlcc --help` half again slower to start.
    rich_markup_mode=None,
)
app.add_typer(data.datasets_app, name="datasets")
app.add_typer(exercise_app, name="exercise")
app.add_typer(housekeeping.runs_app, name="runs")
app.command()(experiment.train)
app.command()(runs.predict)
app.command()(runs.evaluate)
app.command()(export)
app.command()(runs.doctor)
app.command()(runs.compare)
app.command()(report.report)
app.command()(neighbors.neighbors)
app.command()(sweep.sweep)
app.command()(track)
app.command("lr-find")(experiment.lr_find)
app.command()(data.inspect)
app.command()(experiment.validate)
app.command()(experiment.schema)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"mlcc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """The Machine Learning Crash Course as a command line."""


def app_for(argv: list[str]) -> typer.Typer:
    """The app to run for command line `argv`: `app` with only the command (or command group)
    that argv[0] names, else the whole app.

    Typer turns every registered command into a click command before it parses anything —
    a pydantic type adapter per parameter, about a sixth of `mlcc validate`'s start-up — yet a
    process runs one command. Everything argv can reach stays the same: the named command,
    the root options and their errors; anything else (no command, a typo, `--help`, shell
    completion, which parses no argv) gets the whole app.
    """
    if not argv or os.environ.get("_MLCC_COMPLETE"):
        return app
    commands = [
        info
        for info in app.registered_commands
        if (info.name or get_command_name(info.callback.__name__)) == argv[0]  # type: ignore[union-attr]
    ]
    groups = [info for info in app.registered_groups if info.name == argv[0]]
    if not commands and not groups:
        return app
    pruned = copy.copy(app)
    pruned.registered_commands = commands
    pruned.registered_groups = groups
    return pruned


def main() -> None:
    """Console-script entry point."""
    survive_closed_pipes()  # `mlcc train exp.yaml | head -1` still writes the whole run
    # mlcc uses no pydantic plugins; without this, building the config models scans every
    # installed package's entry points (importlib.metadata), a noticeable part of start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    free_idle_blas_threads()  # before any command imports numpy
    try:
        app_for(sys.argv[1:])(prog_name="mlcc")
    except SystemExit as finished:  # click ends every command so, a successful one too
        end_process(finished.code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
