"""Feature steps through the real CLI: fitted on training rows only, saved, replayed."""

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
CITIES = ["north", "south", "east", "west", "harbour", "hill"]


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def _frame(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(CITIES, size=n_rows, p=[0.3, 0.3, 0.2, 0.178, 0.02, 0.002])
    latitude = rng.uniform(32, 42, n_rows)
    income = rng.lognormal(1, 0.5, n_rows)
    sold = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n_rows), "h")
    bonus = pd.Series(city).map({c: 10.0 * i for i, c in enumerate(CITIES)}).to_numpy()
    value = 20 * income + bonus + 5 * np.sin(latitude) + rng.normal(0, 1, n_rows)
    return pd.DataFrame(
        {"city": city, "latitude": latitude, "income": income, "sold": sold, "value": value}
    )


FEATURES = [
    {"type": "one_hot", "columns": ["city"], "min_frequency": 5},
    {"type": "bucketize", "columns": ["latitude"], "bins": 4},
    {"type": "time_bucket", "column": "sold", "unit": "month"},
    {"type": "cross", "columns": ["city", "latitude"], "hash_buckets": 64},
    {"type": "zscore", "columns": ["income"]},
]


def _config(tmp_path: Path, **changes: object) -> Path:
    _frame(600, 0).to_csv(tmp_path / "homes.csv", index=False)
    config = {
        "name": "homes",
        "data": {"source": "homes.csv", "label": "value"},
        "features": FEATURES,
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 20, "epochs": 10, "periods": 2},
        **changes,
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _train(path: Path) -> Path:
    result = mlcc("train", path, "--runs-dir", path.parent / "runs", "--quiet")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip())


def test_every_statistic_comes_from_the_training_rows(tmp_path: Path) -> None:
    run_dir = _train(_config(tmp_path))
    frame = pd.read_csv(tmp_path / "homes.csv")
    held_out = pd.read_csv(run_dir / "predictions-validation.csv")["row_id"]
    train = frame.drop(index=held_out)
    steps = json.loads((run_dir / "model.json").read_text())["pipeline"]["transforms"]
    fitted = {step["type"]: step["fitted"] for step in steps}
    vocabulary = sorted(v for v, n in train["city"].value_counts().items() if n >= 5)
    assert fitted["one_hot"]["vocabulary_"]["city"] == vocabulary
    edges = train["latitude"].quantile([0.25, 0.5, 0.75]).to_numpy()
    np.testing.assert_allclose(fitted["bucketize"]["boundaries_"]["latitude"], edges)
    assert fitted["zscore"]["mean_"]["income"] == pytest.approx(train["income"].mean())
    # With every row, the statistics would differ: the test can tell a leak apart.
    assert frame["income"].mean() != pytest.approx(train["income"].mean())


def test_sparse_run_saves_names_and_predicts_unseen_categories(tmp_path: Path) -> None:
    run_dir = _train(_config(tmp_path))
    model = json.loads((run_dir / "model.json").read_text())
    names = model["feature_names"]
    assert model["n_features"] == len(names) == (5 + 1) + 4 + 12 + 64 + 1  # <other> too
    assert "city_<other>" in names and "latitude_bucket_3" in names and "sold_month_dec" in names
    new = _frame(8, 9).drop(columns="value")
    new.loc[0, "city"] = "atlantis"  # never seen in training
    new.loc[1, "city"] = "hill"  # rarer than min_frequency: also <other>
    new.to_csv(tmp_path / "new.csv", index=False)
    result = mlcc("predict", run_dir, tmp_path / "new.csv")
    assert result.exit_code == 0, result.output
    predicted = pd.read_csv(StringIO(result.stdout))
    assert len(predicted) == 8 and np.isfinite(predicted["prediction"]).all()
    report = json.loads(mlcc("evaluate", run_dir, "--json").stdout)
    assert report["rows_from"] == "validation split" and report["metrics"]["r2"] > 0.9


def test_evaluate_split_equals_the_training_metrics_for_a_sparse_run(tmp_path: Path) -> None:
    run_dir = _train(_config(tmp_path))
    expected = json.loads((run_dir / "metrics.json").read_text())["validation"]
    report = json.loads(mlcc("evaluate", run_dir, "--split", "validation", "--json").stdout)
    assert report["metrics"]["rmse"] == pytest.approx(expected["rmse"], rel=1e-12)


@pytest.mark.parametrize(
    ("step", "phrase"),
    [
        ({"type": "bucketize", "columns": ["latitude"], "bins": 1}, "features.1.bins"),
        ({"type": "polynomial", "columns": ["income"], "degree": 0}, "features.1.degree"),
        ({"type": "hash", "columns": ["city"], "buckets": 0}, "features.1.buckets"),
        ({"type": "one_hot", "columns": ["citty"]}, "features.1 (one_hot): column 'citty'"),
        ({"type": "cross", "columns": ["city"]}, "features.1.columns"),
        ({"type": "pca", "columns": ["income", "latitude"], "components": 3}, "features.1"),
        ({"type": "cross", "columns": ["city", "income"]}, "features.1 (cross)"),
    ],
)
def test_malformed_steps_exit_2_naming_the_key(tmp_path: Path, step: dict, phrase: str) -> None:
    features = [{"type": "zscore", "columns": ["income"]}, step]
    result = mlcc("train", _config(tmp_path, features=features), "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_streaming_refuses_steps_it_cannot_run(tmp_path: Path) -> None:
    data = {"source": "homes.csv", "label": "value", "streaming": True}
    path = _config(tmp_path, data=data)
    result = mlcc("train", path, "--runs-dir", tmp_path / "r")
    assert result.exit_code == 2 and "categorical" in result.stderr
    features = [{"type": "pca", "columns": ["income", "latitude"], "components": 1}]
    result = mlcc("validate", _config(tmp_path, data=data, features=features))
    assert result.exit_code == 2 and "features.0 (pca)" in result.stderr
