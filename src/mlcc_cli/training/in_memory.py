"""The in-memory route of `experiment.run_experiment`: the whole table at once.

`preparation.prepare_design` loads, splits and transforms the table into each split's design
matrix; here the model is built and sized for the data, trained with `training.train`, and
each split scored. The streaming route (`mlcc_cli.training.streaming`) does the same chunk by
chunk for files larger than memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.limits import check_network_memory
from mlcc_cli.evaluation.metrics import (
    class_probability_columns,
    label_probability_columns,
    raw_score_columns,
    split_record,
    task_metrics,
)
from mlcc_cli.models.registry import build_model
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.training.loop import TrainingResult, plan_schedule, train
from mlcc_cli.training.plan import SPLITS, RunPlan, Trained, TrainingObserver, scored_splits
from mlcc_cli.training.preparation import PreparedDesign, prepare_design

# spawn_key of the generator that draws sampled-softmax negatives (independent of the
# split and shuffle streams, so switching sampling on changes neither).
SAMPLING_KEY = 3
# Validation rows kept for the model's pictures of what it sees (plots/feature_maps.png).
VIEW_ROWS = 4


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
    # Initialized before the plan is shown, so a model that cannot take these inputs (a cnn's
    # image_shape) says so before anything about training is printed.
    # The input width is known now: refuse layers too large for memory before allocating.
    check_network_memory(config, prepared.X["train"].shape[1])
    model = build_model(config.model, task=task, seed=config.seed)
    initialize_for_data(model, config, prepared)
    if observer is not None:
        rows = {name: len(prepared.row_ids[name]) for name in SPLITS}
        observer.started(
            RunPlan(
                prepared.source,
                rows,
                prepared.inputs,
                schedule,
                task,
                prepared.split_checks,
                loss_label=model.loss_label,
                layers=model.layer_summary(len(prepared.classes) if prepared.classes else None),
            )
        )
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
        threshold=config.evaluation.threshold,
    )
    timings["train_s"] = clock() - tick
    # The result's warnings start with the schedule's and add the training diagnostics.
    warnings = prepared.warnings + outcome.warnings

    tick = clock()
    threshold = config.evaluation.threshold
    metrics: dict[str, dict[str, Any]] = {}
    predictions = None
    if outcome.status != "diverged":
        try:
            for name in scored_splits(evaluate_test):
                if name in prepared.X:
                    metrics[name] = _score(
                        model, task, prepared.X[name], prepared.y[name], threshold, prepared.labels
                    )
            predictions = _validation_predictions(model, task, prepared)
        except KeyboardInterrupt:
            # Ctrl-C while scoring after the last period: the trained model is still kept,
            # with the metrics computed so far, and the run is marked interrupted.
            outcome.status = "interrupted"
            outcome.message = (
                "interrupted while scoring the splits after training; the trained model is "
                "kept, metrics of the splits not yet scored are missing"
            )
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
        embedding_counts=prepared.embedding_counts,
        input_statistics=prepared.input_statistics,
        split_checks=prepared.split_checks,
        data_rows=sum(len(prepared.row_ids[name]) for name in SPLITS),
        validation_sample=(
            prepared.X["validation"][:VIEW_ROWS] if "validation" in prepared.X else None
        ),
    )


def build_initial_model(config: ExperimentConfig, prepared: PreparedDesign) -> Any:
    """The config's model, sized for the prepared data as training starts it.

    An mlp's head follows the task resolved from the label and its seed is the run's. Shared
    by `mlcc train` and `mlcc lr-find`, so both start from the same weights.
    """
    model = build_model(config.model, task=prepared.task, seed=config.seed)
    initialize_for_data(model, config, prepared)
    return model


def initialize_for_data(model: Any, config: ExperimentConfig, prepared: PreparedDesign) -> None:
    """Initialize the models whose size the data gives: multiclass, multi-label and embedding
    networks need the class, label or indicator counts (the others `train` initializes)."""
    task = prepared.task
    if prepared.embedding_columns:  # the network embeds these indicator blocks of X
        n_classes = len(prepared.classes or []) if task == "multiclass" else None
        n_features = prepared.X["train"].shape[1]
        model.initialize(n_features, n_classes, embedding_columns=prepared.embedding_columns)
    elif task == "multiclass":  # the class count comes from the data, not the config
        sampling = np.random.SeedSequence(config.seed, spawn_key=(SAMPLING_KEY,))
        _initialize_multiclass(model, prepared, np.random.default_rng(sampling))
    if task == "multilabel":  # one sigmoid output per label column
        model.initialize(prepared.X["train"].shape[1], len(prepared.labels or []))


def _initialize_multiclass(model: Any, prepared: PreparedDesign, rng: np.random.Generator) -> None:
    """Zero weights sized for the label's classes; `rng` for models that sample classes."""
    n_features, n_classes = prepared.X["train"].shape[1], len(prepared.classes or [])
    if getattr(model, "sampled_softmax", None) is not None:
        model.initialize(n_features, n_classes, rng=rng)
    else:
        model.initialize(n_features, n_classes)


def _score(
    model: Any,
    task: str,
    X: np.ndarray,
    y: np.ndarray,
    threshold: float,
    labels: list[str] | None = None,
) -> dict[str, Any]:
    """metrics.json for one split: the task's metric set plus nonzero_weights."""
    prediction = model.predict_scores(X)
    losses = model.metric_losses(y, prediction)
    scores = task_metrics(task, y, prediction, threshold, labels=labels, losses=losses)
    return split_record(scores, model.nonzero_weights())


def _validation_predictions(
    model: Any, task: str, prepared: PreparedDesign
) -> dict[str, np.ndarray] | None:
    """predictions-validation.csv's columns, or None without a validation split."""
    if "validation" not in prepared.X:
        return None
    X = prepared.X["validation"]
    prediction = model.predict_scores(X)
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
