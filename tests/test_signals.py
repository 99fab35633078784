"""Ctrl-C (SIGINT) and SIGTERM at any moment keep what was trained (issue 16).

Each test runs the real `mlcc` in a subprocess whose one function is wrapped to pause (and
touch a marker file) at a chosen phase: training, scoring, drawing, just after the run is
renamed into place, a sweep's second point. The signal is sent once the marker appears.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from cli_helpers import experiment

# The child: wrap MODULE.ATTR so that, on call number CALL, it touches the marker and pauses
# (before the real call, or after it), then run the CLI with the remaining arguments.
CHILD = textwrap.dedent(
    """
    import importlib, os, sys, time
    from pathlib import Path

    module_name, attr, when, call = sys.argv[1:5]
    owner_name, _, class_name = module_name.partition(":")
    owner = importlib.import_module(owner_name)
    if class_name:
        owner = getattr(owner, class_name)
    original = getattr(owner, attr)
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(1)
        if len(calls) != int(call):
            return original(*args, **kwargs)
        mark = Path(os.environ["MLCC_TEST_MARK"])
        if when == "after":
            result = original(*args, **kwargs)
            mark.touch()
            time.sleep(2.0)  # the signal arrives here; sleep resumes if it is held
            return result
        mark.touch()
        if when == "before":
            time.sleep(60)  # interrupted by the signal
        return original(*args, **kwargs)

    setattr(owner, attr, wrapped)
    from mlcc_cli.cli import main

    sys.argv = ["mlcc", *sys.argv[5:]]
    main()
    """
)


# Training that would run for hours: only a signal ends it.
ENDLESS = {
    "data": {"source": "builtin:linear", "synthetic": {"samples": 2000, "features": 3}},
    "features": [],
    "model": {"type": "linear"},
    "optimizer": {"type": "sgd", "learning_rate": 0.001},
    "training": {"batch_size": 1, "steps": 10**9, "periods": 10**4},
}


def run_until(
    tmp_path: Path, target: str, when: str, args: list[str], signum: int, call: int = 1
) -> subprocess.CompletedProcess[str]:
    """Start the CLI with `target` (MODULE[:CLASS].ATTR) wrapped, send `signum` at the mark."""
    module, _, attr = target.rpartition(".")
    mark = tmp_path / "mark"
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, module, attr, when, str(call), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "MLCC_TEST_MARK": str(mark)},
    )
    deadline = time.monotonic() + 60
    while not mark.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the phase to interrupt was never reached"
        time.sleep(0.02)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert "Traceback" not in err, err
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def only_run(runs: Path) -> Path:
    (run_dir,) = runs.iterdir()  # no staging folder left beside it
    return run_dir


def status_of(run_dir: Path) -> dict[str, object]:
    return json.loads((run_dir / "status.json").read_text())


def test_sigterm_during_training_keeps_an_interrupted_run_and_exits_143(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = ["train", str(experiment(tmp_path, **ENDLESS)), "--runs-dir", str(runs)]
    # The mark comes at the end of the second period, so training is under way.
    done = run_until(
        tmp_path, "mlcc_cli.render.training:TrainingDisplay.period", "mark", args, signal.SIGTERM, 2
    )
    assert done.returncode == 143, done.stderr
    run_dir = only_run(runs)
    assert "terminated (SIGTERM)" in done.stderr and str(run_dir) in done.stderr
    assert status_of(run_dir)["status"] == "interrupted"
    assert (run_dir / "model.npz").is_file()


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated (SIGTERM)")],
    ids=["ctrl-c", "sigterm"],
)
def test_a_signal_while_drawing_plots_keeps_the_trained_run(
    tmp_path: Path, signum: int, code: int, word: str
) -> None:
    runs = tmp_path / "runs"
    args = ["train", str(experiment(tmp_path)), "--runs-dir", str(runs)]
    done = run_until(tmp_path, "mlcc_cli.rundir.run_plots.draw_loss", "before", args, signum)
    assert done.returncode == code, done.stderr
    run_dir = only_run(runs)
    assert word in done.stderr and str(run_dir) in done.stderr
    status = status_of(run_dir)
    assert status["status"] == "interrupted"
    assert "while writing the run's files" in str(status["message"])
    for name in ("config.yaml", "history.csv", "metrics.json", "model.npz", "model.json"):
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "plots" / "loss.png").exists()  # the half-drawn plot is dropped
    assert json.loads((run_dir / "metrics.json").read_text())["validation"]["auc"] > 0.9


def test_ctrl_c_while_scoring_keeps_the_trained_model(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = ["train", str(experiment(tmp_path)), "--runs-dir", str(runs)]
    done = run_until(tmp_path, "mlcc_cli.training.in_memory._score", "before", args, signal.SIGINT)
    assert done.returncode == 130, done.stderr
    run_dir = only_run(runs)
    status = status_of(run_dir)
    assert status["status"] == "interrupted" and "while scoring" in str(status["message"])
    assert (run_dir / "model.npz").is_file() and (run_dir / "history.csv").is_file()


def test_a_signal_just_after_the_run_is_complete_exits_0(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = ["train", str(experiment(tmp_path)), "--runs-dir", str(runs)]
    done = run_until(tmp_path, "mlcc_cli.rundir.files.publish", "after", args, signal.SIGTERM)
    assert done.returncode == 0, done.stderr
    run_dir = only_run(runs)
    assert status_of(run_dir)["status"] == "complete"
    assert "after the run was complete" in done.stderr and str(run_dir) in done.stderr


def test_sigterm_during_a_sweep_keeps_finished_points_and_marks_the_rest(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    config = experiment(tmp_path, **ENDLESS)
    grid = "training.steps=20,1000000000,30"
    args = ["sweep", str(config), "--grid", grid, "--runs-dir", str(runs), "--json"]
    # Marked as the second point's training starts; the signal lands during its first periods.
    done = run_until(
        tmp_path, "mlcc_cli.training.in_memory.plan_schedule", "mark", args, signal.SIGTERM, 2
    )
    assert done.returncode == 143, done.stderr
    rows = json.loads(done.stdout)["runs"]
    assert [row["status"] for row in rows] == ["complete", "interrupted", "interrupted"]
    first = Path(rows[0]["run_dir"])
    assert status_of(first)["status"] == "complete"
    sweep_dir = first.parent
    assert json.loads((sweep_dir / "sweep.json").read_text())["runs"][1]["status"] == "interrupted"
    assert not [p for p in sweep_dir.iterdir() if p.name.startswith(".")]  # no staging left


def test_an_interruption_python_drops_is_sent_again_not_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An exception raised in a weakref callback or in code C calls back into (llvmlite's,
    while numba loads a kernel) is dropped by Python; the hook re-sends the signal."""
    from types import SimpleNamespace

    from mlcc_cli.commands import common

    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, signum: sent.append((pid, signum)))
    common.resend_dropped_interruption(SimpleNamespace(exc_value=common.Terminated()))
    common.resend_dropped_interruption(SimpleNamespace(exc_value=KeyboardInterrupt()))
    deadline = time.monotonic() + 5
    while len(sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(sent) == sorted([(os.getpid(), signal.SIGTERM), (os.getpid(), signal.SIGINT)])


# Ctrl-C while `mlcc` imports its modules, before any command runs: the import of pydantic
# is interrupted plainly, or (Python 3.11) inside a class's __set_name__, which Python wraps
# in a RuntimeError, as happens when the signal lands while pydantic builds a model.
INTERRUPTED_IMPORT = textwrap.dedent(
    """
    import sys

    class Interrupting:
        def __set_name__(self, owner, name):
            raise KeyboardInterrupt

    class CtrlCOnImport:
        def find_spec(self, name, path, target=None):
            if name == "pydantic":
                if sys.argv[1] == "wrapped":
                    class Model:
                        field = Interrupting()
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, CtrlCOnImport())
    sys.argv = ["mlcc", "validate", "exp.yaml", *sys.argv[2:]]
    from mlcc_cli.cli import main

    main()
    """
)


@pytest.mark.parametrize("how", ["plain", "wrapped"])
@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["human", "json"])
def test_ctrl_c_while_mlcc_starts_says_interrupted_without_a_traceback(
    tmp_path: Path, how: str, json_flag: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT, how, *json_flag],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # A plain KeyboardInterrupt ends Python as killed by SIGINT (the shell's 130).
    assert done.returncode in (130, -signal.SIGINT), done.stderr
    assert done.stderr == "interrupted\n"
    if json_flag:
        assert json.loads(done.stdout) == {"error": {"message": "interrupted", "exit_code": 130}}
    else:
        assert done.stdout == ""


def test_an_interruption_wrapped_in_another_error_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli_helpers import mlcc

    def wrapped(*args: object, **kwargs: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as error:
            raise RuntimeError("Error calling __set_name__") from error

    monkeypatch.setattr("mlcc_cli.workflows.train.train_in_memory", wrapped)
    result = mlcc("train", experiment(tmp_path), "--runs-dir", tmp_path / "runs", "--json")
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.stderr and "interrupted" in result.stderr
    assert json.loads(result.stdout)["error"]["exit_code"] == 130
    assert not (tmp_path / "runs").exists()  # nothing trained, nothing kept


@pytest.mark.parametrize(
    ("signum", "whole_group", "code"),
    [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)],
    ids=["ctrl-c-at-the-terminal", "sigterm-to-mlcc-only"],
)
def test_a_parallel_sweep_interrupted_keeps_its_points_and_writes_its_table(
    tmp_path: Path, signum: int, whole_group: bool, code: int
) -> None:
    """--jobs 2: the second point trains for ever; the signal comes once the other two are
    done. Ctrl-C at a terminal reaches the workers too; SIGTERM only mlcc, which passes it on."""
    runs = tmp_path / "runs"
    # numpy: no numba to load, so the endless point is training when the others are done
    numpy_engine = {**ENDLESS, "training": {**ENDLESS["training"], "engine": "numpy"}}
    config = experiment(tmp_path, **numpy_engine)
    grid = "training.steps=20,1000000000,30"
    args = ["sweep", str(config), "--grid", grid, "--runs-dir", str(runs), "-j", "2", "--json"]
    args.append("--no-plots")  # workers that never import matplotlib start faster
    process = subprocess.Popen(
        [sys.executable, "-m", "mlcc_cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    sweep_dir = runs / "t-sweep"
    done = [sweep_dir / "training.steps-20", sweep_dir / "training.steps-30"]
    deadline = time.monotonic() + 60
    # Either worker may take the endless point, even after a short one: wait for both short
    # points and for the endless one's staging folder (made as its run starts).
    try:
        while not all((run / "status.json").is_file() for run in done) or not list(
            sweep_dir.glob(".training.steps-1000000000-*.partial")
        ):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the points never got under way"
            time.sleep(0.05)
    except AssertionError:
        # a failed wait must not leave the endless point training behind the rest of the suite
        os.killpg(process.pid, signal.SIGKILL)
        raise
    # The staging folder comes before the point loads its data (importing scipy.stats for the
    # split checks: about a second alone, several with the suite on both cores) and trains;
    # a signal before training ends the point with nothing to keep.
    time.sleep(4.0)
    if whole_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "Traceback" not in err, err
    rows = json.loads(out)["runs"]
    assert [row["status"] for row in rows] == ["complete", "interrupted", "complete"]
    endless = Path(rows[1]["run_dir"])  # trained so far, kept as `mlcc train` keeps it
    assert status_of(endless)["status"] == "interrupted" and (endless / "model.npz").is_file()
    table = json.loads((sweep_dir / "sweep.json").read_text())["runs"]
    assert [row["status"] for row in table] == ["complete", "interrupted", "complete"]
    assert not [p for p in sweep_dir.iterdir() if p.name.startswith(".")]  # no staging left
    # No worker left running (multiprocessing's resource tracker may take a moment to go).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("a process of the sweep outlived it")


def test_an_interrupted_sweep_point_records_the_step_its_weights_are_at(tmp_path: Path) -> None:
    """SIGTERM in the middle of an epoch: status.json's steps_done is the step the saved
    weights are at (training that many steps from scratch gives the same weights), not the
    last epoch's end, and the message counts the periods finished (the history's rows)."""
    runs = tmp_path / "runs"
    # numpy: the loop stops between any two steps (a compiled kernel only between epochs);
    # 1,000 steps a period, while an epoch is 1,600 steps of batch 1.
    training = {"batch_size": 1, "steps": 10**9, "periods": 10**6, "engine": "numpy"}
    config = experiment(tmp_path, **{**ENDLESS, "training": training})
    args = ["sweep", str(config), "--grid", "model.l2=0", "--runs-dir", str(runs), "--json"]
    # Marked as the third period ends: the signal lands a few thousand steps later.
    done = run_until(
        tmp_path, "mlcc_cli.training.schedule._all_finite", "mark", [*args, "--no-plots"],
        signal.SIGTERM, 3,
    )  # fmt: skip
    assert done.returncode == 143, done.stderr
    (row,) = json.loads(done.stdout)["runs"]
    run_dir = Path(row["run_dir"])
    status = status_of(run_dir)
    steps = int(status["steps_done"])  # type: ignore[call-overload]
    assert status["status"] == "interrupted" and steps >= 3000
    history = (run_dir / "history.csv").read_text().splitlines()[1:]
    assert f"at step {steps} of {10**9} ({len(history)} of {10**6} periods finished)" in str(
        status["message"]
    )
    assert int(history[-1].split(",")[1]) <= steps  # the last finished period's step
    # The same training stopped after exactly `steps` steps: the same weights.
    sets = ["model.l2=0", f"training.steps={steps}", "training.periods=1"]
    again = subprocess.run(
        [sys.executable, "-m", "mlcc_cli", "train", str(config), "-q", "--no-plots"]
        + [arg for key in sets for arg in ("--set", key)]
        + ["--runs-dir", str(tmp_path / "again")],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    reference = Path(again.stdout.strip()) / "model.npz"
    with np.load(run_dir / "model.npz") as kept, np.load(reference) as ref:
        for name in ref.files:
            np.testing.assert_allclose(kept[name], ref[name], rtol=0, atol=1e-12, err_msg=name)
