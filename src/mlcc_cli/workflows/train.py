"""One experiment end to end: load, split, transform, train, evaluate, write the run directory.

This is the library entry point behind `mlcc train`; it returns a `RunResult` and never
prints. Progress reaches the caller through an optional `TrainingObserver`. Training takes
one of three routes returning the same `Trained` record: `in_memory` (the whole table at
once), `streaming` (`data.streaming: true`, the file chunk by chunk) or `corpus` (models that
learn from sentences, such as word2vec).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import LoadedConfig, resolved_yaml
from mlcc_cli.data.sources import locate_data_source
from mlcc_cli.data.split_checks import SplitCheck
from mlcc_cli.data.split_table import referenced_columns
from mlcc_cli.data.splitting import require_test_split
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.registry import model_class
from mlcc_cli.rundir.doctor_file import DOCTOR_FILE
from mlcc_cli.rundir.embedding_files import add_word_embeddings
from mlcc_cli.rundir.files import (
    RunContents,
    write_json,
    write_run,
)
from mlcc_cli.rundir.run_plots import add_embeddings, run_plots
from mlcc_cli.rundir.staging import create_staging, discard_staging
from mlcc_cli.rundir.storage import check_run_name_fits
from mlcc_cli.training.corpus import train_corpus
from mlcc_cli.training.diagnostics import history_warnings
from mlcc_cli.training.divergence import with_example_rate, without_scaling_advice
from mlcc_cli.training.in_memory import train_in_memory
from mlcc_cli.training.loop import PeriodRecord
from mlcc_cli.training.plan import Trained, TrainingObserver
from mlcc_cli.training.streaming.session import train_streaming
from mlcc_cli.workflows.run_doctor import run_doctor
from mlcc_cli.workflows.run_status import status_payload


@dataclass
class RunResult:
    """The outcome of `run_experiment`: where the run was written and what it measured."""

    run_dir: Path
    status: str  # complete | diverged | interrupted | pruned (the observer stopped it)
    task: str  # regression | binary | multiclass
    metrics: dict[str, dict[str, Any]]
    history: list[PeriodRecord]
    warnings: list[str]
    timings: dict[str, float]
    message: str
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)  # feature steps' facts (PCA variance, ...)
    best_period: int | None = None
    findings: list[Finding] = field(default_factory=list)  # the run doctor's
    split_checks: list[SplitCheck] = field(default_factory=list)
    loss_label: str = "loss"  # the training loss as tables head it (the model's loss_label)
    # Ctrl-C/SIGTERM arrived just as the complete run was renamed into place: it is kept whole.
    late_interrupt: bool = False

    @property
    def warnings_beyond_doctor(self) -> list[str]:
        """The warnings the doctor's findings do not already explain with evidence and a fix."""
        covered = set(history_warnings(self.history))
        return [warning for warning in self.warnings if warning not in covered]


def run_experiment(
    loaded: LoadedConfig,
    *,
    runs_dir: Path,
    run_name: str | None = None,
    folder_name: str | None = None,
    evaluate_test: bool = False,
    observer: TrainingObserver | None = None,
    clock: Callable[[], float] = time.perf_counter,
    plots: bool = True,
) -> RunResult:
    """Train the experiment described by `loaded` and write its run directory.

    Raises `ConfigError`/`DataError` for unusable input, an unwritable `runs_dir` or a name
    too long for a folder before training; a run that diverges or is interrupted (Ctrl-C or
    SIGTERM, even while scoring or writing) is still written, its status saying so. With
    `data.streaming` the data file is read chunk by chunk (`mlcc_cli.training.streaming`).
    `folder_name` fixes the run directory's name (a sweep point's) instead of NAME-time-xxxx.
    `plots=False` writes no plots/*.png (everything else is the same), saving their drawing
    time and matplotlib's import in small runs.
    """
    config = loaded.config
    started_at = datetime.now()
    timings: dict[str, float] = {}
    if evaluate_test:  # before any data is read: a 0 test share has nothing to score
        require_test_split(config.data.split)
    if config.data.streaming and getattr(config.model, "embeddings", None):
        raise ConfigError(
            "model.embeddings with data.streaming is not implemented yet; set "
            "data.streaming: false to train the network in memory"
        )
    # Models that learn from sentences (word2vec) say so; the others read a table.
    trains_on_corpus = model_class(config.model).trains_on == "corpus"
    train_route = train_streaming if config.data.streaming else train_in_memory
    if trains_on_corpus:
        train_route = train_corpus
    name = run_name or config.name
    check_run_name_fits(name, "--name" if run_name else f"{loaded.path}: name")
    # Made before any work, so an unwritable --runs-dir is reported before training.
    runs_dir_existed = runs_dir.is_dir()
    staging = create_staging(runs_dir, name)
    try:
        return _train_and_write(
            loaded,
            train_route,
            runs_dir,
            name,
            staging,
            folder_name,
            evaluate_test=evaluate_test,
            observer=observer,
            clock=clock,
            started_at=started_at,
            timings=timings,
            plots=plots,
        )
    except BaseException:
        # Ours only (gone once published), and the runs folder if this run made it.
        discard_staging(staging, parent_created=not runs_dir_existed)
        raise


def _train_and_write(
    loaded: LoadedConfig,
    train_route: Callable[..., Trained],
    runs_dir: Path,
    name: str,
    staging: Path,
    folder_name: str | None,
    *,
    evaluate_test: bool,
    observer: TrainingObserver | None,
    clock: Callable[[], float],
    started_at: datetime,
    timings: dict[str, float],
    plots: bool,
) -> RunResult:
    config = loaded.config
    trained = train_route(
        config,
        loaded.folder,
        referenced_columns(config),
        evaluate_test=evaluate_test,
        observer=observer,
        clock=clock,
        timings=timings,
    )
    tick = clock()
    try:
        contents, findings = _run_contents(loaded, trained, started_at, timings, plots=plots)
    except KeyboardInterrupt:
        # Ctrl-C after the last period (drawing, the doctor): keep the trained model.
        contents, findings = _essential_contents(loaded, trained, started_at, timings), []
        contents.status.update(
            status="interrupted",
            message="interrupted after training, while preparing plots and the doctor's "
            "findings; the model, its history and metrics are kept",
        )
    run_dir = write_run(
        runs_dir, name, contents, started_at, staging=staging, folder_name=folder_name
    )
    timings["write_s"] = clock() - tick
    status = contents.status["status"]
    return RunResult(
        run_dir=run_dir,
        status=status,
        task=trained.task,
        metrics=trained.metrics,
        history=trained.outcome.history,
        warnings=trained.warnings,
        notes=contents.status.get("notes", []),
        timings=timings,
        message=contents.status["message"],
        stopped_early=trained.outcome.stopped_early,
        best_period=trained.outcome.best_period,
        findings=findings,
        split_checks=trained.split_checks,
        loss_label=trained.model.loss_label,
        late_interrupt=contents.late_interrupt,
    )


def _essential_contents(
    loaded: LoadedConfig, trained: Trained, started_at: datetime, timings: dict[str, float]
) -> RunContents:
    """What a run cannot be read back without: config, history, metrics, model, status."""
    config, model = loaded.config, trained.model
    status = status_payload(loaded, trained, started_at, timings)
    return RunContents(
        config_yaml=resolved_yaml(config),
        history=trained.outcome.history,
        metrics=trained.metrics,
        # Weights plus non-trained state (batch-norm running averages) the model predicts with.
        model_arrays={
            k: v.copy() for k, v in {**model.params, **getattr(model, "buffers", {})}.items()
        },
        model_json=_model_json(config, model, trained, trained.task, loaded.folder),
        status=status,
        predictions=trained.predictions,
    )


def _run_contents(
    loaded: LoadedConfig,
    trained: Trained,
    started_at: datetime,
    timings: dict[str, float],
    *,
    plots: bool,
) -> tuple[RunContents, list[Finding]]:
    """Every file of the run (plots unless `plots` is False, embeddings, doctor.json too) and
    the doctor's findings."""
    task, model, outcome = trained.task, trained.model, trained.outcome
    contents = _essential_contents(loaded, trained, started_at, timings)
    sample = trained.validation_sample
    views = (
        model.image_views(sample)
        if plots and sample is not None and sample.shape[0] and outcome.status != "diverged"
        else None
    )
    if plots:
        contents.plots = run_plots(
            outcome.history, task, trained.predictions, trained.metrics, model.loss_name, views
        )
    if model.trains_on == "corpus":
        add_word_embeddings(contents, model, draw=outcome.status != "diverged")
    if trained.embedding_categories and outcome.status != "diverged":
        add_embeddings(contents, model, trained.embedding_categories, trained.embedding_counts)
    if not plots:  # the embedding CSVs stay; only their pictures go
        contents.plots.clear()
    findings, doctor_file = run_doctor(loaded, trained, task, contents)
    contents.files[DOCTOR_FILE] = partial(write_json, payload=doctor_file)
    if outcome.status == "diverged":
        _example_rate_from_doctor(contents.status, findings)
    return contents, findings


def _example_rate_from_doctor(status: dict[str, Any], findings: list[Finding]) -> None:
    """The diverged run's message names the rate the doctor's fix sets (lr-find's
    measurement, where the message only guessed from the loss), and suggests a zscore step
    only if the doctor found the inputs on different scales."""
    if not any(finding.kind == "features_not_scaled" for finding in findings):
        status["message"] = without_scaling_advice(status["message"])
    for finding in findings:
        if finding.kind != "learning_rate_too_high" or not finding.fix:
            continue
        key, _, rate = finding.fix[0].partition("=")
        if key == "optimizer.learning_rate":
            status["message"] = with_example_rate(status["message"], rate)
        return


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
