"""multi_label end to end: data.labels loading, training, run files, predict and evaluate."""

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
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.models.linear import LogisticRegression
from mlcc_cli.models.multilabel import MultiLabel
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.loop import train

runner = CliRunner()
LABELS = ["a", "b", "c"]


def _mlcc(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Two features; label a follows x1, b (stored as booleans) x2, c their sum."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "a": (x1 + 0.3 * rng.normal(size=n) > 0).astype(int),
            "b": x2 + 0.3 * rng.normal(size=n) > 0,
            "c": (x1 + x2 > 0.5).astype(int),
        }
    )


def _experiment(tmp_path: Path, frame: pd.DataFrame | None = None, **data: object) -> Path:
    (frame if frame is not None else _frame()).to_csv(tmp_path / "rows.csv", index=False)
    config = {
        "name": "tags",
        "seed": 3,
        "data": {
            "source": "rows.csv",
            "labels": LABELS,
            "split": {"train": 0.7, "validation": 0.3, "test": 0.0},
            **data,
        },
        "model": {"type": "multi_label"},
        "optimizer": {"type": "sgd", "learning_rate": 0.5},
        "training": {"batch_size": 16, "epochs": 5, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_equals_one_logistic_model_per_label() -> None:
    frame = _frame(80)
    X, Y = frame[["x1", "x2"]].to_numpy(), frame[LABELS].to_numpy(dtype=np.float64)
    config = TrainingConfig(batch_size="full", steps=30, periods=2)

    def fitted(model, y):
        train(model, SGD(learning_rate=0.3), X, y, None, None, config, np.random.default_rng(0))
        return model

    multi = fitted(MultiLabel(l2=0.01).initialize(2, len(LABELS)), Y)
    for j in range(len(LABELS)):
        single = fitted(LogisticRegression(l2=0.01), Y[:, j])
        np.testing.assert_allclose(multi.coef_[:, j], single.coef_, atol=1e-10)
        np.testing.assert_allclose(multi.intercept_[j], single.intercept_, atol=1e-10)
        np.testing.assert_allclose(
            multi.predict_proba(X)[:, j], single.predict_proba(X)[:, 1], atol=1e-10
        )


def test_train_predict_evaluate_round_trip(tmp_path: Path) -> None:
    result = _mlcc("train", _experiment(tmp_path), "--runs-dir", tmp_path / "runs", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    run_dir = Path(out["run_dir"])
    validation = out["metrics"]["validation"]
    expected = {"log_loss", "subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"}
    assert expected | {f"log_loss_{name}" for name in LABELS} <= set(validation)
    assert validation["log_loss"] == pytest.approx(
        np.mean([validation[f"log_loss_{name}"] for name in LABELS])
    )
    assert validation["micro_f1"] > 0.8

    model_json = json.loads((run_dir / "model.json").read_text())
    assert model_json["task"] == "multilabel" and model_json["labels"] == LABELS
    assert model_json["inputs"] == ["x1", "x2"]  # label columns are never inputs
    predictions = pd.read_csv(run_dir / "predictions-validation.csv")
    assert list(predictions.columns) == [
        "row_id",
        *[f"{kind}_{name}" for name in LABELS for kind in ("label", "p")],
    ]
    assert len(predictions) == 60
    assert "validation_subset_accuracy" in pd.read_csv(run_dir / "history.csv").columns

    evaluated = _mlcc("evaluate", run_dir, "--split", "validation", "--json")
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert report["task"] == "multilabel" and report["rows"] == 60
    for key, value in report["metrics"].items():
        assert value == pytest.approx(validation[key]), key
    assert [row["label"] for row in report["per_label"]] == LABELS
    shown = _mlcc("evaluate", run_dir, "--split", "validation")
    assert shown.exit_code == 0 and "Per label" in shown.output
    on_file = _mlcc("evaluate", run_dir, "--data", tmp_path / "rows.csv", "--json")
    assert on_file.exit_code == 0, on_file.output
    assert json.loads(on_file.stdout)["rows"] == 200
    _frame().drop(columns="c").to_csv(tmp_path / "no_c.csv", index=False)
    no_label = _mlcc("evaluate", run_dir, "--data", tmp_path / "no_c.csv")
    assert no_label.exit_code == 2 and "no label column 'c'" in no_label.stderr

    rows = tmp_path / "new.csv"
    _frame(5, seed=9).drop(columns=LABELS).to_csv(rows, index=False)
    predicted = _mlcc("predict", run_dir, rows)
    assert predicted.exit_code == 0, predicted.output
    table = pd.read_csv(io.StringIO(predicted.stdout))
    assert list(table.columns) == [
        "row_id",
        *[f"{kind}_{name}" for name in LABELS for kind in ("p", "prediction")],
    ]
    for name in LABELS:
        expected_on = (table[f"p_{name}"] >= 0.5).astype(int)
        assert table[f"prediction_{name}"].tolist() == expected_on.tolist()


def test_a_label_constant_in_training_is_warned_about_by_name(tmp_path: Path) -> None:
    frame = _frame()
    frame["c"] = 1  # always on: there is nothing to tell apart
    path = _experiment(tmp_path, frame)
    result = _mlcc("train", path, "--runs-dir", tmp_path / "runs", "--json")
    assert result.exit_code == 0, result.output
    warnings = [w for w in json.loads(result.stdout)["warnings"] if "teaches nothing" in w]
    assert len(warnings) == 1
    assert "column 'c' is 1 in every one of the 140 training rows" in warnings[0]
    varied = _mlcc("train", _experiment(tmp_path), "--runs-dir", tmp_path / "runs", "--json")
    assert not any("teaches nothing" in w for w in json.loads(varied.stdout)["warnings"])


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        ({"c": ["yes", "no"] * 100}, "column 'c'"),
        ({"a": [0, 1, 2, 1] * 50}, "column 'a'"),
    ],
)
def test_bad_label_columns_exit_2(tmp_path: Path, change: dict, phrase: str) -> None:
    frame = _frame().assign(**change)
    result = _mlcc("train", _experiment(tmp_path, frame), "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2
    assert phrase in result.stderr and "data.labels" in result.stderr


def test_missing_label_column_and_stratify_exit_2(tmp_path: Path) -> None:
    absent = _mlcc("train", _experiment(tmp_path, labels=["a", "zz"]), "--runs-dir", tmp_path)
    assert absent.exit_code == 2 and "data.labels: column 'zz'" in absent.stderr
    stratified = _mlcc("train", _experiment(tmp_path, stratify=True), "--runs-dir", tmp_path)
    assert stratified.exit_code == 2 and "data.stratify" in stratified.stderr
