"""`mlcc sweep --jobs N` when a worker process is killed outright (the out-of-memory killer,
kill -9): the finished points are kept and recorded, the sweep fails with a message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_helpers import experiment, mlcc

# The second point trains for ever (numpy engine: no numba to load); the others take a moment.
ENDLESS = {
    "data": {"source": "builtin:linear", "synthetic": {"samples": 2000, "features": 3}},
    "features": [],
    "model": {"type": "linear"},
    "optimizer": {"type": "sgd", "learning_rate": 0.001},
    "training": {"batch_size": 1, "steps": 10**9, "periods": 10**4, "engine": "numpy"},
}


def test_a_killed_worker_fails_the_sweep_with_a_message_and_keeps_the_finished_points(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"
    config = experiment(tmp_path, **ENDLESS)
    grid = "training.steps=20,1000000000,30"
    args = ["sweep", str(config), "--grid", grid, "--runs-dir", str(runs), "-j", "2", "--json"]
    process = subprocess.Popen(
        [sys.executable, "-m", "mlcc_cli", *args, "--no-plots"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sweep_dir = runs / "t-sweep"
    done = [sweep_dir / "training.steps-20", sweep_dir / "training.steps-30"]
    deadline = time.monotonic() + 60
    owners: list[Path] = []
    while not owners or not all((run / "status.json").is_file() for run in done):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the points never got under way"
        time.sleep(0.05)
        owners = list(sweep_dir.glob(".training.steps-1000000000-*.partial/.owner.json"))
    os.kill(json.loads(owners[0].read_text())["pid"], signal.SIGKILL)  # the endless one's worker
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert "Traceback" not in err, err
    rows = json.loads(out)["runs"]
    assert [row["status"] for row in rows] == ["complete", "failed", "complete"]
    assert "a worker process of the sweep died abruptly" in rows[1]["message"]
    table = json.loads((sweep_dir / "sweep.json").read_text())["runs"]
    assert [row["status"] for row in table] == ["complete", "failed", "complete"]
    # What the killed worker left is a stale staging folder, which `mlcc runs clean` removes.
    cleaned = mlcc("runs", "clean", runs)
    assert cleaned.exit_code == 0, cleaned.output
    assert not [p for p in sweep_dir.iterdir() if p.name.startswith(".")]
