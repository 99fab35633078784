"""Nothing the disk does may crash mlcc or damage a run (issue 16): refused writes, long names,
staging folders owned by their process, `mlcc runs clean`, damaged model files.

Tests run as root here, so a chmod'ed folder would not stop a write: /sys refuses mkdir even
to root (EPERM), and monkeypatching raises EROFS/ENOSPC where a real disk would.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli_helpers import experiment, mlcc
from mlcc_cli.rundir import files, staging
from mlcc_cli.rundir.staging import OWNER_FILE, create_staging, discard_staging, publish

runner = CliRunner()
UNWRITABLE = Path("/sys/mlcc-runs")  # mkdir: EPERM, even for root


def train(tmp_path: Path, runs: Path, *more: str) -> Path:
    result = mlcc("train", experiment(tmp_path), "--runs-dir", runs, "--quiet", *more)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes: an earlier run must stay exactly so."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if training starts: the refusal must come before any work."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("training started before the write check")

    monkeypatch.setattr("mlcc_cli.workflows.train.train_in_memory", refuse)


def assert_clean_error(result: Any, code: int, phrase: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert phrase in result.stderr, result.stderr


# ------------------------------------------------------------------ refused writes


def test_unwritable_runs_dir_is_refused_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_training(monkeypatch)
    result = mlcc("train", experiment(tmp_path), "--runs-dir", UNWRITABLE)
    assert_clean_error(result, 2, f"--runs-dir {UNWRITABLE}: cannot write there")
    assert "choose a folder you can write to" in result.stderr


def test_read_only_file_system_is_refused_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    earlier = train(tmp_path, runs)
    before = snapshot(earlier)

    def read_only(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(staging.tempfile, "mkdtemp", read_only)
    no_training(monkeypatch)
    result = mlcc("train", experiment(tmp_path), "--runs-dir", runs)
    assert_clean_error(result, 2, "the file system is read-only")
    assert snapshot(earlier) == before
    assert [p.name for p in runs.iterdir()] == [earlier.name]


def test_full_disk_while_drawing_exits_1_and_leaves_no_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    earlier = train(tmp_path, runs)
    before = snapshot(earlier)

    def disk_full(path: Path, **kwargs: object) -> None:
        path.write_bytes(b"half a png")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("mlcc_cli.rundir.run_plots.draw_loss", disk_full)
    result = mlcc("train", experiment(tmp_path), "--runs-dir", runs)
    assert_clean_error(result, 1, "the disk is full")
    assert [p.name for p in runs.iterdir()] == [earlier.name]  # staging removed
    assert snapshot(earlier) == before


@pytest.mark.parametrize(
    ("args", "config_name", "phrase"),
    [
        (["--name", "n" * 300], "t", "--name: 'nnnn"),
        ([], "c" * 300, "exp.yaml: name: 'cccc"),
    ],
    ids=["--name", "config name"],
)
def test_a_name_too_long_for_a_folder_is_refused_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], config_name: str, phrase: str
) -> None:
    no_training(monkeypatch)
    config = experiment(tmp_path, name=config_name)
    result = mlcc("train", config, "--runs-dir", tmp_path / "runs", *args)
    assert_clean_error(result, 2, phrase)
    assert "300 bytes long" in result.stderr and "at most 234 bytes" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_the_longest_allowed_name_trains(tmp_path: Path) -> None:
    run_dir = train(tmp_path, tmp_path / "runs", "--name", "n" * 234)
    assert len(run_dir.name) == 255 and (run_dir / "model.npz").is_file()


def test_predict_output_that_cannot_be_written_is_refused_before_predicting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_dir = train(tmp_path, tmp_path / "runs")
    rows = tmp_path / "rows.csv"
    rows.write_text("a\n1\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("predicted before the output check")

    monkeypatch.setattr("mlcc_cli.workflows.predict.predict_rows", refuse)
    result = mlcc("predict", run_dir, rows, "-o", UNWRITABLE / "out.csv")
    assert_clean_error(result, 2, f"--output {UNWRITABLE / 'out.csv'}: cannot write there")
    result = mlcc("predict", run_dir, rows, "-o", tmp_path)
    assert_clean_error(result, 2, "is a folder")


def test_predict_on_a_full_disk_keeps_the_earlier_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.datasets import load_breast_cancer

    run_dir = train(tmp_path, tmp_path / "runs")
    rows = tmp_path / "rows.csv"
    frame = load_breast_cancer(as_frame=True).frame.head(5)
    frame.columns = [c.replace(" ", "_") for c in frame.columns]  # as builtin: names them
    frame.to_csv(rows, index=False)
    output = tmp_path / "out.csv"
    output.write_text("earlier predictions\n")
    real_write_text = Path.write_text

    def disk_full(self: Path, *args: Any, **kwargs: Any) -> int:
        if self.name.endswith(".partial"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", disk_full)
    result = mlcc("predict", run_dir, rows, "-o", output)
    assert_clean_error(result, 1, "the disk is full")
    assert output.read_text() == "earlier predictions\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_lr_find_and_sweep_check_their_folder_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the write check")

    monkeypatch.setattr("mlcc_cli.workflows.lr_find.range_test", refuse)
    monkeypatch.setattr("mlcc_cli.workflows.sweep.run.run_point", refuse)
    config = experiment(tmp_path)
    result = mlcc("lr-find", config, "--runs-dir", UNWRITABLE)
    assert_clean_error(result, 2, f"--runs-dir {UNWRITABLE}: cannot write there")
    grid = "optimizer.learning_rate=0.1,0.2"
    result = mlcc("sweep", config, "--grid", grid, "--runs-dir", UNWRITABLE)
    assert_clean_error(result, 2, "cannot write there")


# ------------------------------------------------------------------ ownership


def test_concurrent_staging_folders_never_collide_and_cleanup_removes_only_its_own(
    tmp_path: Path,
) -> None:
    first, second = create_staging(tmp_path, "t"), create_staging(tmp_path, "t")
    assert first != second
    assert json.loads((first / OWNER_FILE).read_text())["pid"] == os.getpid()
    discard_staging(first)
    assert not first.exists() and second.is_dir()


def test_a_taken_run_name_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = iter(["t-same", "t-same", "t-other"])
    monkeypatch.setattr(files, "run_dir_name", lambda name, now: next(names))
    runs = tmp_path / "runs"
    first = train(tmp_path, runs)
    before = snapshot(first)
    second = train(tmp_path, runs)
    assert (first.name, second.name) == ("t-same", "t-other")
    assert snapshot(first) == before


def test_publish_refuses_a_name_someone_else_holds(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "theirs.txt").write_text("x")
    folder = create_staging(tmp_path, "t")
    names = iter(["taken", "free"])
    assert publish(folder, lambda: next(names)).name == "free"
    assert (tmp_path / "taken" / "theirs.txt").read_text() == "x"
    assert not (tmp_path / "free" / OWNER_FILE).exists()


def test_compare_ignores_staging_folders(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run_dir = train(tmp_path, runs)
    leftover = create_staging(runs, "t")
    for name in ("config.yaml", "metrics.json"):
        (leftover / name).write_bytes((run_dir / name).read_bytes())
    result = mlcc("compare", runs, "--json")
    assert result.exit_code == 0, result.output
    assert [r["run_dir"] for r in json.loads(result.stdout)["runs"]] == [str(run_dir)]
    result = mlcc("compare", leftover)
    assert_clean_error(result, 2, "is a staging folder")


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _leftover(runs: Path, name: str, pid: int | None, age_s: float = 0.0) -> Path:
    folder = create_staging(runs, name)
    if pid is None:
        (folder / OWNER_FILE).unlink()
    else:
        owner = json.loads((folder / OWNER_FILE).read_text())
        (folder / OWNER_FILE).write_text(json.dumps({**owner, "pid": pid}))
    stamp = time.time() - age_s
    os.utime(folder, (stamp, stamp))
    return folder


def test_runs_clean_removes_only_folders_whose_owner_is_gone_or_too_old(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run_dir = train(tmp_path, runs)
    before = snapshot(run_dir)
    dead = _leftover(runs, "dead", _dead_pid())
    alive = _leftover(runs, "alive", os.getpid(), age_s=30 * 86400)  # old but still running
    old = _leftover(runs, "old", None, age_s=2 * 86400)
    new = _leftover(runs, "new", None)
    (runs / "sweep").mkdir()
    in_sweep = _leftover(runs / "sweep", "point", _dead_pid())

    dry = mlcc("runs", "clean", runs, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 stale staging folder(s) would be removed" in dry.stdout
    assert all(p.is_dir() for p in (dead, alive, old, new, in_sweep))

    result = mlcc("runs", "clean", runs, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {Path(f["path"]) for f in report["removed"]} == {dead, old, in_sweep}
    assert {Path(f["path"]) for f in report["kept"]} == {alive, new}
    assert not dead.exists() and not old.exists() and not in_sweep.exists()
    assert alive.is_dir() and new.is_dir()
    assert snapshot(run_dir) == before

    # --runs-dir, as `mlcc train` spells the folder, names the same folder
    result = mlcc("runs", "clean", "--runs-dir", runs, "--older-than", "0s", "--json")
    assert {Path(f["path"]) for f in json.loads(result.stdout)["removed"]} == {new}
    assert alive.is_dir()  # a running owner's folder is never removed


def test_runs_clean_rejects_a_bad_age_and_a_missing_folder(tmp_path: Path) -> None:
    assert_clean_error(mlcc("runs", "clean", tmp_path, "--older-than", "soon"), 2, "--older-than")
    assert_clean_error(mlcc("runs", "clean", tmp_path / "nope"), 2, "no such folder")
    (tmp_path / "notes.txt").touch()
    assert_clean_error(mlcc("runs", "clean", tmp_path / "notes.txt"), 2, "is a file, not a folder")
    both = mlcc("runs", "clean", tmp_path, "--runs-dir", tmp_path / "other")
    assert_clean_error(both, 2, "name two folders; give one")


# ------------------------------------------------------------------ damaged model files


@pytest.mark.parametrize("damage", ["random bytes", "truncated"])
def test_a_damaged_model_file_is_named_not_reported_as_pickled_data(
    tmp_path: Path, damage: str
) -> None:
    run_dir = train(tmp_path, tmp_path / "runs")
    npz = run_dir / "model.npz"
    if damage == "random bytes":
        npz.write_bytes(os.urandom(512))
    else:
        npz.write_bytes(npz.read_bytes()[:200])
    rows = tmp_path / "rows.csv"
    rows.write_text("a\n1\n")
    for args in (["predict", run_dir, rows], ["evaluate", run_dir], ["doctor", run_dir]):
        result = mlcc(*args)
        assert_clean_error(result, 2, f"{npz}: is not a valid .npz archive")
        assert "retrain" in result.stderr or "train the run again" in result.stderr
        assert "pickled" not in result.stderr
    # compare reads only the plain files, so a damaged model does not stop it.
    assert mlcc("compare", run_dir).exit_code == 0


def test_runs_clean_leaves_other_programs_partial_folders_and_symlinks(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    theirs = runs / ".mydata.partial"  # not mlcc's .NAME-XXXXXXXX.partial
    theirs.mkdir()
    important = tmp_path / "important"
    important.mkdir()
    (important / "keep.txt").write_text("mine")
    link = runs / ".evil-abcdef12.partial"  # a staging name, but a link
    link.symlink_to(important, target_is_directory=True)
    for folder in (theirs, important):
        os.utime(folder, (time.time() - 3 * 86400,) * 2)
    result = mlcc("runs", "clean", runs, "--older-than", "0s", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["removed"] == []
    assert theirs.is_dir() and link.is_symlink() and (important / "keep.txt").read_text() == "mine"


def test_a_run_directory_gets_the_umask_mode_not_mkdtemp_private_one(tmp_path: Path) -> None:
    # A run was published as mkdtemp made its staging folder, 0o700: no teammate, web server
    # or other worker account could read a run whose files are all 0o644.
    previous = os.umask(0o022)
    try:
        result = mlcc("train", experiment(tmp_path), "--runs-dir", tmp_path / "runs", "-q")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    run_dir = Path(result.stdout.strip())
    assert run_dir.stat().st_mode & 0o777 == 0o755
    assert (run_dir / "metrics.json").stat().st_mode & 0o777 == 0o644


def test_a_symbolic_link_loop_is_named_as_one(tmp_path: Path) -> None:
    # It read "a file of that name is in the way" (--runs-dir) and "no such folder" (a run).
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop-back")
    (tmp_path / "loop-back").symlink_to(loop)
    for arguments in (
        ["train", experiment(tmp_path), "--runs-dir", loop],
        ["doctor", loop],
        ["runs", "clean", loop],
    ):
        result = mlcc(*arguments)
        assert result.exit_code == 2, result.output
        assert (
            f"{loop}: " in result.stderr and "a symbolic link that leads nowhere" in result.stderr
        )
