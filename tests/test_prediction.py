"""`mlcc predict` and `mlcc evaluate`: a saved run replays its pipeline and model exactly."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app

runner = CliRunner()


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def _table(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rooms = rng.uniform(2, 10, n_rows)
    people = rng.uniform(1, 5, n_rows)
    age = rng.uniform(0, 50, n_rows)
    value = 30 * rooms / people - 0.5 * age + rng.normal(0, 2, n_rows)
    return pd.DataFrame({"rooms": rooms, "people": people, "age": age, "value": value})


def _train(tmp_path: Path, features: list[dict], **data: object) -> Path:
    """Train a small linear experiment on a CSV; return its run directory."""
    _table(400, 0).to_csv(tmp_path / "houses.csv", index=False)
    config = {
        "name": "houses",
        "data": {
            "source": "houses.csv",
            "label": "value",
            "split": {"train": 0.6, "validation": 0.2, "test": 0.2},
            **data,
        },
        "features": features,
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 16, "epochs": 5, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = mlcc("train", path, "--runs-dir", tmp_path / "runs", "--quiet")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip())


FEATURES = [
    {"type": "ratio", "name": "rooms_per_person", "numerator": "rooms", "denominator": "people"},
    {"type": "zscore"},
]


def test_predict_reproduces_the_validation_predictions(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES)
    saved = pd.read_csv(run_dir / "predictions-validation.csv")
    rows = pd.read_csv(tmp_path / "houses.csv").loc[saved["row_id"]].drop(columns="value")
    rows.to_csv(tmp_path / "new.csv", index=False)
    result = mlcc("predict", run_dir, tmp_path / "new.csv")
    assert result.exit_code == 0, result.output
    predicted = pd.read_csv(StringIO(result.stdout))
    assert list(predicted.columns) == ["row_id", "prediction"]
    np.testing.assert_allclose(predicted["prediction"], saved["prediction"], rtol=1e-12)


def test_predict_writes_a_file_and_a_failure_keeps_the_old_one(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES)
    _table(10, 1).drop(columns="value").to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out.csv"
    result = mlcc("predict", run_dir, tmp_path / "new.csv", "-o", out)
    assert result.exit_code == 0, result.output
    assert "wrote 10 predictions" in result.stderr
    first = out.read_text()
    assert len(pd.read_csv(out)) == 10
    _table(10, 1).drop(columns="people").to_csv(tmp_path / "bad.csv", index=False)
    result = mlcc("predict", run_dir, tmp_path / "bad.csv", "-o", out)
    assert result.exit_code == 2
    assert "'people' not found" in result.stderr and "Traceback" not in result.output
    assert out.read_text() == first


@pytest.mark.parametrize("split", ["validation", "test", "train"])
def test_evaluate_a_split_matches_metrics_json(tmp_path: Path, split: str) -> None:
    run_dir = _train(tmp_path, FEATURES)
    if split == "test":  # metrics.json holds test only after `train --test`
        expected = None
    else:
        expected = json.loads((run_dir / "metrics.json").read_text())[split]
    result = mlcc("evaluate", run_dir, "--split", split, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rows"] == {"train": 240, "validation": 80, "test": 80}[split]
    if expected is not None:
        for key in ("rmse", "mae", "r2"):
            assert report["metrics"][key] == pytest.approx(expected[key], rel=1e-12)


def test_evaluate_a_labelled_file_and_its_errors(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES)
    _table(50, 7).to_csv(tmp_path / "fresh.csv", index=False)
    result = mlcc("evaluate", run_dir, "--data", tmp_path / "fresh.csv")
    assert result.exit_code == 0, result.output
    assert "50 rows" in result.stdout and "rmse" in result.stdout
    _table(50, 7).drop(columns="value").to_csv(tmp_path / "unlabelled.csv", index=False)
    result = mlcc("evaluate", run_dir, "--data", tmp_path / "unlabelled.csv")
    assert result.exit_code == 2 and "no label column 'value'" in result.stderr
    for args, phrase in [
        (["--split", "holdout"], "--split: 'holdout' is not a split"),
        (["--data", tmp_path / "nope.csv"], "not found"),
    ]:
        result = mlcc("evaluate", run_dir, *args)
        assert result.exit_code == 2 and phrase in result.stderr, result.output


def test_not_a_run_directory_exits_2(tmp_path: Path) -> None:
    for command in (["evaluate", tmp_path], ["predict", tmp_path, tmp_path / "x.csv"]):
        result = mlcc(*command)
        assert result.exit_code == 2
        assert "not a finished mlcc run" in result.stderr and "Traceback" not in result.output


def test_cleaning_steps_apply_to_evaluation_but_not_to_prediction(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, [{"type": "filter", "columns": ["age"], "max": 25}, *FEATURES])
    frame = _table(60, 3)
    frame.to_csv(tmp_path / "fresh.csv", index=False)
    kept = int((frame["age"] <= 25).sum())
    report = json.loads(
        mlcc("evaluate", run_dir, "--data", tmp_path / "fresh.csv", "--json").stdout
    )
    assert report["rows"] == kept < 60
    predicted = pd.read_csv(StringIO(mlcc("predict", run_dir, tmp_path / "fresh.csv").stdout))
    assert len(predicted) == 60 and predicted["prediction"].notna().all()


def test_rows_the_run_cannot_fill_get_an_empty_prediction(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES)
    frame = _table(5, 4).drop(columns="value")
    frame.loc[2, "age"] = np.nan
    frame.to_csv(tmp_path / "gappy.csv", index=False)
    result = mlcc("predict", run_dir, tmp_path / "gappy.csv")
    assert result.exit_code == 0, result.output
    predicted = pd.read_csv(StringIO(result.stdout))
    assert predicted["prediction"].isna().tolist() == [False, False, True, False, False]
    assert "1 of 5 rows miss values" in result.stderr


def test_imputed_runs_predict_rows_with_gaps(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES, missing="mean")
    frame = _table(5, 4).drop(columns="value")
    frame.loc[2, "age"] = np.nan
    frame.to_csv(tmp_path / "gappy.csv", index=False)
    predicted = pd.read_csv(StringIO(mlcc("predict", run_dir, tmp_path / "gappy.csv").stdout))
    assert predicted["prediction"].notna().all()


def test_classifier_predictions_name_the_class(tmp_path: Path) -> None:
    frame = _table(300, 5)
    frame["expensive"] = np.where(frame.pop("value") > 30, "yes", "no")
    frame.to_csv(tmp_path / "houses.csv", index=False)
    config = {
        "name": "cls",
        "data": {"source": "houses.csv", "label": "expensive"},
        "features": FEATURES,
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 16, "epochs": 3, "periods": 1},
        "evaluation": {"threshold": 0.4},
    }
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    result = mlcc("train", tmp_path / "exp.yaml", "--runs-dir", tmp_path / "runs", "--quiet")
    run_dir = Path(result.stdout.strip())
    frame.drop(columns="expensive").head(20).to_csv(tmp_path / "new.csv", index=False)
    predicted = pd.read_csv(StringIO(mlcc("predict", run_dir, tmp_path / "new.csv").stdout))
    expected = np.where(predicted["prediction"] >= 0.4, "yes", "no")
    assert predicted["class"].tolist() == expected.tolist()
    report = json.loads(mlcc("evaluate", run_dir, "--threshold", "0.9", "--json").stdout)
    assert report["threshold"] == 0.9 and 0.0 <= report["metrics"]["auc"] <= 1.0
