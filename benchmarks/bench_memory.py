"""Peak memory of `train` on an in-memory dataset, measured in a fresh child process.

Run as a script it is the child: it builds X, warms up (numba import and kernel load do not
count), then reports how far the resident set rose above its level just before `train`:
VmHWM (the kernel's high-water mark of resident memory, reset through /proc/self/clear_refs
right before training) minus VmRSS before training. tracemalloc's peak of the Python and
numpy allocations made during `train` is reported beside it as a cross-check.
"""

from __future__ import annotations

import gc
import json
import re
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from bench_table import MB, Row, progress

BATCH = 1024


def _status_kb(field: str) -> int | None:
    """A `kB` field of /proc/self/status (VmRSS, VmHWM), or None off Linux."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s*(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_bytes(reset: bool) -> tuple[int, str]:
    """Peak RSS since the reset (VmHWM), else ru_maxrss of the whole process."""
    hwm = _status_kb("VmHWM")
    if reset and hwm is not None:
        return hwm * 1024, "VmHWM after clear_refs"
    scale = 1 if sys.platform == "darwin" else 1024  # macOS reports bytes, Linux kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale, "ru_maxrss"


def _train_once(X: np.ndarray, y: np.ndarray, engine: str) -> None:
    """One epoch of logistic regression with `train`, one period (its loss pass included)."""
    from mlcc_cli.config.training import TrainingConfig
    from mlcc_cli.models.linear import LogisticRegression
    from mlcc_cli.optim.sgd import SGD
    from mlcc_cli.training.loop import train

    config = TrainingConfig(batch_size=BATCH, epochs=1, periods=1, engine=engine)
    rng = np.random.default_rng(0)
    train(LogisticRegression(), SGD(learning_rate=0.01), X, y, None, None, config, rng=rng)


def measure(rows: int, features: int, engine: str) -> dict[str, Any]:
    """Build X, warm up, train once; return RSS growth and tracemalloc peak in bytes."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features))
    y = (X[:, 0] > 0).astype(np.float64)
    _train_once(X[:64], y[:64], engine)  # imports, numba kernel load: not part of the peak
    gc.collect()
    before = (_status_kb("VmRSS") or 0) * 1024
    reset = _reset_peak()
    tracemalloc.start()
    _train_once(X, y, engine)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak, method = _peak_bytes(reset)
    return {"growth": peak - before, "tracemalloc_peak": traced_peak, "method": method}


def run_child(rows: int, features: int, engine: str) -> dict[str, Any]:
    """Run `measure` in a fresh interpreter and return what it printed."""
    command = [sys.executable, __file__, str(rows), str(features), engine]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{done.stderr}")
    return json.loads(done.stdout)


def memory_rows(rows: int, features: int) -> tuple[list[Row], list[str]]:
    """One row per engine (RSS growth vs the size of X) and notes with tracemalloc's view."""
    x_bytes = rows * features * 8
    table, notes = [], []
    for engine in ("compiled", "numpy"):
        progress(f"peak memory, {engine}")
        child = run_child(rows, features, engine)
        table.append(
            Row(
                f"peak RSS growth in train(), batch {BATCH}",
                child["growth"],
                engine,
                f"float64 X ({x_bytes / MB:,.0f} MB)",
                x_bytes,
                2.5,
                unit="MB",
            )
        )
        traced = child["tracemalloc_peak"]
        notes.append(
            f"memory, {engine}: RSS from {child['method']}; tracemalloc peak during train() "
            f"{traced / MB:,.0f} MB = {traced / x_bytes:.2f}× X"
        )
    return table, notes


if __name__ == "__main__":
    n_rows, n_features, engine_name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    print(json.dumps(measure(n_rows, n_features, engine_name)))
