"""A run directory or sweep folder read back as what MLflow is told; nothing in it is written.

A run: config.yaml (the resolved config) flattened into params; every history.csv cell as a
step metric, the step being the row's period; metrics.json as final metrics named
`SPLIT/METRIC`; status.json's status, message and times and doctor.json's findings as tags;
its files as artifacts. A sweep: sweep.json's swept values and ranking metric as params, its
best validation value as a metric, and each point's run as a child record.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.evaluation.metric_names import ranking_value
from mlcc_cli.rundir.doctor_file import DOCTOR_FILE, warning_kinds
from mlcc_cli.rundir.records import DAMAGED_SWEEP, read_metrics, read_record
from mlcc_cli.rundir.saved import require_run_files
from mlcc_cli.tracking.names import (
    PARAM_VALUE_LIMIT,
    TAG_VALUE_LIMIT,
    clip,
    flatten_config,
    unique_names,
    yaml_text,
)

SWEEP_FILE = "sweep.json"
SWEEP_FILES = ("sweep.csv", SWEEP_FILE)


@dataclass
class RunRecord:
    """One run directory as MLflow is told it (names and values within MLflow's limits)."""

    run_dir: Path
    experiment: str  # the config's `name`
    params: dict[str, str]  # dotted config key -> value as YAML text
    history: list[tuple[str, int, float]]  # (history.csv column, period, value) per cell
    metrics: dict[str, float]  # `validation/rmse` -> value, from metrics.json
    tags: dict[str, str]
    status: str  # mlcc's: complete | diverged | interrupted | pruned
    started_ms: int | None  # status.json's times, in ms since the epoch
    finished_ms: int | None


@dataclass
class SweepRecord:
    """A sweep folder: its own params, best metric and tags, and a record per point's run."""

    sweep_dir: Path
    experiment: str
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]
    status: str  # complete | failed (a point failed or diverged) | interrupted
    runs: list[RunRecord]
    files: list[Path]  # sweep.csv and sweep.json


def read_target(path: Path) -> RunRecord | SweepRecord:
    """The run or sweep at `path`; DataError (exit 2) naming it when it is neither."""
    if (path / SWEEP_FILE).is_file():
        return read_sweep(path)
    if not path.is_dir():
        raise DataError(
            f"{path}: no such folder; pass a run directory printed by `mlcc train` or a sweep "
            "folder printed by `mlcc sweep`."
        )
    if not (path / "model.json").is_file():
        raise DataError(
            f"{path}: is neither an mlcc run directory (no model.json) nor a sweep folder (no "
            f"{SWEEP_FILE}); pass a folder printed by `mlcc train` or `mlcc sweep`."
        )
    require_run_files(path)  # a run missing files, named as such
    return read_run(path)


def read_targets(paths: Sequence[Path]) -> list[RunRecord | SweepRecord]:
    """Every path's run or sweep, all read before any is logged; ConfigError when one run
    would be logged twice (a path repeated, or a run given beside the sweep it belongs to),
    since MLflow would then hold two records of it."""
    records = [read_target(path) for path in paths]
    given: dict[Path, int] = {}  # a run folder, resolved -> the argument that brings it
    for position, record in enumerate(records):
        for run in record.runs if isinstance(record, SweepRecord) else [record]:
            other = given.setdefault(run.run_dir.resolve(), position)
            if other != position:
                raise ConfigError(
                    f"{paths[position]}: the run {run.run_dir} would be logged twice "
                    f"(RUN_OR_SWEEP {paths[other]} brings it too); give each run or sweep once."
                )
    return records


def _epoch_ms(stamp: Any) -> int | None:
    """status.json's local `2026-01-01T12:00:00` as ms since the epoch; None if absent."""
    try:
        return int(datetime.fromisoformat(stamp).timestamp() * 1000)
    except (TypeError, ValueError):
        return None


def _numbers(tree: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """`SPLIT/METRIC` -> value for every number in metrics.json (nested mappings joined by
    `/`; lists such as a confusion matrix, booleans and nulls left out)."""
    found: dict[str, float] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(_numbers(value, f"{name}/"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found[name] = float(value)
    return found


def _history(path: Path) -> list[tuple[str, int, float]]:
    """(column, period, value) for every filled cell of history.csv but the period itself."""
    cells: list[tuple[str, int, float]] = []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                period = int(row["period"])
                cells.extend(
                    (column, period, float(cell))
                    for column, cell in row.items()
                    if column != "period" and cell
                )
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise DataError(
            f"{path}: cannot be read as mlcc's history ({type(error).__name__}: {error}), so "
            "the run is not logged."
        ) from None
    return cells


def _doctor_tags(run_dir: Path) -> dict[str, str]:
    """`mlcc.doctor`: the warning kinds, space-separated (as in sweep.csv); one
    `mlcc.doctor.KIND` per finding kind: `severity: title: evidence`. {} without doctor.json."""
    try:
        stored = json.loads((run_dir / DOCTOR_FILE).read_text(encoding="utf-8"))
        findings = [f for f in stored["findings"] if isinstance(f, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    described: dict[str, list[str]] = {}
    for finding in findings:
        parts = (finding.get("severity"), finding.get("title"), finding.get("evidence"))
        text = ": ".join(str(part) for part in parts if part)
        described.setdefault(str(finding.get("kind")), []).append(text)
    names = unique_names(f"mlcc.doctor.{kind}" for kind in described)
    tags = {names[f"mlcc.doctor.{kind}"]: "; ".join(texts) for kind, texts in described.items()}
    return {"mlcc.doctor": " ".join(warning_kinds(findings)), **tags}


def read_run(run_dir: Path) -> RunRecord:
    """What MLflow is told of the run directory `run_dir` (DataError if a file is damaged)."""
    config = read_record(run_dir / "config.yaml", yaml.safe_load)
    status = read_record(run_dir / "status.json")
    params = flatten_config(config)
    param_names = unique_names(params)
    history = _history(run_dir / "history.csv")
    metrics = _numbers(read_metrics(run_dir))
    metric_names = unique_names([*dict.fromkeys(column for column, _, _ in history), *metrics])
    tags = {
        "mlcc.run_dir": str(run_dir.resolve()),
        "mlcc.status": str(status.get("status")),
        "mlcc.message": str(status.get("message") or ""),
        "mlcc.version": str((status.get("versions") or {}).get("mlcc")),
        **_doctor_tags(run_dir),
    }
    return RunRecord(
        run_dir=run_dir,
        experiment=str(config.get("name") or run_dir.name),
        params={param_names[key]: clip(value, PARAM_VALUE_LIMIT) for key, value in params.items()},
        history=[(metric_names[column], period, value) for column, period, value in history],
        metrics={metric_names[name]: value for name, value in metrics.items()},
        tags={key: clip(value, TAG_VALUE_LIMIT) for key, value in tags.items()},
        status=str(status.get("status")),
        started_ms=_epoch_ms(status.get("started_at")),
        finished_ms=_epoch_ms(status.get("finished_at")),
    )


def _sweep_status(statuses: list[Any]) -> str:
    if "interrupted" in statuses:
        return "interrupted"
    return "failed" if {"failed", "diverged"} & set(statuses) else "complete"


def _best(rows: list[dict[str, Any]], metric: str, higher_is_better: bool) -> dict[str, float]:
    """`best/validation/METRIC`: the best finite value among complete points, if any (for
    prediction_bias the one nearest 0, with its sign)."""
    values = []
    for row in rows:
        value = ((row.get("metrics") or {}).get("validation") or {}).get(metric)
        if row.get("status") == "complete" and isinstance(value, int | float):
            values.extend([float(value)] if math.isfinite(value) else [])
    if not values:
        return {}

    def rank(value: float) -> float:  # smaller is better
        return -value if higher_is_better else ranking_value(metric, value)

    return {f"best/validation/{metric}": min(values, key=rank)}


def read_sweep(sweep_dir: Path) -> SweepRecord:
    """What MLflow is told of a sweep folder: sweep.json's summary and each point's run (a
    failed point, which left no run, is only in sweep.csv and sweep.json)."""
    stored = read_record(sweep_dir / SWEEP_FILE, damaged=DAMAGED_SWEEP)
    rows = [row for row in stored.get("runs") or [] if isinstance(row, dict)]
    runs = []
    for row in rows:
        recorded = row.get("run_dir")
        # sweep.json records the folder relative to where the sweep ran: only its name counts.
        folder = sweep_dir / Path(recorded).name if isinstance(recorded, str) else None
        if folder is not None and (folder / "model.json").is_file():
            runs.append(read_run(folder))
    swept: dict[str, list[Any]] = {}
    for row in rows:
        for key, value in (row.get("params") or {}).items():
            swept.setdefault(f"swept.{key}", [])
            if value not in swept[f"swept.{key}"]:
                swept[f"swept.{key}"].append(value)
    metric = str(stored.get("metric"))
    params = {"sweep.metric": metric, **{key: yaml_text(values) for key, values in swept.items()}}
    names = unique_names(params)
    statuses = [row.get("status") for row in rows]
    return SweepRecord(
        sweep_dir=sweep_dir,
        experiment=runs[0].experiment if runs else sweep_dir.name,
        params={names[key]: clip(value, PARAM_VALUE_LIMIT) for key, value in params.items()},
        metrics=_best(rows, metric, bool(stored.get("higher_is_better"))),
        tags={"mlcc.sweep_dir": str(sweep_dir.resolve()), "mlcc.status": _sweep_status(statuses)},
        status=_sweep_status(statuses),
        runs=runs,
        files=[sweep_dir / name for name in SWEEP_FILES if (sweep_dir / name).is_file()],
    )
