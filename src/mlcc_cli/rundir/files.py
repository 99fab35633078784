"""The run directory: every file a finished (or stopped) run leaves behind, written atomically.

Layout (SPEC): config.yaml, history.csv, metrics.json, model.npz + model.json,
predictions-validation.csv, plots/*.png, status.json. Files are first written into a hidden
temporary folder next to the final one, which is renamed into place only when complete, so a
crash or Ctrl-C never leaves a half-written run that looks finished.
"""

from __future__ import annotations

import csv
import json
import secrets
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.errors import DataError, MlccError
from mlcc_cli.rundir.records import RETRAIN, read_record
from mlcc_cli.rundir.signals import signals_held
from mlcc_cli.rundir.staging import create_staging, discard_staging, publish
from mlcc_cli.rundir.storage import storage_error

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
    # Set by write_run when Ctrl-C/SIGTERM arrived just as the complete run was published.
    late_interrupt: bool = False


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


def write_run(
    runs_dir: Path,
    name: str,
    contents: RunContents,
    now: datetime,
    *,
    staging: Path | None = None,
    folder_name: str | None = None,
) -> Path:
    """Write a run directory under `runs_dir` atomically and return its path.

    `staging`: a folder from `create_staging` made before training (so an unwritable
    `runs_dir` is reported before any work); created here when None. The run is renamed to
    `NAME-YYYYmmdd-HHMMSS-xxxx`, a name not taken before, or to `folder_name` (a sweep
    point's fixed folder, replacing an earlier run of that point).

    Ctrl-C (or SIGTERM) while the files are written keeps the run: the file being written is
    dropped, the model and its history are completed, and status.json says `interrupted`
    (contents.status is updated to match). A refused write (full disk, read-only) removes
    the staging folder and raises an MlccError; earlier runs are never touched.
    """
    staging = staging or create_staging(runs_dir, name)
    done: list[str] = []
    final: Path | None = None
    try:
        try:
            _fill(staging, contents, done)
        except KeyboardInterrupt:
            _keep_interrupted(staging, contents, done)
        with signals_held():  # a run fully written is published, whatever arrives meanwhile
            final = publish(
                staging,
                lambda: folder_name or run_dir_name(name, now),
                replace=folder_name is not None,
            )
    except KeyboardInterrupt:
        if final is None:
            discard_staging(staging)
            raise
        # Arrived while the finished run was being renamed: the run is whole and kept, and
        # the caller learns of the interruption from `late_interrupt`.
        contents.late_interrupt = True
    except OSError as error:
        discard_staging(staging)
        raise storage_error("--runs-dir", runs_dir, error) from None
    except BaseException:
        discard_staging(staging)
        raise
    return final


# The files a run cannot be read back without; an interrupted write still completes them.
ESSENTIAL_FILES = ("config.yaml", "history.csv", "metrics.json", "model.npz", "model.json")


def _writers(contents: RunContents) -> list[tuple[str, Callable[[Path], None]]]:
    """(relative path, writer) in writing order: the essential files first, status.json last."""
    header, rows = history_rows(contents.history)
    writers: list[tuple[str, Callable[[Path], None]]] = [
        ("config.yaml", lambda path: path.write_text(contents.config_yaml, encoding="utf-8")),
        ("history.csv", lambda path: _write_csv(path, header, rows)),
        ("metrics.json", lambda path: write_json(path, contents.metrics)),
        ("model.npz", lambda path: np.savez(path, **contents.model_arrays)),
        ("model.json", lambda path: write_json(path, contents.model_json)),
    ]
    if contents.predictions is not None:
        predictions = contents.predictions
        writers.append(
            ("predictions-validation.csv", lambda path: write_columns_csv(path, predictions))
        )
    writers.extend(contents.files.items())
    writers.extend((f"plots/{file_name}", draw) for file_name, draw in contents.plots.items())
    writers.append(("status.json", lambda path: write_json(path, contents.status)))
    return writers


def _fill(folder: Path, contents: RunContents, done: list[str]) -> None:
    """Write every file of the run into `folder`, appending each finished one to `done`."""
    for relative, write in _writers(contents):
        target = folder / relative
        target.parent.mkdir(exist_ok=True)
        write(target)
        done.append(relative)


def _keep_interrupted(folder: Path, contents: RunContents, done: list[str]) -> None:
    """After Ctrl-C while writing: drop the half-written file, complete the essential files
    and mark the run interrupted (a run fully written is left as it is)."""
    writers = _writers(contents)
    if len(done) == len(writers):
        return  # every file, status.json too, was written: the run is complete
    half_written = folder / writers[len(done)][0]
    if half_written.is_file():
        half_written.unlink()
    contents.status.update(
        status="interrupted",
        message="interrupted while writing the run's files after training; the model, its "
        "history and metrics are kept"
        + ("" if not contents.plots else ", plots that were not finished are missing"),
    )
    for relative, write in writers:
        if relative in ESSENTIAL_FILES and relative not in done:
            write(folder / relative)
    write_json(folder / "status.json", contents.status)


def read_model(run_dir: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Load model.json and model.npz of a run; npz is opened without pickle so nothing runs."""
    json_path, npz_path = run_dir / "model.json", run_dir / "model.npz"
    if not json_path.is_file() or not npz_path.is_file():
        raise MlccError(f"{run_dir}: not a complete run directory (model.json/model.npz missing).")
    try:
        with np.load(npz_path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    # numpy reports random bytes as "pickled data" and a truncated archive as a zip error.
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise DataError(
            f"{npz_path}: is not a valid .npz archive ({type(error).__name__}), so the run's "
            f"weights are damaged; {RETRAIN}."
        ) from None
    return read_record(json_path), arrays
