"""One sweep point: validated, trained as `mlcc train --set ...`, or reused from an earlier run.

Each point's run directory sits under RUNS_DIR/SWEEP_NAME/ with a name derived from the point
(not a timestamp), so `--skip-existing` can find an earlier complete run of the same point.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mlcc_cli.config.loading import load_config, resolved_yaml
from mlcc_cli.errors import ConfigError, DataError, MlccError
from mlcc_cli.rundir.doctor_file import stored_warning_kinds, warning_kinds
from mlcc_cli.rundir.records import read_metrics, record_or_problem
from mlcc_cli.rundir.storage import fit_name
from mlcc_cli.training.plan import TrainingObserver
from mlcc_cli.workflows.sweep.result import SweepPoint, SweepRow
from mlcc_cli.workflows.train import run_experiment


def validate_point(config_path: Path, point: SweepPoint, what: str = "--grid") -> Any:
    """The point's loaded config, or a ConfigError that names the point first (after `what`,
    the option or config key the point comes from)."""
    try:
        return load_config(config_path, point.overrides)
    except ConfigError as error:
        where = ", ".join(f"{k}={v}" for k, v in point.params.items())
        raise ConfigError(f"{what} {where}: {error.args[0]}", error.problems) from None


def _read_json(path: Path) -> dict[str, Any] | None:
    """The mapping in a record file of an earlier run, or None when it has none to give."""
    content, problem = record_or_problem(path)
    return None if problem is not None else content


def _reusable(run_dir: Path, config_yaml: str, point: SweepPoint, seed: int) -> SweepRow | None:
    """A complete earlier run of exactly this resolved config, read back; else None."""
    status = _read_json(run_dir / "status.json")
    if not isinstance(status, dict) or status.get("status") != "complete":
        return None
    try:
        written = run_dir / "config.yaml"  # a regular file: reading a named pipe would wait
        if not written.is_file() or written.read_text(encoding="utf-8") != config_yaml:
            return None  # the base config changed since: the old result no longer applies
    except OSError:
        return None
    try:
        metrics = read_metrics(run_dir)
    except DataError:  # damaged: the point is trained again
        return None
    model = _read_json(run_dir / "model.json")
    task = model.get("task") if isinstance(model, dict) else None
    # status.json keeps per-phase timings (load, train, evaluate); their sum is the run's.
    timings = status.get("timings")
    timings = timings if isinstance(timings, dict) else {}
    duration = float(sum(v for v in timings.values() if isinstance(v, int | float)))
    return SweepRow(
        point,
        seed,
        "complete",
        run_dir,
        metrics,
        task,
        "",
        duration,
        reused=True,
        doctor=stored_warning_kinds(run_dir),
    )


def finished_row(config_path: Path, point: SweepPoint, sweep_dir: Path) -> SweepRow | None:
    """The row of the point's complete run in SWEEP_DIR, read back (e.g. one a worker finished
    before the pool broke), else None."""
    loaded = load_config(config_path, point.overrides)
    final = sweep_dir / fit_name(point.name)
    row = _reusable(final, resolved_yaml(loaded.config), point, loaded.config.seed)
    if row is not None:
        row.reused = False  # trained by this sweep, only read back
    return row


def run_point(
    config_path: Path,
    point: SweepPoint,
    sweep_dir: Path,
    skip_existing: bool,
    plots: bool = True,
    observer: TrainingObserver | None = None,
) -> SweepRow:
    """Train one grid point into SWEEP_DIR/POINT_NAME; never raises an MlccError.

    Module-level so worker processes can import it. It shows no live table (tables from
    several processes would interleave on one terminal); `observer` receives the periods
    instead, e.g. a TPE trial's pruner, which may stop the run (status "pruned").
    `plots=False`: no plots/*.png (`mlcc sweep --no-plots`).
    """
    started = time.perf_counter()
    loaded = load_config(config_path, point.overrides)
    seed = loaded.config.seed
    # Many grid keys make a long name: shortened (deterministically) to fit a folder name.
    folder = fit_name(point.name)
    final = sweep_dir / folder
    if skip_existing and final.is_dir():
        reused = _reusable(final, resolved_yaml(loaded.config), point, seed)
        if reused is not None:
            return reused
    # Staged in a private `.POINT-xxxxxxxx.partial` folder and renamed to the point's fixed
    # name, replacing an earlier run of the point only once the new one is complete.
    try:
        result = run_experiment(
            loaded,
            runs_dir=sweep_dir,
            run_name=folder,
            folder_name=folder,
            plots=plots,
            observer=observer,
        )
    except MlccError as error:
        return SweepRow(
            point,
            seed,
            "failed",
            None,
            message=str(error),
            duration_s=time.perf_counter() - started,
        )
    except KeyboardInterrupt:  # before training began: nothing to keep
        return SweepRow(point, seed, "interrupted", None, message="interrupted before training")
    return SweepRow(
        point,
        seed,
        # An interruption just after the run was published still stops the sweep.
        "interrupted" if result.late_interrupt else result.status,
        result.run_dir,
        result.metrics,
        result.task,
        result.message if result.status != "complete" else "",
        time.perf_counter() - started,
        doctor=warning_kinds(finding.to_json() for finding in result.findings),
    )
