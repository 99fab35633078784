"""`mlcc inspect` and `mlcc datasets [fetch]`: commands about data before training."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.commands.common import (
    JsonOption,
    SetOption,
    path_text,
    user_errors,
)
from mlcc_cli.errors import ConfigError
from mlcc_cli.render.console import terminal

datasets_app = typer.Typer(
    help="List built-in datasets; `fetch` downloads public ones.",
    invoke_without_command=True,
)


def inspect(
    target: Annotated[
        str,
        typer.Argument(
            help="Experiment YAML, a CSV/Parquet data file, or builtin:NAME.",
            show_default=False,
            metavar="CONFIG_OR_DATA",
        ),
    ],
    set_: SetOption = None,
    label: Annotated[
        str | None,
        typer.Option(
            "--label",
            metavar="COL",
            help="Label column (data files; for a config the same as --set data.label=COL).",
        ),
    ] = None,
    columns: Annotated[
        int,
        typer.Option(
            "--columns",
            metavar="N",
            help="Columns listed per table; a wider table lists those most related to the "
            "label first and counts the rest (--json has them all).",
        ),
    ] = 50,  # render.inspection.SHOWN_COLUMNS, written out so `--help` imports no rich tables
    all_columns: Annotated[
        bool, typer.Option("--all", help="List every column in the tables.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Report on data: types, missing values, duplicates, outliers, correlation with the label.

    Given a config, also reports the training split after its feature steps (what the model
    sees) and suggests steps in crash-course terms.
    """
    with user_errors(json_output):
        if columns < 1:
            raise ConfigError(f"--columns: {columns} is below 1; pass --all to list every column")
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.workflows.inspect import inspect_target

        report = inspect_target(target, overrides=set_ or [], label=label)
        if json_output:
            typer.echo(json.dumps(report.to_json(), allow_nan=False))
        else:
            from mlcc_cli.render.inspection import render_inspection

            render_inspection(terminal(), report, None if all_columns else columns)


@datasets_app.callback()
def datasets(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List the built-in datasets with rows, columns and task."""
    if ctx.invoked_subcommand is not None:
        return
    # deferred: numpy, pandas and scikit-learn load only for the command that runs
    from mlcc_cli.data.loading import builtin_catalog

    catalog = builtin_catalog()
    if json_output:
        typer.echo(json.dumps({"datasets": [vars(row) for row in catalog]}))
        return
    from mlcc_cli.data.public_datasets import FETCHABLE
    from mlcc_cli.render.datasets import datasets_table

    console = terminal()
    console.print(datasets_table(catalog))
    console.print(
        "Downloadable with `mlcc datasets fetch NAME`: " + ", ".join(sorted(FETCHABLE)) + "."
    )


@datasets_app.command("fetch")
def fetch(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Dataset to download, e.g. california_housing.")
    ],
    dest: Annotated[
        Path, typer.Option("--dest", help="Folder to write the files into.", parser=path_text)
    ] = Path("datasets"),
) -> None:
    """Download a public dataset (checksum verified); MLCC_DATASET_MIRROR selects a mirror."""
    with user_errors():
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.data.fetch import fetch_dataset
        from mlcc_cli.rundir.storage import check_folder_writable

        check_folder_writable(dest, "--dest")  # before any download (a read-only disk, /sys)
        paths = fetch_dataset(name, dest, mirror=os.environ.get("MLCC_DATASET_MIRROR") or None)
        console = terminal()
        for path in paths:
            console.print(f"[green]verified[/] {path}")
