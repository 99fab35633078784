"""What every `mlcc` command shares: option types, exit codes, and turning errors into exits.

Every module of `mlcc_cli.commands` imports these, so the commands stay alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.errors import MlccError
from mlcc_cli.render.console import render_error, stderr_console

EXIT_INTERRUPTED = 130

ConfigArg = Annotated[Path, typer.Argument(help="Experiment YAML file.", show_default=False)]
RunArg = Annotated[
    Path, typer.Argument(help="Run directory printed by `mlcc train`.", show_default=False)
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a config value by dotted path, e.g. optimizer.learning_rate=0.01 "
        "or features.2.max=4 (repeatable; values parsed as YAML).",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn mlcc's own errors into one paragraph on stderr and the right exit code."""
    try:
        yield
    except MlccError as error:
        render_error(stderr_console(), str(error))
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        stderr_console().print("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
