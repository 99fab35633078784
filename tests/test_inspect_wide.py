"""`mlcc inspect` on a wide table: column tables cut to --columns, the most related first."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # keep each caption on one line
ROWS, NOISE = 120, 398  # enough rows for η (ETA_MIN_ROWS); 402 columns in all


@pytest.fixture(scope="module")
def wide_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Noise columns, one linear and one curved relation with y, and a text column."""
    rng = np.random.default_rng(11)
    columns = {f"x{i}": rng.normal(size=ROWS) for i in range(NOISE)}
    columns["linear"] = rng.normal(size=ROWS)
    columns["curved"] = rng.uniform(-1, 1, size=ROWS)
    columns["town"] = rng.choice(["a", "b", "c"], size=ROWS)
    frame = pd.DataFrame(columns)
    frame["y"] = frame["linear"] + 3 * frame["curved"] ** 2 + rng.normal(0, 0.1, ROWS)
    path = tmp_path_factory.mktemp("wide") / "wide.csv"
    frame.to_csv(path, index=False)
    return path


def table_names(out: str, title: str) -> list[str]:
    """The first cell of every row of the table titled `title`, up to its caption."""
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith(title)))
    names = []
    for line in lines[start + 4 :]:  # title, blank, header, rule
        if not line.strip():
            break
        names.append(line.split()[0])
    return names


def inspect(*args: str) -> str:
    result = runner.invoke(app, ["inspect", *args], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def prose(out: str) -> str:
    """The output with runs of spaces and line breaks as one space: captions wrap."""
    return " ".join(out.split())


def test_default_lists_the_label_and_the_columns_most_related_to_it(wide_csv: Path) -> None:
    out = inspect(str(wide_csv), "--label", "y")
    document = json.loads(inspect(str(wide_csv), "--label", "y", "--json"))["data"]
    strength = {c["column"]: max(abs(c["r"]), c["eta"] or 0) for c in document["correlations"]}
    expected = sorted(strength, key=lambda name: -strength[name])[:49]
    assert table_names(out, "Columns") == ["y", *expected]
    assert {"linear", "curved"} <= set(expected)  # η ranks the curve, whose r is near 0
    assert abs(next(c["r"] for c in document["correlations"] if c["column"] == "curved")) < 0.2
    caption = "352 more columns not shown; these are the most related to y (|r| or η)."
    assert f"{caption} --columns N or --all lists more; --json has them all." in prose(out)
    numeric = table_names(out, "Numeric columns (describe)")
    assert numeric == ["y", *expected] and "town" in out  # the text column's own table
    assert len(document["columns"]) == NOISE + 4  # --json is never cut


def test_columns_and_all_change_how_many_are_listed(wide_csv: Path) -> None:
    few = inspect(str(wide_csv), "--label", "y", "--columns", "5")
    assert len(table_names(few, "Columns")) == 5
    assert "397 more columns not shown" in prose(few)
    everything = inspect(str(wide_csv), "--label", "y", "--all")
    assert "more columns not shown" not in everything
    listed = table_names(everything, "Columns")
    assert listed[:3] == ["x0", "x1", "x2"] and len(listed) == NOISE + 4  # table order, whole


def test_without_a_label_the_first_columns_are_listed(wide_csv: Path) -> None:
    out = inspect(str(wide_csv), "--columns", "10")
    assert table_names(out, "Columns") == [f"x{i}" for i in range(10)]
    assert "392 more columns not shown; these are the first 10." in prose(out)


def test_a_config_lists_its_first_model_inputs(wide_csv: Path, tmp_path: Path) -> None:
    config = {
        "name": "wide",
        "data": {"source": str(wide_csv), "label": "y"},
        "inputs": [f"x{i}" for i in range(NOISE)] + ["linear", "curved"],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
        "training": {"epochs": 1},
    }
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(config))
    out = inspect(str(path), "--columns", "3")
    assert "model inputs x0, x1, x2 and 397 more (--columns N or --all lists more" in prose(out)


@pytest.mark.parametrize("value", ["0", "-2"])
def test_columns_below_one_is_a_usage_error(wide_csv: Path, value: str) -> None:
    result = runner.invoke(app, ["inspect", str(wide_csv), "--columns", value], env=WIDE)
    assert result.exit_code == 2, result.output
    assert f"--columns: {value} is below 1; pass --all to list every column" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output
