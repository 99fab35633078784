"""What a sweep produced: its points, one row per run, and the per-point statistics over seeds."""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# parse_scalar: grid values are read exactly as `--set` reads them, so params match the run.
from mlcc_cli.config.overrides import parse_scalar
from mlcc_cli.evaluation.metric_names import NEAREST_ZERO, metric_direction, ranking_value

# pruned: a TPE trial stopped early by the pruner; kept and listed, not a failure, never ranked
# (its metrics come from a shorter run than the others').
STATUSES = ("complete", "diverged", "failed", "interrupted", "pruned")
# The Optuna journal (one study per `--search tpe` run into the folder) in SWEEP_DIR.
STUDY_JOURNAL = "optuna.journal"
# Statuses that do not make `mlcc sweep` exit 1.
SUCCEEDED = ("complete", "pruned")
# Every classification task: log_loss; word embeddings: their negative-sampling loss.
DEFAULT_METRIC = {"regression": "rmse", "embedding": "loss"}


@dataclass(frozen=True)
class SweepPoint:
    """One grid point: the `--set` overrides it adds and the folder name derived from them."""

    params: dict[str, str]  # dotted key -> value as written on the command line
    seed: int | None  # set when --seeds repeats the point, else the config's own seed
    # Folder-name text per key when it differs from params (random draws, rounded); not
    # part of the point's identity.
    label: dict[str, str] | None = field(default=None, compare=False)
    trial: int | None = None  # the Optuna trial number of a `--search tpe` point

    @property
    def overrides(self) -> list[str]:
        sets = [f"{key}={value}" for key, value in self.params.items()]
        return sets if self.seed is None else [*sets, f"seed={self.seed}"]

    @property
    def name(self) -> str:
        parts = [f"{key}-{value}" for key, value in (self.label or self.params).items()]
        if self.trial is not None:  # first, so a folder listing sorts in trial order
            parts.insert(0, f"trial-{self.trial:04d}")
        if self.seed is not None:
            parts.append(f"seed-{self.seed}")
        # Folder-safe and deterministic: the same point always maps to the same directory.
        return re.sub(r"[^A-Za-z0-9._-]", "_", "__".join(parts) or "base")


@dataclass
class SweepRow:
    """The outcome of one grid point (one run)."""

    point: SweepPoint
    seed: int
    status: str  # one of STATUSES
    run_dir: Path | None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    task: str | None = None
    message: str = ""
    duration_s: float = 0.0
    reused: bool = False
    doctor: list[str] = field(default_factory=list)  # kinds of the run doctor's warnings

    @property
    def params(self) -> dict[str, Any]:
        return {key: parse_scalar(value) for key, value in self.point.params.items()}


@dataclass
class SeedStatistics:
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
    point_statistics: list[SeedStatistics]
    # `--search tpe`: the Optuna study's name in SWEEP_DIR/optuna.journal; else None.
    study_name: str | None = None

    @property
    def no_failures(self) -> bool:
        """No run failed, diverged or was interrupted (pruned trials are not failures)."""
        return all(row.status in SUCCEEDED for row in self.rows)

    @property
    def interrupted(self) -> bool:
        return any(row.status == "interrupted" for row in self.rows)


def primary_value(row: SweepRow, metric: str) -> float | None:
    """The row's validation `metric` as ranked (`ranking_value`: |prediction_bias|) when the
    run completed and it is finite, else None."""
    value = row.metrics.get("validation", {}).get(metric) if row.status == "complete" else None
    if not (isinstance(value, int | float) and math.isfinite(value)):
        return None
    return ranking_value(metric, float(value))


def ranked_name(metric: str) -> str:
    """How the ranked quantity is named in tables: `|prediction_bias|` for a metric best at 0."""
    return f"|{metric}|" if metric_direction(metric) == NEAREST_ZERO else metric


def seed_statistics(rows: list[SweepRow], metric: str) -> list[SeedStatistics]:
    """Per grid point: how many runs, how many completed, and `metric`'s mean and std."""
    groups: dict[tuple[tuple[str, str], ...], list[SweepRow]] = {}
    for row in rows:
        groups.setdefault(tuple(row.point.params.items()), []).append(row)
    out = []
    for members in groups.values():
        values = [v for v in (primary_value(row, metric) for row in members) if v is not None]
        mean = statistics.fmean(values) if values else None
        std = statistics.stdev(values) if len(values) > 1 else (0.0 if values else None)
        out.append(SeedStatistics(members[0].params, len(members), len(values), mean, std))
    return out
