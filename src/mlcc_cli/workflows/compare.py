"""Runs side by side: which config keys differ, and which run scores best on each metric.

`mlcc compare` reads only the plain files of each run directory (config.yaml, metrics.json,
history.csv, status.json), so it needs no numpy and never loads a model. A folder that holds
run directories (a sweep folder) stands for all of its runs.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlcc_cli.errors import DataError
from mlcc_cli.evaluation.metric_names import rank_key
from mlcc_cli.rundir.doctor_file import stored_warning_kinds
from mlcc_cli.rundir.records import read_metrics, read_record
from mlcc_cli.rundir.staging import is_staging, refuse_staging

SPLITS = ("validation", "train")


@dataclass
class ComparedRun:
    """One run directory read back: flattened config, metrics, loss history, status."""

    run_dir: Path
    config: dict[str, Any]  # dotted key → scalar
    metrics: dict[str, dict[str, Any]]  # split → metric → value
    validation_loss: list[float | None]  # per period, from history.csv
    status: str
    doctor: list[str] = field(default_factory=list)  # kinds of the doctor's warnings


@dataclass
class Comparison:
    """Runs, the config keys whose values differ, and the best run per metric.

    Attributes
    ----------
    differing_keys : dotted config keys (name excluded) whose values are not all equal.
    best : split → metric → index into `runs` of the best run (ties: the first).
    """

    runs: list[ComparedRun]
    differing_keys: list[str]
    metric_names: dict[str, list[str]] = field(default_factory=dict)  # split → names
    best: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The one object `mlcc compare --json` prints."""
        return {
            "runs": [
                {
                    "run_dir": str(run.run_dir),
                    "status": run.status,
                    "doctor": run.doctor,
                    "config": {key: run.config.get(key) for key in self.differing_keys},
                    "metrics": {
                        split: {
                            name: _finite(run.metrics.get(split, {}).get(name)) for name in names
                        }
                        for split, names in self.metric_names.items()
                    },
                }
                for run in self.runs
            ],
            "differing_keys": self.differing_keys,
            "best": {
                split: {name: str(self.runs[index].run_dir) for name, index in ranked.items()}
                for split, ranked in self.best.items()
            },
        }


def _finite(value: Any) -> Any:
    """JSON has no NaN/Infinity: such values become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings and lists as dotted keys: {"a": {"b": [1]}} → {"a.b.0": 1}."""
    if isinstance(value, dict):
        items = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list):
        items = [(str(index), item) for index, item in enumerate(value)]
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    if not items and prefix:
        flat[prefix] = value  # keep an empty list/dict visible as a value
    for key, item in items:
        flat.update(flatten(item, f"{prefix}.{key}" if prefix else key))
    return flat


def _is_run_dir(path: Path) -> bool:
    return (path / "config.yaml").is_file() and (path / "metrics.json").is_file()


def expand_runs(paths: list[Path]) -> list[Path]:
    """Run directories named directly, plus the runs inside any folder of runs (a sweep)."""
    found: list[Path] = []
    for path in paths:
        refuse_staging(path)
        if _is_run_dir(path):
            found.append(path)
            continue
        if not path.is_dir():
            what = "is a file, not a run directory" if path.exists() else "no such run directory"
            raise DataError(
                f"{path}: {what}; pass a folder printed by `mlcc train` or `mlcc sweep`."
            )
        # Staging folders hold config.yaml and metrics.json early: they are not runs yet.
        inner = sorted(
            child
            for child in path.iterdir()
            if child.is_dir() and not is_staging(child) and _is_run_dir(child)
        )
        if not inner:
            raise DataError(
                f"{path}: not a run directory (no config.yaml and metrics.json) and holds no "
                "runs; pass a folder printed by `mlcc train` or `mlcc sweep`."
            )
        found.extend(inner)
    if not found:
        raise DataError("compare: pass at least one run directory.")
    return found


def _validation_loss(path: Path) -> list[float | None]:
    if not path.is_file():
        return []
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, ValueError, csv.Error):  # a damaged curve: compare the rest
        return []
    losses: list[float | None] = []
    for row in rows:
        cell = row.get("validation_loss") or ""
        try:
            losses.append(float(cell))
        except ValueError:
            losses.append(None)
    return losses


def read_run(run_dir: Path) -> ComparedRun:
    """Read the plain files of one run directory."""
    config = read_record(run_dir / "config.yaml", yaml.safe_load)
    status_path = run_dir / "status.json"
    status = (
        read_record(status_path).get("status", "unknown") if status_path.is_file() else "unknown"
    )
    return ComparedRun(
        run_dir=run_dir,
        config=flatten(config),
        metrics=read_metrics(run_dir),
        validation_loss=_validation_loss(run_dir / "history.csv"),
        status=str(status),
        doctor=stored_warning_kinds(run_dir),
    )


def _problem(run: ComparedRun, metric: str) -> tuple[Any, ...]:
    """What a run's `metric` measures: its data and label(s); for the training `loss`, whose
    meaning is the model's (squared error, Poisson deviance, ...), the model type too."""
    keys = ["data.source", "data.label", "data.labels", "data.label_above", "data.label_scale"]
    if metric == "loss":
        keys.append("model.type")
    return tuple(repr(run.config.get(key)) for key in keys)


def compare_runs(paths: list[Path]) -> Comparison:
    """Read the runs (sweep folders expanded), find differing keys and the best per metric."""
    runs = [read_run(path) for path in expand_runs(paths)]
    keys = sorted({key for run in runs for key in run.config} - {"name"})
    # A key missing from one run differs from one present (the sentinel never equals a value).
    missing = object()
    differing = [
        key for key in keys if len({repr(run.config.get(key, missing)) for run in runs}) > 1
    ]
    comparison = Comparison(runs=runs, differing_keys=differing)
    for split in SPLITS:
        names: list[str] = []
        for run in runs:
            for name, value in run.metrics.get(split, {}).items():
                if isinstance(value, int | float) and name not in names:
                    names.append(name)
        if not names:
            continue
        comparison.metric_names[split] = names
        comparison.best[split] = {}
        for name in names:
            scored = [
                (key, index)
                for index, run in enumerate(runs)
                if isinstance(value := run.metrics.get(split, {}).get(name), int | float)
                and math.isfinite(value)
                and (key := rank_key(name, float(value))) is not None
            ]
            # A loss of other data (or another label) is another quantity: no best across them.
            problems = {_problem(runs[index], name) for _, index in scored}
            if scored and len(problems) == 1:
                comparison.best[split][name] = min(scored)[1]
    return comparison
