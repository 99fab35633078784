"""One experiment end to end: load, split, transform, train, evaluate, write the run directory.

This is the library entry point behind `mlcc train`; it returns a `RunResult` and never
prints. Progress reaches the caller through an optional `TrainingObserver`. Training takes
one of two routes returning the same `Trained` record: `in_memory` (the whole table at once)
or `streaming` (`data.streaming: true`, the file chunk by chunk).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mlcc_cli import __version__
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import LoadedConfig, resolved_yaml
from mlcc_cli.config.models import MODEL_TASKS
from mlcc_cli.data.sources import locate_data_source
from mlcc_cli.errors import ConfigError
from mlcc_cli.features import FeaturePipeline, columns_read
from mlcc_cli.rundir.doctor_file import DOCTOR_FILE
from mlcc_cli.rundir.files import (
    RunContents,
    history_rows,
    write_columns_csv,
    write_json,
    write_run,
)
from mlcc_cli.rundir.plots import draw_loss, draw_roc
from mlcc_cli.training.loop import PeriodRecord, Schedule, TrainingResult

SPLITS = ("train", "validation", "test")


def scored_splits(evaluate_test: bool) -> tuple[str, ...]:
    """Splits scored after training: the test split only when asked for (`--test`)."""
    return SPLITS if evaluate_test else SPLITS[:2]


@dataclass(frozen=True)
class RunPlan:
    """What is about to be trained, shown to the user before the first step."""

    source: str
    rows: dict[str, int]
    inputs: list[str]
    schedule: Schedule
    task: str
    split_checks: list[Any] = field(default_factory=list)  # split_checks.SplitFinding


class TrainingObserver(Protocol):
    """Receives progress while an experiment runs (the CLI renders it)."""

    def started(self, plan: RunPlan) -> None: ...

    def period(self, record: PeriodRecord) -> None: ...


@dataclass
class RunResult:
    """The outcome of `run_experiment`: where the run was written and what it measured."""

    run_dir: Path
    status: str  # complete | diverged | interrupted
    task: str  # regression | binary | multiclass
    metrics: dict[str, dict[str, Any]]
    history: list[PeriodRecord]
    warnings: list[str]
    timings: dict[str, float]
    message: str
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)  # feature steps' facts (PCA variance, ...)
    best_period: int | None = None
    findings: list[Any] = field(default_factory=list)  # the run doctor's (doctor.Finding)
    split_checks: list[Any] = field(default_factory=list)  # split_checks.SplitFinding


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


def _versions() -> dict[str, str]:
    import sklearn

    return {
        "mlcc": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
    }


@dataclass
class Trained:
    """What a training route (in memory or streaming) hands to the run-directory writer."""

    model: Any
    outcome: TrainingResult
    metrics: dict[str, dict[str, Any]]
    predictions: dict[str, np.ndarray] | None
    pipeline: FeaturePipeline
    inputs: list[str]
    feature_names: list[str] | None  # one per weight; None when there are too many to list
    label: str
    classes: list[Any] | None
    warnings: list[str]
    task: str | None = None  # regression | binary | multiclass | multilabel; None: model tag
    labels: list[str] | None = None  # multilabel: data.labels, one model output each
    # mlp model.embeddings: indicator columns (start, stop) in X and category names per input.
    embedding_columns: dict[str, tuple[int, int]] | None = None
    embedding_categories: dict[str, list[str]] | None = None
    # Numeric inputs' statistics on the training split (doctor.input_statistics); streaming
    # measures them on its first chunk of training rows.
    input_statistics: dict[str, dict[str, float]] | None = None
    split_checks: list[Any] = field(default_factory=list)  # split_checks.SplitFinding


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
    diverges or is interrupted is still written, with its status saying so. With
    `data.streaming` the data file is read chunk by chunk (`mlcc_cli.training.streaming`).
    """
    config = loaded.config
    started_at = datetime.now()
    timings: dict[str, float] = {}
    # Each route imports this module for its types, so they are imported here, when needed.
    if config.data.streaming and config.model.type == "multi_label":
        raise ConfigError(
            "model.type multi_label with data.streaming is not implemented yet; set "
            "data.streaming: false to train it in memory"
        )
    if config.data.streaming and getattr(config.model, "embeddings", None):
        raise ConfigError(
            "model.embeddings with data.streaming is not implemented yet; set "
            "data.streaming: false to train the network in memory"
        )
    if config.data.streaming:
        from mlcc_cli.training.streaming.session import train_streaming as train_route
    else:
        from mlcc_cli.training.in_memory import train_in_memory as train_route
    trained = train_route(
        config,
        loaded.folder,
        referenced_columns(config),
        evaluate_test=evaluate_test,
        observer=observer,
        clock=clock,
        timings=timings,
    )
    task = trained.task or MODEL_TASKS.get(config.model.type, "regression")
    model, outcome, metrics = trained.model, trained.outcome, trained.metrics
    contents = RunContents(
        config_yaml=resolved_yaml(config),
        history=outcome.history,
        metrics=metrics,
        # Weights plus non-trained state (batch-norm running averages) the model predicts with.
        model_arrays={
            k: v.copy() for k, v in {**model.params, **getattr(model, "buffers", {})}.items()
        },
        model_json=_model_json(config, model, trained, task, loaded.folder),
        status={},
        predictions=trained.predictions,
        plots=_plots(outcome, task, trained.predictions, metrics),
    )
    if trained.embedding_categories and outcome.status != "diverged":
        _add_embeddings(contents, model, trained.embedding_categories)
    notes = trained.pipeline.notes()
    findings, doctor_file = _doctor(config, trained, task, contents)
    contents.files[DOCTOR_FILE] = partial(write_json, payload=doctor_file)
    contents.status = _status(outcome, started_at, timings, trained.warnings)
    contents.status["notes"] = notes
    tick = clock()
    run_dir = write_run(runs_dir, run_name or config.name, contents, started_at)
    timings["write_s"] = clock() - tick
    return RunResult(
        run_dir=run_dir,
        status=outcome.status,
        task=task,
        metrics=metrics,
        history=outcome.history,
        warnings=trained.warnings,
        notes=notes,
        timings=timings,
        message=outcome.message,
        stopped_early=outcome.stopped_early,
        best_period=outcome.best_period,
        findings=findings,
        split_checks=trained.split_checks,
    )


def _doctor(
    config: ExperimentConfig, trained: Trained, task: str, contents: RunContents
) -> tuple[list[Any], dict[str, Any]]:
    """The run doctor's findings on the finished training, and doctor.json's content."""
    from mlcc_cli.doctor import RunEvidence, diagnose, doctor_json, history_frame

    outcome = trained.outcome
    predictions = trained.predictions if task == "binary" else None
    notes = []
    if config.data.streaming:
        notes.append(
            "streamed data: input statistics come from the first chunk of training rows, and "
            "the split checks, which need the whole table, did not run"
        )
    evidence = RunEvidence(
        config=config,
        task=task,
        status=outcome.status,
        message=outcome.message,
        history=history_frame(*history_rows(outcome.history)),
        metrics=trained.metrics,
        parameters=contents.model_arrays,
        inputs=trained.input_statistics or {},
        validation_labels=None if predictions is None else predictions["label"],
        validation_predictions=None if predictions is None else predictions["prediction"],
        stopped_early=outcome.stopped_early,
        notes=notes,
    )
    try:
        findings = diagnose(evidence)
    except (ArithmeticError, IndexError, KeyError, TypeError, ValueError) as error:
        # The doctor only advises: a run it cannot read is still written, with a note.
        findings = []
        evidence.notes.append(
            f"the doctor could not read this run ({type(error).__name__}: {error})"
        )
    checks = [check.to_json() for check in trained.split_checks]
    return findings, doctor_json(findings, evidence, checks)


def _plots(
    outcome: TrainingResult,
    task: str,
    predictions: dict[str, np.ndarray] | None,
    metrics: dict[str, dict[str, Any]],
) -> dict[str, Callable[[Path], None]]:
    """The run's plots/*.png: the loss curve, and the validation split's diagnostics.

    Binary: roc.png (when validation holds both classes) and calibration.png; regression:
    residuals.png; multiclass and multilabel: the loss curve only (`mlcc evaluate` reports
    per class or label).
    They are the pictures `mlcc evaluate` draws, from the same functions.
    """
    from mlcc_cli.evaluation import prediction_buckets, roc_of
    from mlcc_cli.rundir.plots import draw_calibration, draw_residuals

    plots: dict[str, Callable[[Path], None]] = {}
    if outcome.history:
        loss_name = "mean squared error" if task == "regression" else "log loss"
        plots["loss.png"] = partial(draw_loss, history=outcome.history, loss_name=loss_name)
    if task in ("multiclass", "multilabel") or predictions is None:
        return plots
    if len(predictions["label"]) == 0:
        return plots
    y, prediction = predictions["label"], predictions["prediction"]
    if task == "regression":
        buckets = prediction_buckets(y, prediction, errors=True)
        plots["residuals.png"] = partial(
            draw_residuals, y=y, prediction=prediction, buckets=buckets
        )
        return plots
    if len(np.unique(y)) == 2:
        plots["roc.png"] = partial(draw_roc, roc=roc_of(y.astype(np.int64), prediction))
    buckets = prediction_buckets(y, prediction, errors=False)
    log_loss = metrics.get("validation", {}).get("log_loss")
    plots["calibration.png"] = partial(
        draw_calibration, buckets=buckets, log_loss=float("nan") if log_loss is None else log_loss
    )
    return plots


def _add_embeddings(contents: RunContents, model: Any, categories: dict[str, list[str]]) -> None:
    """embeddings-COLUMN.csv (category, e1..eK) and plots/embeddings-COLUMN.png per embedding.

    Row i of the learned matrix embedding_COLUMN (vocabulary, K) is category i's vector.
    """
    from mlcc_cli.models.nn.embeddings import embedding_name
    from mlcc_cli.rundir.plots import draw_embeddings

    for column, names in categories.items():
        vectors = model.params[embedding_name(column)].copy()  # (vocabulary, K)
        table = {"category": np.asarray(names, dtype=object)}
        table |= {f"e{k + 1}": vectors[:, k] for k in range(vectors.shape[1])}
        contents.files[f"embeddings-{column}.csv"] = partial(write_columns_csv, columns=table)
        contents.plots[f"embeddings-{column}.png"] = partial(
            draw_embeddings, vectors=vectors, names=names, column=column
        )


def _model_json(
    config: ExperimentConfig, model: Any, trained: Trained, task: str, folder: Path
) -> dict[str, Any]:
    # Where the data was, resolved: config.yaml keeps the source as written (relative to the
    # experiment file), and `mlcc evaluate --split` must find the same rows again.
    data_source = locate_data_source(config.data.source, folder)
    return {
        "format": 1,
        "task": task,
        "model": {"type": config.model.type, **config.model.model_dump(exclude={"type"})},
        "parameters": sorted(model.params),
        "inputs": trained.inputs,
        "n_features": int(model.n_features_in_),
        "feature_names": trained.feature_names,
        "data_source": data_source,
        "label": trained.label,
        "label_scale": config.data.label_scale,
        "classes": trained.classes,
        "labels": trained.labels,
        "embedding_columns": (
            {c: list(r) for c, r in trained.embedding_columns.items()}
            if trained.embedding_columns
            else None
        ),
        "threshold": config.evaluation.threshold,
        "pipeline": trained.pipeline.get_state(),
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
        "training": outcome.settings,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "warnings": warnings,
        "versions": _versions(),
    }
