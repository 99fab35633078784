"""`mlcc doctor RUN`: a finished run read back and diagnosed, read only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mlcc_cli.doctor.diagnose import diagnose
from mlcc_cli.doctor.evidence import evidence_from_run
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.errors import DataError
from mlcc_cli.rundir.doctor_file import DOCTOR_FILE
from mlcc_cli.rundir.records import read_metrics, read_record, read_run_config
from mlcc_cli.rundir.saved import require_run_files
from mlcc_cli.workflows.changed_data import doctor_note


@dataclass
class DoctorReport:
    """What `mlcc doctor RUN` shows: the findings, the split checks made before training, and
    what could not be checked."""

    run_dir: Path
    findings: list[Finding]
    split_checks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. the data changed since training

    def to_json(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir),
            "findings": [finding.to_json() for finding in self.findings],
            "split_checks": self.split_checks,
            "notes": self.notes,
            "warnings": self.warnings,
        }


def diagnose_run(run_dir: Path) -> DoctorReport:
    """Read a run directory again and diagnose it (read only: nothing in it is changed).

    Works on diverged and interrupted runs too: they are what the doctor is for.
    """
    require_run_files(run_dir)
    # The record files first, each named should it be damaged (the rules would only trip over
    # a wrong type somewhere, worded below without the file); doctor.json is optional.
    config = read_run_config(run_dir)
    status = read_record(run_dir / "status.json")
    metrics = read_metrics(run_dir) if (run_dir / "metrics.json").exists() else None
    stored_path = run_dir / DOCTOR_FILE
    try:
        # doctor.json is read as it is: input statistics it cannot use are a note (evidence.py)
        stored = (
            json.loads(stored_path.read_text(encoding="utf-8")) if stored_path.is_file() else None
        )
        evidence = evidence_from_run(run_dir, stored, config, status, metrics)
        checks = stored.get("split_checks") if isinstance(stored, dict) else None
        # A hand-edited or damaged file surfaces as a missing key or a wrong type somewhere
        # in the rules; either way the answer is the same one-paragraph error.
        findings = diagnose(evidence)
        warnings = doctor_note(status.get("data"))
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
        warnings=warnings,
    )
