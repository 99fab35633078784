"""A sweep as the report shows it: one table row per point, the best point's run in full.

The rows come from SWEEP_DIR/sweep.json (`mlcc sweep`'s own record, failed points
included). Without a readable sweep.json, a folder of runs is read run by run as `mlcc
compare` reads it, the config keys that differ between them standing for the swept values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from mlcc_cli.errors import DataError, MlccError
from mlcc_cli.evaluation.metric_names import higher_is_better, ranking_value
from mlcc_cli.report.run_section import RunSection, read_mapping, read_run_section
from mlcc_cli.workflows.compare import compare_runs, expand_runs, read_run

SWEEP_FILE = "sweep.json"
# The metric a folder of runs without sweep.json is ranked by, as `mlcc sweep` would choose.
DEFAULT_METRICS = ("log_loss", "rmse", "loss")


@dataclass
class SweepPoint:
    """One row of the sweep table: a point's values and its validation metrics."""

    params: dict[str, Any]
    seed: Any
    status: str
    metrics: dict[str, Any]  # validation metric → value
    doctor: list[str]
    duration_s: float | None
    run_dir: Path | None
    message: str = ""
    trial: int | None = None  # a `--search tpe` point's Optuna trial number


@dataclass
class SweepSection:
    """The sweep table and its best point (by the sweep's metric, completed runs only)."""

    kind: ClassVar[str] = "sweep"  # which template macro draws it
    sweep_dir: Path
    anchor: str
    metric: str
    higher_is_better: bool
    param_keys: list[str]
    points: list[SweepPoint]
    best: int | None = None  # index into points
    best_run: RunSection | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.sweep_dir.name

    @property
    def metric_names(self) -> list[str]:
        """The sweep's metric, then every other validation metric in first-seen order."""
        names = [self.metric]
        for point in self.points:
            names.extend(name for name in point.metrics if name not in names)
        return names

    @property
    def has_messages(self) -> bool:
        return any(point.message for point in self.points)

    @property
    def has_trials(self) -> bool:
        return any(point.trial is not None for point in self.points)

    @property
    def seeds_differ(self) -> bool:
        return len({repr(point.seed) for point in self.points}) > 1


def is_sweep_dir(path: Path) -> bool:
    """A folder holding sweep.json."""
    return (path / SWEEP_FILE).is_file()


def _point_dir(sweep_dir: Path, recorded: Any) -> Path | None:
    """The point's run folder inside `sweep_dir`: sweep.json records it relative to where the
    sweep ran, so only its name is kept."""
    if not isinstance(recorded, str):
        return None
    folder = sweep_dir / Path(recorded).name
    return folder if folder.is_dir() else None


def _points_from_json(sweep_dir: Path, stored: dict[str, Any]) -> list[SweepPoint]:
    """sweep.json's runs; KeyError/TypeError/AttributeError/ValueError when damaged."""
    points = []
    for run in stored["runs"]:
        metrics = run.get("metrics") or {}
        duration = run.get("duration_s")
        points.append(
            SweepPoint(
                params=dict(run["params"]),
                seed=run.get("seed"),
                status=str(run["status"]),
                metrics=dict(metrics.get("validation") or {}),
                doctor=[str(kind) for kind in run.get("doctor") or []],
                duration_s=float(duration) if duration is not None else None,
                run_dir=_point_dir(sweep_dir, run.get("run_dir")),
                message=str(run.get("message") or ""),
                trial=run.get("trial"),
            )
        )
    return points


def _from_runs(sweep_dir: Path, anchor: str, missing: list[str]) -> SweepSection:
    """The table built from the run folders themselves (MlccError when there are none); a
    run that cannot be read is listed in `missing` rather than sinking the whole page."""
    readable = []
    for run_dir in expand_runs([sweep_dir]):
        try:
            read_run(run_dir)
        except MlccError as error:
            missing.append(f"{run_dir.name}: left out of the table ({error})")
            continue
        readable.append(run_dir)
    if not readable:
        raise DataError(f"{sweep_dir}: none of its runs can be read (see the notes above)")
    comparison = compare_runs(readable)
    points = [
        SweepPoint(
            params={key: run.config.get(key) for key in comparison.differing_keys},
            seed=run.config.get("seed"),
            status=run.status,
            metrics=dict(run.metrics.get("validation") or {}),
            doctor=run.doctor,
            duration_s=None,
            run_dir=run.run_dir,
        )
        for run in comparison.runs
    ]
    names = {name for point in points for name in point.metrics}
    metric = next((m for m in DEFAULT_METRICS if m in names), DEFAULT_METRICS[0])
    keys = [key for key in comparison.differing_keys if key != "seed"]
    return SweepSection(
        sweep_dir, anchor, metric, higher_is_better(metric), keys, points, missing=missing
    )


def _rank(section: SweepSection, point: SweepPoint) -> float | None:
    """The point's metric, smaller is better; None unless it completed with a finite value."""
    value = point.metrics.get(section.metric)
    if point.status != "complete" or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    return -value if section.higher_is_better else ranking_value(section.metric, value)


def _best_first(section: SweepSection) -> None:
    """Sort the points as `mlcc sweep` prints them, best first (unranked ones last, in their
    order), and mark the best."""
    ranked = [(_rank(section, point), point) for point in section.points]
    ranked.sort(key=lambda pair: (pair[0] is None, pair[0] or 0.0))  # stable: ties keep order
    section.points = [point for _, point in ranked]
    section.best = 0 if ranked and ranked[0][0] is not None else None


def read_sweep_section(sweep_dir: Path, anchor: str) -> SweepSection:
    """The sweep table of `sweep_dir` and its best point's run section.

    DataError (from `compare_runs`) when the folder has neither a readable sweep.json nor
    any run inside.
    """
    missing: list[str] = []
    stored = read_mapping(sweep_dir / SWEEP_FILE, missing)
    try:
        points = _points_from_json(sweep_dir, stored)
        metric = str(stored["metric"])
        section = SweepSection(
            sweep_dir,
            anchor,
            metric,
            bool(stored.get("higher_is_better", higher_is_better(metric))),
            # every point's keys: a failed point of a TPE search has none
            list(dict.fromkeys(key for point in points for key in point.params)),
            points,
            missing=missing,
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        if stored:
            missing.append(f"{SWEEP_FILE}: not in the form `mlcc sweep` writes")
        missing.append("the table is built from the run folders inside")
        section = _from_runs(sweep_dir, anchor, missing)
    _best_first(section)
    if section.best is None:
        section.missing.append(f"best point: no completed run has a {section.metric}")
        return section
    best_dir = section.points[section.best].run_dir
    if best_dir is None:
        section.missing.append("best point: its run folder is not in the sweep folder")
    else:
        section.best_run = read_run_section(best_dir, f"{anchor}-best")
    return section
