"""`mlcc_cli.evaluation.slices` and `mlcc evaluate --slice-by`: metrics per group of rows.

Every slice's numbers equal scikit-learn's on that slice's rows; slices sum back to all rows.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn import metrics as skm
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.evaluation import evaluate_slices, slice_codes, slice_metrics
from mlcc_cli.evaluation.slices import FEW_ROWS, MISSING

runner = CliRunner()


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def _scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Labels, informative probabilities and a group column (with gaps); group "c" is noisy."""
    rng = np.random.default_rng(seed)
    group = pd.Series(rng.choice(["a", "b", "c"], size=n), dtype=object)
    group[rng.random(n) < 0.1] = None
    y = (rng.random(n) < 0.4).astype(np.float64)
    noise = np.where(group == "c", 3.0, 1.0)
    p = 1 / (1 + np.exp(-(2.0 * (2 * y - 1) + rng.normal(0, noise))))
    return y, p, group


def test_binary_slices_equal_sklearn_and_sum_to_all_rows() -> None:
    y, p, group = _scores(400, 0)
    report = evaluate_slices("group", group, "binary", y, p, 0.5)
    assert report.names == ["a", "b", "c", MISSING] and not report.bucketed
    cells = np.zeros((2, 2), dtype=np.int64)
    for row in report.rows:
        inside = group.isna() if row.name == MISSING else group == row.name
        yk, pk = y[inside.to_numpy()], p[inside.to_numpy()]
        (tn, fp), (fn, tp) = skm.confusion_matrix(yk, pk >= 0.5, labels=[0, 1])
        m = row.metrics
        assert (m["tn"], m["fp"], m["fn"], m["tp"]) == (tn, fp, fn, tp)
        assert row.count == len(yk) and m["positives"] == int(yk.sum())
        assert m["fpr"] == pytest.approx(fp / (fp + tn))
        assert m["fnr"] == pytest.approx(fn / (fn + tp))
        assert m["accuracy"] == pytest.approx(skm.accuracy_score(yk, pk >= 0.5))
        assert m["auc"] == pytest.approx(skm.roc_auc_score(yk, pk))
        assert m["prediction_bias"] == pytest.approx(pk.mean() - yk.mean())
        assert m["mean_prediction"] == pytest.approx(pk.mean())
        cells += [[m["tn"], m["fp"]], [m["fn"], m["tp"]]]
    assert sum(row.count for row in report.rows) == report.total.count == 400
    np.testing.assert_array_equal(cells, skm.confusion_matrix(y, p >= 0.5))
    # The noisy group is flagged (its error rates are far above all rows'); JSON has no NaN.
    noisy = next(row for row in report.rows if row.name == "c")
    assert noisy.flags and all(f.startswith(("FPR ×", "FNR ×")) for f in noisy.flags)
    json.dumps(report.to_json(), allow_nan=False)


def test_a_slice_with_one_class_has_no_auc_and_few_rows_are_marked() -> None:
    y = np.array([1, 1, 1, 0, 1, 0] + [0, 1] * 20, dtype=np.float64)
    p = np.array([0.9, 0.4, 0.8, 0.3, 0.7, 0.6] + [0.2, 0.8] * 20)
    group = pd.Series(["one"] * 3 + ["two"] * 3 + ["three"] * 40)
    report = evaluate_slices("g", group, "binary", y, p, 0.5)
    one = report.to_json()["rows"][0]
    assert one["slice"] == "one" and one["auc"] is None and one["fpr"] is None
    assert one["fnr"] == pytest.approx(1 / 3) and one["few_rows"] is True
    assert [row.few_rows for row in report.rows] == [True, False, True]  # sorted by value
    assert report.to_json()["few_rows_below"] == FEW_ROWS


def test_regression_slices_equal_sklearn() -> None:
    rng = np.random.default_rng(1)
    age = pd.Series(rng.integers(1, 53, 300).astype(np.float64))
    age[:7] = np.nan
    y = rng.normal(10, 3, 300)
    prediction = y + rng.normal(0, 1, 300) + 0.05 * age.fillna(0).to_numpy()
    report = evaluate_slices("age", age, "regression", y, prediction, 0.5)
    assert report.bucketed and len(report.rows) == 5 and report.names[-1] == MISSING
    _, codes, _ = slice_codes(age, 4)
    for k, row in enumerate(report.rows):
        inside = codes == k
        yk, pk = y[inside], prediction[inside]
        assert row.metrics["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(yk, pk)))
        assert row.metrics["mae"] == pytest.approx(skm.mean_absolute_error(yk, pk))
        assert row.metrics["prediction_bias"] == pytest.approx(pk.mean() - yk.mean())
    assert sum(row.count for row in report.rows) == 300
    assert report.rows[-1].count == 7
    assert report.total.metrics["rmse"] == pytest.approx(
        math.sqrt(skm.mean_squared_error(y, prediction))
    )


def test_quantile_buckets_are_pandas_qcut_with_interval_names() -> None:
    values = pd.Series(np.arange(1, 101, dtype=np.float64))
    names, codes, bucketed = slice_codes(values, 4)
    assert bucketed
    assert names == ["[1, 25.75]", "(25.75, 50.5]", "(50.5, 75.25]", "(75.25, 100]"]
    np.testing.assert_array_equal(codes, pd.qcut(values, 4).cat.codes.to_numpy())
    # Repeated values share edges: qcut(duplicates="drop") merges buckets, with a warning.
    skewed = pd.Series([0.0] * 80 + list(range(1, 21)))
    report = evaluate_slices("x", skewed, "regression", np.zeros(100), np.ones(100), 0.5)
    assert len(report.names) < 4 and "quantile buckets instead of 4" in report.warnings[0]


@pytest.mark.parametrize(
    ("values", "names", "per_row"),
    [
        ([3, 1, 2, 1, 3], ["1", "2", "3"], ["3", "1", "2", "1", "3"]),  # sorted by value
        ([0.5, np.nan, 1.0, 0.5], ["0.5", "1", MISSING], ["0.5", MISSING, "1", "0.5"]),
        (["b", None, "a", "b"], ["a", "b", MISSING], ["b", MISSING, "a", "b"]),
        ([True, False, True], ["False", "True"], ["True", "False", "True"]),
    ],
)
def test_one_slice_per_value(values: list, names: list[str], per_row: list[str]) -> None:
    got, codes, bucketed = slice_codes(pd.Series(values), 4)
    assert got == names and not bucketed
    assert [got[c] for c in codes] == per_row


def test_multiclass_and_multilabel_slice_metrics() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 60).astype(np.float64)
    probability = rng.dirichlet(np.ones(3), 60)
    scores = slice_metrics("multiclass", y, probability, 0.5)
    assert scores["accuracy"] == pytest.approx(skm.accuracy_score(y, probability.argmax(1)))
    assert scores["log_loss"] == pytest.approx(skm.log_loss(y, probability, labels=[0, 1, 2]))
    labels = rng.integers(0, 2, (60, 2)).astype(np.float64)
    p = rng.random((60, 2))
    scores = slice_metrics("multilabel", labels, p, 0.5)
    per_label = [skm.accuracy_score(labels[:, j], p[:, j] >= 0.5) for j in range(2)]
    assert scores["label_accuracy"] == pytest.approx(np.mean(per_label))


# ------------------------------------------------------------------------ the command


def _houses(n_rows: int, seed: int) -> pd.DataFrame:
    """Houses with a price, a yes/no label and a city (missing for some rows, not an input)."""
    rng = np.random.default_rng(seed)
    rooms, people = rng.uniform(2, 10, n_rows), rng.uniform(1, 5, n_rows)
    age = rng.uniform(0, 50, n_rows)
    city = pd.Series(rng.choice(["north", "south", "east"], size=n_rows), dtype=object)
    city[rng.random(n_rows) < 0.1] = None
    value = 30 * rooms / people - 0.5 * age + rng.normal(0, 2, n_rows)
    noisy = value + rng.normal(0, 8, n_rows) + 8 * (city == "north")
    return pd.DataFrame(
        {
            "rooms": rooms,
            "people": people,
            "age": age,
            "city": city,
            "value": value,
            "expensive": np.where(noisy > 30, "yes", "no"),
        }
    )


def _train(folder: Path, label: str, model: str, **data: object) -> Path:
    """Train on houses.csv; the model never reads `city`. In memory, a filter drops rows (a
    stream cannot drop rows)."""
    frame = _houses(400, 0)
    frame.drop(columns="value" if label == "expensive" else "expensive").to_csv(
        folder / "houses.csv", index=False
    )
    config = {
        "name": "slices",
        "data": {"source": "houses.csv", "label": label, **data},
        "features": [
            {
                "type": "ratio",
                "name": "rooms_per_person",
                "numerator": "rooms",
                "denominator": "people",
            },
            *([] if data.get("streaming") else [{"type": "filter", "columns": ["age"], "max": 45}]),
            {"type": "zscore", "columns": ["rooms_per_person", "age"]},
        ],
        "inputs": ["rooms_per_person", "age"],
        "model": {"type": model},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 16, "epochs": 3, "periods": 1},
    }
    (folder / "exp.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    result = mlcc("train", folder / "exp.yaml", "--runs-dir", folder / "runs", "--quiet")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip())


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("slices"), "expensive", "logistic")


def _saved_with(run_dir: Path, column: str) -> pd.DataFrame:
    """The run's saved validation predictions joined with `column` of the source rows."""
    saved = pd.read_csv(run_dir / "predictions-validation.csv")
    source = pd.read_csv(run_dir.parent.parent / "houses.csv")
    saved[column] = source[column].to_numpy()[saved["row_id"].to_numpy()]
    return saved


def test_evaluate_slice_by_json_matches_sklearn_per_slice(classifier: Path) -> None:
    result = mlcc("evaluate", classifier, "--slice-by", "city", "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    slices = report["slices"]
    assert slices["column"] == "city" and slices["values"] == ["east", "north", "south", MISSING]
    saved = _saved_with(classifier, "city")
    assert len(saved) == report["rows"] < 80  # the filter dropped some validation rows
    cells = np.zeros((2, 2), dtype=np.int64)
    for row in slices["rows"]:
        inside = saved["city"].isna() if row["slice"] == MISSING else saved["city"] == row["slice"]
        y, p = saved.loc[inside, "label"], saved.loc[inside, "prediction"]
        (tn, fp), (fn, tp) = skm.confusion_matrix(y, p >= 0.5, labels=[0, 1])
        assert [row[k] for k in ("tn", "fp", "fn", "tp")] == [tn, fp, fn, tp], row["slice"]
        assert row["count"] == len(y)
        cells += [[row["tn"], row["fp"]], [row["fn"], row["tp"]]]
    assert sum(row["count"] for row in slices["rows"]) == slices["all"]["count"] == report["rows"]
    assert cells.tolist() == report["confusion_matrix"]["counts"]
    assert slices["all"]["auc"] == pytest.approx(report["metrics"]["auc"])


def test_evaluate_slice_by_renders_a_table(classifier: Path) -> None:
    result = mlcc("evaluate", classifier, "--slice-by", "age", "--slice-buckets", "3", "--no-plots")
    assert result.exit_code == 0, result.output
    for phrase in ("Per quantile bucket of age", "all rows", "FNR", "Confusion matrix"):
        assert phrase in result.stdout, phrase
    assert result.stdout.index("Per quantile bucket") < result.stdout.index("Confusion matrix")
    assert result.stderr == ""


def test_slice_by_a_column_the_steps_create(classifier: Path, tmp_path: Path) -> None:
    _houses(120, 5).drop(columns="value").to_csv(tmp_path / "fresh.csv", index=False)
    args = ["--data", tmp_path / "fresh.csv", "--slice-by", "rooms_per_person", "--json"]
    report = json.loads(mlcc("evaluate", classifier, *args, "--no-plots").stdout)
    assert len(report["slices"]["buckets"]) == 4
    assert sum(row["count"] for row in report["slices"]["rows"]) == report["rows"]


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (["--slice-by", "cty"], ["--slice-by: no column 'cty'", "Did you mean 'city'?", "age"]),
        (["--slice-by", "city", "--slice-buckets", "0"], ["--slice-buckets: 0 is below 1"]),
    ],
)
def test_bad_slice_options_exit_2(classifier: Path, args: list[str], phrases: list[str]) -> None:
    result = mlcc("evaluate", classifier, *args, "--no-plots")
    assert result.exit_code == 2, result.output
    for phrase in phrases:
        assert phrase in result.stderr, phrase
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize("streaming", [False, True])
def test_regression_slices_of_a_run(tmp_path: Path, streaming: bool) -> None:
    """In memory and streamed (which reads only the columns the run uses, plus city)."""
    extra = {"streaming": True, "chunk_rows": 37} if streaming else {}
    run_dir = _train(tmp_path, "value", "linear", **extra)
    result = mlcc("evaluate", run_dir, "--slice-by", "city", "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    saved = _saved_with(run_dir, "city")
    assert report["rows"] == len(saved)
    for row in report["slices"]["rows"]:
        inside = saved["city"].isna() if row["slice"] == MISSING else saved["city"] == row["slice"]
        y, p = saved.loc[inside, "label"], saved.loc[inside, "prediction"]
        assert row["count"] == len(y)
        assert row["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(y, p)))
        assert row["prediction_bias"] == pytest.approx(p.mean() - y.mean())
    assert report["slices"]["all"]["rmse"] == pytest.approx(report["metrics"]["rmse"])
    assert MISSING in report["slices"]["values"]


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_multiclass_and_multilabel_runs(tmp_path: Path, task: str) -> None:
    rng = np.random.default_rng(4)
    x1, x2 = rng.normal(size=240), rng.normal(size=240)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "group": rng.choice(["p", "q"], size=240)})
    if task == "multiclass":
        frame["kind"] = np.select([x1 < -0.4, x1 < 0.4], ["low", "mid"], "high")
        data, model = {"label": "kind"}, "softmax"
    else:
        frame["a"], frame["b"] = (x1 > 0).astype(int), (x2 > 0).astype(int)
        data, model = {"labels": ["a", "b"]}, "multi_label"
    frame.to_csv(tmp_path / "rows.csv", index=False)
    config = {
        "name": task,
        "data": {"source": "rows.csv", **data},
        "model": {"type": model},
        "optimizer": {"type": "sgd", "learning_rate": 0.5},
        "training": {"batch_size": 16, "epochs": 3, "periods": 1},
    }
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    trained = mlcc("train", tmp_path / "exp.yaml", "--runs-dir", tmp_path / "runs", "--quiet")
    assert trained.exit_code == 0, trained.output
    run_dir = trained.stdout.strip()
    result = mlcc("evaluate", run_dir, "--slice-by", "group", "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    slices = report["slices"]
    assert slices["values"] == ["p", "q"]
    assert sum(row["count"] for row in slices["rows"]) == report["rows"]
    if task == "multiclass":
        assert slices["all"]["accuracy"] == pytest.approx(report["metrics"]["accuracy"])
    else:
        expected = 1 - report["metrics"]["hamming_loss"]
        assert slices["all"]["label_accuracy"] == pytest.approx(expected)
    human = mlcc("evaluate", run_dir, "--slice-by", "group", "--no-plots")
    assert human.exit_code == 0 and "Per value of group" in human.stdout


def test_more_buckets_than_the_ties_allow_leave_out_the_empty_ones(tmp_path: Path) -> None:
    """Rounded values: qcut's 60 edges leave some buckets empty, which used to crash."""
    values = pd.Series(np.round(np.random.default_rng(3).normal(size=300), 1))
    names, codes, bucketed = slice_codes(values, 60)
    assert bucketed and len(names) == len(np.unique(codes)) < 60
    quickstart = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"
    run = mlcc("train", quickstart, "--runs-dir", tmp_path, "--quiet", "--no-plots")
    run_dir = run.stdout.strip()
    result = mlcc("evaluate", run_dir, "--slice-by", "mean_radius", "--slice-buckets", "60")
    assert result.exit_code == 0, result.output
    # More buckets than rows: as many as there are distinct values, not an out-of-memory exit
    huge = mlcc("evaluate", run_dir, "--slice-by", "mean_radius", "--slice-buckets", "10" * 7)
    assert huge.exit_code == 0, huge.output
    assert "quantile buckets instead of 10101010101010" in " ".join(huge.output.split())
