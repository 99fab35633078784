"""The in-memory route's data: the table loaded, split and turned into design matrices.

Load and split the table (`data/split_table.py`: missing-value policy, labels, seeded split),
check the split (`data/split_checks.py`), fit the feature pipeline on the training split and
build every split's design matrix. Shared by `mlcc train` and `mlcc lr-find`, so both see the
same matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.column_stats import input_statistics
from mlcc_cli.data.split_checks import SplitCheck, check_splits
from mlcc_cli.data.split_table import kept_positions, load_split
from mlcc_cli.data.splitting import require_classes_in_train
from mlcc_cli.errors import ConfigError
from mlcc_cli.features import FeaturePipeline, design_matrix, select_inputs
from mlcc_cli.features.design import DesignMatrix, indicator_ranges, saved_feature_names
from mlcc_cli.features.indicators import expanded_labels
from mlcc_cli.features.token_bags import is_token_bag


@dataclass
class PreparedDesign:
    """Design matrices and labels per split, plus the fitted state needed to save the model."""

    X: dict[str, DesignMatrix]
    y: dict[str, np.ndarray]
    row_ids: dict[str, np.ndarray]
    pipeline: FeaturePipeline
    inputs: list[str]
    feature_names: list[str] | None
    label: str
    classes: list[Any] | None
    task: str
    source: str
    warnings: list[str]
    labels: list[str] | None = None  # multilabel: the label columns, one model output each
    # model.embeddings: each embedded input's indicator (or token-count) columns (start, stop)
    # in X, its category names or tokens in that order (the rows of its embedding matrix),
    # and for text columns how often each token occurs in the training split.
    embedding_columns: dict[str, tuple[int, int]] | None = None
    embedding_categories: dict[str, list[str]] | None = None
    embedding_counts: dict[str, list[int]] | None = None
    input_statistics: dict[str, dict[str, float]] | None = None  # for the run doctor
    split_checks: list[SplitCheck] = field(default_factory=list)  # made before training


def prepare_design(
    config: ExperimentConfig, folder: Path, used: list[str] | None, *, for_doctor: bool = True
) -> PreparedDesign:
    """Load and split the table, fit the features on the training split, apply them to all.

    Shared by `mlcc train` and `mlcc lr-find`, so both see the same design matrices; with
    `for_doctor` (training) also the split checks and input statistics the run doctor reads,
    which lr-find has no use for (about a second on millions of rows).
    """
    table = load_split(config, folder, used)
    frame, y_all, positions, label = table.frame, table.y, table.positions, table.label
    train_y = y_all[positions["train"]]
    require_classes_in_train(train_y, len(train_y), table.classes, label, config.data)
    warnings = list(table.warnings)
    checks: list[SplitCheck] = []
    if for_doctor:
        checks = check_splits(
            frame,
            y_all,
            positions,
            label=label,
            task=table.task,
            shuffle=config.data.shuffle,
            seed=config.seed,
        )
    pipeline = FeaturePipeline(
        config.features, label=label, missing=config.data.missing, inputs=config.inputs
    )
    train_frame = pipeline.fit_transform(frame.iloc[positions["train"]])
    warnings += pipeline.warnings_
    inputs, more = select_inputs(train_frame, config.inputs, label)
    warnings += more
    names = saved_feature_names(train_frame, inputs)
    embedding_columns, embedding_categories = _embedded_inputs(config, train_frame, inputs)
    tokenised = [c for c in embedding_columns or {} if is_token_bag(train_frame[c])]
    statistics = input_statistics(train_frame, inputs, config.seed) if for_doctor else None
    X: dict[str, DesignMatrix] = {}
    y: dict[str, np.ndarray] = {}
    row_ids: dict[str, np.ndarray] = {}

    def keep(name: str, rows: np.ndarray, out: pd.DataFrame) -> None:
        rows = rows[kept_positions(pipeline, frame.index[rows], out)]
        if len(rows):
            X[name] = design_matrix(out, inputs)
            y[name] = y_all[rows]
        row_ids[name] = frame.index.to_numpy()[rows]

    # One split at a time, each frame dropped once its matrix exists: peak memory stays
    # near the table plus one split, not the table plus every split's copies.
    keep("train", positions["train"], train_frame)
    del train_frame
    for name in ("validation", "test"):
        if len(positions[name]):
            keep(name, positions[name], pipeline.transform(frame.iloc[positions[name]]))
        else:
            row_ids[name] = positions[name]
    return PreparedDesign(
        X=X,
        y=y,
        row_ids=row_ids,
        pipeline=pipeline,
        inputs=inputs,
        feature_names=names,
        label=label,
        classes=table.classes,
        task=table.task,
        source=table.source,
        warnings=warnings,
        labels=table.labels,
        embedding_columns=embedding_columns,
        embedding_categories=embedding_categories,
        embedding_counts=_token_counts(X.get("train"), embedding_columns, tokenised),
        input_statistics=statistics,
        split_checks=checks,
    )


def _embedded_inputs(
    config: ExperimentConfig, train_frame: pd.DataFrame, inputs: list[str]
) -> tuple[dict[str, tuple[int, int]] | None, dict[str, list[str]] | None]:
    """model.embeddings as (indicator columns per input, category names or tokens per input).

    ConfigError naming model.embeddings.COLUMN when the column is not a categorical or text
    input: an embedding replaces a block of one-hot indicators or token counts, so a number
    has nothing to embed.
    """
    embeddings = getattr(config.model, "embeddings", None)
    if not embeddings:
        return None, None
    ranges = indicator_ranges(train_frame, inputs)
    for column in embeddings:
        if column not in inputs:
            raise ConfigError(
                f"model.embeddings.{column}: {column!r} is not a model input (inputs: "
                f"{', '.join(inputs)}); embed a categorical input column"
            )
        if column not in ranges:
            raise ConfigError(
                f"model.embeddings.{column}: input {column!r} is numeric, but an embedding "
                "maps categories or tokens to vectors; embed the output of a one_hot, hash, "
                "bucketize, cross or text step"
            )
    categories = {c: expanded_labels(train_frame[c]) for c in embeddings}
    return {c: ranges[c] for c in embeddings}, categories


def _token_counts(
    X_train: DesignMatrix | None,
    columns: dict[str, tuple[int, int]] | None,
    tokenised: list[str],
) -> dict[str, list[int]] | None:
    """How often each token of every embedded text column occurs in the training split (its
    token-count block's column sums), in embedding-row order."""
    if X_train is None or not columns or not tokenised:
        return None
    counts = {}
    for column in tokenised:
        start, stop = columns[column]
        totals = np.asarray(X_train[:, start:stop].sum(axis=0)).ravel()  # (vocabulary + 1,)
        counts[column] = np.rint(totals).astype(np.int64).tolist()
    return counts
