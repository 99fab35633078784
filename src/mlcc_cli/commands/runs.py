"""`mlcc predict`, `evaluate`, `doctor` and `compare`: commands that read finished runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.commands.common import (
    JsonOption,
    RunArg,
    path_text,
    stderr_console,
    user_errors,
)
from mlcc_cli.commands.completion import complete_run
from mlcc_cli.errors import ConfigError
from mlcc_cli.render.console import render_warnings, terminal


def predict(
    run: RunArg,
    data_file: Annotated[
        Path,
        typer.Argument(
            metavar="DATA_FILE",
            help="CSV or Parquet file of new rows.",
            show_default=False,
            parser=path_text,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the predictions here: .csv, or .parquet for Parquet (default: stdout).",
            parser=path_text,
        ),
    ] = None,
) -> None:
    """Apply a run's saved feature pipeline and model to new rows.

    Prints (or writes) CSV: row_id, prediction (P(class 1) for classifiers, with the class
    chosen at the run's evaluation.threshold).
    """
    with user_errors():
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.rundir.saved import load_run
        from mlcc_cli.workflows.changed_data import warn_if_own_source_changed
        from mlcc_cli.workflows.predict import (
            check_prediction_target,
            check_required_columns,
            predict_rows,
            read_rows,
            write_predictions,
        )

        if output is not None:  # before any work: an unusable -o costs no predicting
            check_prediction_target(output, data_file)
        saved = load_run(run)
        rows = read_rows(data_file, "DATA_FILE")
        check_required_columns(saved, rows, f"DATA_FILE {data_file}")
        predictions = predict_rows(saved, rows)
        changed = warn_if_own_source_changed(saved.data_record, data_file)
        render_warnings(stderr_console(), [*changed, *predictions.warnings])
        if output is None:
            typer.echo(predictions.table.to_csv(index=False), nl=False)
            return
        write_predictions(predictions.table, output)
        stderr_console().print(f"wrote {len(predictions.table):,} predictions to {output}")


def evaluate(
    run: RunArg,
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="The run's own split to score: validation (the default), test, train.",
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="Score a labelled CSV/Parquet file instead of a split.", parser=path_text
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Classification threshold (default: the run's)."),
    ] = None,
    worst: Annotated[
        int,
        typer.Option("--worst", metavar="N", help="Show the N examples of highest loss (0: none)."),
    ] = 10,  # evaluation.DEFAULT_WORST, written out so `--help` imports no numpy
    plots: Annotated[
        bool,
        typer.Option(
            "--plots/--no-plots", help="Write PNG plots into RUN/evaluate/<split or data-FILE>/."
        ),
    ] = True,
    slice_by: Annotated[
        str | None,
        typer.Option(
            "--slice-by",
            metavar="COLUMN",
            help="Also show the metrics per value (or quantile bucket) of this data column.",
        ),
    ] = None,
    slice_buckets: Annotated[
        int | None,
        typer.Option(
            "--slice-buckets",
            metavar="N",
            help="Quantile buckets for a numeric --slice-by column with over 10 values "
            "(default 4).",
        ),
    ] = None,
    allow_changed_data: Annotated[
        bool,
        typer.Option(
            "--allow-changed-data",
            help="Re-split and score the run's data source even though it changed since "
            "training (its rows then differ from the ones held out).",
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Evaluate a trained run on one of its splits or on a labelled file (no retraining).

    The rows go through the run's fitted feature steps and model, exactly as in training.
    Classifiers: AUC and ROC, precision-recall, a threshold table, the confusion matrix, the
    majority-class baseline, calibration; regression: RMSE/MAE/R², residuals per bucket. Both:
    the examples of highest loss, and with --slice-by the metrics per group of rows.
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.evaluation import DEFAULT_SLICE_BUCKETS
        from mlcc_cli.rundir.evaluation_plots import save_plots
        from mlcc_cli.rundir.saved import load_run
        from mlcc_cli.workflows.evaluate import (
            check_evaluate_options,
            check_threshold_applies,
            evaluate_file,
            evaluate_split,
        )

        check_evaluate_options(split, data, slice_by, slice_buckets, allow_changed_data)
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"--threshold: {threshold:g} is outside [0, 1]")
        if worst < 0:
            raise ConfigError(f"--worst: {worst} is negative; pass 0 to leave the examples out")
        buckets = DEFAULT_SLICE_BUCKETS if slice_buckets is None else slice_buckets
        saved = load_run(run)
        check_threshold_applies(saved, threshold)
        if data is not None:
            report = evaluate_file(saved, data, threshold, worst, slice_by, buckets)
        else:
            report = evaluate_split(
                saved, split or "validation", threshold, worst, slice_by, buckets,
                allow_changed_data,
            )  # fmt: skip
        if plots:
            save_plots(report)
        if json_output:
            typer.echo(json.dumps(report.to_json(), allow_nan=False))
        else:
            from mlcc_cli.render.evaluation import render_evaluation

            render_evaluation(terminal(), report)


def doctor(run: RunArg, json_output: JsonOption = False) -> None:
    """Read a finished run the way a crash-course instructor would.

    Findings on the loss curves (learning rate, over- and underfitting, leakage), the inputs
    (scaling, long tails), the metrics (majority baseline, prediction bias, threshold), L1
    sparsity and network training, each with its evidence and a `--set` fix. Works on
    diverged runs too; the same findings are in RUN/doctor.json.
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.workflows.doctor import diagnose_run

        report = diagnose_run(run)
        if json_output:
            typer.echo(json.dumps(report.to_json(), allow_nan=False))
            return
        from mlcc_cli.render.doctor import render_doctor

        render_doctor(terminal(), report)


def compare(
    runs: Annotated[
        list[Path],
        typer.Argument(
            help="Run directories, or folders of runs (a sweep folder stands for its runs).",
            show_default=False,
            metavar="RUN_OR_SWEEP",
            autocompletion=complete_run,
            parser=path_text,
        ),
    ],
    plots: Annotated[
        bool,
        typer.Option(
            "--plots/--no-plots", help="Draw the overlaid validation-loss curves (with --output)."
        ),
    ] = True,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="DIR",
            help="Write compare.png into DIR (default: no file; only the terminal chart).",
            parser=path_text,
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Runs side by side: the config keys that differ, metrics (best highlighted), status.

    Only keys whose values differ between the runs are shown (the run name never is); each
    metric's best run is marked: lowest loss/RMSE/MAE/log loss/Hamming loss, |prediction
    bias| nearest 0, highest accuracy/AUC/F1 (macro, micro, weighted)/R²/average precision.
    Properties of the data (baseline_accuracy, the majority-class rate) and nonzero_weights
    are shown but never ranked.
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.rundir.storage import check_folder_writable, storage_error
        from mlcc_cli.workflows.compare import compare_runs

        if output is not None and not plots:
            raise ConfigError(
                f"--output {output} with --no-plots: --output only receives compare.png, which "
                "--no-plots does not draw; drop one of them."
            )
        if plots and output is not None:
            check_folder_writable(output, "--output")  # before reading and drawing the runs
        comparison = compare_runs(runs)
        png = None
        if plots and output is not None:
            from mlcc_cli.rundir.plots import draw_compared_loss, write_plot_file

            curves = {
                f"#{i + 1} {run.run_dir.name}": run.validation_loss
                for i, run in enumerate(comparison.runs)
            }
            png = output / "compare.png"
            try:
                write_plot_file(png, lambda path: draw_compared_loss(path, curves))
            except OSError as error:
                raise storage_error("--output", png, error) from None
        if json_output:
            typer.echo(json.dumps({**comparison.to_json(), "plot": png and str(png)}))
            return
        from mlcc_cli.render.compare import render_comparison

        console = terminal()
        render_comparison(console, comparison)
        if png is not None:
            console.print(f"plot: {png}")
