"""A closed stdout or stderr (`mlcc train exp.yaml | head -1`) silences mlcc but never stops
its work: the run is written whole, nothing is printed about the pipe, and the exit code is
the one the work earned.

Each test runs the real `mlcc` in a subprocess whose pipe is closed before it prints anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

from cli_helpers import experiment


def run_closed(
    args: list[str], *, close_stderr: bool = False, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """`mlcc ARGS` with its stdout (and stderr) pipe closed at once: (exit code, stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mlcc_cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader has gone, as `| head -1` leaves it
    if close_stderr:
        process.stderr.close()
        return process.wait(timeout=120), ""
    stderr = process.stderr.read().decode()
    return process.wait(timeout=120), stderr


def assert_quiet(stderr: str) -> None:
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert "BrokenPipe" not in stderr and "Broken pipe" not in stderr, stderr


def train_piped(config: Path, runs: Path, *more: str) -> Path:
    """`mlcc train CONFIG --runs-dir RUNS -q` read to the end, as usual: the run directory."""
    args = ["train", str(config), "--runs-dir", str(runs), "-q", *more]
    command = [sys.executable, "-m", "mlcc_cli", *args]
    piped = subprocess.run(command, capture_output=True, text=True)
    assert piped.returncode == 0, piped.stderr
    return Path(piped.stdout.strip())


def files_of(run_dir: Path) -> set[str]:
    return {str(path.relative_to(run_dir)) for path in run_dir.rglob("*")}


def test_train_into_a_closed_pipe_writes_the_whole_run_and_exits_0(tmp_path: Path) -> None:
    config = experiment(tmp_path)
    whole = train_piped(config, tmp_path / "piped")
    code, stderr = run_closed(["train", str(config), "--runs-dir", str(tmp_path / "closed")])
    assert code == 0, stderr
    assert_quiet(stderr)
    (run_dir,) = (tmp_path / "closed").iterdir()  # published: no staging folder left
    assert files_of(run_dir) == files_of(whole)  # every file of a run printed in full
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "complete" and status["steps_done"] == status["total_steps"]
    assert (run_dir / "plots" / "loss.png").stat().st_size > 0
    assert json.loads((run_dir / "metrics.json").read_text())["validation"]["auc"] > 0.9


def test_a_sweep_with_stdout_and_stderr_closed_finishes_every_point(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = ["sweep", str(experiment(tmp_path)), "--grid", "model.l2=0,0.01", "--runs-dir"]
    code, _ = run_closed([*args, str(runs), "--no-plots", "--json"], close_stderr=True)
    assert code == 0
    table = json.loads((runs / "t-sweep" / "sweep.json").read_text())
    assert [row["status"] for row in table["runs"]] == ["complete", "complete"]
    assert not [path for path in (runs / "t-sweep").iterdir() if path.name.startswith(".")]


# Loaded at start-up by every Python process of the test (sitecustomize): a sweep's worker
# process prints while it writes its point's metrics, as a library it calls might.
CHATTY_WORKER = """
import multiprocessing, sys

def _speak(event, args):
    if event == "open" and str(args[0]).endswith("metrics.json"):
        if multiprocessing.parent_process() is not None:
            print("a worker speaks " * 1000, flush=True)
            print("and complains " * 1000, file=sys.stderr, flush=True)

sys.addaudithook(_speak)
"""


@pytest.mark.parametrize("close_stderr", [False, True])
def test_sweep_workers_printing_into_a_closed_pipe_lose_no_point(
    tmp_path: Path, close_stderr: bool
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(CHATTY_WORKER)
    path = os.pathsep.join([str(tmp_path / "site"), *sys.path])
    runs = tmp_path / "runs"
    args = ["sweep", str(experiment(tmp_path)), "--grid", "model.l2=0,0.01,0.1", "-j", "2"]
    code, stderr = run_closed(
        [*args, "--runs-dir", str(runs), "--no-plots"],
        close_stderr=close_stderr,
        env={"PYTHONPATH": path},
    )
    assert code == 0, stderr
    if not close_stderr:
        assert_quiet(stderr)
    table = json.loads((runs / "t-sweep" / "sweep.json").read_text())
    assert [row["status"] for row in table["runs"]] == ["complete"] * 3


def test_commands_that_print_while_working_finish_into_a_closed_pipe(tmp_path: Path) -> None:
    run_dir = train_piped(experiment(tmp_path), tmp_path / "runs", "--no-plots")
    rows = load_breast_cancer(as_frame=True).frame.drop(columns="target")
    rows.columns = [c.replace(" ", "_") for c in rows.columns]  # as builtin: names them
    rows.to_csv(tmp_path / "rows.csv", index=False)
    output = tmp_path / "predictions.csv"
    for args in (
        ["predict", str(run_dir), str(tmp_path / "rows.csv"), "-o", str(output)],
        ["predict", str(run_dir), str(tmp_path / "rows.csv")],  # CSV to the closed stdout
        ["evaluate", str(run_dir), "--split", "validation"],
        ["doctor", str(run_dir)],
        ["compare", str(run_dir), str(run_dir)],
        ["inspect", str(tmp_path / "rows.csv")],
        ["report", str(run_dir), "-o", str(tmp_path / "report.html")],
        ["schema"],
    ):
        code, stderr = run_closed(args)
        assert code == 0, (args, stderr)
        assert_quiet(stderr)
    assert len(pd.read_csv(output)) == len(rows)
    assert (run_dir / "evaluate" / "validation" / "roc.png").stat().st_size > 0
    assert "<html" in (tmp_path / "report.html").read_text()


def test_a_failure_into_closed_pipes_keeps_its_exit_code(tmp_path: Path) -> None:
    """The error paragraph has nowhere to go, but the exit code still says what happened."""
    code, _ = run_closed(["train", str(tmp_path / "missing.yaml")], close_stderr=True)
    assert code == 2
    config = experiment(tmp_path, training={"batch_size": 32, "epochs": 2, "bogus": 1})
    code, stderr = run_closed(["train", str(config), "--runs-dir", str(tmp_path / "runs")])
    assert code == 2 and "training.bogus" in stderr
    assert_quiet(stderr)
    assert not (tmp_path / "runs").exists()
