"""Grid search: one ordinary run per point of `--grid KEY=V1,V2,...`, then a comparison.

Each grid point is exactly `mlcc train CONFIG --set KEY=V ...`: the same `load_config`
overrides, the same `run_experiment`. Its run directory sits under RUNS_DIR/SWEEP_NAME/ with a
name derived from the point (not a timestamp), so `--skip-existing` can find an earlier
complete run of the same point and reuse it. Results land in SWEEP_DIR/sweep.csv and
sweep.json, both written atomically.

The config's optional `sweep:` section (grid and random search) adds points; `--grid` keys
override its keys of the same name (see points.py). `--search tpe` lets Optuna propose each
trial from the ones before it instead (search.py, tpe.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from mlcc_cli.config.loading import LoadedConfig, check_run_name, load_config
from mlcc_cli.data.split_table import run_task
from mlcc_cli.errors import ConfigError
from mlcc_cli.evaluation.metric_names import check_metric_name, higher_is_better
from mlcc_cli.rundir.claims import FolderClaim, claim_folder, claim_holder
from mlcc_cli.rundir.storage import check_run_name_fits, fit_name
from mlcc_cli.workflows.sweep.executors import check_executor, run_on_dask
from mlcc_cli.workflows.sweep.files import write_sweep_files
from mlcc_cli.workflows.sweep.parallel import run_in_workers
from mlcc_cli.workflows.sweep.point import finished_row, run_point, validate_point
from mlcc_cli.workflows.sweep.points import MAX_SWEEP_POINTS, plan_points
from mlcc_cli.workflows.sweep.result import (
    DEFAULT_METRIC,
    SweepPoint,
    SweepResult,
    SweepRow,
    seed_statistics,
)
from mlcc_cli.workflows.sweep.search import resolve_search
from mlcc_cli.workflows.sweep.tpe import create_study, import_optuna, run_tpe
from mlcc_cli.workflows.sweep.tpe_space import search_space


def check_sweep_folder(sweep_dir: Path, name: str | None) -> None:
    """ConfigError when `sweep_dir` exists as something other than an earlier sweep (a run
    directory, or a folder of other files), which the sweep's files would mix into."""
    if not sweep_dir.exists():
        return
    named = f"--name {name}" if name is not None else "the sweep's name"
    if (sweep_dir / "status.json").is_file():
        what = "a run directory"
    elif not sweep_dir.is_dir():
        what = "a file"
    elif _earlier_sweep(sweep_dir):
        return  # its points are reused (--skip-existing) or trained again
    else:
        what = "a folder that holds no sweep"
    raise ConfigError(
        f"{named}: {sweep_dir} is {what}; a sweep writes its own folder, so choose another "
        "name (--name) or --runs-dir"
    )


def _visible(folder: Path) -> list[Path]:
    """The folder's entries but hidden ones (staging folders, .owner.json)."""
    return [entry for entry in folder.iterdir() if not entry.name.startswith(".")]


def _holds_results(folder: Path) -> bool:
    """An earlier sweep wrote here: its table or a point run."""
    return folder.is_dir() and (
        (folder / "sweep.json").is_file()
        or any((entry / "status.json").is_file() for entry in _visible(folder))
    )


def _earlier_sweep(folder: Path) -> bool:
    """An earlier (perhaps interrupted) sweep: its results (`_holds_results`), its TPE
    journal, or nothing but hidden staging folders yet."""
    return _holds_results(folder) or (folder / "optuna.journal").exists() or not _visible(folder)


def _next_free(folder: Path) -> Path:
    """FOLDER-2, FOLDER-3, ...: the first that does not exist yet."""
    number = 2
    while (candidate := folder.with_name(f"{folder.name}-{number}")).exists():
        number += 1
    return candidate


def claim_sweep_folder(
    sweep_dir: Path, name: str | None, skip_existing: bool
) -> tuple[Path, FolderClaim]:
    """The folder the sweep writes, claimed by this process (`claim_folder`), so two sweeps
    started together never share one: SWEEP_DIR itself, unless an earlier sweep's results
    are there (without --skip-existing) or another sweep is writing it right now; then, as a
    run's name draws another suffix, SWEEP_DIR-2, -3, ... With --name or --skip-existing,
    which ask for that very folder, a folder taken is a ConfigError instead."""
    check_sweep_folder(sweep_dir, name)
    candidate = sweep_dir
    for _ in range(100):
        if skip_existing or not _holds_results(candidate):
            claim = claim_folder(candidate)
            # Checked again once claimed: a sweep that held it may just have finished there.
            if claim is not None and (skip_existing or not _holds_results(candidate)):
                return candidate, claim
            if claim is None and (name is not None or skip_existing):
                named = f"--name {name}" if name is not None else "--skip-existing"
                raise ConfigError(
                    f"{named}: {candidate} is being written by another mlcc sweep "
                    f"({claim_holder(candidate)}); wait for it to finish, or choose another "
                    "--name"
                )
            if claim is not None:
                claim.release()
        if name is not None:
            raise ConfigError(
                f"--name {name}: {sweep_dir} holds an earlier sweep, whose runs are kept; pass "
                "--skip-existing to reuse its complete runs and train only the rest, or "
                "choose another --name"
            )
        candidate = _next_free(sweep_dir)  # like a run's name: never replace what exists
    raise ConfigError(f"{sweep_dir}: no free sweep-folder name after 100 tries; use --name")


def run_sweep(
    config_path: Path,
    grid_specs: Sequence[str],
    *,
    runs_dir: Path = Path("runs"),
    name: str | None = None,
    seeds: int | None = None,
    jobs: int = 1,
    skip_existing: bool = False,
    metric: str | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    plots: bool = True,
    search: str | None = None,
    trials: int | None = None,
    prune: str = "none",
    worker_setup: Callable[[], object] | None = None,
) -> SweepResult:
    """Run every grid point (each a normal run) and write sweep.csv and sweep.json.

    Every point's config is validated before anything runs, so a bad key or value costs no
    training. A failing or diverging point is recorded and the others go on.

    Parameters
    ----------
    seeds : repeat each point with seed, seed+1, ... (the config's seed first); None = once.
    jobs : worker processes (`parallel.run_in_workers`); 1 runs in this process.
    worker_setup : called first in each of those workers (the CLI's closed-pipe guard).
    metric : the validation metric to rank by (default rmse for regression, else log_loss).
    executor, scheduler : "local" (above) or "dask": each point a task on the Dask cluster
        at `scheduler` (see executors.py; RUNS_DIR must be shared storage).
    plots : False writes no plots/*.png into the points' run directories (faster points).
    search, trials, prune : grid, random or tpe (default: random when the config has
        sweep.random, else grid); `trials` replaces sweep.random.trials; prune "median" stops
        unpromising TPE trials (status "pruned", not a failure). See search.py.
    """
    config_path = Path(config_path)
    check_executor(executor, scheduler, jobs)
    if jobs < 1:
        raise ConfigError(f"--jobs {jobs}: use 1 or more worker processes.")
    if seeds is not None and not 1 <= seeds <= MAX_SWEEP_POINTS:
        # checked before the seed list is built: --seeds 1e29 would never finish building it
        raise ConfigError(
            f"--seeds {seeds}: use 1 to {MAX_SWEEP_POINTS:,} seeds per point (a sweep runs at "
            f"most {MAX_SWEEP_POINTS:,} points)."
        )
    check_run_name(name)
    base = load_config(config_path)
    kind, swept = resolve_search(base.config, search, trials, prune, seeds)
    if kind == "tpe":
        import_optuna()  # a missing [tune] extra is reported before anything is checked
        space = search_space(swept, grid_specs)
        loaded = [
            validate_point(config_path, point, "sweep.random.params")
            for point in space.edge_points()
        ]
    else:
        seed_list = [base.config.seed + i for i in range(seeds)] if seeds else None
        # The config's `sweep:` grid × the --grid values × its random trials (points.py).
        points = plan_points(swept, grid_specs, seed_list)
        loaded = [validate_point(config_path, point) for point in points]
    if metric is not None:  # else a wrong --metric would surface only after every point
        tasks, from_label = _tasks(loaded)
        check_metric_name(
            metric, tasks, note=" (model.task auto, read from the label)" * from_label
        )
    if name is not None:
        check_run_name_fits(name, "--name")
    sweep_dir = runs_dir / (name or fit_name(f"{base.config.name}-sweep"))
    # Claimed (created, written to) before any point trains: an unwritable RUNS_DIR fails now.
    sweep_dir, claim = claim_sweep_folder(sweep_dir, name, skip_existing)
    try:
        study = None
        if kind == "tpe":
            study = create_study(sweep_dir, space, base.config.seed, prune, metric)
            count = swept.sweep.random.trials  # type: ignore[union-attr]
            rows = run_tpe(
                config_path, study, count, sweep_dir, skip_existing=skip_existing, plots=plots,
                jobs=jobs, scheduler=scheduler if executor == "dask" else None,
                worker_setup=worker_setup,
            )  # fmt: skip
        elif executor == "dask":
            rows = run_on_dask(config_path, points, sweep_dir, skip_existing, str(scheduler), plots)
        else:
            rows = _run_all(
                config_path, points, sweep_dir, skip_existing, (jobs, worker_setup), plots
            )
        # No point trained (interrupted or failed before training): the model's task, as written.
        tasks = {row.task for row in rows if row.task} or {getattr(base.config.model, "task", None)}
        task = tasks.pop() if len(tasks) == 1 else None
        chosen = metric or DEFAULT_METRIC.get(task or "", "log_loss")
        seen = {
            k for row in rows if row.status == "complete" for k in row.metrics.get("validation", {})
        }
        if metric is not None and seen and metric not in seen:
            raise ConfigError(
                f"--metric {metric}: not a validation metric of these runs; "
                f"choose one of {', '.join(sorted(seen))}."
            )
        result = SweepResult(
            sweep_dir, chosen, higher_is_better(chosen), rows, [], study.name if study else None
        )
        result.point_statistics = seed_statistics(rows, chosen)
        write_sweep_files(result)
        return result
    finally:
        claim.release()  # another sweep may now reuse the folder


def _tasks(loaded: list[LoadedConfig]) -> tuple[set[str], bool]:
    """The tasks the points' runs solve (`run_task`: a model's `task: auto` is read from the
    label, once per distinct data section), and whether any was read so."""
    read: dict[str, str] = {}
    tasks: set[str] = set()
    for point in loaded:
        config = point.config
        if config.model.task != "auto":
            tasks.add(config.model.task)
            continue
        key = json.dumps([config.data.model_dump(mode="json"), config.seed, str(point.folder)])
        if key not in read:
            read[key] = run_task(config, point.folder)
        tasks.add(read[key])
    return tasks, bool(read)


def _run_all(
    config_path: Path,
    points: list[SweepPoint],
    sweep_dir: Path,
    skip_existing: bool,
    workers: tuple[int, Callable[[], object] | None],
    plots: bool,
) -> list[SweepRow]:
    jobs, setup = workers  # how many, and what each runs first (`run_in_workers`)
    if jobs > 1 and len(points) > 1:
        arguments = [(config_path, point, sweep_dir, skip_existing, plots) for point in points]

        def missing(index: int, status: str, message: str) -> SweepRow:
            # A worker died: the points other workers had finished are on disk all the same.
            done = (
                finished_row(config_path, points[index], sweep_dir) if status == "failed" else None
            )
            return done or SweepRow(points[index], -1, status, None, message=message)

        return run_in_workers(run_point, arguments, min(jobs, len(points)), missing, setup)
    rows: list[SweepRow] = []
    for point in points:
        try:
            row = run_point(config_path, point, sweep_dir, skip_existing, plots)
        except KeyboardInterrupt:  # between points (reading the config): nothing to keep
            row = SweepRow(point, -1, "interrupted", None, message="interrupted")
        rows.append(row)
        if row.status == "interrupted":
            # Ctrl-C: the points not started are recorded as interrupted, not silently dropped.
            rows.extend(
                SweepRow(p, -1, "interrupted", None, message="not started")
                for p in points[len(rows) :]
            )
            break
    return rows
