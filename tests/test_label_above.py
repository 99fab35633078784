"""data.label_above: a numeric label turned into the 0/1 label of logistic regression."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.data import DataConfig
from mlcc_cli.data.loading import label_above, load_dataset
from mlcc_cli.errors import DataError

runner = CliRunner()
THRESHOLD = 265000.0


def _houses(folder: Path, rows: int = 400) -> Path:
    """Houses whose value rises with income: a clean logistic problem above THRESHOLD."""
    rng = np.random.default_rng(0)
    income = rng.uniform(0, 10, rows)
    value = 50000 + 40000 * income + rng.normal(0, 20000, rows)
    path = folder / "houses.csv"
    pd.DataFrame({"median_income": income, "median_house_value": value}).to_csv(path, index=False)
    return path


def _config(folder: Path, **model: object) -> Path:
    config = {
        "name": "above",
        "data": {
            "source": str(_houses(folder)),
            "label": "median_house_value",
            "label_above": THRESHOLD,
        },
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic", **model},
        "optimizer": {"type": "sgd", "learning_rate": 0.5},
        "training": {"batch_size": 20, "epochs": 5, "periods": 2},
    }
    path = folder / "above.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_label_is_value_above_threshold(tmp_path: Path) -> None:
    path = _houses(tmp_path)
    raw = pd.read_csv(path)["median_house_value"]
    data = DataConfig(source=str(path), label="median_house_value", label_above=THRESHOLD)
    loaded = load_dataset(data, tmp_path, seed=0).frame["median_house_value"]
    np.testing.assert_array_equal(loaded.to_numpy(), (raw > THRESHOLD).to_numpy(float))


def test_train_and_evaluate_file_use_the_binary_label(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["train", str(_config(tmp_path)), "--runs-dir", str(tmp_path / "runs"), "--json"]
    )
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["metrics"]["validation"]["accuracy"] > 0.85
    labels = pd.read_csv(Path(run["run_dir"]) / "predictions-validation.csv")["label"]
    assert set(labels) <= {0, 1}
    evaluated = runner.invoke(
        app, ["evaluate", run["run_dir"], "--data", str(tmp_path / "houses.csv"), "--json"]
    )
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert report["task"] == "binary" and report["rows"] == 400


def test_streaming_reads_the_same_labels(tmp_path: Path) -> None:
    args = ["train", str(_config(tmp_path)), "--runs-dir", str(tmp_path / "runs"), "--json"]
    result = runner.invoke(app, [*args, "--set", "data.streaming=true"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["metrics"]["validation"]["accuracy"] > 0.85


def test_label_above_needs_logistic_model(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = runner.invoke(app, ["validate", str(config), "--set", "model.type=linear"])
    assert result.exit_code == 2
    assert "data.label_above" in result.output and "Traceback" not in result.output


def test_non_numeric_label_is_a_data_error(tmp_path: Path) -> None:
    config = _config(tmp_path)
    frame = pd.read_csv(tmp_path / "houses.csv")
    frame["median_house_value"] = frame["median_house_value"].astype(str)
    frame.loc[3, "median_house_value"] = "expensive"
    frame.to_csv(tmp_path / "houses.csv", index=False)
    result = runner.invoke(app, ["train", str(config), "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 2  # the CSV reader names the file:line first
    assert "houses.csv:5" in result.output and "'expensive'" in result.output
    with pytest.raises(DataError, match=r"where: label 'v' has a non-number value 'high'"):
        label_above(pd.Series(["1", "high"], name="v"), 0.5, "where")
