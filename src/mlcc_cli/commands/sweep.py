"""`mlcc sweep`: one run per point of a grid, random or TPE (Optuna) search."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mlcc_cli.commands.closed_pipes import survive_closed_pipes
from mlcc_cli.commands.common import (
    ConfigArg,
    JsonOption,
    assignment_text,
    interrupted_exit_code,
    path_text,
    user_errors,
)
from mlcc_cli.commands.completion import complete_config_key
from mlcc_cli.commands.tracking import (
    TrackOption,
    check_track,
    exit_if_untracked,
    report_tracking,
    track_written,
)
from mlcc_cli.render.console import terminal


def sweep(
    config: ConfigArg,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            metavar="KEY=V1,V2,...",
            help="Values to try for a dotted config key (repeatable; the product is swept), "
            "e.g. optimizer.learning_rate=0.01,0.1,1.",
            autocompletion=complete_config_key,
            parser=assignment_text,
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
        Path,
        typer.Option("--runs-dir", help="Folder that receives the sweep folder.", parser=path_text),
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
    plots: Annotated[
        bool,
        typer.Option(
            "--plots/--no-plots",
            help="Write each point's PNG plots (--no-plots: none, and faster points).",
        ),
    ] = True,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            metavar="grid|random|tpe",
            help="grid: the sweep.grid/--grid product; random: that × sweep.random's seeded "
            "draws; tpe: Optuna's TPE proposes each trial from the earlier ones, over "
            "sweep.random.params (pip install 'mlcc-cli[tune]'). Default: random when the "
            "config has sweep.random, else grid.",
        ),
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option(
            "--trials",
            metavar="N",
            help="Trials of a random or tpe search (default: sweep.random.trials).",
        ),
    ] = None,
    prune: Annotated[
        str,
        typer.Option(
            "--prune",
            metavar="none|median",
            help="median (tpe only): stop a trial whose validation loss is worse than the "
            "median of finished trials' at the same period; it is kept with status pruned.",
        ),
    ] = "none",
    json_output: JsonOption = False,
    track: TrackOption = None,
) -> None:
    """Train one run per grid point and rank them by a validation metric.

    Each point is `mlcc train CONFIG --set KEY=V ...`, written to RUNS_DIR/SWEEP_NAME/POINT/;
    sweep.csv and sweep.json summarise them. Exit 1 if any point failed or diverged (pruned
    trials are no failure).

    With --executor dask the points run on an existing Dask distributed cluster. The workers
    write the run directories themselves, so RUNS_DIR, the config and its data must be at the
    same path on this machine and on every worker (shared storage such as NFS), and the workers
    need mlcc installed.

    With --track the sweep is then logged to MLflow: a parent run with one child run per
    point (exit 1 if that fails; the runs are kept).
    """
    with user_errors(json_output):
        # deferred: numpy, pandas and scikit-learn load only for the command that runs
        from mlcc_cli.workflows.sweep.files import sweep_json
        from mlcc_cli.workflows.sweep.run import run_sweep

        track_uri = check_track(track)
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
            plots=plots,
            search=search,
            trials=trials,
            prune=prune,
            worker_setup=survive_closed_pipes,  # as in this process (cli.py)
        )
        # An interrupted sweep is not logged (its user asked mlcc to stop); --json's object
        # names the MLflow runs, so there the sweep is logged before printing.
        track_uri = None if result.interrupted else track_uri
        tracking = track_written(result.sweep_dir, track_uri) if json_output else None
        if json_output:
            payload = sweep_json(result)
            payload.update({"mlflow": tracking.to_json()} if tracking else {})
            typer.echo(json.dumps(payload, allow_nan=False))
        else:
            from mlcc_cli.render.sweep import render_sweep

            render_sweep(terminal(), result)
            tracking = track_written(result.sweep_dir, track_uri)
        report_tracking(terminal(stderr=json_output), tracking)
        if result.interrupted:
            raise typer.Exit(interrupted_exit_code())
        exit_if_untracked(tracking)
        if not result.no_failures:
            raise typer.Exit(1)
