"""`mlcc runs clean`: find the staging folders crashed or killed runs left behind, remove them.

A staging folder (`.NAME-xxxxxxxx.partial`) belongs to a process that is still writing a run,
or to one that died before renaming it into place (SIGKILL, power loss). Only the second kind
is removed: its owner's pid is gone, or, for folders with no owner record (another host, an
older mlcc), it is older than `older_than_s`. Finished runs are never touched.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.rundir.staging import StagingFolder, find_staging
from mlcc_cli.rundir.storage import not_a_folder

DEFAULT_OLDER_THAN = "24h"
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def parse_duration(text: str) -> float:
    """Seconds in '90s', '30m', '24h' or '7d' (ConfigError naming --older-than otherwise)."""
    match = _DURATION.match(text)
    if match is None:
        raise ConfigError(
            f"--older-than {text!r}: give a number and a unit, s, m, h or d (e.g. 24h, 7d)."
        )
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class CleanResult:
    """The staging folders found, and which were (or with --dry-run would be) removed."""

    runs_dir: Path
    dry_run: bool
    removed: list[StagingFolder] = field(default_factory=list)
    kept: list[StagingFolder] = field(default_factory=list)  # owner still running / too new

    def to_json(self) -> dict[str, Any]:
        """The one object `mlcc runs clean --json` prints."""

        def entry(folder: StagingFolder) -> dict[str, Any]:
            return {
                "path": str(folder.path),
                "pid": folder.pid,
                "owner_running": folder.owner_running,
                "age_s": round(folder.age_s, 1),
            }

        return {
            "runs_dir": str(self.runs_dir),
            "dry_run": self.dry_run,
            "removed": [entry(f) for f in self.removed],
            "kept": [entry(f) for f in self.kept],
        }


def clean_runs(
    runs_dir: Path, older_than: str = DEFAULT_OLDER_THAN, dry_run: bool = False
) -> CleanResult:
    """Remove the stale staging folders in `runs_dir` (and in its sweep folders)."""
    limit = parse_duration(older_than)
    if not runs_dir.is_dir():
        raise DataError(
            f"{runs_dir}: {not_a_folder(runs_dir)}; pass the --runs-dir your runs are in."
        )
    result = CleanResult(runs_dir, dry_run)
    for folder in find_staging(runs_dir):
        if not folder.is_stale(limit):
            result.kept.append(folder)
            continue
        if not dry_run:
            shutil.rmtree(folder.path, ignore_errors=True)
        result.removed.append(folder)
    return result
