"""Scoring rows with a saved run: `mlcc predict` (new rows) and `mlcc evaluate` (labelled rows).

Both replay the run's fitted feature pipeline exactly as training applied it to validation
rows (statistics from the training split, vocabularies, buckets, hashes), then the model.
Predicting skips row-dropping cleaning steps, since every new row asks for a prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.data import apply_missing_policy
from mlcc_cli.datasets.files import read_table
from mlcc_cli.errors import DataError
from mlcc_cli.experiment import referenced_columns
from mlcc_cli.features import design_matrix
from mlcc_cli.metrics import task_metrics
from mlcc_cli.saved_runs import SavedRun

SPLIT_CHOICES = ("validation", "test", "train")


def read_rows(path: Path, setting: str) -> pd.DataFrame:
    """A .csv/.parquet file as a frame indexed by row_id; DataError naming `setting` if absent."""
    if not path.is_file():
        raise DataError(f"{setting}: file '{path}' not found; check the path.")
    return read_table(path, setting)


def _used_columns(run: SavedRun, frame: pd.DataFrame) -> list[str]:
    used = referenced_columns(run.config)
    present = [str(c) for c in frame.columns if c != run.label]
    return present if used is None else [c for c in present if c in used]


@dataclass
class Predictions:
    """`mlcc predict` output: one row per input row, and what the user should know."""

    table: pd.DataFrame  # row_id, prediction (+ class for classifiers)
    warnings: list[str] = field(default_factory=list)


def predict_rows(run: SavedRun, frame: pd.DataFrame) -> Predictions:
    """Predictions for every row of `frame` (the label column, if present, is ignored).

    Rows missing a value the run could not fill (data.missing error or drop) get an empty
    prediction and a warning, instead of failing the whole file.
    """
    warnings: list[str] = []
    usable = pd.Series(True, index=frame.index)
    if run.config.data.missing in ("error", "drop"):
        used = _used_columns(run, frame)
        usable = ~frame[used].isna().any(axis=1)
        if not usable.all():
            warnings.append(
                f"{int((~usable).sum())} of {len(frame)} rows miss values in columns the model "
                "uses, so their prediction is left empty (train with data.missing: mean or "
                "median, or an impute step, to fill them)"
            )
    prediction = np.full(len(frame), np.nan)
    if usable.any():
        out = run.pipeline.transform(frame.loc[usable], predicting=True)
        prediction[usable.to_numpy()] = run.score(design_matrix(out, run.inputs))
    table = pd.DataFrame({"row_id": frame.index.to_numpy(), "prediction": prediction})
    if run.task == "binary" and run.classes is not None:
        positive = prediction >= run.threshold
        chosen = np.where(positive, str(run.classes[1]), str(run.classes[0]))
        table["class"] = np.where(np.isnan(prediction), "", chosen)
    return Predictions(table, warnings)


@dataclass
class EvaluationReport:
    """`mlcc evaluate` output: where the rows came from, how many, and the metric set."""

    run_dir: str
    rows_from: str  # "validation split", "test split", or the data file
    rows: int
    task: str
    threshold: float
    metrics: dict[str, float]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-able values (NaN metrics become null)."""
        from mlcc_cli.metrics import json_safe

        return {
            "run_dir": self.run_dir,
            "rows_from": self.rows_from,
            "rows": self.rows,
            "task": self.task,
            "threshold": self.threshold,
            "metrics": json_safe(self.metrics),
            "warnings": self.warnings,
        }


def _encode_labels(run: SavedRun, values: pd.Series, where: str) -> np.ndarray:
    """The label as the model was trained on it: scaled numbers, or 1 for classes[1]."""
    if run.task == "regression":
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.isna().any():
            example = values[numbers.isna()].iloc[0]
            raise DataError(f"{where}: label {run.label!r} has a non-number value {example!r}.")
        return numbers.to_numpy(dtype=np.float64) * run.config.data.label_scale
    classes = run.classes or []
    unknown = values[~values.isin(classes)]
    if len(unknown):
        raise DataError(
            f"{where}: label {run.label!r} has value {unknown.iloc[0]!r}, which is not one of "
            f"the run's classes {classes}; evaluate on rows labelled like the training data."
        )
    return (values == classes[1]).to_numpy(dtype=np.float64)


def evaluate_file(run: SavedRun, path: Path, threshold: float | None) -> EvaluationReport:
    """The metric set on a labelled data file, through the run's pipeline and model."""
    frame = read_rows(path, "--data")
    if run.label not in frame.columns:
        raise DataError(
            f"--data {path}: has no label column {run.label!r}, so there is nothing to compare "
            "predictions with; use `mlcc predict` for unlabelled rows."
        )
    frame, warnings = apply_missing_policy(
        frame, _used_columns(run, frame), run.label, run.config.data.missing, str(path)
    )
    out = run.pipeline.transform(frame)  # cleaning steps apply, as to the run's own splits
    y = _encode_labels(run, out[run.label], f"--data {path}")
    return _report(
        run, str(path), run.score(design_matrix(out, run.inputs)), y, threshold, warnings
    )


def evaluate_split(run: SavedRun, split: str, threshold: float | None) -> EvaluationReport:
    """The metric set on one of the run's own splits, found again from its config and seed."""
    if run.config.data.streaming:
        prediction, y = _streamed_split(run, split)
    else:
        prediction, y = _in_memory_split(run, split)
    if len(y) == 0:
        raise DataError(
            f"--split {split}: the run's {split} split is empty (data.split.{split} is 0); "
            "choose another split or pass --data FILE."
        )
    return _report(run, f"{split} split", prediction, y, threshold, [])


def _in_memory_split(run: SavedRun, split: str) -> tuple[np.ndarray, np.ndarray]:
    from mlcc_cli.in_memory import kept_positions, load_split

    config = run.config.model_copy(
        update={"data": run.config.data.model_copy(update={"source": run.data_source})}
    )
    table = load_split(config, run.run_dir, referenced_columns(config))
    rows = table.positions[split]
    if len(rows) == 0:
        return np.empty(0), np.empty(0)
    out = run.pipeline.transform(table.frame.iloc[rows])
    rows = rows[kept_positions(run.pipeline, table.frame.index[rows], out)]
    return run.score(design_matrix(out, run.inputs)), table.y[rows]


def _streamed_split(run: SavedRun, split: str) -> tuple[np.ndarray, np.ndarray]:
    from mlcc_cli.streaming.source import StreamingData
    from mlcc_cli.streaming.splits import CODES

    config = run.config.model_copy(
        update={"data": run.config.data.model_copy(update={"source": run.data_source})}
    )
    data = StreamingData(config, run.run_dir, referenced_columns(config))
    data.classes = run.classes
    predictions, labels = [], []
    for chunk in data.design_chunks(run.pipeline, run.inputs, (CODES[split],)):
        predictions.append(run.score(chunk.X))
        labels.append(chunk.y)
    if not labels:
        return np.empty(0), np.empty(0)
    return np.concatenate(predictions), np.concatenate(labels)


def _report(
    run: SavedRun,
    rows_from: str,
    prediction: np.ndarray,
    y: np.ndarray,
    threshold: float | None,
    warnings: list[str],
) -> EvaluationReport:
    threshold = run.threshold if threshold is None else threshold
    return EvaluationReport(
        run_dir=str(run.run_dir),
        rows_from=rows_from,
        rows=len(y),
        task=run.task,
        threshold=threshold,
        metrics=task_metrics(run.task, y, prediction, threshold),
        warnings=warnings,
    )
