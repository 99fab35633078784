"""What the doctor reads: a run's history, metrics, weights and input statistics.

`RunEvidence` is built either while `mlcc train` writes the run (from memory) or later from
the run directory (`mlcc doctor RUN`): history.csv, metrics.json, model.npz, config.yaml,
status.json, predictions-validation.csv and the input statistics doctor.json keeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.errors import DataError
from mlcc_cli.models.registry import build_model
from mlcc_cli.rundir.files import read_model
from mlcc_cli.rundir.records import DAMAGED_RUN


@dataclass
class RunEvidence:
    """Everything the doctor's rules look at; any part may be missing (empty or None)."""

    config: ExperimentConfig
    task: str  # regression | binary | multiclass | multilabel
    status: str  # complete | diverged | interrupted | pruned
    message: str
    history: pd.DataFrame  # history.csv: one row per period
    metrics: dict[str, dict[str, Any]]
    parameters: dict[str, np.ndarray]  # model.npz
    inputs: dict[str, dict[str, float]]  # numeric input column -> statistics (input_statistics)
    validation_rows: int | None = None  # rows in the validation split (None: unknown)
    # predictions-validation.csv `label` and `prediction` (binary: P(class 1)), for binary and
    # regression runs
    validation_labels: np.ndarray | None = None
    validation_predictions: np.ndarray | None = None
    stopped_early: bool = False
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why
    # The training loss before the first step ("initial") and the trivial model's
    # ("trivial"), as training measured them (status.json `reference_losses`).
    reference_losses: dict[str, float] = field(default_factory=dict)
    # A diverged run's learning-rate range test result (doctor.json), when it could run.
    suggested_learning_rate: float | None = None
    # The same test's rate on the inputs z-scored, when they are not (doctor.json): the rate
    # the z-score fix must bring, as the weights then live in other units.
    scaled_learning_rate: float | None = None
    # Each long-tail fix tried -> the share of the validation loss it wins back on a linear
    # refit (doctor.json; negative: it costs), when training could measure them.
    tail_fix_gains: dict[str, float] = field(default_factory=dict)
    # (run's validation loss − the better of a linear refit's and gradient-boosted trees')
    # / the trivial model's (doctor.json `capacity_gain`): what more capacity could still win
    # on these inputs, when training measured it.
    capacity_gain: float | None = None
    # The split checks made before training, as doctor.json stores them (`kind`, `column`,
    # `message`, `evidence`): the doctor's findings must not contradict them.
    split_checks: list[dict[str, Any]] = field(default_factory=list)

    # Rows the run split into train/validation/test (status.json `data.rows`), when known.
    data_rows: int | None = None

    def penalised_weights(self) -> list[np.ndarray]:
        """model.npz's arrays that L1 and L2 penalise (`PENALISED`)."""
        return [a for name, a in self.parameters.items() if PENALISED.match(name)]

    @property
    def model(self) -> Any:
        """The run's model as configured (hyperparameters only, no weights): what the rules
        ask about its kind, e.g. which fixes suit it."""
        return build_model(self.config.model, task=self.task)


# The weights the penalties act on (not biases): a linear model's, a network's layers', an
# embedding's.
PENALISED = re.compile(r"^(coef_|W\d+|embedding_.+)$")

STATISTICS = ("min", "max", "p01", "p50", "p99", "std", "skew", "distinct")


def _stored_inputs(payload: Any) -> dict[str, dict[str, float]] | None:
    """doctor.json's `inputs`, or None unless every column has every statistic as a number."""
    inputs = payload.get("inputs") if isinstance(payload, dict) else None
    if not isinstance(inputs, dict):
        return None
    for stats in inputs.values():
        if not isinstance(stats, dict) or not all(
            isinstance(stats.get(name), int | float) for name in STATISTICS
        ):
            return None
    return inputs


def history_frame(header: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    """history.csv's table from the writer's header and rows (None cells become NaN)."""
    return pd.DataFrame(rows, columns=header).apply(pd.to_numeric, errors="coerce")


def _read_history(path: Path) -> pd.DataFrame:
    """history.csv as a table, or a DataError naming it when it cannot be parsed."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:  # not even a header: no period either
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{path}: cannot be read as a table ({reason}); {DAMAGED_RUN}") from None


def evidence_from_run(
    run_dir: Path,
    stored: Any,
    config: ExperimentConfig,
    status: dict[str, Any],
    metrics: dict[str, Any] | None,
) -> RunEvidence:
    """Read a run directory's evidence (the caller has checked it is a run directory and
    read its record files: `config`, `status`, and `metrics`, None when metrics.json is
    missing).

    `stored` is the run's doctor.json, parsed, or None: input statistics come from it, and a
    run written before the doctor existed has none, so the notes say the data rules were
    skipped.
    """
    model, parameters = read_model(run_dir)
    notes: list[str] = []
    if metrics is None:
        metrics = {}
        notes.append(
            "metrics.json is missing: underfitting, the majority baseline, prediction bias and "
            "the threshold were not checked"
        )
    history_path = run_dir / "history.csv"
    history = _read_history(history_path) if history_path.is_file() else pd.DataFrame()
    if history_path.is_file() and not history.empty and "train_loss" not in history.columns:
        notes.append(
            "history.csv has no train_loss column (it was not written by mlcc, or was edited): "
            f"the loss curves were not checked; {DAMAGED_RUN}"
        )
        history = pd.DataFrame()
    elif history_path.is_file() and history.empty:  # stopped before its first period ended
        notes.append(
            "history.csv holds no period (the run stopped before its first one ended): the "
            "loss curves (learning rate, overfitting, still improving) and the network's "
            "gradients were not checked"
        )
    if not history_path.is_file():
        notes.append(
            "history.csv is missing: the loss curves (learning rate, overfitting, still "
            "improving) and the network's gradients were not checked"
        )
    if "task" not in model or "model" not in model:
        notes.append(
            "model.json lacks its task or model section: the task was taken as "
            f"{model.get('task', 'regression')!r}, and the binary-classifier rules may be wrong"
        )
    if not parameters:
        notes.append("model.npz holds no weights: L1 sparsity was not checked")
    if status.get("status") == "pruned":
        notes.append(
            f"the run was pruned by a sweep after {status.get('steps_done')} of "
            f"{status.get('total_steps')} steps: the checks that need a whole run (underfitting, "
            "learning rate too low, still improving) were skipped"
        )
    inputs: dict[str, dict[str, float]] = {}
    if stored is not None:
        inputs = _stored_inputs(stored)
        if inputs is None:
            inputs = {}
            notes.append(
                "doctor.json's input statistics are unreadable (written by another mlcc "
                "version?): input scaling and long tails were not checked"
            )
    else:
        notes.append(
            "no doctor.json (a run from an older mlcc): input scaling and long tails were not "
            "checked; train again to include them"
        )
    labels = predictions = validation_rows = None
    predictions_path = run_dir / "predictions-validation.csv"
    if model.get("task") in ("binary", "regression") and predictions_path.is_file():
        table = pd.read_csv(predictions_path, usecols=["label", "prediction"])
        labels = table["label"].to_numpy(dtype=np.float64)
        predictions = table["prediction"].to_numpy(dtype=np.float64)
        validation_rows = len(table)
    elif predictions_path.is_file():
        validation_rows = len(pd.read_csv(predictions_path, usecols=[0]))
    return RunEvidence(
        config=config,
        task=model.get("task", "regression"),
        status=status.get("status", "complete"),
        message=status.get("message", ""),
        history=history,
        metrics=metrics,
        parameters=parameters,
        inputs=inputs,
        validation_rows=validation_rows,
        validation_labels=labels,
        validation_predictions=predictions,
        stopped_early=bool(status.get("stopped_early")),
        notes=notes,
        reference_losses=_reference_losses(status),
        suggested_learning_rate=_suggested(stored),
        scaled_learning_rate=_suggested(stored, "scaled_learning_rate"),
        tail_fix_gains=_gains(stored),
        capacity_gain=_finite(stored, "capacity_gain"),
        split_checks=_split_checks(stored),
        data_rows=_rows(status),
    )


def _rows(status: Any) -> int | None:
    """status.json's `data.rows` when it is a positive whole number."""
    data = status.get("data") if isinstance(status, dict) else None
    rows = data.get("rows") if isinstance(data, dict) else None
    return rows if isinstance(rows, int) and rows > 0 else None


def _split_checks(stored: Any) -> list[dict[str, Any]]:
    """doctor.json's `split_checks` that have a kind and a message (others are skipped)."""
    checks = stored.get("split_checks") if isinstance(stored, dict) else None
    return [
        check
        for check in checks or []
        if isinstance(check, dict) and {"kind", "message"} <= check.keys()
    ]


def _suggested(stored: Any, key: str = "suggested_learning_rate") -> float | None:
    """doctor.json's `key` (a rate a range test measured) when it is a positive number."""
    value = stored.get(key) if isinstance(stored, dict) else None
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _finite(stored: Any, key: str) -> float | None:
    """doctor.json's `key` when it is a finite number (of either sign)."""
    value = stored.get(key) if isinstance(stored, dict) else None
    return float(value) if isinstance(value, int | float) and np.isfinite(value) else None


def _gains(stored: Any) -> dict[str, float]:
    """doctor.json's `tail_fix_gains`, keeping fixes with a finite number."""
    gains = stored.get("tail_fix_gains") if isinstance(stored, dict) else None
    return {
        str(fix): float(gain)
        for fix, gain in (gains.items() if isinstance(gains, dict) else ())
        if isinstance(gain, int | float) and np.isfinite(gain)
    }


def _reference_losses(status: Any) -> dict[str, float]:
    """status.json's reference losses, keeping only finite numbers."""
    stored = status.get("reference_losses") if isinstance(status, dict) else None
    if not isinstance(stored, dict):
        return {}
    return {
        str(name): float(value)
        for name, value in stored.items()
        if isinstance(value, int | float) and np.isfinite(value)
    }
