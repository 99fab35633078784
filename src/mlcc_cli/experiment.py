"""One experiment end to end: load, split, transform, train, evaluate, write the run directory.

This is the library entry point behind `mlcc train`; it returns a `RunResult` and never
prints. Progress reaches the caller through an optional `TrainingObserver`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mlcc_cli import __version__
from mlcc_cli.config import ExperimentConfig
from mlcc_cli.config_loading import LoadedConfig, resolved_yaml
from mlcc_cli.data import apply_missing_policy, encode_label, load_dataset, split_rows
from mlcc_cli.features import FeaturePipeline, columns_read, design_matrix, select_inputs
from mlcc_cli.metrics import binary_metrics, json_safe, regression_metrics
from mlcc_cli.models import build_model
from mlcc_cli.optimizers import build_optimizer
from mlcc_cli.plots import draw_loss, draw_roc
from mlcc_cli.runs import RunContents, write_run
from mlcc_cli.training import PeriodRecord, Schedule, TrainingResult, plan_schedule, train

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class RunPlan:
    """What is about to be trained, shown to the user before the first step."""

    source: str
    rows: dict[str, int]
    inputs: list[str]
    schedule: Schedule
    task: str


class TrainingObserver(Protocol):
    """Receives progress while an experiment runs (the CLI renders it)."""

    def started(self, plan: RunPlan) -> None: ...

    def period(self, record: PeriodRecord) -> None: ...


@dataclass
class RunResult:
    """The outcome of `run_experiment`: where the run was written and what it measured."""

    run_dir: Path
    status: str  # complete | diverged | interrupted
    task: str  # regression | binary
    metrics: dict[str, dict[str, Any]]
    history: list[PeriodRecord]
    warnings: list[str]
    timings: dict[str, float]
    message: str
    stopped_early: bool = False
    best_period: int | None = None


@dataclass
class _Prepared:
    """Design matrices and labels per split, plus the fitted state needed to save the model."""

    X: dict[str, np.ndarray]
    y: dict[str, np.ndarray]
    row_ids: dict[str, np.ndarray]
    pipeline: FeaturePipeline
    inputs: list[str]
    label: str
    classes: list[Any] | None
    source: str
    warnings: list[str]


def _referenced_columns(config: ExperimentConfig) -> list[str] | None:
    """Columns the experiment reads, or None for "all of them" (no explicit `inputs`).

    The missing-value policy only looks at these, so a gap in an unused column is harmless.
    A step without a `columns` list reads every numeric column, so it also means "all".
    """
    if config.inputs is None or any(
        getattr(step, "columns", ()) is None for step in config.features
    ):
        return None
    return list(dict.fromkeys([*columns_read(config.features), *config.inputs]))


def _prepare(config: ExperimentConfig, folder: Path) -> _Prepared:
    data = config.data
    dataset = load_dataset(data, folder, config.seed)
    warnings = list(dataset.warnings)
    label = dataset.label
    used = _referenced_columns(config)
    present = [str(c) for c in dataset.frame.columns]
    columns = [c for c in present if c != label and (used is None or c in used)]
    frame, more = apply_missing_policy(dataset.frame, columns, label, data.missing, dataset.source)
    warnings += more
    y_all, classes, more = encode_label(frame[label], config.model.type, data.label_scale, label)
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
    pipeline = FeaturePipeline(config.features, label=label, missing=data.missing)
    pipeline.fit(frame.iloc[positions["train"]])
    warnings += pipeline.warnings_
    transformed = {
        name: pipeline.transform(frame.iloc[rows]) for name, rows in positions.items() if len(rows)
    }
    inputs, more = select_inputs(transformed["train"], config.inputs, label)
    warnings += more
    return _Prepared(
        X={name: design_matrix(part, inputs) for name, part in transformed.items()},
        y={name: y_all[rows] for name, rows in positions.items() if len(rows)},
        row_ids={name: frame.index.to_numpy()[rows] for name, rows in positions.items()},
        pipeline=pipeline,
        inputs=inputs,
        label=label,
        classes=classes,
        source=dataset.source,
        warnings=warnings,
    )


def _score(model: Any, task: str, X: np.ndarray, y: np.ndarray, threshold: float) -> dict[str, Any]:
    if task == "binary":
        scores = binary_metrics(y, model.predict_proba(X)[:, 1], threshold)
    else:
        scores = regression_metrics(y, model.predict(X))
    result: dict[str, Any] = json_safe(scores)
    result["nonzero_weights"] = model.nonzero_weights()
    return result


def _versions() -> dict[str, str]:
    import sklearn

    return {
        "mlcc": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
    }


def run_experiment(
    loaded: LoadedConfig,
    *,
    runs_dir: Path,
    run_name: str | None = None,
    evaluate_test: bool = False,
    observer: TrainingObserver | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> RunResult:
    """Train the experiment described by `loaded` and write its run directory.

    Raises `ConfigError`/`DataError` for unusable input before anything is written; a run that
    diverges or is interrupted is still written, with its status saying so.
    """
    config = loaded.config
    started_at = datetime.now()
    timings: dict[str, float] = {}
    tick = clock()
    prepared = _prepare(config, loaded.folder)
    timings["load_and_prepare_s"] = clock() - tick
    task = "binary" if config.model.type == "logistic" else "regression"
    n_train = len(prepared.y["train"])
    training = config.training
    schedule = plan_schedule(
        n_train, training.batch_size, training.epochs, training.steps, training.periods
    )
    warnings = prepared.warnings + schedule.warnings
    if observer is not None:
        rows = {name: len(prepared.row_ids[name]) for name in SPLITS}
        observer.started(RunPlan(prepared.source, rows, prepared.inputs, schedule, task))

    model = build_model(config.model)
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
    )
    timings["train_s"] = clock() - tick

    tick = clock()
    threshold = config.evaluation.threshold
    metrics: dict[str, dict[str, Any]] = {}
    predictions = None
    if outcome.status != "diverged":
        scored = ("train", "validation", "test") if evaluate_test else ("train", "validation")
        for name in scored:
            if name in prepared.X:
                metrics[name] = _score(model, task, prepared.X[name], prepared.y[name], threshold)
        predictions = _validation_predictions(model, task, prepared)
    timings["evaluate_s"] = clock() - tick

    contents = RunContents(
        config_yaml=resolved_yaml(config),
        history=outcome.history,
        metrics=metrics,
        model_arrays={k: v.copy() for k, v in model.params.items()},
        model_json=_model_json(config, model, prepared, task),
        status={},
        predictions=predictions,
        plots=_plots(outcome, task, predictions, metrics),
    )
    contents.status = _status(outcome, started_at, timings, warnings)
    tick = clock()
    run_dir = write_run(runs_dir, run_name or config.name, contents, started_at)
    timings["write_s"] = clock() - tick
    return RunResult(
        run_dir=run_dir,
        status=outcome.status,
        task=task,
        metrics=metrics,
        history=outcome.history,
        warnings=warnings,
        timings=timings,
        message=outcome.message,
        stopped_early=outcome.stopped_early,
        best_period=outcome.best_period,
    )


def _validation_predictions(
    model: Any, task: str, prepared: _Prepared
) -> dict[str, np.ndarray] | None:
    if "validation" not in prepared.X:
        return None
    X = prepared.X["validation"]
    prediction = model.predict_proba(X)[:, 1] if task == "binary" else model.predict(X)
    return {
        "row_id": prepared.row_ids["validation"],
        "label": prepared.y["validation"],
        "prediction": prediction,
    }


def _plots(
    outcome: TrainingResult,
    task: str,
    predictions: dict[str, np.ndarray] | None,
    metrics: dict[str, dict[str, Any]],
) -> dict[str, Callable[[Path], None]]:
    plots: dict[str, Callable[[Path], None]] = {}
    if outcome.history:
        loss_name = "log loss" if task == "binary" else "mean squared error"
        plots["loss.png"] = partial(draw_loss, history=outcome.history, loss_name=loss_name)
    if task == "binary" and predictions is not None and len(np.unique(predictions["label"])) == 2:
        auc = metrics.get("validation", {}).get("auc")
        plots["roc.png"] = partial(
            draw_roc, y=predictions["label"], probability=predictions["prediction"], auc=auc
        )
    return plots


def _model_json(
    config: ExperimentConfig, model: Any, prepared: _Prepared, task: str
) -> dict[str, Any]:
    return {
        "format": 1,
        "task": task,
        "model": {"type": config.model.type, **config.model.model_dump(exclude={"type"})},
        "parameters": sorted(model.params),
        "inputs": prepared.inputs,
        "label": prepared.label,
        "label_scale": config.data.label_scale,
        "classes": prepared.classes,
        "threshold": config.evaluation.threshold,
        "pipeline": prepared.pipeline.get_state(),
    }


def _status(
    outcome: TrainingResult,
    started_at: datetime,
    timings: dict[str, float],
    warnings: list[str],
) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "message": outcome.message,
        "stopped_early": outcome.stopped_early,
        "best_period": outcome.best_period,
        "steps_done": outcome.steps_done,
        "total_steps": outcome.total_steps,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "warnings": warnings,
        "versions": _versions(),
    }
