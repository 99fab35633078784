"""A damaged record file of a run (config.yaml, model.json, status.json, metrics.json) is
named by every command that reads the run, with the fix: exit 2, one paragraph, no traceback
and no Python type that tripped over it (rundir/records.py)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cli_helpers import experiment, mlcc, trained_run_in


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return trained_run_in(tmp_path_factory.mktemp("run"))


def _truncate(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")


def _truncate_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


DAMAGES: dict[str, tuple[str, Callable[[Path], object], str]] = {
    "status.json a list": ("status.json", lambda p: p.write_text("[]"), "holds a list"),
    "status.json truncated": ("status.json", _truncate, "cannot be read"),
    "model.json null": ("model.json", lambda p: p.write_text("null"), "holds nothing"),
    "model.json truncated": ("model.json", _truncate, "cannot be read"),
    "metrics.json a list": ("metrics.json", lambda p: p.write_text("[1]"), "holds a list"),
    "model.json a model as text": (
        "model.json",
        lambda p: p.write_text('{"model": "x", "task": "binary"}'),
        "entry 'model': input should be a valid dictionary",
    ),
    "status.json without a status": (
        "status.json",
        lambda p: p.write_text('{"x": 1}'),
        "records no status",
    ),
    "model.npz truncated": ("model.npz", _truncate_bytes, "is not a valid .npz archive"),
    "metrics.json a split as text": (
        "metrics.json",
        lambda p: p.write_text('{"validation": "x"}'),
        "'validation' holds text, not a mapping of metric names to values",
    ),
    "metrics.json a number": ("metrics.json", lambda p: p.write_text("3"), "holds a number"),
    "config.yaml a word": ("config.yaml", lambda p: p.write_text("hello\n"), "holds text"),
    "config.yaml other keys": (
        "config.yaml",
        lambda p: p.write_text("foo: 1\n"),
        "is not a config this version of mlcc reads (data: field required and",
    ),
}
IGNORED_BY = {
    ("config.yaml other keys", "compare"),
    ("status.json without a status", "doctor"),
    ("status.json without a status", "compare"),
    ("model.json a model as text", "doctor"),
}
# The commands that read each file.
READERS = {
    "status.json": ["evaluate", "predict", "doctor", "compare"],
    "model.json": ["evaluate", "predict", "doctor"],
    "model.npz": ["evaluate", "predict", "doctor", "export"],
    "metrics.json": ["doctor", "compare"],
    "config.yaml": ["evaluate", "predict", "doctor", "compare"],
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_record_file_is_named_by_every_reader(
    tmp_path: Path, trained_run: Path, damage: str
) -> None:
    name, spoil, said = DAMAGES[damage]
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run, run_dir)
    spoil(run_dir / name)
    rows = tmp_path / "rows.csv"
    rows.write_text("mean_radius\n1\n")
    # compare reads config.yaml only for its keys, whichever they are; the doctor reads a run
    # without its status or its model's settings
    readers = [c for c in READERS[name] if (damage, c) not in IGNORED_BY]
    for command in readers:
        args = {
            "predict": [run_dir, rows],
            "compare": [run_dir, trained_run],
            "export": [run_dir, "--format", "onnx", "-o", tmp_path / "model.onnx"],
        }.get(command, [run_dir])
        result = mlcc(command, *args)
        message = " ".join(result.stderr.split())
        assert result.exit_code == 2, (command, result.output)
        assert f"{run_dir / name}: {said}" in message, (command, message)
        assert "train the run again" in message
        assert "Traceback" not in result.output
        assert not any(kind in message for kind in ("TypeError", "AttributeError", "KeyError"))


def test_a_record_that_is_a_named_pipe_is_refused_not_waited_on(
    tmp_path: Path, trained_run: Path
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run, run_dir)
    (run_dir / "metrics.json").unlink()
    os.mkfifo(run_dir / "metrics.json")  # reading it would wait for a writer forever
    result = mlcc("doctor", run_dir)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert f"{run_dir / 'metrics.json'}: is not a regular file" in message


def test_report_and_track_word_a_damaged_record_as_the_other_readers_do(
    tmp_path: Path, trained_run: Path
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run, run_dir)
    (run_dir / "status.json").write_text("[]")
    said = "status.json: holds a list, not a mapping of keys"
    tracked = mlcc("track", run_dir, "--uri", (tmp_path / "mlruns").as_uri())
    assert tracked.exit_code == 2, tracked.output
    assert f"{run_dir / said}, so the run directory is damaged" in " ".join(tracked.stderr.split())
    reported = mlcc("report", run_dir, "-o", tmp_path / "report.html")  # a report goes on
    assert reported.exit_code == 0, reported.output
    assert said in " ".join(reported.stderr.split())


def _pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)  # reading it would wait for a writer forever


@pytest.mark.parametrize(
    ("name", "spoil"),
    [
        ("status.json", _pipe),
        ("metrics.json", lambda p: p.write_text('{"validation": "x"}')),
    ],
    ids=["status.json a named pipe", "metrics.json a split as text"],
)
def test_skip_existing_retrains_a_point_whose_record_is_damaged(
    tmp_path: Path, name: str, spoil: Callable[[Path], object]
) -> None:
    runs = tmp_path / "runs"
    sweep = ["sweep", experiment(tmp_path), "--grid", "model.l2=0,1", "--runs-dir", runs]
    assert mlcc(*sweep, "--no-plots").exit_code == 0
    point = runs / "t-sweep" / "model.l2-0"
    spoil(point / name)
    result = mlcc(*sweep, "--no-plots", "--skip-existing")
    assert result.exit_code == 0, result.output
    assert "reused 1 complete run(s)" in result.output
    assert json.loads((point / "metrics.json").read_text())["validation"]["log_loss"] > 0


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("task", "x", "entry 'task': input should be"),
        ("inputs", 5, "entry 'inputs': input should be a valid list"),
        ("threshold", "x", "entry 'threshold': input should be a valid number"),
        ("classes", [], "a binary model needs at least two classes in 'classes'"),
        ("data_source", None, "entry 'data_source': input should be a valid string"),
    ],
)
def test_a_model_json_entry_of_the_wrong_kind_is_named(
    tmp_path: Path, trained_run: Path, key: str, value: object, said: str
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run, run_dir)
    state = json.loads((run_dir / "model.json").read_text())
    (run_dir / "model.json").write_text(json.dumps({**state, key: value}))
    rows = tmp_path / "rows.csv"
    rows.write_text("mean_radius\n1\n")
    for args in (["evaluate", run_dir], ["predict", run_dir, rows], ["export", run_dir, "--format",
                 "onnx", "-o", tmp_path / "m.onnx"]):  # fmt: skip
        result = mlcc(*args)
        message = " ".join(result.stderr.split())
        assert result.exit_code == 2, (args[0], result.output)
        assert f"{run_dir / 'model.json'}: " in message and said in message, message
        assert "Traceback" not in result.output
