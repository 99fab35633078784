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


def _train(
    tmp_path: Path, features: list[dict], *, learning_rate: float = 0.05, **data: object
) -> Path:
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
        "optimizer": {"type": "sgd", "learning_rate": learning_rate},
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
    assert "missing column 'people' that the run reads" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_text() == first


def test_text_where_the_model_read_numbers_is_named_for_predict_and_evaluate(
    tmp_path: Path,
) -> None:
    run_dir = _train(tmp_path, [], learning_rate=1e-4)  # unscaled inputs
    rows = _table(6, 1)
    rows["age"] = ["12", "old", "30", "new", "unknown", "old"]
    rows.to_csv(tmp_path / "text.csv", index=False)
    predicted = mlcc("predict", run_dir, tmp_path / "text.csv")
    evaluated = mlcc("evaluate", run_dir, "--data", tmp_path / "text.csv")
    for result in (predicted, evaluated):
        assert result.exit_code == 2, result.output
        assert "text.csv: column 'age' holds text ('old', 'new', 'unknown')" in result.stderr
        assert "where the run was trained on numbers" in result.stderr
        assert "Traceback" not in result.output


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


# ------------------------------------------------------------------ mlcc evaluate, in full

CITIES = ["north", "south", "east", "west"]


def _labelled(n_rows: int, seed: int) -> pd.DataFrame:
    """Houses with a yes/no label: expensive when value is high (noisy, so some errors)."""
    frame = _table(n_rows, seed)
    rng = np.random.default_rng(seed + 100)
    frame["city"] = rng.choice(CITIES, size=n_rows)
    value = frame.pop("value") + rng.normal(0, 8, n_rows) + 5 * (frame["city"] == "north")
    frame["expensive"] = np.where(value > 30, "yes", "no")
    return frame


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A trained logistic run on houses.csv, and the output of `mlcc train`."""
    folder = tmp_path_factory.mktemp("classifier")
    _labelled(500, 0).to_csv(folder / "houses.csv", index=False)
    config = {
        "name": "cls",
        "data": {"source": "houses.csv", "label": "expensive"},
        "features": [*FEATURES, {"type": "one_hot", "columns": ["city"]}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 16, "epochs": 4, "periods": 2},
    }
    (folder / "exp.yaml").write_text(yaml.safe_dump(config))
    result = mlcc("train", folder / "exp.yaml", "--runs-dir", folder / "runs")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1].split()[-1]), result


def test_train_shows_the_headline_and_writes_roc_and_calibration(classifier) -> None:
    run_dir, result = classifier
    assert "AUC" in result.stdout and "majority-class baseline" in result.stdout
    assert {p.name for p in (run_dir / "plots").iterdir()} == {
        "loss.png",
        "roc.png",
        "calibration.png",
    }
    metrics = json.loads((run_dir / "metrics.json").read_text())["validation"]
    for key in ("log_loss", "accuracy", "precision", "recall", "f1", "auc", "prediction_bias"):
        assert key in metrics  # the SPEC's keys stay; average_precision etc. are additions
    assert {"average_precision", "baseline_accuracy"} <= set(metrics)


def test_evaluate_json_equals_sklearn_on_the_saved_predictions(classifier) -> None:
    from sklearn import metrics as skm
    from sklearn.calibration import calibration_curve

    run_dir, _ = classifier
    result = mlcc("evaluate", run_dir, "--json", "--worst", "4")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    saved = pd.read_csv(run_dir / "predictions-validation.csv")
    y, p = saved["label"].to_numpy(), saved["prediction"].to_numpy()
    np.testing.assert_allclose(report["roc"]["fpr"], skm.roc_curve(y, p)[0], rtol=1e-12)
    np.testing.assert_allclose(report["roc"]["tpr"], skm.roc_curve(y, p)[1], rtol=1e-12)
    assert report["roc"]["auc"] == pytest.approx(skm.roc_auc_score(y, p), rel=1e-12)
    assert report["precision_recall"]["average_precision"] == pytest.approx(
        skm.average_precision_score(y, p), rel=1e-12
    )
    assert report["confusion_matrix"]["labels"] == ["no", "yes"]
    assert report["confusion_matrix"]["counts"] == skm.confusion_matrix(y, p >= 0.5).tolist()
    assert report["calibration"]["log_loss"] == pytest.approx(skm.log_loss(y, p), rel=1e-9)
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
    buckets = report["calibration"]["buckets"]
    np.testing.assert_allclose([b["mean_label"] for b in buckets], observed, rtol=1e-9)
    np.testing.assert_allclose([b["mean_prediction"] for b in buckets], predicted, rtol=1e-9)
    expected = json.loads((run_dir / "metrics.json").read_text())["validation"]
    for key, value in report["metrics"].items():
        assert value == pytest.approx(expected[key], rel=1e-12)
    # The worst examples: highest log loss first, with the rows as read from the CSV.
    loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    worst_ids = saved["row_id"].to_numpy()[np.argsort(-loss, kind="stable")[:4]]
    assert [w["row_id"] for w in report["worst_examples"]] == worst_ids.tolist()
    source = pd.read_csv(run_dir.parent.parent / "houses.csv")
    first = report["worst_examples"][0]
    assert first["features"] == pytest.approx(
        source.drop(columns="expensive").loc[first["row_id"]].to_dict()
    )
    assert first["label"] == source.loc[first["row_id"], "expensive"]
    plots = Path(report["plots_dir"])
    assert plots == run_dir / "evaluate" / "validation"
    assert sorted(p.name for p in plots.iterdir()) == ["calibration.png", "pr.png", "roc.png"]


def test_evaluate_renders_every_section(classifier) -> None:
    run_dir, _ = classifier
    result = mlcc("evaluate", run_dir, "--threshold", "0.3", "--worst", "2")
    assert result.exit_code == 0, result.output
    for phrase in (
        "ROC curve",
        "majority-class baseline",
        "Confusion matrix at threshold 0.3",
        "Thresholds",
        "best F1",
        "Calibration",
        "Highest-loss examples",
        "evaluate/validation",
    ):
        assert phrase in result.stdout, phrase
    assert result.stderr == ""


def test_evaluate_a_new_file_with_unseen_categories(classifier, tmp_path: Path) -> None:
    run_dir, _ = classifier
    fresh = _labelled(60, 9)
    fresh.loc[:9, "city"] = "[atlantis]"  # never seen in training (and looks like markup)
    fresh.to_csv(tmp_path / "fresh.csv", index=False)
    result = mlcc("evaluate", run_dir, "--data", tmp_path / "fresh.csv", "--json", "--worst", "60")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["rows"] == 60 and report["rows_from"] == str(tmp_path / "fresh.csv")
    cities = {w["row_id"]: w["features"]["city"] for w in report["worst_examples"]}
    assert all(cities[i] == "[atlantis]" for i in range(10))
    assert Path(report["plots_dir"]) == run_dir / "evaluate" / "data-fresh"
    result = mlcc("evaluate", run_dir, "--data", tmp_path / "fresh.csv", "--worst", "60")
    assert result.exit_code == 0, result.output
    assert "city=[atlantis]" in result.stdout


def test_missing_columns_are_named(classifier, tmp_path: Path) -> None:
    run_dir, _ = classifier
    _labelled(20, 9).drop(columns=["people", "city"]).to_csv(tmp_path / "thin.csv", index=False)
    result = mlcc("evaluate", run_dir, "--data", tmp_path / "thin.csv")
    assert result.exit_code == 2, result.output
    assert "missing columns 'people', 'city'" in result.stderr
    assert "Traceback" not in result.output


def test_no_plots_writes_nothing_and_a_rerun_replaces_the_folder(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES)
    assert {p.name for p in (run_dir / "plots").iterdir()} == {"loss.png", "residuals.png"}
    result = mlcc("evaluate", run_dir, "--split", "test", "--no-plots", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["plots_dir"] is None
    assert not (run_dir / "evaluate").exists()
    folder = run_dir / "evaluate" / "test"
    for _ in range(2):
        result = mlcc("evaluate", run_dir, "--split", "test")
        assert result.exit_code == 0, result.output
        assert [p.name for p in folder.iterdir()] == ["residuals.png"]
    assert [p.name for p in folder.parent.iterdir()] == ["test"]  # no staging left behind
    report = json.loads(mlcc("evaluate", run_dir, "--split", "test", "--json").stdout)
    buckets = report["residuals"]["buckets"]
    assert len(buckets) == 10 and sum(b["count"] for b in buckets) == report["rows"] == 80
    assert {"rmse", "mae", "prediction_bias"} <= set(buckets[0])
    assert len(report["worst_examples"]) == 10 and "roc" not in report


def test_streamed_split_finds_the_same_worst_examples(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES, streaming=True, chunk_rows=37)
    report = json.loads(mlcc("evaluate", run_dir, "--json", "--worst", "5").stdout)
    saved = pd.read_csv(run_dir / "predictions-validation.csv")
    loss = (saved["prediction"] - saved["label"]) ** 2
    expected = saved["row_id"].to_numpy()[np.argsort(-loss.to_numpy(), kind="stable")[:5]]
    assert [w["row_id"] for w in report["worst_examples"]] == expected.tolist()
    source = pd.read_csv(tmp_path / "houses.csv")
    for example in report["worst_examples"]:
        row = source.loc[example["row_id"]]
        assert example["features"] == pytest.approx(row.drop("value").to_dict())
        assert example["label"] == pytest.approx(row["value"])


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--threshold", "-0.1"], "--threshold: -0.1 is outside [0, 1]"),
        (["--threshold", "1.5"], "--threshold: 1.5 is outside [0, 1]"),
        (["--worst", "-1"], "--worst: -1 is negative"),
        # options that would otherwise be ignored without a word
        (["--data", "houses.csv", "--split", "test"], "--split test and --data houses.csv"),
        (["--data", "houses.csv", "--allow-changed-data"], "--allow-changed-data: only for"),
        (["--slice-buckets", "5"], "--slice-buckets 5: only with --slice-by"),
    ],
)
def test_bad_options_exit_2(classifier, args: list[str], phrase: str) -> None:
    run_dir, _ = classifier
    before = {(p, p.stat().st_mtime_ns) for p in run_dir.rglob("*")}
    result = mlcc("evaluate", run_dir, *args, "--json")
    assert result.exit_code == 2 and phrase in result.stderr, result.output
    assert json.loads(result.stdout)["error"]["exit_code"] == 2
    assert {(p, p.stat().st_mtime_ns) for p in run_dir.rglob("*")} == before  # nothing written


def test_threshold_on_a_regression_run_exits_2(tmp_path: Path) -> None:
    run_dir = _train(tmp_path, FEATURES)
    result = mlcc("evaluate", run_dir, "--threshold", "0.3", "--no-plots")
    assert result.exit_code == 2, result.output
    assert "--threshold 0.3: the run is a regression model" in result.stderr


def test_missing_or_incomplete_run_directories_exit_2(classifier, tmp_path: Path) -> None:
    import shutil

    run_dir, _ = classifier
    result = mlcc("evaluate", tmp_path / "no-such-run")
    assert result.exit_code == 2 and "no such folder" in result.stderr
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "model.npz").unlink()
    for command in (["evaluate", broken], ["predict", broken, tmp_path / "rows.csv"]):
        result = mlcc(*command)
        assert result.exit_code == 2 and "is incomplete (model.npz missing)" in result.stderr
        assert "Traceback" not in result.output
