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
from mlcc_cli.data.splitting import require_test_split
from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.evaluation import (
    DEFAULT_SLICE_BUCKETS,
    DEFAULT_WORST,
    EvaluationReport,
)
from mlcc_cli.evaluation.values import plain
from mlcc_cli.features import design_matrix
from mlcc_cli.rundir.saved import SavedRun
from mlcc_cli.training.streaming.source import StreamingData
from mlcc_cli.training.streaming.splits import CODES
from mlcc_cli.workflows.changed_data import (
    check_same_rows,
    check_split_data,
    warn_if_own_source_changed,
)
from mlcc_cli.workflows.predict import check_required_columns, read_rows, used_columns
from mlcc_cli.workflows.scored_rows import ScoredRows

SPLIT_CHOICES = ("validation", "test", "train")
# The tasks whose predictions a threshold turns into classes (multiclass takes the argmax).
THRESHOLD_TASKS = ("binary", "multilabel")


def check_evaluate_options(
    split: str | None,
    data: Path | None,
    slice_by: str | None,
    slice_buckets: int | None,
    allow_changed_data: bool,
) -> None:
    """ConfigError for an option `mlcc evaluate` would otherwise ignore or cannot use, named
    with what to do instead (checked before the run is read)."""
    if split is not None and split not in SPLIT_CHOICES:
        raise ConfigError(
            f"--split: {split!r} is not a split; choose one of {', '.join(SPLIT_CHOICES)}"
        )
    if data is not None and split is not None:
        raise ConfigError(
            f"--split {split} and --data {data}: choose one; --split scores one of the run's "
            "own splits, --data a labelled file instead."
        )
    if data is not None and allow_changed_data:
        raise ConfigError(
            f"--allow-changed-data: only for re-splitting the run's own data (--split); "
            f"--data {data} is scored as it is, so drop the option."
        )
    if slice_buckets is not None and slice_by is None:
        raise ConfigError(
            f"--slice-buckets {slice_buckets}: only with --slice-by COLUMN, whose numeric "
            "values it buckets; add --slice-by or drop the option."
        )
    if slice_buckets is not None and slice_buckets < 1:
        raise ConfigError(f"--slice-buckets: {slice_buckets} is below 1")


def check_threshold_applies(run: SavedRun, threshold: float | None) -> None:
    """ConfigError when `--threshold` is given for a run whose predictions take none."""
    if threshold is not None and run.task not in THRESHOLD_TASKS:
        raise ConfigError(
            f"--threshold {threshold:g}: the run is a {run.task} model, whose predictions "
            "no threshold turns into classes; drop the option (it applies to binary and "
            "multi-label classifiers)."
        )


def _encode_labels(run: SavedRun, values: pd.Series, where: str) -> np.ndarray:
    """The label as the model was trained on it: scaled numbers, 1 for classes[1] (binary) or
    the class code, the position in classes (multiclass). Multilabel: see `_label_matrix`."""
    if run.task == "regression":
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.isna().any():
            example = plain(values[numbers.isna()].iloc[0])
            raise DataError(f"{where}: label {run.label!r} has a non-number value {example!r}.")
        return numbers.to_numpy(dtype=np.float64) * run.config.data.label_scale
    classes = run.classes or []
    unknown = values[~values.isin(classes)]
    if len(unknown):
        value = plain(unknown.iloc[0])
        raise DataError(
            f"{where}: label {run.label!r} has value {value!r}, which is not one of "
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
    changed = warn_if_own_source_changed(run.data_record, path)
    absent = [c for c in run.labels or [run.label] if c not in frame.columns]
    if absent:
        raise DataError(
            f"--data {path}: has no label column {absent[0]!r}, so there is nothing to compare "
            "predictions with; use `mlcc predict` for unlabelled rows."
        )
    check_required_columns(run, frame, f"--data {path}")
    labels = run.labels or [run.label]
    frame, warnings = apply_missing_policy(
        frame,
        [*used_columns(run, frame), *labels[1:]],
        run.label,
        run.config.data.missing,
        str(path),
        fix="the run was trained with data.missing: error, so it scores only complete rows: "
        "fill or remove those values in the file (`mlcc predict` leaves such rows' prediction "
        "empty), or train again with data.missing: drop, mean or median",
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
    scored = ScoredRows(run, worst, slice_by, slice_buckets)
    y = _labels_of(run, label_rows.loc[rows.index], f"--data {path}")
    scored.add(rows, y, run.score(design_matrix(out, run.inputs)), out)
    return scored.report(str(path), f"data-{path.stem}", threshold, [*changed, *warnings])


def evaluate_split(
    run: SavedRun,
    split: str,
    threshold: float | None,
    worst: int = DEFAULT_WORST,
    slice_by: str | None = None,
    slice_buckets: int = DEFAULT_SLICE_BUCKETS,
    allow_changed_data: bool = False,
) -> EvaluationReport:
    """The evaluation of one of the run's own splits, found again from its config and seed.

    Plots go to RUN/evaluate/<split>/. `slice_by`: as in `evaluate_file`. A data source that
    changed since training (status.json's fingerprint) is refused, since re-splitting it
    picks other rows, unless `allow_changed_data` (then it is a warning).
    """
    if split == "test":  # before reading the data: a 0 test share has nothing to score
        require_test_split(run.config.data.split, "--split test")
    warnings = check_split_data(
        run.data_record, run.data_source, run.run_dir, split, allow_changed_data
    )
    scored = ScoredRows(run, worst, slice_by, slice_buckets)
    if run.config.data.streaming:
        _streamed_split(run, split, scored)
    else:
        warnings += _in_memory_split(run, split, scored, allow_changed_data)
    if not scored.labels:
        raise DataError(
            f"--split {split}: the run's {split} split is empty (data.split.{split} is 0); "
            "choose another split or pass --data FILE."
        )
    return scored.report(f"{split} split", split, threshold, warnings)


def _config_as_trained(run: SavedRun) -> ExperimentConfig:
    """The run's config with data.source resolved as training resolved it."""
    data = run.config.data.model_copy(update={"source": run.data_source})
    return run.config.model_copy(update={"data": data})


def _in_memory_split(
    run: SavedRun, split: str, scored: ScoredRows, allow_changed: bool
) -> list[str]:
    """Score the split's rows; warnings (with `allow_changed`) when they are not the rows
    the run scored at training."""
    config = _config_as_trained(run)
    table = load_split(config, run.run_dir, referenced_columns(config))
    positions = table.positions[split]
    if len(positions) == 0:
        return []
    rows = table.frame.iloc[positions]
    out = run.pipeline.transform(rows)
    kept = kept_positions(run.pipeline, rows.index, out)
    warnings = check_same_rows(run.run_dir, split, rows.index[kept], allow_changed)
    if len(kept):
        prediction = run.score(design_matrix(out, run.inputs))
        scored.add(rows.iloc[kept], table.y[positions[kept]], prediction, out)
    return warnings


def _streamed_split(run: SavedRun, split: str, scored: ScoredRows) -> None:
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
