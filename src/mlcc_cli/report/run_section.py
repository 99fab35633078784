"""One run directory as the report shows it: every file read back that can be.

A damaged or incomplete run still gets its section: each file that is missing or unreadable
becomes a line of `missing`, and the rest is shown. Nothing in the run directory is changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from mlcc_cli.errors import MlccError
from mlcc_cli.evaluation import ConfusionMatrix
from mlcc_cli.report.figures import Figure, evaluate_validation, run_figures
from mlcc_cli.rundir.doctor_file import DOCTOR_FILE
from mlcc_cli.rundir.records import record_or_problem
from mlcc_cli.workflows.doctor import diagnose_run

# The files that make a folder a run directory (any one is enough to report on it).
RUN_MARKERS = ("config.yaml", "status.json", "metrics.json", "history.csv", "model.json")
SPLITS = ("train", "validation", "test")


@dataclass
class RunSection:
    """What the page shows of one run.

    Attributes
    ----------
    metrics : split → metric → value, as metrics.json holds them.
    facts : (label, value) lines from status.json: data, engine, steps, timings, versions.
    findings : the doctor's findings in doctor.json's form (kind, title, concept, ...).
    missing : what the run lacks or what could not be read or computed, one line each.
    """

    kind: ClassVar[str] = "run"  # which template macro draws it
    run_dir: Path
    anchor: str
    status: str = "unknown"
    message: str = ""
    config_text: str | None = None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    facts: list[tuple[str, str]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    confusion: ConfusionMatrix | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    split_checks: list[dict[str, Any]] = field(default_factory=list)
    doctor_notes: list[str] = field(default_factory=list)
    doctor_read: bool = False  # whether findings were diagnosed or read (none may be found)
    missing: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.run_dir.name

    @property
    def splits(self) -> list[str]:
        """The splits metrics.json scores, in train, validation, test order."""
        return [split for split in SPLITS if isinstance(self.metrics.get(split), dict)]

    @property
    def metric_names(self) -> list[str]:
        """Every metric of any split, first-seen order."""
        names: list[str] = []
        for split in self.splits:
            names.extend(name for name in self.metrics[split] if name not in names)
        return names


def is_run_dir(path: Path) -> bool:
    """A folder holding any file a run writes (a damaged run counts: it gets a section)."""
    return path.is_dir() and any((path / marker).is_file() for marker in RUN_MARKERS)


def _text(path: Path, missing: list[str]) -> str | None:
    """The file's text, or None with a line in `missing` saying why."""
    if not path.is_file():
        missing.append(f"{path.name}: missing")
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        missing.append(f"{path.name}: cannot be read ({error})")
        return None


def read_mapping(path: Path, missing: list[str]) -> dict[str, Any]:
    """The mapping in the record file `path`, or {} with a line in `missing` saying why."""
    if not path.exists():
        missing.append(f"{path.name}: missing")
        return {}
    content, problem = record_or_problem(path)
    if problem is not None:
        missing.append(f"{path.name}: {problem}")
    return content


def _facts(status: dict[str, Any]) -> list[tuple[str, str]]:
    """The lines of status.json a reader wants beside the metrics."""
    facts: list[tuple[str, str]] = []
    data = status.get("data")
    if isinstance(data, dict) and data.get("source"):
        rows = data.get("rows")
        facts.append(("data", f"{data['source']}" + (f" ({rows:,} rows)" if rows else "")))
    training = status.get("training")
    if isinstance(training, dict) and training:
        facts.append(("training", ", ".join(f"{k} {v}" for k, v in training.items())))
    if "steps_done" in status:
        facts.append(("steps", f"{status['steps_done']} of {status.get('total_steps', '?')}"))
    if status.get("started_at"):
        facts.append(("trained", f"{status['started_at']} → {status.get('finished_at', '?')}"))
    timings = status.get("timings")
    if isinstance(timings, dict) and timings:
        facts.append(("timings", ", ".join(f"{k} {v}" for k, v in timings.items())))
    versions = status.get("versions")
    if isinstance(versions, dict) and versions:
        facts.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    return facts


def _doctor(section: RunSection) -> None:
    """The doctor's findings and split checks: diagnosed again (`mlcc doctor`), else as
    doctor.json stored them at training time."""
    try:
        report = diagnose_run(section.run_dir)
    except MlccError as error:
        stored = read_mapping(section.run_dir / DOCTOR_FILE, [])
        findings, checks = stored.get("findings"), stored.get("split_checks")
        if not isinstance(findings, list):
            section.missing.append(f"doctor: no findings; {error}")
            return
        section.missing.append(
            f"doctor: findings as doctor.json stored them; diagnosing again failed: {error}"
        )
        section.doctor_read = True
        section.findings = [f for f in findings if isinstance(f, dict) and "title" in f]
        section.split_checks = [
            c for c in checks or [] if isinstance(c, dict) and {"kind", "message"} <= c.keys()
        ]
        return
    section.doctor_read = True
    section.findings = [finding.to_json() for finding in report.findings]
    section.split_checks = report.split_checks
    section.doctor_notes = [*report.warnings, *report.notes]


def read_run_section(run_dir: Path, anchor: str) -> RunSection:
    """Everything the report shows of `run_dir`, the validation split evaluated again."""
    section = RunSection(run_dir=run_dir, anchor=anchor)
    missing = section.missing
    section.config_text = _text(run_dir / "config.yaml", missing)
    status = read_mapping(run_dir / "status.json", missing)
    section.status = str(status.get("status", "unknown"))
    section.message = str(status.get("message", ""))
    section.facts = _facts(status)
    section.metrics = read_mapping(run_dir / "metrics.json", missing)
    missing.extend(
        f"{name}: missing"
        for name in ("history.csv", "model.json", "model.npz")
        if not (run_dir / name).is_file()
    )
    evaluation = evaluate_validation(run_dir)
    if evaluation.report is None:
        missing.append(f"evaluation curves and confusion matrix: {evaluation.reason}")
    section.figures = run_figures(run_dir, evaluation, missing)
    section.confusion = evaluation.confusion
    _doctor(section)
    return section
