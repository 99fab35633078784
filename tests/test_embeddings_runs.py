"""mlp model.embeddings through the pipeline: indicator ranges, run files, reload and predict."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.features.design import design_matrix, indicator_ranges

runner = CliRunner()
CITIES = {"paris": 1.0, "rome": 0.8, "oslo": -1.0, "lima": -0.7, "kyiv": 0.0}


def _mlcc(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _experiment(tmp_path: Path, **model: object) -> Path:
    rng = np.random.default_rng(0)
    n = 240
    x = rng.normal(size=n)
    city = rng.choice(list(CITIES), size=n)
    effect = np.array([CITIES[c] for c in city])
    y = (x + effect + 0.3 * rng.normal(size=n) > 0).astype(int)
    pd.DataFrame({"x": x, "city": city, "y": y}).to_csv(tmp_path / "rows.csv", index=False)
    config = {
        "name": "cities",
        "seed": 1,
        "data": {"source": "rows.csv", "label": "y"},
        "features": [{"type": "one_hot", "columns": ["city"]}],
        "inputs": ["x", "city"],
        "model": {"type": "mlp", "hidden_units": [6], "embeddings": {"city": 3}, **model},
        "optimizer": {"type": "adam", "learning_rate": 0.01},
        "training": {"batch_size": 32, "epochs": 4, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_indicator_ranges_follow_the_design_matrix() -> None:
    frame = pd.DataFrame(
        {
            "a": [1.0, 2.0, 3.0],
            "city": pd.Categorical(["x", "y", "x"], categories=["x", "y", "z"]),
            "b": [0.0, 1.0, 0.0],
            "tag": pd.Categorical(["p", "q", "p"]),
        }
    )
    ranges = indicator_ranges(frame, ["a", "city", "b", "tag"])
    assert ranges == {"city": (1, 4), "tag": (5, 7)}
    X = design_matrix(frame, ["a", "city", "b", "tag"]).toarray()
    np.testing.assert_array_equal(X[:, 1:4], [[1, 0, 0], [0, 1, 0], [1, 0, 0]])


def test_train_writes_embeddings_and_reloads(tmp_path: Path) -> None:
    result = _mlcc("train", _experiment(tmp_path), "--runs-dir", tmp_path / "runs", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    run_dir = Path(out["run_dir"])

    table = pd.read_csv(run_dir / "embeddings-city.csv", keep_default_na=False)
    assert list(table.columns) == ["category", "e1", "e2", "e3"]
    assert set(CITIES) <= set(table["category"])  # plus one_hot's bucket for unseen cities
    assert (run_dir / "plots" / "embeddings-city.png").stat().st_size > 0
    model_json = json.loads((run_dir / "model.json").read_text())
    start, stop = model_json["embedding_columns"]["city"]
    assert stop - start == len(table)
    with np.load(run_dir / "model.npz") as arrays:
        np.testing.assert_array_equal(arrays["embedding_city"], table[["e1", "e2", "e3"]])

    evaluated = _mlcc("evaluate", run_dir, "--split", "validation", "--json")
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)["metrics"]
    for key, value in out["metrics"]["validation"].items():
        if key in report and value is not None:
            assert report[key] == pytest.approx(value, abs=1e-12), key

    rows = tmp_path / "new.csv"
    pd.DataFrame({"x": [0.1, -0.2], "city": ["paris", "tokyo"]}).to_csv(rows, index=False)
    predicted = _mlcc("predict", run_dir, rows)
    assert predicted.exit_code == 0, predicted.output
    probability = pd.read_csv(io.StringIO(predicted.stdout))["prediction"]
    assert probability.between(0, 1).all() and len(probability) == 2


@pytest.mark.parametrize(
    ("embeddings", "phrase"),
    [({"x": 2}, "model.embeddings.x"), ({"town": 2}, "model.embeddings.town")],
)
def test_embedding_of_a_non_categorical_input_exits_2(
    tmp_path: Path, embeddings: dict, phrase: str
) -> None:
    result = _mlcc(
        "train", _experiment(tmp_path, embeddings=embeddings), "--runs-dir", tmp_path / "runs"
    )
    assert result.exit_code == 2
    assert phrase in result.stderr
