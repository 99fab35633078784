"""Out-of-core training end to end: statistics passes, training passes, scoring passes.

`train_streaming` is the streaming route of `experiment.run_experiment` and hands back the
same `Trained` record as the in-memory route, so both write identical run directories. The
file is read again for every pass and never held whole: one pass per statistics-learning
feature step (usually one), one per epoch, and one per period end to measure train and
validation loss; the last of those also gives the final metrics unless early stopping
restored other weights, which costs one more pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.base import TrainableModel
from mlcc_cli.models.registry import build_model, model_class, streaming_model_tags
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.training.engine import choose_engine
from mlcc_cli.training.plan import RunPlan, Trained, TrainingObserver, scored_splits
from mlcc_cli.training.schedule import Evaluation, plan_schedule, run_periods
from mlcc_cli.training.streaming.fitting import FittedFeatures, fit_features
from mlcc_cli.training.streaming.runner import Rows, StreamRunner
from mlcc_cli.training.streaming.scoring import PassScores, start_scores
from mlcc_cli.training.streaming.source import StreamingData
from mlcc_cli.training.streaming.splits import CODES, SAMPLE_KEY, STATISTICS_KEY, TRAIN


def train_streaming(
    config: ExperimentConfig,
    folder: Path,
    used: list[str] | None,
    *,
    evaluate_test: bool = False,
    observer: TrainingObserver | None = None,
    clock: Callable[[], float] = time.perf_counter,
    timings: dict[str, float] | None = None,
) -> Trained:
    """Train the experiment reading `config.data.source` chunk by chunk.

    `used` names the columns the experiment reads (None: all). Raises ConfigError/DataError
    for unusable input before training; `timings` (if given) receives the phase durations.
    """
    timings = {} if timings is None else timings
    check_streaming_model(config)
    tick = clock()
    data = StreamingData(config, folder, used)
    statistics = np.random.SeedSequence(config.seed, spawn_key=(STATISTICS_KEY,))
    fitted = fit_features(data, config, np.random.default_rng(statistics))
    timings["load_and_prepare_s"] = clock() - tick

    task = data.task
    training = config.training
    n_train = fitted.rows["train"]
    schedule = plan_schedule(
        n_train, training.batch_size, training.epochs, training.steps, training.periods
    )
    buffer_rows = min(config.data.shuffle_buffer, n_train)
    if schedule.batch_size > buffer_rows:
        raise ConfigError(
            f"training.batch_size {schedule.batch_size} exceeds data.shuffle_buffer "
            f"{config.data.shuffle_buffer}: streaming draws each batch from the shuffle buffer; "
            "raise data.shuffle_buffer or lower training.batch_size"
        )
    if training.early_stopping is not None and fitted.rows["validation"] == 0:
        raise ConfigError(
            "training.early_stopping watches validation loss, but the validation split is empty"
        )
    warnings = fitted.warnings + schedule.warnings
    model = build_model(config.model, task=task, seed=config.seed)
    model.initialize(len(fitted.inputs))  # before the plan: bad inputs fail before it shows
    if observer is not None:
        observer.started(
            RunPlan(
                data.source,
                fitted.rows,
                fitted.inputs,
                schedule,
                task,
                loss_label=model.loss_label,
                layers=model.layer_summary(len(fitted.classes) if fitted.classes else None),
            )
        )
    optimizer = build_optimizer(config.optimizer)
    # The in-memory training generator: with a buffer holding the whole training split, both
    # routes draw the same permutations.
    _, train_seed = np.random.SeedSequence(config.seed).spawn(2)
    engine = choose_engine(training.engine, model, optimizer)
    runner = StreamRunner(
        lambda: _training_rows(data, fitted, model),
        len(fitted.inputs),
        schedule.batch_size,
        schedule.steps_per_epoch,
        buffer_rows,
        np.random.default_rng(train_seed),
        engine,
        n_train,
    )
    held = ("validation", "test") if evaluate_test else ("validation",)
    score = _Scorer(data, fitted, task, config.evaluation.threshold, held, config.seed)

    def evaluate(model: TrainableModel) -> Evaluation:
        return score(model).evaluation()

    tick = clock()
    outcome = run_periods(
        model,
        optimizer,
        schedule,
        runner,
        evaluate,
        training.early_stopping,
        observer.period if observer is not None else None,
    )
    timings["train_s"] = clock() - tick
    outcome.settings = {"engine": engine, "shuffle": f"buffer of {buffer_rows} rows"}

    tick = clock()
    metrics: dict = {}
    predictions = None
    if outcome.status != "diverged":
        scores = score.last if score.last is not None and score.last.scored(model) else None
        try:
            scores = scores or score(model)
        except KeyboardInterrupt:  # a second Ctrl-C while scoring: keep the run, unscored
            warnings.append("metrics were not computed: scoring was interrupted (Ctrl-C)")
        if scores is not None:
            splits = scored_splits(evaluate_test)
            metrics, more = scores.metrics(model, splits)
            warnings += more
            predictions = scores.predictions()
    timings["evaluate_s"] = clock() - tick
    return Trained(
        model=model,
        outcome=outcome,
        metrics=metrics,
        predictions=predictions,
        pipeline=fitted.pipeline,
        inputs=fitted.inputs,
        feature_names=list(fitted.inputs),  # streaming inputs are numeric columns
        label=data.label,
        classes=fitted.classes,
        warnings=warnings,
        task=task,
        input_statistics=fitted.input_statistics,
    )


def check_streaming_model(config: ExperimentConfig) -> None:
    """ConfigError unless the model can be trained chunk by chunk (its class says so)."""
    if config.model.task == "multilabel":  # a stream encodes one label column per chunk
        raise ConfigError(
            f"model.type {config.model.type} with data.streaming is not implemented yet; set "
            "data.streaming: false to train it in memory"
        )
    if not model_class(config.model).supports_streaming:
        *others, last = streaming_model_tags()
        supported = f"{', '.join(others)} and {last}" if others else last
        raise ConfigError(
            f"model.type {config.model.type}: data.streaming supports {supported} "
            "models only for now; set data.streaming: false to train it in memory"
        )


def _training_rows(
    data: StreamingData, fitted: FittedFeatures, model: TrainableModel
) -> Iterator[Rows]:
    """One epoch's training rows, chunk by chunk, labels checked as `train` checks them."""
    for chunk in data.design_chunks(fitted.pipeline, fitted.inputs, (TRAIN,)):
        model.validate_targets(chunk.y)
        yield chunk.X, chunk.y


class _Scorer:
    """One scoring pass per call; remembers the last, which may serve as the final metrics."""

    def __init__(
        self,
        data: StreamingData,
        fitted: FittedFeatures,
        task: str,
        threshold: float,
        held: tuple[str, ...],
        seed: int,
    ) -> None:
        self.data, self.fitted, self.task, self.threshold = data, fitted, task, threshold
        self.splits = (TRAIN, *(CODES[name] for name in held))
        self.seed = seed
        self.last: PassScores | None = None

    def __call__(self, model: TrainableModel) -> PassScores:
        # A fresh generator per pass: every pass samples the same training rows for the AUC.
        self.last = None  # let the previous pass's kept predictions go before reading again
        sequence = np.random.SeedSequence(self.seed, spawn_key=(SAMPLE_KEY,))
        scores = start_scores(model, self.task, self.threshold, np.random.default_rng(sequence))
        for chunk in self.data.design_chunks(self.fitted.pipeline, self.fitted.inputs, self.splits):
            scores.add(model, chunk)
        self.last = scores
        return scores
