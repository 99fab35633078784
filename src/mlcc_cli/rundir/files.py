"""The run directory: every file a finished (or stopped) run leaves behind, written atomically.

Layout (SPEC): config.yaml, history.csv, metrics.json, model.npz + model.json,
predictions-validation.csv, plots/*.png, status.json. Files are first written into a hidden
temporary folder next to the final one, which is renamed into place only when complete, so a
crash or Ctrl-C never leaves a half-written run that looks finished.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.errors import DataError, MlccError

HISTORY_COLUMNS = (
    "period",
    "step",
    "epoch",
    "examples_seen",
    "train_loss",
    "validation_loss",
    "learning_rate",
    "grad_norm",
)


@dataclass
class RunContents:
    """Everything a run directory holds, ready to be written."""

    config_yaml: str
    history: Sequence[Any]  # training.PeriodRecord items
    metrics: dict[str, dict[str, float | int | None]]
    model_arrays: dict[str, np.ndarray]
    model_json: dict[str, Any]
    status: dict[str, Any]
    predictions: dict[str, np.ndarray] | None = None  # row_id, label, prediction (+ extra cols)
    plots: dict[str, Callable[[Path], None]] = field(default_factory=dict)
    # Further top-level files (e.g. embeddings-COLUMN.csv): name -> function writing it.
    files: dict[str, Callable[[Path], None]] = field(default_factory=dict)


def run_dir_name(name: str, now: datetime) -> str:
    """`NAME-YYYYmmdd-HHMMSS-xxxx`; the random suffix keeps parallel runs apart."""
    return f"{name}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def history_rows(history: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    """history.csv header and rows: the SPEC columns, then task metrics in first-seen order."""
    extra: list[str] = []
    for record in history:
        extra.extend(k for k in record.metrics if k not in extra)
    header = [*HISTORY_COLUMNS, *extra]
    rows = []
    for record in history:
        base = [getattr(record, column) for column in HISTORY_COLUMNS]
        rows.append(base + [record.metrics.get(k) for k in extra])
    return header, rows


def _cell(value: Any) -> str:
    # repr() of a float round-trips exactly, so equal runs give byte-identical files.
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_cell(v) for v in row] for row in rows)


# Rows converted to Python objects at a time when writing a column table: a streamed
# validation split can have millions of rows, and a whole-table conversion costs ~200 bytes a row.
CSV_SLICE_ROWS = 65_536


def write_columns_csv(path: Path, columns: dict[str, np.ndarray]) -> None:
    """Write equal-length columns as CSV, a slice of rows at a time (bounded memory)."""
    names = list(columns)
    n_rows = len(columns[names[0]]) if names else 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for start in range(0, n_rows, CSV_SLICE_ROWS):
            stop = start + CSV_SLICE_ROWS
            table = zip(*(columns[name][start:stop].tolist() for name in names), strict=True)
            writer.writerows([_cell(v) for v in row] for row in table)


def write_json(path: Path, payload: Any) -> None:
    """Indented JSON, NaN refused (metrics are made JSON-safe first)."""
    path.write_text(json.dumps(payload, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def write_run(runs_dir: Path, name: str, contents: RunContents, now: datetime) -> Path:
    """Write a complete run directory under `runs_dir` atomically and return its path."""
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"--runs-dir {runs_dir}: cannot create the folder ({error}).") from None
    final = runs_dir / run_dir_name(name, now)
    while final.exists():
        final = runs_dir / run_dir_name(name, now)
    staging = runs_dir / f".{final.name}.partial"
    try:
        staging.mkdir()
        _fill(staging, contents)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _fill(folder: Path, contents: RunContents) -> None:
    (folder / "config.yaml").write_text(contents.config_yaml, encoding="utf-8")
    header, rows = history_rows(contents.history)
    _write_csv(folder / "history.csv", header, rows)
    write_json(folder / "metrics.json", contents.metrics)
    np.savez(folder / "model.npz", **contents.model_arrays)
    write_json(folder / "model.json", contents.model_json)
    if contents.predictions is not None:
        write_columns_csv(folder / "predictions-validation.csv", contents.predictions)
    for file_name, write in contents.files.items():
        write(folder / file_name)
    if contents.plots:
        (folder / "plots").mkdir()
        for file_name, draw in contents.plots.items():
            draw(folder / "plots" / file_name)
    write_json(folder / "status.json", contents.status)


def read_model(run_dir: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Load model.json and model.npz of a run; npz is opened without pickle so nothing runs."""
    json_path, npz_path = run_dir / "model.json", run_dir / "model.npz"
    if not json_path.is_file() or not npz_path.is_file():
        raise MlccError(f"{run_dir}: not a complete run directory (model.json/model.npz missing).")
    with np.load(npz_path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return json.loads(json_path.read_text(encoding="utf-8")), arrays
