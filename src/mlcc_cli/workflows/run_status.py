"""status.json of a finished run: how training ended, when, how long each phase took, the
versions it ran with, and the fingerprint of the data it read."""

from __future__ import annotations

import platform
from datetime import datetime
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.config.loading import LoadedConfig
from mlcc_cli.data.fingerprint import fingerprint
from mlcc_cli.rundir.status import mlcc_version
from mlcc_cli.training.plan import Trained


def versions() -> dict[str, str]:
    """The versions of mlcc and the libraries whose numbers a run depends on."""
    return {
        "mlcc": mlcc_version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        # Read from the installed metadata: importing scikit-learn would outlast a small run.
        "scikit-learn": metadata.version("scikit-learn"),
    }


def status_payload(
    loaded: LoadedConfig, trained: Trained, started_at: datetime, timings: dict[str, float]
) -> dict[str, Any]:
    """status.json's content; `data` lets evaluate/predict/doctor notice changed data."""
    outcome = trained.outcome
    return {
        "status": outcome.status,
        "message": outcome.message,
        "stopped_early": outcome.stopped_early,
        "best_period": outcome.best_period,
        "steps_done": outcome.steps_done,
        "total_steps": outcome.total_steps,
        "training": outcome.settings,
        "reference_losses": outcome.reference_losses,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "timings": {k: round(v, 4) for k, v in timings.items()},
        "warnings": trained.warnings,
        "versions": versions(),
        "notes": trained.pipeline.notes(),
        "data": fingerprint(loaded.config.data.source, loaded.folder, trained.data_rows).to_json(),
    }
