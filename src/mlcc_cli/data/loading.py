"""The data layer: load examples, split them, deal with missing values (labels: `labels.py`).

Loading gives a `Dataset` whose frame index is the row_id (the row's 0-based position in the
source), so every later stage can point back at the exact row of the file. Details of the
sources live in `mlcc_cli.datasets` (file reading, built-in datasets, splitting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mlcc_cli.config.data import DataConfig
from mlcc_cli.config.word2vec import is_corpus_source
from mlcc_cli.data.builtin import LABEL, BuiltinInfo, builtin_catalog, load_builtin
from mlcc_cli.data.files import TEXT_COLUMN, check_suffix, list_columns, read_table
from mlcc_cli.data.finite import float_tables
from mlcc_cli.data.labels import (
    binary_classes,
    class_balance_warnings,
    encode_label,
    encode_label_matrix,
    label_above,
    resolve_task,
    two_valued_label_warnings,
)
from mlcc_cli.data.sources import BUILTIN_PREFIX, builtin_name, resolve_source_path
from mlcc_cli.data.splitting import SPLITS, split_rows
from mlcc_cli.errors import DataError, did_you_mean

__all__ = [
    "SPLITS",
    "BuiltinInfo",
    "Dataset",
    "apply_missing_policy",
    "binary_classes",
    "builtin_catalog",
    "class_balance_warnings",
    "encode_label",
    "encode_label_matrix",
    "label_above",
    "load_corpus",
    "load_dataset",
    "missing_counts",
    "read_table",
    "require_label",
    "resolve_source_path",
    "resolve_task",
    "split_rows",
    "two_valued_label_warnings",
]


@dataclass
class Dataset:
    """Loaded examples: every column including the label; index = row_id in the source."""

    frame: pd.DataFrame
    label: str
    source: str  # what to show the user: "builtin:NAME" or the resolved file path
    warnings: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ loading


def load_dataset(data: DataConfig, config_folder: Path, seed: int) -> Dataset:
    """Load `data.source` (file or builtin) and check that the label column exists."""
    if is_corpus_source(data.source):
        raise DataError(
            f"data.source: {data.source!r} is a text corpus (one sentence per line), which only "
            "`mlcc train` with model.type word2vec reads (then `mlcc neighbors RUN WORD`); "
            "this command reads .csv and .parquet tables"
        )
    warnings: list[str] = []
    name = builtin_name(data.source)
    if name is not None:
        frame = load_builtin(name, data.synthetic, seed)
        frame.index = pd.RangeIndex(len(frame), name="row_id")
        source, label = BUILTIN_PREFIX + name, data.label or LABEL
        if label != LABEL:
            warnings.append(
                f"data.label is '{label}', so the builtin's own label column '{LABEL}' stays in "
                "the data as an ordinary column; list `inputs` to leave it out"
            )
    else:
        path = resolve_source_path(data.source, config_folder)  # a folder or none: said so
        check_suffix(path)
        frame, source = read_table(path), str(path)
        label = data.label
    columns = [str(c) for c in frame.columns]
    if data.labels is not None:  # multi_label: several label columns, each must exist
        for name in data.labels:
            _require_column(name, columns, source, "data.labels")
        label = data.labels[0]
    label = require_label(label, columns, source)
    if data.label_above is not None:
        frame[label] = label_above(frame[label], data.label_above, f"{source}: data.label_above")
    return Dataset(frame=frame, label=label, source=source, warnings=warnings)


def load_corpus(data: DataConfig, config_folder: Path, seed: int) -> tuple[pd.Series, str]:
    """The sentences of a corpus source (its `text` column, index = row_id) and the source as
    shown to the user: a .txt file, a builtin corpus, or a table with a `text` column."""
    name = builtin_name(data.source)
    if name is not None:
        frame, source = load_builtin(name, data.synthetic, seed), BUILTIN_PREFIX + name
        frame.index = pd.RangeIndex(len(frame), name="row_id")
    else:
        path = resolve_source_path(data.source, config_folder)  # a folder or none: said so
        check_suffix(path)
        frame, source = read_table(path), str(path)
    if TEXT_COLUMN not in frame.columns:
        columns = [str(c) for c in frame.columns]
        raise DataError(
            f"data.source: {source} has no {TEXT_COLUMN!r} column (columns: "
            f"{list_columns(columns)}); word2vec learns from sentences, so point data.source "
            "at a .txt file (one sentence per line) or a table with a `text` column"
        )
    return frame[TEXT_COLUMN], source


def require_label(label: str | None, columns: list[str], source: str) -> str:
    """The label column's name; DataError if data.label is unset or not among `columns`."""
    if label is None:
        raise DataError(
            f"data.label is not set; name the column to predict, one of: {list_columns(columns)}"
        )
    _require_column(label, columns, source, "data.label")
    return label


def _require_column(name: str, columns: list[str], source: str, setting: str) -> None:
    """DataError naming `setting` unless column `name` is among `columns`."""
    if name not in columns:
        raise DataError(
            f"{setting}: column '{name}' is not in {source}.{did_you_mean(name, columns)}"
            f" Available columns: {list_columns(columns)}."
        )


# ----------------------------------------------------------------- missing values


def missing_counts(frame: pd.DataFrame, columns: list[str]) -> dict[str, int]:
    """Number of missing values per column, for the columns that have any."""
    wanted = list(dict.fromkeys(columns))
    # Float columns by the chunk (a wide CSV holds a block per column, and isna() on each
    # costs ~0.1 ms: 0.5 s at 5,000); the rest (text, integers) column by column.
    counted: dict[str, int] = {}
    for names, values in float_tables(frame, wanted):
        counted.update(zip(names, np.isnan(values).sum(axis=0).tolist(), strict=True))
    others = [column for column in wanted if column not in counted]
    if others:
        counted.update((str(c), int(n)) for c, n in frame[others].isna().sum().items())
    return {str(c): counted[str(c)] for c in wanted if counted[str(c)] > 0}


TRAINING_MISSING_FIX = (
    "set data.missing to drop (remove those rows), or mean / median (fill features with the "
    "training split's statistic)"
)


def apply_missing_policy(
    frame: pd.DataFrame,
    columns: list[str],
    label: str,
    policy: str,
    source: str,
    fix: str = TRAINING_MISSING_FIX,
    whole_table: bool = True,
) -> tuple[pd.DataFrame, list[str]]:
    """Apply data.missing to the used columns and label; returns (frame, warnings).

    `error` raises a DataError naming each column, then `fix`; `drop` removes rows missing any
    of them; `mean` / `median` only drop rows whose label is missing, leaving feature gaps for the
    feature pipeline to fill from the training split. Row ids (the index) are kept. A column
    empty in every row is refused only when `frame` is the `whole_table` (a streamed chunk's
    empty column may have values in other chunks).
    """
    if policy not in ("error", "drop", "mean", "median"):
        raise ValueError(f"unknown missing-value policy {policy!r}")
    used = list(dict.fromkeys([*columns, label]))
    counts = missing_counts(frame, used)
    if not counts:
        return frame, []
    empty = [column for column, count in counts.items() if count == len(frame)]
    # No policy helps: drop leaves no rows, mean/median have nothing to average.
    if empty and whole_table:
        what = "the label" if empty[0] == label else "column"
        raise DataError(
            f"{source}: {what} '{empty[0]}' is empty in all {len(frame)} rows, so no "
            "data.missing policy can help (drop would leave no rows, mean or median have no "
            "value to fill with); "
            + (
                "point data.label at a column that holds the answers"
                if empty[0] == label
                else "leave it out: list the columns to use in `inputs`, or drop it from the file"
            )
        )
    if policy == "error":
        lines = "\n".join(
            f"  column '{column}': {count} missing" for column, count in counts.items()
        )
        raise DataError(
            f"{source}: missing values in columns the experiment uses:\n{lines}\n{fix}"
            + _missing_words_note(frame, list(counts))
        )
    dropped_for = used if policy == "drop" else [label]
    if not any(column in counts for column in dropped_for):
        return frame, []
    has_gap = frame[dropped_for].isna().any(axis=1)
    reason = ", ".join(f"{c}: {counts[c]}" for c in dropped_for if c in counts)
    what = "missing values" if policy == "drop" else f"a missing label (data.missing={policy})"
    warning = f"dropped {int(has_gap.sum())} of {len(frame)} rows with {what} ({reason})"
    return frame.loc[~has_gap], [warning]


def _missing_words_note(frame: pd.DataFrame, columns: list[str]) -> str:
    """For text columns: pandas reads the words NA, None, null, N/A, NaN as missing, which
    surprises a file where they are categories (the house-price data's 'NA' = no alley)."""
    text = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    if not text:
        return ""
    return (
        f"\n(in text column '{text[0]}', cells reading NA, N/A, None, null or NaN count as "
        "missing too; where such a word is a category, an impute step keeps it: "
        f"{{type: impute, columns: [{text[0]}], strategy: constant, fill_value: 'NA'}})"
    )


# ------------------------------------------------------------------------ labels
