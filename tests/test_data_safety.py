"""Unusable data never crashes the CLI: infinite or overflowing numbers, repeated column names,
empty splits, a test split that is not there, and data paths that are not regular files.

Every case runs the real CLI on a small file written to tmp_path and checks the exit code,
that no traceback is shown, what the message names, and that no run was written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.data.csv_records import RowPlaces
from mlcc_cli.data.finite import LARGEST_VALUE, check_finite_columns
from mlcc_cli.errors import DataError

N_ROWS = 40


def _table(n: int = N_ROWS) -> pd.DataFrame:
    """x, z and a label y = 2x + 1 (+ noise); deterministic."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=n).round(3)
    return pd.DataFrame({"x": x, "z": rng.normal(size=n).round(3), "y": (2 * x + 1).round(3)})


def _write_csv(path: Path, frame: pd.DataFrame, bad: tuple[int, str, str] | None = None) -> Path:
    """Write `frame` as CSV; `bad` = (row position, column, raw text) replaces one cell."""
    text = frame.astype(object)
    if bad is not None:
        row, column, value = bad
        text.loc[row, column] = value
    text.to_csv(path, index=False)
    return path


def _experiment(tmp_path: Path, source: Path | str, **data: Any) -> Path:
    config = {
        "name": "safety",
        "seed": 1,
        "data": {"source": str(source), "label": "y", **data},
        "inputs": ["x"],
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 8, "epochs": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def _refused(result: Any, *phrases: str) -> None:
    """Exit 2, one message naming each phrase, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


def _no_run(runs: Path) -> None:
    """Nothing was written: no runs folder, or an empty one."""
    assert not runs.exists() or not any(runs.iterdir())


def _train(tmp_path: Path, source: Path | str, *extra: str, **data: Any) -> Any:
    config = _experiment(tmp_path, source, **data)
    return _run("train", config, "--runs-dir", tmp_path / "runs", *extra)


# ----------------------------------------------------------- unusable numbers

BAD_VALUES = [
    pytest.param("x", "inf", "holds infinity", id="inf feature"),
    pytest.param("x", "-inf", "holds -infinity", id="-inf feature"),
    pytest.param("x", "1e308", "holds 1e+308", id="overflowing feature"),
    pytest.param("y", "-Infinity", "holds -infinity", id="-inf label"),
    pytest.param("y", "3e200", "holds 3e+200", id="overflowing label"),
]


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
@pytest.mark.parametrize(("column", "value", "phrase"), BAD_VALUES)
def test_train_refuses_infinite_or_overflowing_values(
    tmp_path: Path, streaming: bool, column: str, value: str, phrase: str
) -> None:
    data = _write_csv(tmp_path / "d.csv", _table(), bad=(5, column, value))
    result = _train(tmp_path, data, streaming=streaming, chunk_rows=16)
    # Row position 5 sits on line 7: line 1 is the header.
    _refused(result, f"d.csv:7: column '{column}' {phrase}", "missing")
    assert "missing or infinite" not in result.stderr  # streaming once called inf "missing"
    _no_run(tmp_path / "runs")


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
def test_a_label_scale_that_overflows_the_label_names_the_key(
    tmp_path: Path, streaming: bool
) -> None:
    data = _write_csv(tmp_path / "d.csv", _table())
    result = _train(tmp_path, data, streaming=streaming, chunk_rows=16, label_scale=1e300)
    _refused(result, "data.label_scale: 1e+300 times label 'y' gives", "use a smaller")
    _no_run(tmp_path / "runs")


def test_synthetic_noise_beyond_a_million_is_refused_by_the_config(tmp_path: Path) -> None:
    result = _train(tmp_path, "builtin:linear", synthetic={"noise": 1e200})
    _refused(result, "data.synthetic.noise: must be <= 1e+06")
    _no_run(tmp_path / "runs")


def test_streaming_names_the_line_of_a_value_in_a_later_chunk(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "d.csv", _table(), bad=(33, "x", "inf"))
    result = _train(tmp_path, data, streaming=True, chunk_rows=8)
    _refused(result, "d.csv:35: column 'x' holds infinity")


def test_inspect_refuses_an_infinite_value(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "d.csv", _table(), bad=(2, "z", "inf"))
    _refused(_run("inspect", data), "d.csv:4: column 'z' holds infinity")


def test_parquet_values_are_located_by_data_row(tmp_path: Path) -> None:
    frame = _table()
    frame.loc[9, "x"] = np.inf
    frame.to_parquet(tmp_path / "d.parquet")
    result = _train(tmp_path, tmp_path / "d.parquet")
    _refused(result, "d.parquet (data row 10): column 'x' holds infinity")
    _no_run(tmp_path / "runs")


@pytest.fixture
def trained_run(tmp_path: Path) -> Path:
    """A run trained on clean data with inputs [x] and a default zscore step."""
    data = _write_csv(tmp_path / "train.csv", _table())
    config = _experiment(tmp_path, data, split={"train": 0.6, "validation": 0.2, "test": 0.2})
    result = _run("train", config, "--runs-dir", tmp_path / "runs", "--quiet")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip())


def test_predict_and_evaluate_refuse_an_infinite_value(tmp_path: Path, trained_run: Path) -> None:
    data = _write_csv(tmp_path / "new.csv", _table(6), bad=(3, "x", "-inf"))
    _refused(_run("predict", trained_run, data), "new.csv:5: column 'x' holds -infinity")
    evaluated = _run("evaluate", trained_run, "--data", data, "--no-plots")
    _refused(evaluated, "new.csv:5: column 'x' holds -infinity")


def test_missing_values_are_not_called_infinite() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan, -LARGEST_VALUE], "n": [1, 2, 3]})
    places = RowPlaces("f.parquet", is_csv=False)
    check_finite_columns(frame, places)  # NaN is missing, the bound is usable
    frame.loc[2, "x"] = -2 * LARGEST_VALUE
    with pytest.raises(DataError, match=r"f.parquet \(data row 3\): column 'x' holds -2e\+150"):
        check_finite_columns(frame, places)


# ------------------------------------------------------------------ strictness


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
def test_repeated_column_names_are_refused(tmp_path: Path, streaming: bool) -> None:
    data = tmp_path / "d.csv"
    _write_csv(data, _table())
    lines = data.read_text().splitlines()
    data.write_text("\n".join(["x,x,y", *lines[1:]]) + "\n")
    result = _train(tmp_path, data, streaming=streaming)
    _refused(result, "d.csv: the header names column 'x' 2 times")
    _no_run(tmp_path / "runs")
    _refused(_run("inspect", data), "column 'x' 2 times")


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
@pytest.mark.parametrize(("separator", "called"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_file_separated_by_another_character_is_named(
    tmp_path: Path, streaming: bool, separator: str, called: str
) -> None:
    data = tmp_path / "d.csv"
    _write_csv(data, _table())
    data.write_text(data.read_text().replace(",", separator))
    message = f"separates its values with {called}, but mlcc reads comma-separated CSV"
    result = _train(tmp_path, data, streaming=streaming)
    _refused(result, "d.csv: the header reads as a single column", message)
    _no_run(tmp_path / "runs")
    _refused(_run("inspect", data), message)


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
def test_a_split_with_a_share_but_no_rows_is_refused(tmp_path: Path, streaming: bool) -> None:
    data = _write_csv(tmp_path / "d.csv", _table(2))  # 20% of 2 rows rounds to none
    result = _train(tmp_path, data, streaming=streaming, shuffle=False)
    _refused(result, "data.split.validation is 0.2", "of the 2 usable rows is empty")
    _no_run(tmp_path / "runs")


def test_a_split_set_to_zero_may_be_empty(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "d.csv", _table(3))
    result = _train(tmp_path, data, split={"train": 1.0, "validation": 0.0, "test": 0.0})
    assert result.exit_code == 0, result.output


def test_train_test_with_no_test_share_is_refused(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "d.csv", _table())
    result = _train(tmp_path, data, "--test")
    _refused(result, "--test scores the test split, but data.split.test is 0", "--set")
    _no_run(tmp_path / "runs")


def test_the_python_api_refuses_evaluate_test_without_a_test_share(tmp_path: Path) -> None:
    import mlcc_cli

    data = _write_csv(tmp_path / "d.csv", _table())
    config = {
        "name": "api",
        "data": {"source": str(data), "label": "y"},
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
        "training": {"epochs": 1},
    }
    with pytest.raises(DataError, match=r"data\.split\.test is 0"):
        mlcc_cli.train(config, runs_dir=tmp_path / "runs", evaluate_test=True)
    _no_run(tmp_path / "runs")


def test_evaluate_test_split_with_no_test_share_is_refused(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "d.csv", _table())
    trained = _train(tmp_path, data, "--quiet")
    assert trained.exit_code == 0, trained.output
    result = _run("evaluate", trained.stdout.strip(), "--split", "test", "--no-plots")
    _refused(result, "--split test scores the test split, but data.split.test is 0")


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
def test_default_zscore_scales_only_model_inputs(tmp_path: Path, streaming: bool) -> None:
    data = _write_csv(tmp_path / "d.csv", _table())
    trained = _train(tmp_path, data, "--quiet", streaming=streaming)
    assert trained.exit_code == 0, trained.output
    new = tmp_path / "new.csv"
    pd.DataFrame({"x": [0.5, -1.0]}).to_csv(new, index=False)  # no z: the model never uses it
    result = _run("predict", trained.stdout.strip(), new)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "row_id,prediction"


# ---------------------------------------------------------- filesystem oddities


def _loop(tmp_path: Path) -> Path:
    path = tmp_path / "loop.csv"
    path.symlink_to(path)
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


ODD_PATHS = [
    pytest.param(_loop, "is a symbolic link loop", id="symlink loop"),
    pytest.param(_fifo, "is a named pipe (FIFO), not a regular file", id="fifo"),
]


@pytest.mark.parametrize("streaming", [False, True], ids=["in memory", "streaming"])
@pytest.mark.parametrize(("make", "phrase"), ODD_PATHS)
def test_train_names_what_an_odd_data_path_is(
    tmp_path: Path, make: Any, phrase: str, streaming: bool
) -> None:
    path = make(tmp_path)
    result = _train(tmp_path, path, streaming=streaming)
    _refused(result, path.name, phrase)
    _no_run(tmp_path / "runs")


@pytest.mark.parametrize(("make", "phrase"), ODD_PATHS)
def test_inspect_and_predict_name_what_an_odd_path_is(
    tmp_path: Path, trained_run: Path, make: Any, phrase: str
) -> None:
    path = make(tmp_path)
    _refused(_run("inspect", path), path.name, phrase)
    _refused(_run("predict", trained_run, path), path.name, phrase)


def test_a_dangling_symlink_names_its_target(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.symlink_to(tmp_path / "gone.csv")
    _refused(_train(tmp_path, path), "is a symbolic link to", "gone.csv, which does not exist")


def test_an_unreadable_data_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _write_csv(tmp_path / "d.csv", _table())
    # Root reads any file, so the permission check itself is made to say no (for d.csv only:
    # the CLI checks the config file's permission too).
    access = os.access

    def no_reading(path: Any, mode: int, **kwargs: Any) -> bool:
        return False if str(path).endswith("d.csv") else access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", no_reading)
    result = _train(tmp_path, data)
    _refused(result, "d.csv", "permission denied")
    _no_run(tmp_path / "runs")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may read a file without read permission")
def test_a_file_without_read_permission_is_refused(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "d.csv", _table())
    data.chmod(0)
    try:
        _refused(_train(tmp_path, data), "d.csv", "permission denied")
    finally:
        data.chmod(0o644)


def test_float_columns_are_scanned_by_the_chunk_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wide tables are scanned a chunk of columns at a time: the first bad column, its first
    bad line and the count still come out as a column-by-column scan names them, and the
    missing-value counts are pandas' own."""
    from mlcc_cli.data import finite, loading

    monkeypatch.setattr(finite, "CHUNK_VALUES", 12)  # 6 rows: two columns a chunk
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(6, 7)), columns=[f"x{i}" for i in range(7)])
    frame.insert(2, "name", list("abcdef"))
    frame.insert(4, "count", range(6))
    frame.loc[[1, 3], "x3"] = np.nan
    frame.loc[0, "x0"] = np.nan
    assert loading.missing_counts(frame, ["x3", "name", "x0", "x5"]) == {"x3": 2, "x0": 1}
    frame.loc[[2, 4], "x5"] = np.inf
    frame.loc[5, "x6"] = -np.inf
    frame.to_csv(tmp_path / "d.csv", index=False)
    _refused(
        _run("inspect", tmp_path / "d.csv"), "d.csv:4: column 'x5' holds infinity (and 1 more)"
    )
