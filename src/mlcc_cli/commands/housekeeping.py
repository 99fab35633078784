"""`mlcc runs clean`: housekeeping of a runs folder (staging folders left by crashed runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.commands.common import JsonOption, path_text, user_errors
from mlcc_cli.errors import ConfigError
from mlcc_cli.render.console import terminal

runs_app = typer.Typer(
    help="Housekeeping of a runs folder.", no_args_is_help=True, rich_markup_mode=None
)


@runs_app.command("clean")
def clean(
    runs_dir: Annotated[
        Path | None,
        typer.Argument(
            metavar="RUNS_DIR",
            help="The runs folder (the --runs-dir of `mlcc train`) [default: runs].",
            show_default=False,
            parser=path_text,
        ),
    ] = None,
    runs_dir_option: Annotated[
        Path | None,
        typer.Option(
            "--runs-dir",
            metavar="PATH",
            help="The same folder as an option, as `mlcc train` takes it.",
            show_default=False,
            parser=path_text,
        ),
    ] = None,
    older_than: Annotated[
        str,
        typer.Option(
            "--older-than",
            metavar="AGE",
            help="Also remove staging folders with no owner record (or another host's) "
            "older than this, e.g. 30m, 24h, 7d.",
        ),
    ] = "24h",  # clean_runs.DEFAULT_OLDER_THAN, written out so `--help` imports nothing
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be removed; remove nothing.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Remove the staging folders (.NAME-xxxxxxxx.partial) runs left behind when killed.

    A folder is removed when the process that was writing it is gone (its pid is recorded
    inside), or, without such a record, when it is older than --older-than. A folder whose
    process still runs on this machine is never removed; finished runs are never touched.
    Sweep folders inside RUNS_DIR are searched too.
    """
    with user_errors(json_output):
        if runs_dir is not None and runs_dir_option is not None and runs_dir != runs_dir_option:
            raise ConfigError(
                f"mlcc runs clean: RUNS_DIR {runs_dir} and --runs-dir {runs_dir_option} name "
                "two folders; give one."
            )
        folder = runs_dir or runs_dir_option or Path("runs")
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.workflows.clean_runs import clean_runs

        result = clean_runs(folder, older_than, dry_run)
        if json_output:
            typer.echo(json.dumps(result.to_json()))
            return
        from mlcc_cli.render.cleanup import render_clean

        render_clean(terminal(), result)
