"""`mlcc sweep --search tpe`: Optuna's TPE sampler proposes each trial; each trial is one run.

Ask and tell: a trial asks the study for values from the space (tpe_space.py), trains them as
an ordinary sweep point (`point.run_point`, into SWEEP_DIR/trial-NNNN__KEY-VALUE...), and tells
the study the run's validation metric (the one the sweep ranks by). A diverged or failed run
is told as failed, so TPE does not learn from it.

The study lives in SWEEP_DIR/optuna.journal (Optuna's JournalFileBackend, file-locked), which
every `--jobs` process and Dask worker opens, so trials running side by side see each other's
results; each `mlcc sweep` adds a new study to it, named in sweep.json.

Reproducible: trial i's sampler is seeded from the config's seed and i, and in a serial sweep
trial i sees exactly trials 0..i-1, so the same config proposes the same trials. In parallel
a trial sees whichever trials have finished when it starts, which depends on timing.

Pruning (`--prune median`, Optuna's MedianPruner with its defaults): after each period the
trial reports its validation loss; once 5 trials have finished, a trial whose best
validation loss so far is worse than the median of the finished trials' at the same period
stops with status `pruned`. Pruned runs keep their (shorter) run directory and metrics, are
listed in sweep.csv, count as no failure, and are never ranked.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.errors import ConfigError
from mlcc_cli.evaluation.metric_names import higher_is_better, ranking_value
from mlcc_cli.training.loop import PeriodRecord
from mlcc_cli.training.plan import RunPlan
from mlcc_cli.workflows.sweep.executors import run_tasks_on_dask
from mlcc_cli.workflows.sweep.parallel import run_in_workers
from mlcc_cli.workflows.sweep.point import run_point
from mlcc_cli.workflows.sweep.result import (
    DEFAULT_METRIC,
    STUDY_JOURNAL,
    SweepPoint,
    SweepRow,
)
from mlcc_cli.workflows.sweep.tpe_space import SearchSpace

# The distribution is named mlcc-cli (pyproject), so that is what pip needs.
INSTALL_HINT = "pip install 'mlcc-cli[tune]'"
# Spawn key of the trials' sampler seeds: independent of every other stream of the same seed.
TPE_SPAWN_KEY = 0x79E5


def import_optuna() -> Any:
    """The optuna module, or a ConfigError naming the extra that installs it."""
    try:
        import optuna  # deferred: the optional [tune] extra, and a quarter second to import
    except ImportError:
        raise ConfigError(
            f"--search tpe: needs Optuna, which is not installed ({INSTALL_HINT})."
        ) from None
    # Otherwise every tell logs a line at INFO, interleaved with the sweep's own output.
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


@dataclass(frozen=True)
class TpeStudy:
    """What every trial needs to find and feed the shared study (picklable, for workers)."""

    journal: Path
    name: str
    space: SearchSpace
    seed: int  # the config's
    prune: str  # none | median
    metric: str | None  # --metric; None: rmse for regression, loss for embeddings, else log_loss

    @property
    def maximize(self) -> bool:
        return self.metric is not None and higher_is_better(self.metric)


def _storage(journal: Path) -> Any:
    from optuna.storages import JournalStorage  # deferred: the [tune] extra
    from optuna.storages.journal import JournalFileBackend

    return JournalStorage(JournalFileBackend(str(journal)))


def create_study(
    sweep_dir: Path, space: SearchSpace, seed: int, prune: str, metric: str | None
) -> TpeStudy:
    """A new study in SWEEP_DIR/optuna.journal (the folder made if needed)."""
    optuna = import_optuna()
    sweep_dir = Path(sweep_dir).resolve()  # workers may start in another directory
    sweep_dir.mkdir(parents=True, exist_ok=True)
    name = f"{sweep_dir.name}-{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    study = TpeStudy(sweep_dir / STUDY_JOURNAL, name, space, seed, prune, metric)
    direction = "maximize" if study.maximize else "minimize"
    optuna.create_study(study_name=name, storage=_storage(study.journal), direction=direction)
    return study


class _PeriodReporter:
    """A TrainingObserver that reports each period's validation loss to the trial and returns
    a reason to stop when the study's pruner says so."""

    def __init__(self, trial: Any, maximize: bool) -> None:
        self.trial = trial
        # The pruner compares in the study's direction; a loss is better when lower.
        self.sign = -1.0 if maximize else 1.0

    def started(self, plan: RunPlan) -> None:
        """Nothing to show: the sweep's table comes at the end."""

    def period(self, record: PeriodRecord) -> str | None:
        loss = record.validation_loss
        if loss is None or not math.isfinite(loss):
            return None  # a diverging run stops by itself
        self.trial.report(self.sign * loss, record.period)
        if not self.trial.should_prune():
            return None
        return (
            f"pruned after period {record.period} (--prune median): its best validation loss "
            "so far is worse than the median of the finished trials' at that period"
        )


def _trial_seed(seed: int, index: int) -> int:
    sequence = np.random.SeedSequence(seed, spawn_key=(TPE_SPAWN_KEY, index))
    return int(sequence.generate_state(1)[0])


def _tell(live: Any, trial: Any, row: SweepRow, metric: str | None) -> None:
    """The run's outcome to the study: its metric, pruned, or failed."""
    from optuna.trial import TrialState  # deferred: the [tune] extra

    if row.status == "pruned":
        live.tell(trial, state=TrialState.PRUNED)
        return
    chosen = metric or DEFAULT_METRIC.get(row.task or "", "log_loss")
    value = row.metrics.get("validation", {}).get(chosen) if row.status == "complete" else None
    if isinstance(value, int | float) and math.isfinite(value):
        live.tell(trial, ranking_value(chosen, float(value)))  # |bias|: best nearest 0
    else:
        live.tell(trial, state=TrialState.FAIL)


def run_trial(
    config_path: Path,
    study: TpeStudy,
    index: int,
    sweep_dir: Path,
    skip_existing: bool,
    plots: bool,
) -> SweepRow:
    """Ask the study for trial `index`'s values, train them, tell the result; its row.

    Module-level so `--jobs` processes and Dask workers can import it.
    """
    optuna = import_optuna()
    sampler = optuna.samplers.TPESampler(seed=_trial_seed(study.seed, index))
    pruner = optuna.pruners.MedianPruner() if study.prune == "median" else None
    live = optuna.load_study(
        study_name=study.name, storage=_storage(study.journal), sampler=sampler, pruner=pruner
    )
    trial = live.ask(study.space.distributions)
    told = False
    try:
        point = study.space.point(trial.number, trial.params)
        reporter = _PeriodReporter(trial, study.maximize) if study.prune != "none" else None
        row = run_point(config_path, point, sweep_dir, skip_existing, plots, observer=reporter)
        _tell(live, trial, row, study.metric)
        told = True
        return row
    finally:
        if not told:  # interrupted or a bug: the trial must not stay "running" in the study
            live.tell(trial, state=optuna.trial.TrialState.FAIL)


def run_tpe(
    config_path: Path,
    study: TpeStudy,
    trials: int,
    sweep_dir: Path,
    *,
    skip_existing: bool,
    plots: bool,
    jobs: int,
    scheduler: str | None,
    worker_setup: Callable[[], object] | None = None,
) -> list[SweepRow]:
    """`trials` trials, serially, in `jobs` processes (each first calling `worker_setup`),
    or as Dask tasks at `scheduler`; their rows in trial order."""
    # Workers may have another working directory: hand them absolute paths.
    config_path, sweep_dir = Path(config_path).resolve(), Path(sweep_dir).resolve()
    arguments = [
        (config_path, study, index, sweep_dir, skip_existing, plots) for index in range(trials)
    ]

    def unproposed(status: str, message: str) -> SweepRow:
        # A trial that never asked for values has none: an empty point holds its status.
        return SweepRow(SweepPoint({}, None), study.seed, status, None, message=message)

    if scheduler is not None:
        rows = run_tasks_on_dask(
            scheduler,
            run_trial,
            arguments,
            lambda _, message: unproposed("failed", message),
            lambda _: unproposed("interrupted", "interrupted"),
        )
    elif jobs > 1 and trials > 1:
        rows = run_in_workers(
            run_trial,
            arguments,
            min(jobs, trials),
            lambda _, status, message: unproposed(status, message),
            worker_setup,
        )
    else:
        rows = []
        for args in arguments:
            try:
                rows.append(run_trial(*args))
            except KeyboardInterrupt:  # between trials: nothing trained to keep
                rows.append(unproposed("interrupted", "interrupted"))
            if rows[-1].status == "interrupted":
                left = trials - len(rows)
                if left:
                    rows.append(unproposed("interrupted", f"{left} trial(s) not started"))
                break
    # Parallel trials take their numbers as they start: list them in that order.
    return sorted(rows, key=lambda row: (row.point.trial is None, row.point.trial or 0))
