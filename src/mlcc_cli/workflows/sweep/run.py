"""Grid search: one ordinary run per point of `--grid KEY=V1,V2,...`, then a comparison.

Each grid point is exactly `mlcc train CONFIG --set KEY=V ...`: the same `load_config`
overrides, the same `run_experiment`. Its run directory sits under RUNS_DIR/SWEEP_NAME/ with a
name derived from the point (not a timestamp), so `--skip-existing` can find an earlier
complete run of the same point and reuse it. Results land in SWEEP_DIR/sweep.csv and
sweep.json, both written atomically.

The config's optional `sweep:` section (grid and random search) adds points; `--grid` keys
override its keys of the same name (see sweep_points.py).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import shutil
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# _parse_scalar: grid values are read exactly as `--set` reads them, so params match the run.
from mlcc_cli.config.loading import _parse_scalar, check_run_name, load_config, resolved_yaml
from mlcc_cli.errors import ConfigError, MlccError
from mlcc_cli.rundir.doctor_file import stored_warning_kinds, warning_kinds

STATUSES = ("complete", "diverged", "failed", "interrupted")
# Validation metrics where a larger value is the better model; every other one (losses,
# errors, prediction bias as reported) is better when lower.
HIGHER_IS_BETTER = re.compile(r"(auc|accuracy|f1|precision|recall|r2|average_precision)$")
DEFAULT_METRIC = {"regression": "rmse"}  # every classification task: log_loss


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: the `--set` overrides it adds and the folder name derived from them."""

    params: dict[str, str]  # dotted key -> value as written on the command line
    seed: int | None  # set when --seeds repeats the point, else the config's own seed
    # Folder-name text per key when it differs from params (random draws, rounded); not
    # part of the point's identity.
    label: dict[str, str] | None = field(default=None, compare=False)

    @property
    def overrides(self) -> list[str]:
        sets = [f"{key}={value}" for key, value in self.params.items()]
        return sets if self.seed is None else [*sets, f"seed={self.seed}"]

    @property
    def name(self) -> str:
        parts = [f"{key}-{value}" for key, value in (self.label or self.params).items()]
        if self.seed is not None:
            parts.append(f"seed-{self.seed}")
        # Folder-safe and deterministic: the same point always maps to the same directory.
        return re.sub(r"[^A-Za-z0-9._-]", "_", "__".join(parts) or "base")


@dataclass
class SweepRow:
    """The outcome of one grid point (one run)."""

    point: SweepPoint
    seed: int
    status: str  # complete | diverged | failed | interrupted
    run_dir: Path | None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    task: str | None = None
    message: str = ""
    duration_s: float = 0.0
    reused: bool = False
    doctor: list[str] = field(default_factory=list)  # kinds of the run doctor's warnings

    @property
    def params(self) -> dict[str, Any]:
        return {key: _parse_scalar(value) for key, value in self.point.params.items()}


@dataclass
class SweepSummary:
    """A grid point's primary metric over its seeds: mean and sample standard deviation."""

    params: dict[str, Any]
    runs: int
    complete: int
    mean: float | None
    std: float | None


@dataclass
class SweepResult:
    """Every run of a sweep, the metric they are ranked by, and the per-point summary."""

    sweep_dir: Path
    metric: str
    higher_is_better: bool
    rows: list[SweepRow]
    summaries: list[SweepSummary]

    @property
    def all_complete(self) -> bool:
        return all(row.status == "complete" for row in self.rows)

    @property
    def interrupted(self) -> bool:
        return any(row.status == "interrupted" for row in self.rows)


# ------------------------------------------------------------------------ grid


def parse_grid(specs: Sequence[str]) -> list[tuple[str, list[str]]]:
    """`["a.b=1,2", "c=x"]` -> `[("a.b", ["1", "2"]), ("c", ["x"])]`, in the given order."""
    if not specs:
        raise ConfigError("--grid: give at least one KEY=V1,V2,... e.g. --grid model.l2=0,0.01.")
    grid: list[tuple[str, list[str]]] = []
    for spec in specs:
        key, sep, raw = spec.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(
                f"--grid {spec!r}: expected KEY=V1,V2,... e.g. optimizer.learning_rate=0.01,0.1."
            )
        values = [value.strip() for value in raw.split(",")] if raw.strip() else []
        if not values or any(value == "" for value in values):
            raise ConfigError(f"--grid {key}: the value list is empty or has an empty item.")
        if len(set(values)) != len(values):
            raise ConfigError(f"--grid {key}: a value is repeated in {raw!r}.")
        if key in (existing for existing, _ in grid):
            raise ConfigError(f"--grid {key}: the key is given twice; list all values in one.")
        if key == "seed":
            raise ConfigError("--grid seed: use --seeds N to repeat each point over seeds.")
        grid.append((key, values))
    return grid


def expand(grid: list[tuple[str, list[str]]], seeds: list[int] | None) -> list[SweepPoint]:
    """The cartesian product of the grid (first key varies slowest), repeated per seed."""
    keys = [key for key, _ in grid]
    points = []
    for combination in itertools.product(*(values for _, values in grid)):
        params = dict(zip(keys, combination, strict=True))
        for seed in seeds or [None]:
            points.append(SweepPoint(params, seed))
    return points


def _validate(config_path: Path, point: SweepPoint) -> Any:
    """The point's loaded config, or a ConfigError that names the grid point first."""
    try:
        return load_config(config_path, point.overrides)
    except ConfigError as error:
        where = ", ".join(f"{k}={v}" for k, v in point.params.items())
        raise ConfigError(f"--grid {where}: {error.args[0]}", error.problems) from None


# ------------------------------------------------------------------------- runs


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _reusable(run_dir: Path, config_yaml: str, point: SweepPoint, seed: int) -> SweepRow | None:
    """A complete earlier run of exactly this resolved config, read back; else None."""
    status = _read_json(run_dir / "status.json")
    if not isinstance(status, dict) or status.get("status") != "complete":
        return None
    try:
        if (run_dir / "config.yaml").read_text(encoding="utf-8") != config_yaml:
            return None  # the base config changed since: the old result no longer applies
    except OSError:
        return None
    metrics = _read_json(run_dir / "metrics.json")
    model = _read_json(run_dir / "model.json")
    if not isinstance(metrics, dict):
        return None
    task = model.get("task") if isinstance(model, dict) else None
    # status.json keeps per-phase timings (load, train, evaluate); their sum is the run's.
    timings = status.get("timings") or {}
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


def run_point(
    config_path: Path, point: SweepPoint, sweep_dir: Path, skip_existing: bool
) -> SweepRow:
    """Train one grid point into SWEEP_DIR/POINT_NAME; never raises an MlccError.

    Module-level so worker processes can import it. It runs quietly (no observer): live
    tables from several processes would interleave on one terminal.
    """
    from mlcc_cli.workflows.train import run_experiment

    started = time.perf_counter()
    loaded = load_config(config_path, point.overrides)
    seed = loaded.config.seed
    final = sweep_dir / point.name
    if skip_existing and final.is_dir():
        reused = _reusable(final, resolved_yaml(loaded.config), point, seed)
        if reused is not None:
            return reused
    # run_experiment names its folder NAME-timestamp-xxxx; it is written into a private
    # staging folder and then renamed to the point's deterministic name.
    staging = sweep_dir / f".{point.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        result = run_experiment(loaded, runs_dir=staging, run_name=point.name)
    except MlccError as error:
        shutil.rmtree(staging, ignore_errors=True)
        return SweepRow(
            point,
            seed,
            "failed",
            None,
            message=str(error),
            duration_s=time.perf_counter() - started,
        )
    except KeyboardInterrupt:
        shutil.rmtree(staging, ignore_errors=True)
        return SweepRow(point, seed, "interrupted", None, message="interrupted")
    if final.exists():
        shutil.rmtree(final)
    os.replace(result.run_dir, final)
    shutil.rmtree(staging, ignore_errors=True)
    return SweepRow(
        point,
        seed,
        result.status,
        final,
        result.metrics,
        result.task,
        result.message if result.status != "complete" else "",
        time.perf_counter() - started,
        doctor=warning_kinds(finding.to_json() for finding in result.findings),
    )


def _higher_is_better(metric: str) -> bool:
    return bool(HIGHER_IS_BETTER.search(metric))


def _primary(row: SweepRow, metric: str) -> float | None:
    value = row.metrics.get("validation", {}).get(metric) if row.status == "complete" else None
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _summaries(rows: list[SweepRow], metric: str) -> list[SweepSummary]:
    groups: dict[tuple[tuple[str, str], ...], list[SweepRow]] = {}
    for row in rows:
        groups.setdefault(tuple(row.point.params.items()), []).append(row)
    out = []
    for members in groups.values():
        values = [v for v in (_primary(row, metric) for row in members) if v is not None]
        mean = statistics.fmean(values) if values else None
        std = statistics.stdev(values) if len(values) > 1 else (0.0 if values else None)
        out.append(SweepSummary(members[0].params, len(members), len(values), mean, std))
    return out


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
) -> SweepResult:
    """Run every grid point (each a normal run) and write sweep.csv and sweep.json.

    Every point's config is validated before anything runs, so a bad key or value costs no
    training. A failing or diverging point is recorded and the others go on.

    Parameters
    ----------
    seeds : repeat each point with seed, seed+1, ... (the config's seed first); None = once.
    jobs : worker processes (joblib's loky backend); 1 runs in this process.
    metric : the validation metric to rank by (default rmse for regression, else log_loss).
    executor, scheduler : "local" (above) or "dask": each point a task on the Dask cluster
        at `scheduler` (see sweep_executors; RUNS_DIR must be shared storage).
    """
    from mlcc_cli.workflows.sweep.executors import check_executor, run_on_dask

    config_path = Path(config_path)
    check_executor(executor, scheduler, jobs)
    if jobs < 1:
        raise ConfigError(f"--jobs {jobs}: use 1 or more worker processes.")
    if seeds is not None and seeds < 1:
        raise ConfigError(f"--seeds {seeds}: use 1 or more seeds per point.")
    check_run_name(name)
    from mlcc_cli.workflows.sweep.points import plan_points

    base = load_config(config_path)
    seed_list = [base.config.seed + i for i in range(seeds)] if seeds else None
    # The config's `sweep:` grid × the --grid values × its random trials (sweep_points.py).
    points = plan_points(base.config, grid_specs, seed_list)
    for point in points:
        _validate(config_path, point)
    sweep_dir = runs_dir / (name or f"{base.config.name}-sweep")
    try:
        sweep_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"--runs-dir {runs_dir}: cannot create the folder ({error}).") from None

    if executor == "dask":
        rows = run_on_dask(config_path, points, sweep_dir, skip_existing, str(scheduler))
    else:
        rows = _run_all(config_path, points, sweep_dir, skip_existing, jobs)
    tasks = {row.task for row in rows if row.task}
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
    result = SweepResult(sweep_dir, chosen, _higher_is_better(chosen), rows, [])
    result.summaries = _summaries(rows, chosen)
    from mlcc_cli.workflows.sweep.files import write_sweep_files

    write_sweep_files(result)
    return result


def _run_all(
    config_path: Path, points: list[SweepPoint], sweep_dir: Path, skip_existing: bool, jobs: int
) -> list[SweepRow]:
    if jobs > 1 and len(points) > 1:
        try:
            from joblib import Parallel, delayed
        except ImportError:
            raise ConfigError(
                f"--jobs {jobs}: parallel sweeps need joblib (pip install joblib); "
                "or drop --jobs to run the points one after another."
            ) from None

        # Workers return rows in submission order, so the result matches a serial sweep.
        return list(
            Parallel(n_jobs=min(jobs, len(points)), backend="loky")(
                delayed(run_point)(config_path, point, sweep_dir, skip_existing) for point in points
            )
        )
    rows: list[SweepRow] = []
    for point in points:
        row = run_point(config_path, point, sweep_dir, skip_existing)
        rows.append(row)
        if row.status == "interrupted":
            # Ctrl-C: the points not started are recorded as interrupted, not silently dropped.
            rows.extend(
                SweepRow(p, -1, "interrupted", None, message="not started")
                for p in points[len(rows) :]
            )
            break
    return rows
