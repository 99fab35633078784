"""The run doctor: reads a finished run the way a crash-course instructor would.

`diagnose(evidence)` applies every rule and returns the findings, warnings first; `mlcc
train` calls it after training and writes doctor.json, `mlcc doctor RUN` reads a run
directory back (`diagnose_run`). Each rule lives with its kin: loss curves in
rules_training.py, input statistics in rules_data.py, the learned model in rules_model.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcc_cli.doctor.evidence import (
    RunEvidence,
    evidence_from_run,
    history_frame,
    input_statistics,
)
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.doctor.rules_data import features_not_scaled, long_tails
from mlcc_cli.doctor.rules_model import (
    l1_sparsity,
    network_training,
    no_better_than_majority,
    prediction_bias,
    threshold_far_from_best_f1,
)
from mlcc_cli.doctor.rules_training import (
    learning_rate_too_high,
    learning_rate_too_low,
    overfitting,
    underfitting,
    validation_below_training,
)
from mlcc_cli.rundir.doctor_file import DOCTOR_FILE

__all__ = [
    "DOCTOR_FILE",
    "RULES",
    "DoctorReport",
    "Finding",
    "RunEvidence",
    "diagnose",
    "diagnose_run",
    "doctor_json",
    "history_frame",
    "input_statistics",
]

RULES: tuple[Callable[[RunEvidence], list[Finding]], ...] = (
    learning_rate_too_high,
    learning_rate_too_low,
    overfitting,
    underfitting,
    validation_below_training,
    features_not_scaled,
    long_tails,
    no_better_than_majority,
    prediction_bias,
    threshold_far_from_best_f1,
    l1_sparsity,
    network_training,
)


def diagnose(evidence: RunEvidence) -> list[Finding]:
    """Every rule's findings, warnings before facts (severity info), rule order otherwise."""
    findings = [finding for rule in RULES for finding in rule(evidence)]
    return sorted(findings, key=lambda finding: finding.severity != "warning")


@dataclass
class DoctorReport:
    """What `mlcc doctor RUN` shows: the findings, the split checks made before training, and
    what could not be checked."""

    run_dir: Path
    findings: list[Finding]
    split_checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir),
            "findings": [finding.to_json() for finding in self.findings],
            "split_checks": self.split_checks,
            "notes": self.notes,
        }


def doctor_json(
    findings: list[Finding], evidence: RunEvidence, split_checks: list[dict[str, Any]]
) -> dict[str, Any]:
    """doctor.json: the findings, the split checks and the input statistics they used."""
    return {
        "format": 1,
        "findings": [finding.to_json() for finding in findings],
        "split_checks": split_checks,
        "inputs": evidence.inputs,
        "notes": evidence.notes,
    }


def diagnose_run(run_dir: Path) -> DoctorReport:
    """Read a run directory again and diagnose it (read only: nothing in it is changed).

    Works on diverged and interrupted runs too: they are what the doctor is for.
    """
    import yaml
    from pydantic import ValidationError

    from mlcc_cli.errors import DataError
    from mlcc_cli.rundir.saved import require_run_files

    require_run_files(run_dir)
    stored_path = run_dir / DOCTOR_FILE
    try:
        stored = (
            json.loads(stored_path.read_text(encoding="utf-8")) if stored_path.is_file() else None
        )
        evidence = evidence_from_run(run_dir, stored)
        checks = stored.get("split_checks") if isinstance(stored, dict) else None
        # A hand-edited or damaged file surfaces as a missing key or a wrong type somewhere
        # in the rules; either way the answer is the same one-paragraph error.
        findings = diagnose(evidence)
    except (
        OSError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        ValueError,
        ValidationError,
        yaml.YAMLError,
    ) as error:
        raise DataError(
            f"run {run_dir}: cannot be read ({type(error).__name__}: {error}); the run "
            "directory is damaged or was written by another mlcc version."
        ) from None
    return DoctorReport(
        run_dir=run_dir,
        findings=findings,
        split_checks=[
            c for c in checks or [] if isinstance(c, dict) and {"kind", "message"} <= c.keys()
        ],
        notes=evidence.notes,
    )
