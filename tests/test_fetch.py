"""Tests for fetching public datasets: mirrors, verification, atomic writes, offline errors.

The official URL is never contacted: MLCC_DATASET_MIRROR (set by `make test`) points at a
local folder holding the two California housing CSVs.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

import pytest

import mlcc_cli.data.fetch as fetch_module
from cli_helpers import mlcc
from mlcc_cli.config.data import DataConfig
from mlcc_cli.data.fetch import fetch_dataset
from mlcc_cli.data.loading import load_dataset
from mlcc_cli.data.public_datasets import FETCHABLE, dataset_for_file
from mlcc_cli.errors import DataError, DownloadError

TRAIN, TEST = "california_housing_train.csv", "california_housing_test.csv"
# From datasets/SOURCES.md: sha256 of the LF content.
SHA256 = {
    TRAIN: "bb9ca4041a66e0ed691cb825188f16fdab518435c4950a080951be2fdfe30d4d",
    TEST: "be3f531aac5aca44fe1c04fd888b4aa68a9a69f69c05d0eb2e0473dfe702dda2",
}


@pytest.fixture
def mirror() -> Path:
    """The folder MLCC_DATASET_MIRROR names (tests that need it skip when it is unset)."""
    folder = os.environ.get("MLCC_DATASET_MIRROR")
    if not folder:
        pytest.skip("MLCC_DATASET_MIRROR is not set (make test sets it)")
    return Path(folder)


@pytest.fixture
def mirror_copy(mirror: Path, tmp_path: Path) -> Path:
    """A writable copy of the mirror, for tests that damage a file."""
    copy = tmp_path / "mirror"
    copy.mkdir()
    for name in (TRAIN, TEST):
        shutil.copyfile(mirror / name, copy / name)
    return copy


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fetch_from_a_folder_mirror_writes_verified_files(mirror, tmp_path):
    dest = tmp_path / "datasets"  # does not exist yet: fetch creates it
    written = fetch_dataset("california_housing", dest, mirror=str(mirror))
    assert written == [dest / TRAIN, dest / TEST]
    assert sorted(path.name for path in dest.iterdir()) == sorted([TRAIN, TEST])  # no temp files
    assert {path.name: sha256(path) for path in written} == SHA256


def test_fetch_from_a_file_url(mirror, tmp_path):
    written = fetch_dataset("california_housing", tmp_path, mirror=mirror.resolve().as_uri())
    assert {path.name: sha256(path) for path in written} == SHA256


def test_fetched_files_hold_the_documented_numbers(mirror, tmp_path):
    fetch_dataset("california_housing", tmp_path, mirror=str(mirror))
    # Oracle: the table "Numbers to check a loader against" in datasets/SOURCES.md.
    expected = {
        TRAIN: (17000, 207300.9124, 180400, 14999, 500001, 814, 3.8836),
        TEST: (3000, 205846.275, 177650, 22500, 500001, 125, 3.8073),
    }
    for name, (rows, mean, median, low, high, capped, income) in expected.items():
        data = DataConfig(source=name, label="median_house_value")
        frame = load_dataset(data, tmp_path, seed=0).frame
        value = frame["median_house_value"]
        assert frame.shape == (rows, 9)
        assert value.mean() == pytest.approx(mean, abs=1e-3)
        assert (value.median(), value.min(), value.max()) == (median, low, high)
        assert (value == 500001).sum() == capped
        assert frame["median_income"].mean() == pytest.approx(income, abs=1e-4)


def test_crlf_copy_verifies_and_is_written_with_lf(mirror_copy, tmp_path):
    path = mirror_copy / TEST
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    dest = tmp_path / "dest"
    fetch_dataset("california_housing", dest, mirror=str(mirror_copy))
    assert sha256(dest / TEST) == SHA256[TEST]


def change_a_digit(content: bytes) -> bytes:
    """Same header and row count, one value different."""
    position = content.rindex(b"1")
    return content[:position] + b"2" + content[position + 1 :]


def drop_last_row(content: bytes) -> bytes:
    return content[: content.rstrip(b"\n").rindex(b"\n") + 1]


def rename_a_column(content: bytes) -> bytes:
    return content.replace(b'"population"', b'"people"', 1)


@pytest.mark.parametrize(
    ("damage", "check"),
    [
        (change_a_digit, "sha256 check failed"),
        (drop_last_row, "data row count check failed: expected 3000, got 2999"),
        (rename_a_column, "header check failed"),
    ],
)
def test_a_damaged_copy_fails_and_writes_nothing(mirror_copy, tmp_path, damage, check):
    path = mirror_copy / TEST
    path.write_bytes(damage(path.read_bytes()))
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as error:
        fetch_dataset("california_housing", dest, mirror=str(mirror_copy))
    assert check in str(error.value)
    assert TEST in str(error.value)
    assert error.value.exit_code == 1
    # The train file verified, but nothing is written unless every file does.
    assert not dest.exists()


def test_an_existing_file_is_replaced_by_the_verified_one(mirror, tmp_path):
    (tmp_path / TRAIN).write_text("stale\n")
    fetch_dataset("california_housing", tmp_path, mirror=str(mirror))
    assert sha256(tmp_path / TRAIN) == SHA256[TRAIN]


def test_an_unreachable_url_says_how_to_use_a_mirror(tmp_path):
    # Port 9 (discard) on localhost is closed: the connection is refused at once.
    with pytest.raises(DownloadError) as error:
        fetch_dataset("california_housing", tmp_path, mirror="http://127.0.0.1:9/", timeout=5)
    message = str(error.value)
    assert "could not reach http://127.0.0.1:9/california_housing_train.csv" in message
    assert "MLCC_DATASET_MIRROR=/path/to/folder mlcc datasets fetch california_housing" in message
    assert list(tmp_path.iterdir()) == []


def test_a_mirror_folder_without_the_files_is_a_download_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DownloadError, match=f"could not read {empty / TRAIN}"):
        fetch_dataset("california_housing", tmp_path / "dest", mirror=str(empty))


def test_unknown_dataset_lists_what_can_be_fetched(tmp_path):
    with pytest.raises(DataError, match="california_housing"):
        fetch_dataset("mnist", tmp_path)


def test_fetchable_files_match_sources_md():
    files = FETCHABLE["california_housing"].files
    assert {remote.name: remote.sha256 for remote in files} == SHA256
    assert [remote.rows for remote in files] == [17000, 3000]
    assert dataset_for_file(TRAIN) == "california_housing"
    assert dataset_for_file("other.csv") is None


def test_a_builtin_dataset_is_pointed_at_its_builtin_name(tmp_path):
    from cli_helpers import mlcc

    result = mlcc("datasets", "fetch", "iris", "--dest", tmp_path)
    assert result.exit_code == 2, result.output
    assert "'iris' is built in, nothing to fetch: use data.source: builtin:iris" in result.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("dest", ["a-file", "a-file/datasets"])
def test_a_file_in_the_way_of_dest_is_a_usage_error_before_any_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dest: str
) -> None:
    (tmp_path / "a-file").write_text("mine\n")
    # No mirror holds the files: had the download come first, it would fail with exit 1.
    monkeypatch.setenv("MLCC_DATASET_MIRROR", str(tmp_path / "no-mirror"))
    result = mlcc("datasets", "fetch", "california_housing", "--dest", tmp_path / dest)
    assert result.exit_code == 2, result.output
    assert f"--dest {tmp_path / dest}:" in result.stderr and "not a folder" in result.stderr
    assert (tmp_path / "a-file").read_text() == "mine\n"


def test_a_write_that_fails_after_the_download_leaves_dest_as_it_was(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = fetch_module._write_part
    calls = []

    def disk_full_on_the_second_file(handle: int, content: bytes) -> None:
        calls.append(handle)
        if len(calls) == 2:
            os.close(handle)
            raise OSError(errno.ENOSPC, "No space left on device")
        real(handle, content)

    monkeypatch.setattr(fetch_module, "_write_part", disk_full_on_the_second_file)
    (tmp_path / TRAIN).write_text("stale\n")
    result = mlcc("datasets", "fetch", "california_housing", "--dest", tmp_path)
    assert result.exit_code == 1, result.output
    message = " ".join(result.stderr.split())
    assert message.startswith(f"error: --dest {tmp_path}: writing the verified files failed")
    assert "(No space left on device)" in message and "Free some space" in message
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRAIN]  # no half-written file
    assert (tmp_path / TRAIN).read_text() == "stale\n"
    calls.clear()
    nested = tmp_path / "new" / "datasets"
    result = mlcc("datasets", "fetch", "california_housing", "--dest", nested)
    assert result.exit_code == 1 and not (tmp_path / "new").exists()  # its folders too
