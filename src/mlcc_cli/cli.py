"""The `mlcc` command line: parse options, call one core function, render, map errors to exits.

numpy, pandas and scikit-learn are imported inside the commands that need them, so
`mlcc --help`, `mlcc validate` and `mlcc schema` start instantly.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from mlcc_cli import __version__
from mlcc_cli.cli_common import (
    EXIT_INTERRUPTED,
    ConfigArg,
    JsonOption,
    SetOption,
    stderr_console,
    user_errors,
)
from mlcc_cli.cli_exercise import exercise_app

app = typer.Typer(
    name="mlcc",
    help="The Machine Learning Crash Course as a command line: one YAML file per experiment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    # Plain help output: typer's rich help pulls in rich.markdown and markdown-it, which
    # alone would make `mlcc --help` half again slower to start.
    rich_markup_mode=None,
)
datasets_app = typer.Typer(
    help="List built-in datasets; `fetch` downloads public ones.",
    invoke_without_command=True,
)
app.add_typer(datasets_app, name="datasets")
app.add_typer(exercise_app, name="exercise")


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


@app.command()
def train(
    config: ConfigArg,
    set_: SetOption = None,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder that receives the run directory.")
    ] = Path("runs"),
    name: Annotated[
        str | None, typer.Option("--name", help="Run-name prefix (default: the config's name).")
    ] = None,
    test: Annotated[
        bool, typer.Option("--test", help="Also evaluate on the test split (use sparingly).")
    ] = False,
    json_output: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the run directory path.")
    ] = False,
) -> None:
    """Train an experiment; write a run directory.

    Validates the config, loads and splits the data, fits the feature steps on the training
    split, trains, evaluates on train and validation (and test with --test).
    """
    started = time.perf_counter()
    with user_errors():
        from mlcc_cli.config_loading import check_run_name, load_config

        loaded = load_config(config, set_ or [])
        check_run_name(name)
        from mlcc_cli.experiment import run_experiment
        from mlcc_cli.report import TrainingDisplay, render_result

        import_s = time.perf_counter() - started
        human = Console(stderr=json_output, quiet=quiet, highlight=False)
        display = TrainingDisplay(human)
        try:
            result = run_experiment(
                loaded,
                runs_dir=runs_dir,
                run_name=name,
                evaluate_test=test,
                observer=display,
            )
        finally:
            display.close()
        result.timings = {"import_s": import_s, **result.timings}
        if json_output:
            typer.echo(json.dumps(_train_json(result), allow_nan=False))
        elif quiet:
            typer.echo(str(result.run_dir))
        else:
            render_result(human, result, _train_command(config, set_ or []))
        if result.status != "complete":
            from mlcc_cli.report import render_error

            message = result.message.rstrip(".")
            render_error(stderr_console(), f"{message}. The run so far is in {result.run_dir}.")
            raise typer.Exit(EXIT_INTERRUPTED if result.status == "interrupted" else 1)


RunArg = Annotated[
    Path, typer.Argument(help="Run directory printed by `mlcc train`.", show_default=False)
]


@app.command()
def predict(
    run: RunArg,
    data_file: Annotated[
        Path, typer.Argument(help="CSV or Parquet file of new rows.", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the predictions here (default: stdout)."),
    ] = None,
) -> None:
    """Apply a run's saved feature pipeline and model to new rows.

    Prints (or writes) CSV: row_id, prediction (P(class 1) for classifiers, with the class
    chosen at the run's evaluation.threshold).
    """
    with user_errors():
        from mlcc_cli.prediction import predict_rows, read_rows
        from mlcc_cli.report import render_warnings
        from mlcc_cli.saved_runs import load_run

        saved = load_run(run)
        predictions = predict_rows(saved, read_rows(data_file, "DATA_FILE"))
        render_warnings(stderr_console(), predictions.warnings)
        if output is None:
            typer.echo(predictions.table.to_csv(index=False), nl=False)
            return
        _write_atomically(output, predictions.table.to_csv(index=False))
        stderr_console().print(f"wrote {len(predictions.table):,} predictions to {output}")


def _write_atomically(path: Path, text: str) -> None:
    """Replace `path` only once the new content is complete (a failure leaves it untouched)."""
    from mlcc_cli.errors import DataError

    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DataError(f"--output {path}: cannot write the file ({error}).") from None


@app.command()
def evaluate(
    run: RunArg,
    split: Annotated[
        str, typer.Option("--split", help="The run's own split to score: validation, test, train.")
    ] = "validation",
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Score a labelled CSV/Parquet file instead of a split."),
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
        int,
        typer.Option(
            "--slice-buckets",
            metavar="N",
            help="Quantile buckets for a numeric --slice-by column with over 10 values.",
        ),
    ] = 4,  # evaluation.DEFAULT_SLICE_BUCKETS
    json_output: JsonOption = False,
) -> None:
    """Evaluate a trained run on one of its splits or on a labelled file (no retraining).

    The rows go through the run's fitted feature steps and model, exactly as in training.
    Classifiers: AUC and ROC, precision-recall, a threshold table, the confusion matrix, the
    majority-class baseline, calibration; regression: RMSE/MAE/R², residuals per bucket. Both:
    the examples of highest loss, and with --slice-by the metrics per group of rows.
    """
    with user_errors():
        from mlcc_cli.errors import ConfigError
        from mlcc_cli.evaluation import save_plots
        from mlcc_cli.run_evaluation import SPLIT_CHOICES, evaluate_file, evaluate_split
        from mlcc_cli.saved_runs import load_run

        if split not in SPLIT_CHOICES:
            raise ConfigError(
                f"--split: {split!r} is not a split; choose one of {', '.join(SPLIT_CHOICES)}"
            )
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"--threshold: {threshold:g} is outside [0, 1]")
        if worst < 0:
            raise ConfigError(f"--worst: {worst} is negative; pass 0 to leave the examples out")
        if slice_buckets < 1:
            raise ConfigError(f"--slice-buckets: {slice_buckets} is below 1")
        saved = load_run(run)
        if data is not None:
            report = evaluate_file(saved, data, threshold, worst, slice_by, slice_buckets)
        else:
            report = evaluate_split(saved, split, threshold, worst, slice_by, slice_buckets)
        if plots:
            save_plots(report)
        if json_output:
            typer.echo(json.dumps(report.to_json(), allow_nan=False))
        else:
            from mlcc_cli.report_evaluation import render_evaluation

            render_evaluation(Console(highlight=False), report)


@app.command()
def doctor(run: RunArg, json_output: JsonOption = False) -> None:
    """Read a finished run the way a crash-course instructor would.

    Findings on the loss curves (learning rate, over- and underfitting, leakage), the inputs
    (scaling, long tails), the metrics (majority baseline, prediction bias, threshold), L1
    sparsity and network training, each with its evidence and a `--set` fix. Works on
    diverged runs too; the same findings are in RUN/doctor.json.
    """
    with user_errors():
        from mlcc_cli.doctor import diagnose_run

        report = diagnose_run(run)
        if json_output:
            typer.echo(json.dumps(report.to_json(), allow_nan=False))
            return
        from mlcc_cli.report_doctor import render_doctor

        render_doctor(Console(highlight=False), report)


@app.command()
def compare(
    runs: Annotated[
        list[Path],
        typer.Argument(
            help="Run directories, or folders of runs (a sweep folder stands for its runs).",
            show_default=False,
            metavar="RUN_OR_SWEEP...",
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
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Runs side by side: the config keys that differ, metrics (best highlighted), status.

    Only keys whose values differ between the runs are shown (the run name never is); each
    metric's best run is marked: lowest loss/RMSE/MAE/log loss, |prediction bias| nearest 0,
    highest accuracy/AUC/F1/R²/average precision.
    """
    with user_errors():
        from mlcc_cli.comparison import compare_runs

        comparison = compare_runs(runs)
        png = None
        if plots and output is not None:
            from mlcc_cli.errors import DataError
            from mlcc_cli.plots import draw_compared_loss, write_plot_file

            curves = {
                f"#{i + 1} {run.run_dir.name}": run.validation_loss
                for i, run in enumerate(comparison.runs)
            }
            png = output / "compare.png"
            try:
                write_plot_file(png, lambda path: draw_compared_loss(path, curves))
            except OSError as error:
                raise DataError(f"--output {output}: cannot write compare.png ({error}).") from None
        if json_output:
            typer.echo(json.dumps({**comparison.to_json(), "plot": png and str(png)}))
            return
        from mlcc_cli.report_compare import render_comparison

        console = Console(highlight=False)
        render_comparison(console, comparison)
        if png is not None:
            console.print(f"plot: {png}")


@app.command()
def sweep(
    config: ConfigArg,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            metavar="KEY=V1,V2,...",
            help="Values to try for a dotted config key (repeatable; the product is swept), "
            "e.g. optimizer.learning_rate=0.01,0.1,1.",
        ),
    ] = None,
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds", help="Repeat each point with seed, seed+1, ...; report mean ± std."
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Points trained in parallel.")] = 1,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder that receives the sweep folder.")
    ] = Path("runs"),
    name: Annotated[
        str | None, typer.Option("--name", help="Sweep folder name (default: CONFIG-NAME-sweep).")
    ] = None,
    skip_existing: Annotated[
        bool,
        typer.Option("--skip-existing", help="Reuse complete earlier runs of the same point."),
    ] = False,
    metric: Annotated[
        str | None,
        typer.Option("--metric", help="Validation metric to rank by (default: rmse or log_loss)."),
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            metavar="local|dask",
            help="local: this machine (serial, or --jobs processes); dask: one task per point "
            "on the Dask cluster at --scheduler (RUNS_DIR must be shared storage).",
        ),
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Dask scheduler address, with --executor dask (pip install 'mlcc-cli[cluster]').",
        ),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Train one run per grid point and rank them by a validation metric.

    Each point is `mlcc train CONFIG --set KEY=V ...`, written to RUNS_DIR/SWEEP_NAME/POINT/;
    sweep.csv and sweep.json summarise them. Exit 1 if any point failed or diverged.

    With --executor dask the points run on an existing Dask distributed cluster. The workers
    write the run directories themselves, so RUNS_DIR, the config and its data must be at the
    same path on this machine and on every worker (shared storage such as NFS), and the workers
    need mlcc installed.
    """
    with user_errors():
        from mlcc_cli.sweep import run_sweep
        from mlcc_cli.sweep_files import sweep_json

        result = run_sweep(
            config,
            grid or [],
            runs_dir=runs_dir,
            name=name,
            seeds=seeds,
            jobs=jobs,
            skip_existing=skip_existing,
            metric=metric,
            executor=executor,
            scheduler=scheduler,
        )
        if json_output:
            typer.echo(json.dumps(sweep_json(result), allow_nan=False))
        else:
            from mlcc_cli.report_sweep import render_sweep

            render_sweep(Console(highlight=False), result)
        if result.interrupted:
            raise typer.Exit(EXIT_INTERRUPTED)
        if not result.all_complete:
            raise typer.Exit(1)


@app.command("lr-find")
def lr_find(
    config: ConfigArg,
    set_: SetOption = None,
    min_lr: Annotated[
        float, typer.Option("--min-lr", help="Learning rate of the first step.")
    ] = 1e-6,
    max_lr: Annotated[
        float, typer.Option("--max-lr", help="Learning rate of the last step.")
    ] = 10.0,
    steps: Annotated[
        int, typer.Option("--steps", help="Steps (batches) from --min-lr to --max-lr.")
    ] = 100,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder that receives the lr-find folder.")
    ] = Path("runs"),
    json_output: JsonOption = False,
) -> None:
    """Learning-rate range test: loss vs learning rate, and a suggested learning rate.

    Trains the config's model and optimizer from fresh weights on the training split,
    raising the learning rate geometrically every step from --min-lr to --max-lr, and stops
    once the smoothed loss exceeds 4× its best (or is not finite). Suggests the rate where
    the smoothed loss falls fastest (Smith 2017; fast.ai's lr_find). Writes
    RUNS_DIR/NAME-lr-find-…/ with lr_find.json and plots/lr_find.png.
    """
    with user_errors():
        from mlcc_cli.config_loading import load_config
        from mlcc_cli.lr_find import check_range, range_test, write_lr_find

        check_range(min_lr, max_lr, steps)  # before loading any data
        loaded = load_config(config, set_ or [])
        result = range_test(loaded, min_lr=min_lr, max_lr=max_lr, steps=steps)
        write_lr_find(result, loaded, runs_dir)
        if json_output:
            typer.echo(json.dumps(result.to_json(), allow_nan=False))
            return
        from mlcc_cli.report import render_warnings
        from mlcc_cli.report_compare import render_lr_find

        render_warnings(stderr_console(), result.warnings)
        render_lr_find(Console(highlight=False), result)


@app.command()
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
    json_output: JsonOption = False,
) -> None:
    """Report on data: types, missing values, duplicates, outliers, correlation with the label.

    Given a config, also reports the training split after its feature steps (what the model
    sees) and suggests steps in crash-course terms.
    """
    with user_errors():
        from mlcc_cli.inspection import inspect_target

        report = inspect_target(target, overrides=set_ or [], label=label)
        if json_output:
            typer.echo(json.dumps(report.to_json(), allow_nan=False))
        else:
            from mlcc_cli.inspect_report import render_inspection

            render_inspection(Console(highlight=False), report)


def _train_command(config: Path, overrides: list[str]) -> str:
    """The command that trained a run, to which the doctor's fixes append one more --set."""
    import shlex

    return shlex.join(
        ["mlcc", "train", str(config), *(part for o in overrides for part in ("--set", o))]
    )


def _train_json(result: Any) -> dict[str, Any]:
    return {
        "run_dir": str(result.run_dir),
        "status": result.status,
        "message": result.message,
        "metrics": result.metrics,
        "stopped_early": result.stopped_early,
        "best_period": result.best_period,
        "periods": len(result.history),
        "warnings": result.warnings,
        "doctor": [finding.to_json() for finding in result.findings],
        "split_checks": [check.to_json() for check in result.split_checks],
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
    }


@app.command()
def validate(
    config: ConfigArg,
    set_: SetOption = None,
    json_output: JsonOption = False,
) -> None:
    """Check a config without training.

    Checks every key and value against the schema and that the data source exists.
    """
    with user_errors():
        from mlcc_cli.config_loading import load_config
        from mlcc_cli.sources import locate_data_source

        loaded = load_config(config, set_ or [])
        located = locate_data_source(loaded.config.data.source, loaded.folder)
        if json_output:
            typer.echo(json.dumps({"valid": True, "config": str(config), "source": located}))
        else:
            Console(highlight=False).print(
                f"[green]valid[/] {config}: model {loaded.config.model.type}, "
                f"optimizer {loaded.config.optimizer.type}, data {located}"
            )


@app.command()
def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the README's config reference instead.")
    ] = False,
) -> None:
    """Print the config's JSON Schema.

    For editors' YAML completion; --markdown prints the README's config reference.
    """
    if markdown:
        from mlcc_cli.schema_docs import config_reference_markdown

        typer.echo(config_reference_markdown(), nl=False)
        return
    from mlcc_cli.config import ExperimentConfig

    typer.echo(json.dumps(ExperimentConfig.model_json_schema(), indent=2))


@datasets_app.callback()
def datasets(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """List the built-in datasets with rows, columns and task."""
    if ctx.invoked_subcommand is not None:
        return
    from mlcc_cli.data import builtin_catalog

    catalog = builtin_catalog()
    if json_output:
        typer.echo(json.dumps({"datasets": [vars(row) for row in catalog]}))
        return
    from mlcc_cli.fetch import FETCHABLE
    from mlcc_cli.report import datasets_table

    console = Console(highlight=False)
    console.print(datasets_table(catalog))
    console.print(
        "Downloadable with `mlcc datasets fetch NAME`: " + ", ".join(sorted(FETCHABLE)) + "."
    )


@datasets_app.command("fetch")
def fetch(
    name: Annotated[str, typer.Argument(help="Dataset to download, e.g. california_housing.")],
    dest: Annotated[Path, typer.Option("--dest", help="Folder to write the files into.")] = Path(
        "datasets"
    ),
) -> None:
    """Download a public dataset (checksum verified); MLCC_DATASET_MIRROR selects a mirror."""
    with user_errors():
        from mlcc_cli.fetch import fetch_dataset

        paths = fetch_dataset(name, dest, mirror=os.environ.get("MLCC_DATASET_MIRROR") or None)
        console = Console(highlight=False)
        for path in paths:
            console.print(f"[green]verified[/] {path}")


def main() -> None:
    """Console-script entry point."""
    # mlcc uses no pydantic plugins; without this, building the config models scans every
    # installed package's entry points (importlib.metadata), a noticeable part of start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app(prog_name="mlcc")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
