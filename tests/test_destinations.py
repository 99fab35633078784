"""Every folder a user names for mlcc to write into (`datasets fetch --dest`, `compare --output`,
`sweep --runs-dir`, `--track`) is refused before any work when it cannot be written: one
paragraph naming the path and the fix, exit 2, and nothing already there touched.

Tests run as root, where permission bits stop no write: /sys refuses new entries even to
root (EPERM), /proc takes none (ENOENT), and a path below a regular file cannot be a folder
(ENOTDIR). The chmod case runs only as another user.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from cli_helpers import experiment, mlcc, trained_run_in


def unwritable(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A folder path that cannot be written, even by root; the reason the message gives."""
    if kind == "below-a-file":
        (tmp_path / "a-file").write_text("mine\n")
        return tmp_path / "a-file" / "out", f"{tmp_path / 'a-file'} is a file, not a folder"
    if kind == "sys":
        return Path("/sys/mlcc-out"), "operation not permitted in /sys, where it would be created"
    return Path("/proc/mlcc-out"), "the folder /proc takes no new files"


KINDS = ["below-a-file", "sys", "proc"]


def assert_refused(result: object, option: str, path: Path, reason: str) -> None:
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"{option} {path}: cannot write there ({reason}); choose a folder you can" in message
    assert "Traceback" not in result.output and "Errno" not in result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_fetch_refuses_an_unwritable_dest_before_downloading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # No mirror holds the files: had the download come first, it would fail with exit 1.
    monkeypatch.setenv("MLCC_DATASET_MIRROR", str(tmp_path / "no-mirror"))
    dest, reason = unwritable(tmp_path, kind)
    result = mlcc("datasets", "fetch", "california_housing", "--dest", dest)
    assert_refused(result, "--dest", dest, reason)
    assert not dest.exists()
    if kind == "below-a-file":
        assert (tmp_path / "a-file").read_text() == "mine\n"


@pytest.mark.parametrize("kind", KINDS)
def test_compare_refuses_an_unwritable_output_before_reading_the_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    def no_work(*args: object) -> None:
        raise AssertionError("the runs were read before the --output check")

    monkeypatch.setattr("mlcc_cli.workflows.compare.compare_runs", no_work)
    output, reason = unwritable(tmp_path, kind)
    result = mlcc("compare", tmp_path / "run-a", tmp_path / "run-b", "--output", output)
    assert_refused(result, "--output", output, reason)


@pytest.mark.parametrize("kind", KINDS)
def test_sweep_names_the_runs_dir_it_cannot_write(tmp_path: Path, kind: str) -> None:
    runs, reason = unwritable(tmp_path, kind)
    result = mlcc("sweep", experiment(tmp_path), "--grid", "model.l2=0,1", "--runs-dir", runs)
    assert_refused(result, "--runs-dir", runs, reason)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any permission bits")
def test_fetch_into_a_read_only_folder_keeps_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLCC_DATASET_MIRROR", str(tmp_path / "no-mirror"))
    dest = tmp_path / "datasets"
    dest.mkdir()
    (dest / "california_housing_train.csv").write_text("an earlier copy\n")
    dest.chmod(0o555)
    try:
        result = mlcc("datasets", "fetch", "california_housing", "--dest", dest)
    finally:
        dest.chmod(0o755)
    assert_refused(result, "--dest", dest, "permission denied")
    assert sorted(p.name for p in dest.iterdir()) == ["california_housing_train.csv"]
    assert (dest / "california_housing_train.csv").read_text() == "an earlier copy\n"


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trained_run_in(tmp_path_factory.mktemp("run"))


@pytest.mark.parametrize(
    ("number", "code", "reason"),
    [
        (errno.EACCES, 2, "permission denied"),
        (errno.EROFS, 2, "the file system is read-only"),
        (errno.EPERM, 2, "operation not permitted"),
        (errno.ENOSPC, 1, "the disk is full"),
        (errno.EDQUOT, 1, "the disk is full"),
        (errno.EIO, 1, "cannot write there (Input/output error)"),
    ],
)
def test_one_errno_reads_the_same_before_and_while_writing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trained_run: Path,
    number: int,
    code: int,
    reason: str,
) -> None:
    """`compare --output` checks its folder before any work (`check_folder_writable`);
    `predict -o` meets the refusal writing its file (`storage_error`): same words, same code."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(number, os.strerror(number))

    rows = tmp_path / "rows.csv"
    rows.write_text("mean_radius\n1\n")
    monkeypatch.setattr("mlcc_cli.rundir.storage.tempfile.mkdtemp", refuse)
    monkeypatch.setattr("mlcc_cli.rundir.storage.tempfile.mkstemp", refuse)
    before = mlcc("compare", trained_run, trained_run, "--output", tmp_path)
    meanwhile = mlcc("predict", trained_run, rows, "-o", tmp_path / "out.csv")
    for result, option, path in (
        (before, "--output", tmp_path),
        (meanwhile, "--output", tmp_path / "out.csv"),
    ):
        assert result.exit_code == code, result.output
        message = " ".join(result.stderr.split())
        assert f"{option} {path}: " in message and reason in message
        assert "Traceback" not in result.output and "Errno" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_an_output_behind_a_link_is_written_through_and_a_pipe_is_refused(
    tmp_path: Path, trained_run: Path
) -> None:
    """-o names a file to replace whole: through a symbolic link its target is replaced and
    the link kept (as the shell's `>` does); a named pipe or device, which a new file would
    take the place of (/dev/stdout is a link to one), is refused and left as it is."""
    from sklearn.datasets import load_breast_cancer

    rows = tmp_path / "rows.csv"
    frame = load_breast_cancer(as_frame=True).frame.head(5)
    frame.columns = [c.replace(" ", "_") for c in frame.columns]  # as builtin: names them
    frame.to_csv(rows, index=False)
    (tmp_path / "kept.csv").write_text("earlier\n")
    (tmp_path / "link.csv").symlink_to("kept.csv")
    result = mlcc("predict", trained_run, rows, "-o", tmp_path / "link.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link.csv").is_symlink()
    assert (tmp_path / "kept.csv").read_text().startswith("row_id,prediction")
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "null.csv").symlink_to(os.devnull)
    for name, kind in (("pipe.csv", "a named pipe (FIFO)"), ("null.csv", "a device or socket")):
        result = mlcc("predict", trained_run, rows, "-o", tmp_path / name)
        assert result.exit_code == 2, result.output
        message = " ".join(result.stderr.split())
        assert f"--output {tmp_path / name}: is {kind}, not a regular file;" in message
    assert (tmp_path / "pipe.csv").is_fifo() and (tmp_path / "null.csv").is_symlink()
