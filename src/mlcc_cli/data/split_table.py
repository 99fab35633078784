"""The table `mlcc train` learns from, loaded and split: missing-value policy, labels, splits.

Deterministic in the config (seeded), so `mlcc evaluate` and `mlcc inspect` find a run's
splits again; `in_memory.py` builds the design matrices from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.loading import (
    apply_missing_policy,
    encode_label,
    encode_label_matrix,
    load_dataset,
    resolve_task,
    split_rows,
)
from mlcc_cli.errors import ConfigError
from mlcc_cli.features import FeaturePipeline, columns_read, imputed_columns
from mlcc_cli.features.design import is_model_input
from mlcc_cli.models.registry import model_class


@dataclass
class SplitTable:
    """The loaded table after the missing-value policy, its encoded labels and the split."""

    frame: pd.DataFrame
    y: np.ndarray  # (n_rows,) the encoded label of every row; multilabel (n_rows, n_labels)
    classes: list[Any] | None
    task: str  # regression | binary | multiclass | multilabel
    positions: dict[str, np.ndarray]  # split name -> positions into `frame`
    label: str  # multilabel: the first of `labels`
    source: str
    warnings: list[str]
    labels: list[str] | None = None  # multilabel: data.labels (their columns left `frame`)


def load_split(config: ExperimentConfig, folder: Path, used: list[str] | None) -> SplitTable:
    """Load the table, apply the missing-value policy, encode the label and split the rows.

    Deterministic in `config` (seeded), so `mlcc evaluate` finds a run's splits again.
    """
    data = config.data
    dataset = load_dataset(data, folder, config.seed)
    warnings = list(dataset.warnings)
    label = dataset.label
    labels = data.labels or [label]  # multi_label: several 0/1 columns, all left out of inputs
    present = [str(c) for c in dataset.frame.columns]
    left_to_steps = tokenised_columns(config) | set(
        imputed_columns(config.features, dataset.frame, label)
    )
    if used is None:  # default inputs: a text column no step reads is left out of the model
        named = set(columns_read(config.features))
        left_to_steps |= {
            c for c in present if c not in named and not is_model_input(dataset.frame[c])
        }
    columns = [
        c
        for c in present
        if c not in labels and (used is None or c in used) and c not in left_to_steps
    ]
    frame, more = apply_missing_policy(
        dataset.frame, [*columns, *labels[1:]], label, data.missing, dataset.source
    )
    warnings += more
    task = resolve_task(config.model, frame[label])
    if data.stratify and task in ("regression", "multilabel"):
        what = "a number (task regression)" if task == "regression" else "several 0/1 columns"
        raise ConfigError(
            f"data.stratify keeps class ratios equal across splits, but model.type "
            f"{config.model.type} here predicts {what}; set data.stratify: false"
        )
    classes: list[Any] | None
    if task == "multilabel":
        clash = [c for c in config.inputs or [] if c in labels]
        if clash:
            raise ConfigError(
                f"inputs: lists the label column {clash[0]!r} of data.labels, which would leak "
                "the answer into the features; remove it from inputs"
            )
        y_all, classes = encode_label_matrix(frame, labels), None  # (n_rows, n_labels)
        # The label columns are answers, never features: no step (even one reading every
        # numeric column) may see them.
        frame = frame.drop(columns=labels)
    else:
        model_class(config.model).check_label_column(frame[label], label)
        y_all, classes, more = encode_label(
            frame[label], task, data.label_scale, label, model_type=config.model.type
        )
        warnings += more
    # Independent streams for the split and for training: changing the schedule never
    # changes which rows land in which split.
    split_seed, _ = np.random.SeedSequence(config.seed).spawn(2)
    positions = split_rows(
        len(frame),
        data.split,
        rng=np.random.default_rng(split_seed),
        shuffle=data.shuffle,
        stratify_labels=y_all if data.stratify else None,
    )
    if task == "multilabel" and len(positions["train"]):
        warnings += _constant_label_warnings(y_all[positions["train"]], labels)
    return SplitTable(
        frame,
        y_all,
        classes,
        task,
        positions,
        label,
        dataset.source,
        warnings,
        labels=data.labels,
    )


def run_task(config: ExperimentConfig, folder: Path) -> str:
    """The task a run of `config` solves: its model's own, or for `task: auto` the one the
    label implies, by the same `resolve_task` that `load_split` applies.

    Read from the loaded label alone (no missing-value policy, no split), so that a sweep
    can check its `--metric` before anything trains; the data is only loaded for `auto`.
    """
    if config.model.task != "auto":
        return config.model.task
    dataset = load_dataset(config.data, folder, config.seed)
    return resolve_task(config.model, dataset.frame[dataset.label])


def kept_positions(pipeline: FeaturePipeline, index: pd.Index, out: pd.DataFrame) -> np.ndarray:
    """Positions in `index` (the rows fed to the pipeline) of the rows `out` kept.

    Cleaning steps (filter, drop_duplicates) may drop rows; labels then follow the row index,
    which every transform keeps.
    """
    if not pipeline.drops_rows:
        return np.arange(len(index))
    return index.get_indexer(out.index)


def referenced_columns(config: ExperimentConfig) -> list[str] | None:
    """Columns the experiment reads, or None for "all of them" (no explicit `inputs`).

    The missing-value policy only looks at these, so a gap in an unused column is harmless.
    A step without a `columns` list reads every numeric column, so it also means "all".
    """
    if config.inputs is None or any(
        getattr(step, "columns", ()) is None for step in config.features
    ):
        return None
    return list(dict.fromkeys([*columns_read(config.features), *config.inputs]))


def tokenised_columns(config: ExperimentConfig) -> set[str]:
    """The columns a `text` step tokenises: a missing text there is a text without tokens,
    never a missing value for `data.missing` to fill or drop."""
    return {c for step in config.features if step.type == "text" for c in step.columns}


def _constant_label_warnings(y_train: np.ndarray, labels: list[str]) -> list[str]:
    """A warning per multi_label column that is constant in the training split
    (`y_train`, shape (n_train, n_labels)): its weights only learn to say that one value,
    so the label teaches nothing."""
    warnings = []
    for j, name in enumerate(labels):
        values = np.unique(y_train[:, j])
        if len(values) == 1:
            warnings.append(
                f"data.labels: column '{name}' is {values[0]:g} in every one of the "
                f"{len(y_train)} training rows, so the model only learns to predict "
                f"{values[0]:g} for it and the label teaches nothing; add training rows with "
                f"the other value, or leave '{name}' out of data.labels"
            )
    return warnings
