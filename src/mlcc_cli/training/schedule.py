"""The training schedule and the period loop shared by every way of running steps.

Crash-course terms: a *step* is one batch and one weight update; an *epoch* is one pass over
the training split; a *period* is a reporting interval at whose end train and validation loss
are measured and one `PeriodRecord` is written. `plan_schedule` turns the config into step
counts; `run_periods` runs them with any `StepRunner` (in memory: `engine.EpochRunner`; out of
core: `streaming.runner.StreamRunner`) and handles early stopping, divergence and Ctrl-C, and
lets the caller's per-period hook stop a run early (status "pruned").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from mlcc_cli.config.training import EarlyStoppingConfig, unreachable_patience
from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.models.base import TrainableModel
from mlcc_cli.optim.base import Optimizer
from mlcc_cli.training.divergence import DivergedError, divergence_message
from mlcc_cli.training.signal_gate import gate_installed
from mlcc_cli.training.steps import StepStats

DEFAULT_EPOCHS = 10


@dataclass
class PeriodRecord:
    """One row of history.csv: where training is and how well the model does.

    `epoch` = steps / steps_per_epoch; `grad_norm` is the mean pre-clip global gradient norm
    over the period's steps; losses are data losses (no penalty) on the whole splits.
    `learning_rate` is the schedule's η_t at t = `step` (the rate of the next update; see
    `lr_schedules.py`), so a constant schedule reports optimizer.learning_rate throughout.
    `metrics` holds task extras: train_rmse / validation_rmse (regression) or
    train_accuracy / validation_accuracy (classification).
    """

    period: int
    step: int
    epoch: float
    examples_seen: int
    train_loss: float
    validation_loss: float | None
    learning_rate: float
    grad_norm: float
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class TrainingResult:
    """What `run_periods` returns (for `train` and streaming): the history and how it ended.

    status is "complete", "diverged", "interrupted" or "pruned" (the caller's `on_period`
    hook asked to stop, e.g. a sweep dropping an unpromising trial); best_period is the
    period with the lowest validation loss (None without a validation split); warnings come
    from scheduling.
    """

    history: list[PeriodRecord]
    status: Literal["complete", "diverged", "interrupted", "pruned"]
    stopped_early: bool
    best_period: int | None
    message: str
    total_steps: int
    steps_done: int
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)  # how steps ran: engine, shuffle
    # The training loss before the first step ("initial") and the trivial model's ("trivial")
    # when known: the doctor's yardsticks (status.json `reference_losses`).
    reference_losses: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    """Batch size, steps per epoch, total steps and the step count at each period end."""

    batch_size: int
    steps_per_epoch: int
    total_steps: int
    period_ends: list[int]
    warnings: list[str]


def plan_schedule(
    n_train: int, batch_size: int | str, epochs: int | None, steps: int | None, periods: int
) -> Schedule:
    """Turn batch size, epochs or steps, and periods into concrete step counts.

    steps_per_epoch = ⌈n_train / batch_size⌉; total_steps = steps, or epochs·steps_per_epoch
    (10 epochs when neither is given); period k of P ends after ⌊k·total_steps / P⌋ steps.
    A batch larger than the split is capped at n_train and more periods than steps are cut
    to one per step, each with a warning.
    """
    if n_train < 1:
        raise DataError("the training split is empty; increase data.split.train")
    if epochs is not None and steps is not None:
        raise ConfigError("give either training.epochs or training.steps, not both")
    warnings: list[str] = []
    if batch_size == "full":
        batch = n_train
    elif isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size >= 1:
        batch = batch_size
        if batch > n_train:
            warnings.append(
                f"training.batch_size {batch} exceeds the {n_train} training examples; "
                f"using {n_train} (batch gradient descent)"
            )
            batch = n_train
    else:
        raise ConfigError(
            f"training.batch_size must be a whole number >= 1 or 'full', got {batch_size!r}"
        )
    for key, value in (("epochs", epochs), ("steps", steps), ("periods", periods)):
        if value is not None and value < 1:
            raise ConfigError(f"training.{key} must be >= 1, got {value}")

    steps_per_epoch = math.ceil(n_train / batch)
    if steps is not None:
        total_steps = steps
    else:
        total_steps = (epochs if epochs is not None else DEFAULT_EPOCHS) * steps_per_epoch
    if periods > total_steps:
        warnings.append(
            f"training.periods {periods} exceeds the {total_steps} training steps; "
            f"reporting {total_steps} periods (one per step)"
        )
        periods = total_steps
    period_ends = [k * total_steps // periods for k in range(1, periods + 1)]
    return Schedule(batch, steps_per_epoch, total_steps, period_ends, warnings)


class _BestPeriod:
    """The period with the lowest validation loss, and optionally a copy of its weights.

    A loss counts as an improvement only when it is below best − min_delta; every other
    period adds one to `bad_periods`, which early stopping compares with its patience.
    """

    def __init__(self, min_delta: float, keep_weights: bool) -> None:
        self.min_delta, self.keep_weights = min_delta, keep_weights
        self.loss, self.period, self.weights = math.inf, None, None
        self.bad_periods = 0

    def update(self, period: int, loss: float, params: dict[str, np.ndarray]) -> None:
        if loss < self.loss - self.min_delta:
            self.loss, self.period, self.bad_periods = loss, period, 0
            if self.keep_weights:
                self.weights = {name: array.copy() for name, array in params.items()}
        else:
            self.bad_periods += 1


def _all_finite(params: dict[str, np.ndarray]) -> bool:
    return all(bool(np.isfinite(p).all()) for p in params.values())


@dataclass
class Evaluation:
    """Losses and task metrics measured at a period end (see PeriodRecord)."""

    train_loss: float
    validation_loss: float | None
    metrics: dict[str, float]


# Called with each period's record; returns None to go on, or a reason to stop training now
# (the run ends with status "pruned" and that reason as its message). A sweep's pruner uses
# it; training itself never decides to prune.
PeriodHook = Callable[[PeriodRecord], str | None]


class StepRunner(Protocol):
    """Runs training steps and counts them: `EpochRunner` in memory, a stream when out of core."""

    step: int
    examples_seen: int

    def run_until(self, model: Any, optimizer: Any, target_step: int) -> StepStats: ...


def run_periods(
    model: TrainableModel,
    optimizer: Optimizer,
    schedule: Schedule,
    runner: StepRunner,
    evaluate: Callable[[TrainableModel], Evaluation],
    early: EarlyStoppingConfig | None,
    on_period: PeriodHook | None = None,
    divergence_limit: float | None = None,
) -> TrainingResult:
    """The period loop shared by in-memory and streaming training.

    For each period end of `schedule`: run steps with `runner`, `evaluate` the model, record a
    PeriodRecord, pass it to `on_period`, and stop on divergence (non-finite loss or weights,
    or a training loss above `divergence_limit`), an early-stopping plateau (restoring the
    best weights if configured), Ctrl-C, or `on_period` returning a reason to stop (status
    "pruned", that reason its message; the model is kept as it is after that period).
    """
    best = _BestPeriod(
        min_delta=early.min_delta if early is not None else 0.0,
        keep_weights=early is not None and early.restore_best,
    )
    history: list[PeriodRecord] = []
    status, message, stopped_early, period = "complete", "", False, 0
    optimizer.expect_total_steps(schedule.total_steps)  # a cosine schedule decays over it
    try:
        # Overflow on the way to divergence is expected and reported as a status below;
        # numpy's RuntimeWarnings would only repeat it less clearly.
        with np.errstate(over="ignore", invalid="ignore"), gate_installed():
            for period, period_end in enumerate(schedule.period_ends, start=1):
                segment = runner.run_until(model, optimizer, period_end)
                if segment.diverged:
                    raise DivergedError(runner.step + 1, segment.bad_loss)
                scores = evaluate(model)
                if not (math.isfinite(scores.train_loss) and _all_finite(model.params)):
                    raise DivergedError(runner.step, scores.train_loss)
                if scores.validation_loss is not None:
                    best.update(period, scores.validation_loss, model.params)
                record = PeriodRecord(
                    period=period,
                    step=runner.step,
                    epoch=runner.step / schedule.steps_per_epoch,
                    examples_seen=runner.examples_seen,
                    train_loss=scores.train_loss,
                    validation_loss=scores.validation_loss,
                    learning_rate=optimizer.current_learning_rate,
                    grad_norm=segment.grad_norm_sum / max(segment.steps, 1),
                    metrics=scores.metrics,
                )
                history.append(record)
                stop_reason = on_period(record) if on_period is not None else None
                # A finite explosion is kept in the history (its numbers are the evidence).
                if divergence_limit is not None and scores.train_loss > divergence_limit:
                    raise DivergedError(runner.step, scores.train_loss)
                if early is not None and best.bad_periods >= early.patience:
                    stopped_early = True
                    message = (
                        f"early stopping at period {period}: validation loss has not improved "
                        f"for {best.bad_periods} periods (best at period {best.period})"
                    )
                    break
                # After the last period there is nothing left to save: the run is complete.
                if stop_reason and period < len(schedule.period_ends):
                    status, message = "pruned", stop_reason
                    break
    except DivergedError as diverged:
        status = "diverged"
        # The configured base rate (not η_t): the key the message tells the user to lower.
        message = divergence_message(
            diverged.step, period, optimizer.learning_rate, diverged.value, divergence_limit
        )
    except KeyboardInterrupt:
        status = "interrupted"
        # runner.step counts every step the weights took, the interrupted period's too; the
        # history ends at the last period finished (evaluated and recorded).
        message = (
            f"training interrupted at step {runner.step} of {schedule.total_steps} "
            f"({len(history)} of {len(schedule.period_ends)} periods finished); the history "
            "so far is kept"
        )

    if status == "complete":
        message = message or f"training complete after {runner.step} steps"
        if best.weights is not None and best.period != history[-1].period:
            for name, param in model.params.items():
                np.copyto(param, best.weights[name])  # in place: callers may hold the arrays
            message += f"; restored the weights of period {best.period} (lowest validation loss)"

    return TrainingResult(
        history=history,
        status=status,
        stopped_early=stopped_early,
        best_period=best.period,
        message=message,
        total_steps=schedule.total_steps,
        steps_done=runner.step,
        warnings=[*schedule.warnings, *unreachable_patience(early, len(schedule.period_ends))],
    )
