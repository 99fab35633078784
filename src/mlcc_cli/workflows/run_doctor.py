"""The run doctor at the end of `mlcc train`: the evidence training leaves, diagnosed.

The evidence is gathered from memory (the history, metrics, weights and input statistics
just computed); `mlcc doctor RUN` later reads the same from the run directory.
"""

from __future__ import annotations

from typing import Any

from mlcc_cli.config.loading import LoadedConfig
from mlcc_cli.doctor.diagnose import diagnose, doctor_json
from mlcc_cli.doctor.evidence import RunEvidence, history_frame
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.doctor.range_test_rate import rate_for_batch, safe_learning_rate
from mlcc_cli.doctor.rules_data import HEALTHY_ROOM, features_not_scaled, room_to_improve
from mlcc_cli.doctor.rules_fit import trivial_plateau
from mlcc_cli.doctor.rules_learning_rate import learning_rate_too_low, stuck_above_trivial
from mlcc_cli.doctor.rules_tails import tail_candidates
from mlcc_cli.errors import MlccError
from mlcc_cli.models.registry import model_class
from mlcc_cli.rundir.files import RunContents, history_rows
from mlcc_cli.training.plan import Trained
from mlcc_cli.workflows.doctor_capacity import capacity_gain
from mlcc_cli.workflows.doctor_checks import MAX_REFIT_ROWS, scaled_learning_rate, tail_fix_gains
from mlcc_cli.workflows.lr_find import range_test


def run_doctor(
    loaded: LoadedConfig, trained: Trained, task: str, contents: RunContents
) -> tuple[list[Finding], dict[str, Any]]:
    """The run doctor's findings on the finished training, and doctor.json's content.

    A diverged run, and one stuck above the trivial model's loss, gets a learning-rate range
    test on its data (`mlcc lr-find`), so the doctor's fix is a rate measured to work rather
    than a guess.
    """
    config = loaded.config
    outcome = trained.outcome
    # binary: P(class 1) for the threshold rules; regression: values, for the label's tail
    predictions = trained.predictions if task in ("binary", "regression") else None
    notes = []
    if config.data.streaming:
        notes.append(
            "streamed data: input statistics come from the first chunk of training rows, and "
            "the split checks, which need the whole table, did not run"
        )
    evidence = RunEvidence(
        config=config,
        task=task,
        reference_losses=outcome.reference_losses,
        status=outcome.status,
        message=outcome.message,
        history=history_frame(*history_rows(outcome.history)),
        metrics=trained.metrics,
        parameters=contents.model_arrays,
        inputs=trained.input_statistics or {},
        validation_rows=None if trained.predictions is None else len(trained.predictions["row_id"]),
        validation_labels=None if predictions is None else predictions["label"],
        validation_predictions=None if predictions is None else predictions["prediction"],
        stopped_early=outcome.stopped_early,
        notes=notes,
        split_checks=[check.to_json() for check in trained.split_checks],
        data_rows=trained.data_rows,
    )
    if outcome.status == "diverged" or stuck_above_trivial(evidence):
        evidence.suggested_learning_rate = _suggested_learning_rate(loaded, trained)
    scaling = features_not_scaled(evidence)
    if scaling and scaling[0].fix:
        evidence.scaled_learning_rate = scaled_learning_rate(loaded, scaling[0].fix[0])
    # Each refit reloads the data: on a big table the tails are judged without it, and a run
    # already leaving under HEALTHY_ROOM of the trivial model's error gets its tails as a
    # note without one (the refits were most of a small healthy run's doctor time).
    room = room_to_improve(evidence)
    refit = trained.data_rows is not None and trained.data_rows <= MAX_REFIT_ROWS
    refit = refit and not (room is not None and room < HEALTHY_ROOM)
    evidence.tail_fix_gains = tail_fix_gains(
        loaded, tail_candidates(evidence) if refit else (), task
    )
    # A plateau near the trivial loss is either a model too simple or a hard problem, a slow
    # training curve either steps too small or noise being fitted: two reference models on
    # the same inputs tell which (a second or so, only for such a run).
    if trivial_plateau(evidence) is not None or learning_rate_too_low(evidence):
        evidence.capacity_gain = capacity_gain(loaded, task, trained.metrics)
    try:
        findings = diagnose(evidence)
    except (ArithmeticError, IndexError, KeyError, TypeError, ValueError) as error:
        # The doctor only advises: a run it cannot read is still written, with a note.
        findings = []
        evidence.notes.append(
            f"the doctor could not read this run ({type(error).__name__}: {error})"
        )
    payload = doctor_json(findings, evidence, evidence.split_checks)
    payload["suggested_learning_rate"] = evidence.suggested_learning_rate
    payload["scaled_learning_rate"] = evidence.scaled_learning_rate
    payload["tail_fix_gains"] = evidence.tail_fix_gains
    payload["capacity_gain"] = evidence.capacity_gain
    return findings, payload


def _suggested_learning_rate(loaded: LoadedConfig, trained: Trained) -> float | None:
    """A rate a whole run tolerates from lr-find's curve on this run's data (in memory, on a
    table: `safe_learning_rate`, scaled to a diverged plain-SGD run's smaller batch:
    `rate_for_batch`),
    else None; a range test that cannot run leaves the doctor to estimate."""
    config = loaded.config
    if config.data.streaming:
        return None
    if model_class(config.model).trains_on != "table":
        return None
    try:
        result = range_test(loaded)
    except (MlccError, ArithmeticError, ValueError):
        return None
    rate = safe_learning_rate(result.learning_rates, result.smoothed_losses, result.suggestion)
    # The test reads at least 32 rows a step; plain SGD that diverged on fewer needs a smaller
    # step (Adam's normalised step does not scale so; a run stuck too low keeps the rate).
    diverged = trained.outcome.status == "diverged"
    if rate is None or not diverged or config.optimizer.type != "sgd" or not result.batch_size:
        return rate
    return rate_for_batch(rate, result.batch_size, result.run_batch_size or result.batch_size)
