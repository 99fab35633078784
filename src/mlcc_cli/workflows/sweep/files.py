"""A sweep's result files: SWEEP_DIR/sweep.csv and sweep.json, and the `--json` object.

Both files are replaced atomically, so a reader never sees a half-written table.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from mlcc_cli.rundir.storage import write_text_atomically
from mlcc_cli.workflows.sweep.result import STUDY_JOURNAL, SweepResult


def _finite(value: Any) -> Any:
    """NaN/inf (a diverged run's metrics) become null, since JSON has no NaN."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def sweep_json(result: SweepResult) -> dict[str, Any]:
    """The SPEC object: {"sweep_dir", "runs": [{"run_dir", "status", "params", "metrics"}]}."""
    return _finite(
        {
            "sweep_dir": str(result.sweep_dir),
            "metric": result.metric,
            "higher_is_better": result.higher_is_better,
            "study": _study(result),
            "runs": [
                {
                    "run_dir": str(row.run_dir) if row.run_dir else None,
                    "status": row.status,
                    "trial": row.point.trial,
                    "params": row.params,
                    "metrics": row.metrics,
                    "seed": row.seed,
                    "message": row.message,
                    "duration_s": round(row.duration_s, 4),
                    "reused": row.reused,
                    "doctor": row.doctor,
                }
                for row in result.rows
            ],
            "summary": [
                {
                    "params": s.params,
                    "runs": s.runs,
                    "complete": s.complete,
                    "mean": s.mean,
                    "std": s.std,
                }
                for s in result.point_statistics
            ],
        }
    )


def _study(result: SweepResult) -> dict[str, str] | None:
    """Where a TPE sweep's Optuna study is kept (`optuna.load_study` reads it back)."""
    if result.study_name is None:
        return None
    return {"name": result.study_name, "journal": str(result.sweep_dir / STUDY_JOURNAL)}


def swept_keys(result: SweepResult) -> list[str]:
    """The swept keys in order of first appearance (a failed TPE task's row has none)."""
    return list(dict.fromkeys(key for row in result.rows for key in row.point.params))


def sweep_csv(result: SweepResult) -> str:
    """One row per run: TPE trial number (`--search tpe`), swept values, seed, status, primary
    metric, all validation metrics, the doctor's warning kinds (space-separated)."""
    keys = swept_keys(result)
    trials = ["trial"] if result.study_name is not None else []
    metric_names: list[str] = [result.metric]
    for row in result.rows:
        metric_names.extend(k for k in row.metrics.get("validation", {}) if k not in metric_names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [*trials, *keys, "seed", "status", *(f"validation_{m}" for m in metric_names)]
    writer.writerow([*header, "doctor", "duration_s", "run_dir", "message"])
    for row in result.rows:
        validation = row.metrics.get("validation", {})
        values = ["" if validation.get(m) is None else repr(validation[m]) for m in metric_names]
        writer.writerow(
            [
                *([row.point.trial] if trials else []),
                *(row.point.params.get(key, "") for key in keys),
                row.seed,
                row.status,
                *values,
                " ".join(row.doctor),
                f"{row.duration_s:.3f}",
                row.run_dir or "",
                row.message,
            ]
        )
    return buffer.getvalue()


def write_sweep_files(result: SweepResult) -> None:
    """SWEEP_DIR/sweep.csv and sweep.json, each replaced only once completely written; a
    refused write (full disk) is an MlccError and leaves no half-written file behind."""
    write_text_atomically(
        result.sweep_dir / "sweep.json",
        json.dumps(sweep_json(result), indent=2, allow_nan=False) + "\n",
        "the sweep's table",
    )
    write_text_atomically(result.sweep_dir / "sweep.csv", sweep_csv(result), "the sweep's table")
