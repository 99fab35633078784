"""`mlcc sweep --executor dask`: points run on a real (local) Dask cluster, same results."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlcc_cli.workflows.sweep import executors as sweep_executors
from test_sweep import experiment, mlcc  # the same tiny regression and CLI runner

distributed = pytest.importorskip("distributed")
GRID = ("--grid", "optimizer.learning_rate=0.01,0.1", "--grid", "model.l2=0,0.01")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    # Worker processes, not threads: training draws plots with pyplot, which is not thread-safe.
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # any free port: two test workers may each start one
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_sweep_matches_the_local_one(tmp_path: Path, scheduler: str) -> None:
    config = experiment(tmp_path)
    local = mlcc("sweep", config, *GRID, "--runs-dir", tmp_path / "local", "--json")
    dask = mlcc(
        "sweep", config, *GRID, "--runs-dir", tmp_path / "dask", "--json",
        "--executor", "dask", "--scheduler", scheduler,
    )  # fmt: skip
    assert local.exit_code == 0, local.output
    assert dask.exit_code == 0, dask.output
    serial, remote = json.loads(local.stdout), json.loads(dask.stdout)
    assert [r["params"] for r in remote["runs"]] == [r["params"] for r in serial["runs"]]
    assert [r["metrics"] for r in remote["runs"]] == [r["metrics"] for r in serial["runs"]]
    sweep_dir = Path(remote["sweep_dir"])
    assert (sweep_dir / "sweep.csv").is_file()
    for run in remote["runs"]:
        assert run["status"] == "complete"
        assert Path(run["run_dir"]).parent == sweep_dir.resolve()
        assert (Path(run["run_dir"]) / "metrics.json").is_file()


def test_an_unreachable_scheduler_exits_2_quickly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweep_executors, "CONNECT_TIMEOUT_S", 2.0)
    started = time.perf_counter()
    result = mlcc(
        "sweep", experiment(tmp_path), "--grid", "model.l2=0", "--runs-dir", tmp_path / "runs",
        "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot reach the Dask scheduler" in result.stderr
    assert "Traceback" not in result.output
    assert time.perf_counter() - started < 8


def test_dask_without_a_scheduler_exits_2(tmp_path: Path) -> None:
    result = mlcc("sweep", experiment(tmp_path), "--grid", "model.l2=0", "--executor", "dask")
    assert result.exit_code == 2 and "--scheduler" in result.stderr


def test_missing_distributed_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    result = mlcc(
        "sweep", experiment(tmp_path), "--grid", "model.l2=0",
        "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
    )  # fmt: skip
    assert result.exit_code == 2 and "[cluster]" in result.stderr
