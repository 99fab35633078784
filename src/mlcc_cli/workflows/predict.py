"""Scoring rows with a saved run: `mlcc predict` (new rows) and `mlcc evaluate` (labelled rows).

Both replay the run's fitted feature pipeline exactly as training applied it to validation
rows (statistics from the training split, vocabularies, buckets, hashes), then the model.
Predicting skips row-dropping cleaning steps, since every new row asks for a prediction.
Evaluating labelled rows lives in `evaluate.py`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mlcc_cli.data.files import read_table
from mlcc_cli.data.sources import NOT_FOUND, file_problem
from mlcc_cli.data.split_table import referenced_columns, tokenised_columns
from mlcc_cli.errors import DataError
from mlcc_cli.evaluation.metrics import class_probability_columns
from mlcc_cli.features import design_matrix, imputed_columns
from mlcc_cli.features.design import is_model_input
from mlcc_cli.features.step_columns import created_columns
from mlcc_cli.rundir.saved import SavedRun
from mlcc_cli.rundir.storage import (
    check_file_writable,
    write_bytes_atomically,
    write_text_atomically,
)


def read_rows(path: Path, setting: str) -> pd.DataFrame:
    """A .csv/.parquet file as a frame indexed by row_id; DataError naming `setting` if absent."""
    problem = file_problem(path)
    if problem == NOT_FOUND:
        raise DataError(f"{setting}: file '{path}' not found; check the path.")
    if problem is not None:
        raise DataError(f"{setting}: '{path}' {problem}")
    return read_table(path, setting)


# -o's suffix decides the format; no suffix is CSV, the format printed without -o.
PREDICTION_FORMATS = {".csv": "CSV", "": "CSV", ".parquet": "Parquet"}


def check_prediction_target(output: Path, data_file: Path) -> None:
    """DataError before any work when `-o` names a format mlcc does not write, the rows being
    scored, or a file that cannot be written (`check_file_writable`)."""
    if output.exists() and data_file.exists() and output.resolve() == data_file.resolve():
        raise DataError(
            f"--output {output}: is DATA_FILE itself; the predictions would replace the rows "
            "they were made from, so write them to another file"
        )
    check_file_writable(output, "--output", example="predictions.csv")
    if output.suffix.lower() not in PREDICTION_FORMATS:
        raise DataError(
            f"--output {output}: mlcc writes predictions as CSV (.csv) or Parquet (.parquet), "
            f"not '{output.suffix}'; name the file e.g. {output.with_suffix('.csv')}"
        )


def write_predictions(table: pd.DataFrame, output: Path) -> None:
    """Write the predictions as CSV, or as Parquet when `output` ends in .parquet, replacing
    any earlier file only once complete."""
    if PREDICTION_FORMATS[output.suffix.lower()] == "Parquet":
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        write_bytes_atomically(output, buffer.getvalue(), "--output")
        return
    write_text_atomically(output, table.to_csv(index=False), "--output")


def used_columns(run: SavedRun, frame: pd.DataFrame) -> list[str]:
    """The columns of `frame` the run reads (all non-label ones when it reads every column)
    whose missing values matter (not a text step's columns: missing text has no tokens; nor
    those an impute step fills)."""
    used = referenced_columns(run.config)
    skipped = [
        *(run.labels or [run.label]),
        *tokenised_columns(run.config),
        *imputed_columns(run.config.features, frame, run.label),
    ]
    present = [str(c) for c in frame.columns if c not in skipped]
    return present if used is None else [c for c in present if c in used]


@dataclass
class Predictions:
    """`mlcc predict` output: one row per input row, and what the user should know."""

    table: pd.DataFrame  # row_id, prediction (+ class, or p_CLASS columns for multiclass)
    warnings: list[str] = field(default_factory=list)


def predict_rows(run: SavedRun, frame: pd.DataFrame) -> Predictions:
    """Predictions for every row of `frame` (the label column, if present, is ignored).

    Rows missing a value the run could not fill (data.missing error or drop) get an empty
    prediction and a warning, instead of failing the whole file.
    """
    warnings: list[str] = []
    if run.task == "multilabel":  # label columns in the file are answers, never features
        frame = frame.drop(columns=[c for c in run.labels or [] if c in frame.columns])
    usable = pd.Series(True, index=frame.index)
    if run.config.data.missing in ("error", "drop"):
        used = used_columns(run, frame)
        usable = ~frame[used].isna().any(axis=1)
        if not usable.all():
            warnings.append(
                f"{int((~usable).sum())} of {len(frame)} rows miss values in columns the model "
                "uses, so their prediction is left empty (train with data.missing: mean or "
                "median, or an impute step, to fill them)"
            )
    multiclass = run.task == "multiclass"
    shape: int | tuple[int, int] = len(frame)
    if multiclass:
        shape = (len(frame), len(run.classes or []))
    elif run.task == "multilabel":
        shape = (len(frame), len(run.labels or []))
    prediction = np.full(shape, np.nan)
    if usable.any():
        out = run.pipeline.transform(frame.loc[usable], predicting=True)
        prediction[usable.to_numpy()] = run.score(design_matrix(out, run.inputs))
    if multiclass:
        table = _class_table(run, frame.index.to_numpy(), prediction)
        if usable.any() and hasattr(run.model, "predict_raw_proba"):
            raw = np.full(shape, np.nan)
            raw[usable.to_numpy()] = run.model.predict_raw_proba(design_matrix(out, run.inputs))
            for k, name in enumerate(run.classes or []):
                table[f"raw_{name}"] = raw[:, k]  # one_vs_all: each class's own sigmoid
        return Predictions(table, warnings)
    if run.task == "multilabel":
        return Predictions(_label_table(run, frame.index.to_numpy(), prediction), warnings)
    table = pd.DataFrame({"row_id": frame.index.to_numpy(), "prediction": prediction})
    if run.task == "binary" and run.classes is not None:
        positive = prediction >= run.threshold
        chosen = np.where(positive, str(run.classes[1]), str(run.classes[0]))
        table["class"] = np.where(np.isnan(prediction), "", chosen)
    return Predictions(table, warnings)


def _class_table(run: SavedRun, row_ids: np.ndarray, probability: np.ndarray) -> pd.DataFrame:
    """Multiclass predictions: the most probable class, then one p_CLASS column per class.

    Rows that could not be scored (NaN probabilities) get an empty prediction.
    """

    classes = run.classes or []
    scored = ~np.isnan(probability).any(axis=1)
    names = np.asarray([str(c) for c in classes], dtype=object)
    chosen = np.full(len(row_ids), "", dtype=object)
    chosen[scored] = names[np.argmax(probability[scored], axis=1)]
    return pd.DataFrame(
        {
            "row_id": row_ids,
            "prediction": chosen,
            **class_probability_columns(probability, classes),
        }
    )


def _label_table(run: SavedRun, row_ids: np.ndarray, probability: np.ndarray) -> pd.DataFrame:
    """Multi-label predictions: per label, p_LABEL then prediction_LABEL (1 when p_LABEL ≥ the
    run's evaluation.threshold, else 0); rows that could not be scored stay empty."""
    table: dict[str, np.ndarray] = {"row_id": row_ids}
    for j, name in enumerate(run.labels or []):
        p = probability[:, j]
        table[f"p_{name}"] = p
        on = pd.array((p >= run.threshold).astype(np.int64), dtype="Int64")
        on[np.isnan(p)] = pd.NA
        table[f"prediction_{name}"] = on
    return pd.DataFrame(table)


def required_columns(run: SavedRun) -> list[str]:
    """Source columns a labelled file must have for the run: what its steps and model read.

    Each fitted step's input columns that no earlier step created, then the model inputs no
    step created (the imputer of data.missing mean/median comes first and has no step).
    """
    step_inputs, model_inputs = _source_columns(run)
    return step_inputs + model_inputs


def _source_columns(run: SavedRun) -> tuple[list[str], list[str]]:
    """(source columns the fitted steps read, model inputs taken straight from the file)."""
    steps = list(run.config.features)
    transforms = run.pipeline.transforms_
    configured = [None] * (len(transforms) - len(steps)) + steps
    labels = run.labels or [run.label]
    created: set[str] = set()
    needed: list[str] = []
    for transform, step in zip(transforms, configured, strict=True):
        for column in getattr(transform, "feature_names_in_", []):
            if column not in created and column not in needed and column not in labels:
                needed.append(column)
        if step is not None:
            created.update(created_columns(step))
    return needed, [c for c in run.inputs if c not in created and c not in needed]


def check_required_columns(run: SavedRun, frame: pd.DataFrame, where: str) -> None:
    """DataError naming every source column the run reads (`required_columns`) that `frame`
    lacks, and the columns it has; or a column the model takes from the file that holds text
    (a step reading a column checks its own)."""
    missing = [column for column in required_columns(run) if column not in frame.columns]
    if missing:
        raise DataError(
            f"{where}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(map(repr, missing))} that the run reads; the file needs the columns "
            f"the run was trained on (it has {', '.join(map(repr, map(str, frame.columns)))})."
        )
    for column in _source_columns(run)[1]:
        if not is_model_input(frame[column]):
            raise DataError(
                f"{where}: column {column!r} holds text ({_text_examples(frame[column])}) "
                "where the run was trained on numbers; the model reads this column as it is, "
                "so the file needs numbers there: correct those values or leave their rows out."
            )


def _text_examples(values: pd.Series, most: int = 3) -> str:
    """Up to `most` distinct values of `values` that are not numbers, quoted, for a message."""
    present = values.dropna()
    text = present[pd.to_numeric(present, errors="coerce").isna()].astype(str).unique()
    shown = ", ".join(repr(value) for value in text[:most])
    return shown + (f" and {len(text) - most:,} more" if len(text) > most else "")
