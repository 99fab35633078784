"""`mlcc export`: a run as a scikit-learn Pipeline (joblib) or an ONNX graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.commands.common import JsonOption, RunArg, path_text, stderr_console, user_errors


def export(
    run: RunArg,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="sklearn|onnx",
            help="sklearn: a scikit-learn Pipeline saved with joblib; onnx: an ONNX graph "
            "(pip install 'mlcc-cli[export]').",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the file here (default: RUN/model.joblib or .onnx).",
            parser=path_text,
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Write a run's feature steps and model as a scikit-learn Pipeline or an ONNX graph.

    Each step becomes its scikit-learn equivalent with the run's fitted numbers (a
    ColumnTransformer over the input columns), the model its scikit-learn estimator with the
    run's weights; predictions equal `mlcc predict`'s. A step or model without a faithful
    equivalent (hash, cross, embeddings, ...) is refused by its config key, and nothing is
    written.
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.export import export_run
        from mlcc_cli.render.export import export_json, render_export

        result = export_run(run, format, output)
        if json_output:
            typer.echo(json.dumps(export_json(result)))
            return
        render_export(stderr_console(), result)
        typer.echo(str(result.path))
