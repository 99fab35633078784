"""Two `mlcc sweep` of one config started together each get a folder of their own: the sweep
folder is claimed atomically (an flock the kernel gives one process), and the other sweep
takes the next name (`-2`), as a second run of a config takes another run-directory name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_helpers import experiment, mlcc
from mlcc_cli.rundir.claims import claim_folder


def sweep_args(config: Path, runs: Path, *more: str) -> list[str]:
    return ["sweep", str(config), "--grid", "model.l2=0,0.1", "--runs-dir", str(runs), *more]


def test_two_sweeps_started_together_write_two_folders(tmp_path: Path) -> None:
    config, runs = experiment(tmp_path), tmp_path / "runs"
    command = [sys.executable, "-m", "mlcc_cli", *sweep_args(config, runs, "--no-plots", "--json")]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    payloads = [json.loads(out) for out, _ in outputs]
    folders = sorted(Path(payload["sweep_dir"]).name for payload in payloads)
    assert folders == ["t-sweep", "t-sweep-2"]
    for payload in payloads:
        sweep_dir = Path(payload["sweep_dir"])
        table = json.loads((sweep_dir / "sweep.json").read_text())
        assert [row["status"] for row in table["runs"]] == ["complete", "complete"]
        for row in table["runs"]:
            run_dir = Path(row["run_dir"])
            assert run_dir.parent == sweep_dir  # no point written into the other's folder
            assert json.loads((run_dir / "status.json").read_text())["status"] == "complete"
        assert not [p for p in sweep_dir.iterdir() if p.name.startswith(".")]  # claim gone too


def test_a_folder_another_sweep_is_writing_is_never_shared(tmp_path: Path) -> None:
    config, runs = experiment(tmp_path), tmp_path / "runs"
    held = claim_folder(runs / "t-sweep")  # as a sweep still running would hold it
    assert held is not None
    try:
        result = mlcc(*sweep_args(config, runs, "--no-plots", "--json"))
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["sweep_dir"] == str(runs / "t-sweep-2")
        named = mlcc(*sweep_args(config, runs, "--name", "t-sweep"))
        assert named.exit_code == 2
        message = " ".join(named.stderr.split())
        assert f"is being written by another mlcc sweep (process {os.getpid()})" in message
        assert "Traceback" not in named.output
    finally:
        held.release()
    assert not list((runs / "t-sweep").iterdir())  # nothing written, the claim file removed
    again = mlcc(*sweep_args(config, runs, "--name", "t-sweep", "--no-plots"))
    assert again.exit_code == 0, again.output  # released: the folder is free again
