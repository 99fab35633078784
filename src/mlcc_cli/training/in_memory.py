"""The in-memory route of `experiment.run_experiment`: the whole table at once.

Load and split the table (`split_table.py`: missing-value policy, labels, seeded split), check
the split (`split_checks.py`), fit the feature pipeline on the training split, build every
split's design matrix, train with `training.train` and score each split. The streaming route
(`mlcc_cli.training.streaming`) does the same chunk by chunk for files larger than memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.split_checks import SplitFinding, check_splits
from mlcc_cli.data.split_table import kept_positions, load_split
from mlcc_cli.doctor.evidence import input_statistics
from mlcc_cli.errors import ConfigError
from mlcc_cli.evaluation.metrics import (
    class_probability_columns,
    label_probability_columns,
    raw_score_columns,
    split_record,
    task_metrics,
)
from mlcc_cli.features import FeaturePipeline, design_matrix, select_inputs
from mlcc_cli.features.design import DesignMatrix, indicator_ranges, saved_feature_names
from mlcc_cli.models.registry import build_model
from mlcc_cli.optim.optimizers import build_optimizer
from mlcc_cli.training.loop import TrainingResult, plan_schedule, train
from mlcc_cli.workflows.train import SPLITS, RunPlan, Trained, TrainingObserver, scored_splits


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
    # mlp model.embeddings: each embedded input's indicator columns (start, stop) in X, and
    # its category names in that order (the rows of its embedding matrix).
    embedding_columns: dict[str, tuple[int, int]] | None = None
    embedding_categories: dict[str, list[str]] | None = None
    input_statistics: dict[str, dict[str, float]] | None = None  # for the run doctor
    split_checks: list[SplitFinding] = field(default_factory=list)  # made before training


# spawn_key of the generator that draws sampled-softmax negatives (independent of the
# split and shuffle streams, so switching sampling on changes neither).
SAMPLING_KEY = 3


def train_in_memory(
    config: ExperimentConfig,
    folder: Path,
    used: list[str] | None,
    *,
    evaluate_test: bool = False,
    observer: TrainingObserver | None = None,
    clock: Callable[[], float] = time.perf_counter,
    timings: dict[str, float] | None = None,
) -> Trained:
    """Load the whole table, split, transform, train and score it in memory.

    `used` names the columns the experiment reads (None: all); `timings` (if given)
    receives the phase durations.
    """
    timings = {} if timings is None else timings
    tick = clock()
    prepared = prepare_design(config, folder, used)
    timings["load_and_prepare_s"] = clock() - tick
    task = prepared.task
    n_train = len(prepared.y["train"])
    training = config.training
    schedule = plan_schedule(
        n_train, training.batch_size, training.epochs, training.steps, training.periods
    )
    warnings = prepared.warnings + schedule.warnings
    if observer is not None:
        rows = {name: len(prepared.row_ids[name]) for name in SPLITS}
        observer.started(
            RunPlan(prepared.source, rows, prepared.inputs, schedule, task, prepared.split_checks)
        )

    model = build_initial_model(config, prepared)
    optimizer = build_optimizer(config.optimizer)
    _, train_seed = np.random.SeedSequence(config.seed).spawn(2)
    tick = clock()
    outcome: TrainingResult = train(
        model,
        optimizer,
        prepared.X["train"],
        prepared.y["train"],
        prepared.X.get("validation"),
        prepared.y.get("validation"),
        training,
        rng=np.random.default_rng(train_seed),
        on_period=observer.period if observer is not None else None,
        rows_in_random_order=config.data.shuffle,
    )
    timings["train_s"] = clock() - tick
    # The result's warnings start with the schedule's and add the training diagnostics.
    warnings = prepared.warnings + outcome.warnings

    tick = clock()
    threshold = config.evaluation.threshold
    metrics: dict[str, dict[str, Any]] = {}
    predictions = None
    if outcome.status != "diverged":
        scored = scored_splits(evaluate_test)
        for name in scored:
            if name in prepared.X:
                metrics[name] = _score(
                    model, task, prepared.X[name], prepared.y[name], threshold, prepared.labels
                )
        predictions = _validation_predictions(model, task, prepared)
    timings["evaluate_s"] = clock() - tick
    return Trained(
        model=model,
        outcome=outcome,
        metrics=metrics,
        predictions=predictions,
        pipeline=prepared.pipeline,
        inputs=prepared.inputs,
        feature_names=prepared.feature_names,
        label=prepared.label,
        classes=prepared.classes,
        warnings=warnings,
        task=task,
        labels=prepared.labels,
        embedding_columns=prepared.embedding_columns,
        embedding_categories=prepared.embedding_categories,
        input_statistics=prepared.input_statistics,
        split_checks=prepared.split_checks,
    )


def build_initial_model(config: ExperimentConfig, prepared: PreparedDesign) -> Any:
    """The config's model, sized for the prepared data as training starts it.

    Linear and logistic models are initialized by `train` itself; multiclass, multi-label and
    embedding networks need the class, label or indicator counts the data gives. Shared by
    `mlcc train` and `mlcc lr-find`, so both start from the same weights.
    """
    task = prepared.task
    model = build_model(config.model)
    if config.model.type == "mlp":  # its head follows the resolved task; its seed the run's
        model.task = task
        model.seed = config.seed
    if prepared.embedding_columns:  # the network embeds these indicator blocks of X
        n_classes = len(prepared.classes or []) if task == "multiclass" else None
        n_features = prepared.X["train"].shape[1]
        model.initialize(n_features, n_classes, embedding_columns=prepared.embedding_columns)
    elif task == "multiclass":  # the class count comes from the data, not the config
        sampling = np.random.SeedSequence(config.seed, spawn_key=(SAMPLING_KEY,))
        _initialize_multiclass(model, prepared, np.random.default_rng(sampling))
    if task == "multilabel":  # one sigmoid output per label column
        model.initialize(prepared.X["train"].shape[1], len(prepared.labels or []))
    return model


def _initialize_multiclass(model: Any, prepared: PreparedDesign, rng: np.random.Generator) -> None:
    """Zero weights sized for the label's classes; `rng` for models that sample classes."""
    n_features, n_classes = prepared.X["train"].shape[1], len(prepared.classes or [])
    if getattr(model, "sampled_softmax", None) is not None:
        model.initialize(n_features, n_classes, rng=rng)
    else:
        model.initialize(n_features, n_classes)


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
    warnings = list(table.warnings)
    checks: list[SplitFinding] = []
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
    pipeline = FeaturePipeline(config.features, label=label, missing=config.data.missing)
    train_frame = pipeline.fit_transform(frame.iloc[positions["train"]])
    warnings += pipeline.warnings_
    inputs, more = select_inputs(train_frame, config.inputs, label)
    warnings += more
    names = saved_feature_names(train_frame, inputs)
    embedding_columns, embedding_categories = _embedded_inputs(config, train_frame, inputs)
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
        input_statistics=statistics,
        split_checks=checks,
    )


def _embedded_inputs(
    config: ExperimentConfig, train_frame: pd.DataFrame, inputs: list[str]
) -> tuple[dict[str, tuple[int, int]] | None, dict[str, list[str]] | None]:
    """An mlp's model.embeddings as (indicator columns per input, category names per input).

    ConfigError naming model.embeddings.COLUMN when the column is not a categorical input:
    an embedding replaces a block of one-hot indicators, so a number has nothing to embed.
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
                "maps categories to vectors; embed the output of a one_hot, hash, bucketize "
                "or cross step"
            )
    categories = {c: [str(v) for v in train_frame[c].cat.categories] for c in embeddings}
    return {c: ranges[c] for c in embeddings}, categories


def model_scores(model: Any, task: str, X: Any) -> np.ndarray:
    """What the metrics score: P(class 1) (binary, (n,)), class probabilities (multiclass,
    (n, n_classes)), P(label j) per label (multilabel, (n, n_labels)) or ŷ (regression, (n,))."""
    if task == "binary":
        return model.predict_proba(X)[:, 1]
    if task in ("multiclass", "multilabel"):
        return model.predict_proba(X)
    return model.predict(X)


def _score(
    model: Any,
    task: str,
    X: np.ndarray,
    y: np.ndarray,
    threshold: float,
    labels: list[str] | None = None,
) -> dict[str, Any]:
    """metrics.json for one split: the task's metric set plus nonzero_weights."""
    prediction = model_scores(model, task, X)
    scores = task_metrics(task, y, prediction, threshold, labels=labels)
    return split_record(scores, model.nonzero_weights())


def _validation_predictions(
    model: Any, task: str, prepared: PreparedDesign
) -> dict[str, np.ndarray] | None:
    """predictions-validation.csv's columns, or None without a validation split."""
    if "validation" not in prepared.X:
        return None
    X = prepared.X["validation"]
    prediction = model_scores(model, task, X)
    if task == "multilabel":  # per label column: the true 0/1 and P(label on)
        return {
            "row_id": prepared.row_ids["validation"],
            **label_probability_columns(prepared.y["validation"], prediction, prepared.labels),
        }
    if task == "multiclass":  # class names, the predicted class and one p_CLASS per class
        names = np.asarray(prepared.classes, dtype=object)
        return {
            "row_id": prepared.row_ids["validation"],
            "label": names[prepared.y["validation"].astype(np.int64)],
            "prediction": names[np.argmax(prediction, axis=1)],
            **class_probability_columns(prediction, prepared.classes or []),
            **raw_score_columns(model, X, prepared.classes or []),
        }
    return {
        "row_id": prepared.row_ids["validation"],
        "label": prepared.y["validation"],
        "prediction": prediction,
    }
