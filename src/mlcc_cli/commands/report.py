"""`mlcc report`: runs and sweeps as one self-contained HTML file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.commands.common import path_text, stderr_console, user_errors
from mlcc_cli.commands.completion import complete_run
from mlcc_cli.render.console import render_warnings


def report(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Run directories, sweep folders, or folders of runs.",
            show_default=False,
            autocompletion=complete_run,
            metavar="RUN_OR_SWEEP",
            parser=path_text,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="The HTML file to write (default: report.html inside the one RUN_OR_SWEEP, "
            "or in the current folder for several).",
            parser=path_text,
        ),
    ] = None,
) -> None:
    """Write one HTML page about runs and sweeps that opens offline (images and script inlined).

    Per run: its config, metrics, loss curve, evaluation curves (ROC, precision-recall,
    calibration or residuals; the ones the run lacks are computed from its validation split)
    and confusion matrix, the doctor's findings with their lessons, and the split checks. A
    sweep gets a sortable table of its points with the best one highlighted and shown in full;
    several runs get a comparison table. What a damaged run lacks is listed, not fatal.
    """
    with user_errors():
        # deferred: numpy, pandas, scikit-learn and jinja2 load only when a report is made
        from mlcc_cli.report.page import check_paths, report_target, write_report

        check_paths(paths)  # before any work, as is the output file
        target = report_target(paths, output)
        written = write_report(paths, target, datetime.now())
        render_warnings(stderr_console(), written.missing)
        stderr_console().print(f"wrote {target}", soft_wrap=True)
