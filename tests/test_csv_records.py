"""Malformed CSV rows are refused at their file line, in memory and streamed alike, and
well-formed oddities (stray trailing commas, line breaks in quotes, missing-value markers)
read the same both ways.

The data is scikit-learn's breast cancer table written as CSV, then damaged one way per test.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from sklearn.datasets import load_breast_cancer
from typer.testing import CliRunner

from mlcc_cli.cli import app

COLUMNS = ["mean radius", "mean texture", "mean smoothness", "target"]
CHUNK = 100  # rows per streamed chunk: the damage sits in a later chunk


def _table() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame[COLUMNS]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _train(tmp_path: Path, data: Path, streaming: bool) -> tuple[int, str]:
    config = {
        "name": "damaged",
        "data": {
            "source": str(data),
            "label": "target",
            "streaming": streaming,
            "chunk_rows": CHUNK,
            "split": {"train": 0.8, "validation": 0.2},
        },
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 32, "epochs": 2, "periods": 2},
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    args = ["train", str(path), "--runs-dir", str(tmp_path / "runs"), "--quiet", "--no-plots"]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout + result.stderr


def _damaged(tmp_path: Path, damage: str) -> tuple[Path, str]:
    """The table as CSV with one kind of damage; returns (path, the phrase the error needs)."""
    path = tmp_path / "cells.csv"
    _table().to_csv(path, index=False)
    lines = _lines(path)
    if damage == "every row one value longer":  # pandas would make column 1 the index
        lines = [lines[0], *(f"{i}," + line for i, line in enumerate(lines[1:]))]
        phrase = "cells.csv:2: has 5 values but the header names 4 columns"
    elif damage == "a short row":
        lines[300] = ",".join(lines[300].split(",")[:2]) + "\n"
        phrase = "cells.csv:301: has 2 values but the header names 4 columns"
    elif damage == "an unclosed quote":
        lines[300] = '"' + lines[300]
        phrase = 'cells.csv:301: a value opens a quote (")'
    elif damage == "a Latin-1 header":
        path.write_bytes("mean radius,température,mean smoothness,target\n".encode("latin-1"))
        with path.open("a", encoding="utf-8") as handle:
            handle.writelines(lines[1:])
        return path, "cells.csv:1: cannot be read as text (byte 0xe9 is not UTF-8"
    else:  # a Latin-1 byte in a number, in a later chunk
        path.write_text("".join(lines[:300]), encoding="utf-8")
        with path.open("ab") as handle:
            handle.write(lines[300].replace(",", "\xb0,", 1).encode("latin-1"))
            handle.write("".join(lines[301:]).encode("utf-8"))
        return path, "cells.csv:301: cannot be read as text (byte 0xb0 is not UTF-8"
    path.write_text("".join(lines), encoding="utf-8")
    return path, phrase


@pytest.mark.parametrize("streaming", [False, True], ids=["memory", "streaming"])
@pytest.mark.parametrize(
    "damage",
    [
        "every row one value longer",
        "a short row",
        "an unclosed quote",
        "a Latin-1 header",
        "a Latin-1 number",
    ],
)
def test_damaged_rows_are_refused_at_their_line(tmp_path: Path, damage: str, streaming: bool):
    data, phrase = _damaged(tmp_path, damage)
    exit_code, output = _train(tmp_path, data, streaming)
    assert exit_code == 2, output
    assert phrase in output and "Traceback" not in output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_trailing_commas_and_quoted_line_breaks_read_as_written(tmp_path: Path) -> None:
    """`1,2,3,` rows (a stray comma per row) and a quoted value spanning lines in a later
    chunk train exactly as the clean file, in memory and streamed."""
    clean = tmp_path / "clean.csv"
    table = _table()
    table.to_csv(clean, index=False)
    commas = tmp_path / "commas.csv"
    lines = _lines(clean)
    commas.write_text(lines[0] + "".join(line[:-1] + ",\n" for line in lines[1:]), "utf-8")
    quoted = tmp_path / "quoted.csv"
    with_note = table.assign(note=["first\nsecond" if i == 300 else "x" for i in range(len(table))])
    with_note.to_csv(quoted, index=False)
    metrics = {}
    for data in (clean, commas, quoted):
        for streaming in (False, True):
            exit_code, output = _train(tmp_path / data.stem / str(streaming), data, streaming)
            assert exit_code == 0, output
            run = Path(output.strip().splitlines()[-1])
            metrics[data.stem, streaming] = (run / "metrics.json").read_text()
    for streaming in (False, True):
        assert metrics["commas", streaming] == metrics["clean", streaming]
    assert "validation" in metrics["quoted", True]


def test_missing_value_markers_read_alike_in_memory_and_streamed(tmp_path: Path) -> None:
    """pandas reads `None` and `<NA>` as missing; pyarrow alone would call them text."""
    table = _table().astype({"mean texture": object})
    table.loc[[150, 151], "mean texture"] = ["None", "<NA>"]
    path = tmp_path / "markers.csv"
    table.to_csv(path, index=False)
    for streaming in (False, True):
        exit_code, output = _train(tmp_path / str(streaming), path, streaming)
        assert exit_code == 2 and "'mean texture': 2 missing" in output, output
