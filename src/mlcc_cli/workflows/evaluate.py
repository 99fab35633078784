"""Evaluating a saved run on labelled rows: `mlcc evaluate` on its own split or a file.

The rows go through the run's fitted feature pipeline and model as in `prediction.py`.
Evaluating keeps each scored row's source row (index row_id, as read, before the feature
steps) alongside its label and prediction, so the report can show the worst examples as
they appear in the data; the numbers themselves come from `mlcc_cli.evaluation`. With
`--slice-by COLUMN` it also keeps each scored row's value of COLUMN (a source column, or one
the feature steps created), aligned with the rows the cleaning steps kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.loading import apply_missing_policy, encode_label_matrix, label_above
from mlcc_cli.data.split_table import kept_positions, load_split, referenced_columns
from mlcc_cli.errors import ConfigError, DataError, did_you_mean
from mlcc_cli.evaluation import (
    DEFAULT_SLICE_BUCKETS,
    DEFAULT_WORST,
    EvaluationReport,
    build_report,
    evaluate_slices,
    example_loss,
    worst_examples,
    worst_positions,
)
from mlcc_cli.features import design_matrix
from mlcc_cli.rundir.saved import SavedRun
from mlcc_cli.training.streaming.source import StreamingData
from mlcc_cli.training.streaming.splits import CODES
from mlcc_cli.workflows.predict import read_rows, required_columns, used_columns

SPLIT_CHOICES = ("validation", "test", "train")


def _encode_labels(run: SavedRun, values: pd.Series, where: str) -> np.ndarray:
    """The label as the model was trained on it: scaled numbers, 1 for classes[1] (binary) or
    the class code, the position in classes (multiclass). Multilabel: see `_label_matrix`."""
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
    if run.task == "multiclass":
        return pd.Categorical(values, categories=classes).codes.astype(np.float64)
    return (values == classes[1]).to_numpy(dtype=np.float64)


def _label_matrix(run: SavedRun, rows: pd.DataFrame, where: str) -> np.ndarray:
    """A multilabel run's 0/1 label matrix (n_rows, n_labels) of `rows`, as training read it."""

    try:
        return encode_label_matrix(rows, run.labels or [])
    except DataError as error:
        raise DataError(f"{where}: {error}") from None


def _labels_of(run: SavedRun, rows: pd.DataFrame, where: str) -> np.ndarray:
    """The encoded labels of labelled `rows`: one column (n,) or, multilabel, (n, n_labels)."""
    if run.task == "multilabel":
        return _label_matrix(run, rows, where)
    values = rows[run.label]
    if run.config.data.label_above is not None:  # as training read it: a 0/1 label
        values = label_above(values, run.config.data.label_above, f"{where}: data.label_above")
    return _encode_labels(run, values, where)


def _slice_values(column: str, rows: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """The `--slice-by` column of scored rows: from the source rows, else from the feature
    steps' output `out` (same rows, same order); ConfigError listing the columns if neither."""
    if column in rows.columns:
        return rows[column].reset_index(drop=True)
    if column in out.columns:
        return out[column].reset_index(drop=True)
    names = [*map(str, rows.columns), *(str(c) for c in out.columns if c not in rows.columns)]
    raise ConfigError(
        f"--slice-by: no column {column!r} in the evaluated rows.{did_you_mean(column, names)} "
        f"Choose a source column or one the run's feature steps create: {', '.join(names)}."
    )


class _Scored:
    """Scored rows, gathered in one go or chunk by chunk (streaming).

    Keeps every label and prediction (16 bytes a row) but only the source rows of the
    `worst` highest-loss rows of each chunk: the overall worst are among them, so a split
    larger than memory never has its raw rows held at once. With `slice_by`, each row's
    value of that column is kept too.
    """

    def __init__(
        self,
        run: SavedRun,
        worst: int,
        slice_by: str | None = None,
        slice_buckets: int = DEFAULT_SLICE_BUCKETS,
    ) -> None:
        self.run = run
        # Worst examples rank rows by one label's loss; multilabel reports per label instead.
        self.worst = 0 if run.task == "multilabel" else worst
        self.slice_by = slice_by
        self.slice_buckets = slice_buckets
        self.labels: list[np.ndarray] = []
        self.predictions: list[np.ndarray] = []
        self.slice_values: list[pd.Series] = []
        self.candidates: list[tuple[pd.DataFrame, np.ndarray, np.ndarray]] = []

    def add(
        self, rows: pd.DataFrame, y: np.ndarray, prediction: np.ndarray, out: pd.DataFrame
    ) -> None:
        """Fold in source rows (index row_id) with their encoded labels and predictions;
        `out` is the feature steps' output for the same rows."""
        if self.slice_by is not None:
            self.slice_values.append(_slice_values(self.slice_by, rows, out))
        self.labels.append(y)
        self.predictions.append(prediction)
        if self.worst:
            keep = worst_positions(example_loss(self.run.task, y, prediction), self.worst)
            self.candidates.append((rows.iloc[keep], y[keep], prediction[keep]))

    def report(
        self, rows_from: str, name: str, threshold: float | None, warnings: list[str]
    ) -> EvaluationReport:
        """The evaluation of every row added (at least one)."""
        run = self.run
        threshold = run.threshold if threshold is None else threshold
        worst = []
        if self.candidates:
            rows = pd.concat([c[0] for c in self.candidates])
            y, prediction = (np.concatenate([c[i] for c in self.candidates]) for i in (1, 2))
            worst = worst_examples(
                run.task,
                rows,
                y,
                prediction,
                self.worst,
                label=run.label,
                classes=run.classes,
                threshold=threshold,
            )
        report = build_report(
            run_dir=run.run_dir,
            rows_from=rows_from,
            name=name,
            task=run.task,
            y=np.concatenate(self.labels),
            prediction=np.concatenate(self.predictions),
            threshold=threshold,
            classes=run.labels if run.task == "multilabel" else run.classes,
            worst=worst,
            warnings=warnings,
        )
        if self.slice_by is not None:
            values = pd.concat(self.slice_values, ignore_index=True)
            report.slices = evaluate_slices(
                self.slice_by,
                values,
                run.task,
                report.labels,
                report.predictions,
                threshold,
                self.slice_buckets,
            )
            report.warnings.extend(report.slices.warnings)
        return report


def evaluate_file(
    run: SavedRun,
    path: Path,
    threshold: float | None,
    worst: int = DEFAULT_WORST,
    slice_by: str | None = None,
    slice_buckets: int = DEFAULT_SLICE_BUCKETS,
) -> EvaluationReport:
    """The evaluation of a labelled data file, through the run's saved pipeline and model.

    The file needs the label and every source column the run reads (`required_columns`);
    categories never seen in training go where the run's steps put them (one_hot's
    <other>, hash buckets). Plots go to RUN/evaluate/data-<file stem>/. `slice_by` adds
    the metrics per value or quantile bucket (`slice_buckets`) of that column.
    """
    frame = read_rows(path, "--data")
    absent = [c for c in run.labels or [run.label] if c not in frame.columns]
    if absent:
        raise DataError(
            f"--data {path}: has no label column {absent[0]!r}, so there is nothing to compare "
            "predictions with; use `mlcc predict` for unlabelled rows."
        )
    missing = [column for column in required_columns(run) if column not in frame.columns]
    if missing:
        raise DataError(
            f"--data {path}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} that the run reads; the file needs the columns "
            f"the run was trained on (it has {', '.join(map(repr, map(str, frame.columns)))})."
        )
    labels = run.labels or [run.label]
    frame, warnings = apply_missing_policy(
        frame,
        [*used_columns(run, frame), *labels[1:]],
        run.label,
        run.config.data.missing,
        str(path),
    )
    label_rows = frame
    if run.task == "multilabel":  # as in training, label columns never reach the steps
        frame = frame.drop(columns=labels)
    out = run.pipeline.transform(frame)  # cleaning steps apply, as to the run's own splits
    rows = frame.loc[out.index] if run.pipeline.drops_rows else frame
    if len(rows) == 0:
        raise DataError(
            f"--data {path}: no rows are left after the missing-value policy and the run's "
            "cleaning steps, so there is nothing to evaluate."
        )
    scored = _Scored(run, worst, slice_by, slice_buckets)
    y = _labels_of(run, label_rows.loc[rows.index], f"--data {path}")
    scored.add(rows, y, run.score(design_matrix(out, run.inputs)), out)
    return scored.report(str(path), f"data-{path.stem}", threshold, warnings)


def evaluate_split(
    run: SavedRun,
    split: str,
    threshold: float | None,
    worst: int = DEFAULT_WORST,
    slice_by: str | None = None,
    slice_buckets: int = DEFAULT_SLICE_BUCKETS,
) -> EvaluationReport:
    """The evaluation of one of the run's own splits, found again from its config and seed.

    Plots go to RUN/evaluate/<split>/. `slice_by`: as in `evaluate_file`.
    """
    scored = _Scored(run, worst, slice_by, slice_buckets)
    if run.config.data.streaming:
        _streamed_split(run, split, scored)
    else:
        _in_memory_split(run, split, scored)
    if not scored.labels:
        raise DataError(
            f"--split {split}: the run's {split} split is empty (data.split.{split} is 0); "
            "choose another split or pass --data FILE."
        )
    return scored.report(f"{split} split", split, threshold, [])


def _config_as_trained(run: SavedRun) -> ExperimentConfig:
    """The run's config with data.source resolved as training resolved it."""
    data = run.config.data.model_copy(update={"source": run.data_source})
    return run.config.model_copy(update={"data": data})


def _in_memory_split(run: SavedRun, split: str, scored: _Scored) -> None:
    config = _config_as_trained(run)
    table = load_split(config, run.run_dir, referenced_columns(config))
    positions = table.positions[split]
    if len(positions) == 0:
        return
    rows = table.frame.iloc[positions]
    out = run.pipeline.transform(rows)
    kept = kept_positions(run.pipeline, rows.index, out)
    if len(kept):
        prediction = run.score(design_matrix(out, run.inputs))
        scored.add(rows.iloc[kept], table.y[positions[kept]], prediction, out)


def _streamed_split(run: SavedRun, split: str, scored: _Scored) -> None:
    """Score the split chunk by chunk, as StreamingData.design_chunks prepares training rows."""
    config = _config_as_trained(run)
    used = read = referenced_columns(config)
    slice_by = scored.slice_by
    if used is not None and slice_by is not None and slice_by not in used:
        read = [*used, slice_by]
    data = StreamingData(config, run.run_dir, read)
    if read is not used:  # read the --slice-by column, but keep it out of data.missing
        data.columns = [c for c in data.columns if c != slice_by]
    data.classes = run.classes
    for chunk in data.raw_chunks():
        rows = chunk.frame[chunk.split == CODES[split]]
        if rows.empty:
            continue
        out = run.pipeline.transform(rows)
        rows = rows.loc[out.index] if run.pipeline.drops_rows else rows
        if len(rows):
            prediction = run.score(design_matrix(out, run.inputs))
            scored.add(rows, data.encode(rows[data.label]), prediction, out)
