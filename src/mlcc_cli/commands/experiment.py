"""`mlcc train`, `validate`, `schema` and `lr-find`: commands that read an experiment file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from mlcc_cli.commands.common import (
    ConfigArg,
    JsonOption,
    SetOption,
    interrupted_exit_code,
    interruption_word,
    path_text,
    stderr_console,
    user_errors,
)
from mlcc_cli.commands.tracking import (
    TrackOption,
    check_track,
    exit_if_untracked,
    report_tracking,
    track_written,
)
from mlcc_cli.render.console import render_error, render_warnings, terminal


def train(
    config: ConfigArg,
    set_: SetOption = None,
    runs_dir: Annotated[
        Path,
        typer.Option(
            "--runs-dir", help="Folder that receives the run directory.", parser=path_text
        ),
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
    plots: Annotated[
        bool,
        typer.Option(
            "--plots/--no-plots",
            help="Write PNG plots into RUN/plots/ (--no-plots: none, and a faster small run).",
        ),
    ] = True,
    track: TrackOption = None,
) -> None:
    """Train an experiment; write a run directory.

    Validates the config, loads and splits the data, fits the feature steps on the training
    split, trains, evaluates on train and validation (and test with --test). With --track,
    the written run is then logged to MLflow (exit 1 if that fails; the run is kept).
    """
    started = time.perf_counter()
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.config.loading import check_run_name, load_config

        loaded = load_config(config, set_ or [])
        check_run_name(name)
        track_uri = check_track(track)
        from mlcc_cli.render.training import TrainingDisplay, render_result
        from mlcc_cli.workflows.train import run_experiment

        import_s = time.perf_counter() - started
        human = terminal(stderr=json_output, quiet=quiet)
        display = TrainingDisplay(human)
        try:
            result = run_experiment(
                loaded,
                runs_dir=runs_dir,
                run_name=name,
                evaluate_test=test,
                observer=display,
                plots=plots,
            )
        finally:
            display.close()
        result.timings = {"import_s": import_s, **result.timings}
        # Logged once written, an interrupted run excepted (its user asked mlcc to stop);
        # --json's object names the MLflow run, so there it is logged before printing.
        track_uri = None if result.status == "interrupted" else track_uri
        tracking = track_written(result.run_dir, track_uri) if json_output else None
        try:
            if json_output:
                payload = _train_json(result)
                payload.update({"mlflow": tracking.to_json()} if tracking else {})
                typer.echo(json.dumps(payload, allow_nan=False))
            elif quiet:
                typer.echo(str(result.run_dir))
            else:
                render_result(human, result, _train_command(config), set_ or [])
        except KeyboardInterrupt:  # while printing: the run is written, so say where it is
            result.late_interrupt = True
        if not json_output and not result.late_interrupt:
            tracking = track_written(result.run_dir, track_uri)
        report_tracking(human, tracking)
        if result.status == "complete" and result.late_interrupt:
            # The run was complete on disk before the signal was handled: nothing was lost.
            stderr_console().print(
                f"{interruption_word()} after the run was complete; it is in {result.run_dir}",
                soft_wrap=True,  # the path stays whole, for copying
            )
        elif result.status != "complete":
            message = result.message.rstrip(".")
            if result.status == "interrupted":
                message = f"{interruption_word()}: {message}"
            render_error(stderr_console(), f"{message}. The run so far is in {result.run_dir}.")
            raise typer.Exit(interrupted_exit_code() if result.status == "interrupted" else 1)
        exit_if_untracked(tracking)


def _train_command(config: Path) -> str:
    """The command that trained a run, before its --set overrides (the doctor's fixes are
    shown after them, replacing any of the same key)."""
    # deferred: numpy, pandas and scikit-learn load only for the command that runs
    import shlex

    return shlex.join(["mlcc", "train", str(config)])


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


def validate(
    config: ConfigArg,
    set_: SetOption = None,
    json_output: JsonOption = False,
) -> None:
    """Check a config without training.

    Checks every key and value against the schema and that the data source exists; for a
    config that extends others, names the files merged.
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.config.loading import load_config
        from mlcc_cli.config.training import unreachable_patience
        from mlcc_cli.data.sources import locate_data_source

        loaded = load_config(config, set_ or [])
        located = locate_data_source(loaded.config.data.source, loaded.folder)
        files = [str(file) for file in loaded.files]
        training = loaded.config.training
        warnings = unreachable_patience(training.early_stopping, training.periods)
        if json_output:
            payload = {
                "valid": True,
                "config": str(config),
                "files": files,
                "source": located,
                "warnings": warnings,
            }
            typer.echo(json.dumps(payload))
            return
        render_warnings(stderr_console(), warnings)
        console = terminal()
        console.print(
            f"[green]valid[/] {config}: model {loaded.config.model.type}, "
            f"optimizer {loaded.config.optimizer.type}, data {located}"
        )
        if len(files) > 1:  # extends: say which files were merged, in order
            merged = " → ".join(files)
            console.print(f"merged in order: {merged}", markup=False, soft_wrap=True)


def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the README's config reference instead.")
    ] = False,
) -> None:
    """Print the config's JSON Schema.

    For editors' YAML completion; --markdown prints the README's config reference.
    """
    if markdown:
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.config.reference import config_reference_markdown

        typer.echo(config_reference_markdown(), nl=False)
        return
    from mlcc_cli.config.experiment import ExperimentConfig

    typer.echo(json.dumps(ExperimentConfig.model_json_schema(), indent=2))


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
        Path,
        typer.Option(
            "--runs-dir", help="Folder that receives the lr-find folder.", parser=path_text
        ),
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
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.config.loading import load_config
        from mlcc_cli.rundir.staging import discard_staging
        from mlcc_cli.workflows.lr_find import range_test, stage_lr_find, write_lr_find
        from mlcc_cli.workflows.lr_range import check_range

        check_range(min_lr, max_lr, steps)  # before loading any data
        loaded = load_config(config, set_ or [])
        # Staged before the range test, so an unwritable --runs-dir costs no training.
        runs_dir_existed = runs_dir.is_dir()
        staging = stage_lr_find(loaded, runs_dir)
        try:
            result = range_test(loaded, min_lr=min_lr, max_lr=max_lr, steps=steps)
        except BaseException:
            discard_staging(staging, parent_created=not runs_dir_existed)
            raise
        write_lr_find(result, loaded, runs_dir, staging=staging)
        if json_output:
            typer.echo(json.dumps(result.to_json(), allow_nan=False))
            return
        from mlcc_cli.render.compare import render_lr_find

        render_warnings(stderr_console(), result.warnings)
        render_lr_find(terminal(), result)
