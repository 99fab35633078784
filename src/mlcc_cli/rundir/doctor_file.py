"""The run doctor's verdict in a word per problem, read from doctor.json without numpy.

`mlcc sweep` and `mlcc compare` show which warnings each run drew (e.g. "learning rate too
low") next to its metrics; the findings themselves come from `mlcc_cli.doctor`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DOCTOR_FILE = "doctor.json"


def warning_kinds(findings: Iterable[dict[str, Any]]) -> list[str]:
    """The kinds of the doctor's warnings (not its facts), first-seen order, no repeats."""
    kinds: list[str] = []
    for finding in findings:
        kind = finding.get("kind")
        if finding.get("severity") == "warning" and isinstance(kind, str) and kind not in kinds:
            kinds.append(kind)
    return kinds


def stored_warning_kinds(run_dir: Path) -> list[str]:
    """warning_kinds of RUN/doctor.json; [] when the run has none or it is unreadable."""
    try:
        stored = json.loads((run_dir / DOCTOR_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    findings = stored.get("findings") if isinstance(stored, dict) else None
    if not isinstance(findings, list):
        return []
    return warning_kinds(f for f in findings if isinstance(f, dict))
