"""`mlcc_cli.evaluation`: every number equals scikit-learn's on the same predictions."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from mlcc_cli.evaluation import (
    GRID_THRESHOLDS,
    ThresholdRow,
    build_report,
    evaluate_binary,
    evaluate_regression,
    example_loss,
    precision_recall_of,
    prediction_buckets,
    quantile_buckets,
    roc_of,
    threshold_row,
    threshold_rows,
    threshold_table,
    thresholds,
    worst_examples,
)
from mlcc_cli.evaluation.metric_names import METRIC_NAMES
from mlcc_cli.evaluation.metrics import binary_metrics, task_metrics
from mlcc_cli.rundir.plots import write_plot_folder


def _scores(n: int, seed: int, decimals: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities that are informative but imperfect (rounding makes ties)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(np.float64)
    logit = 1.5 * (2 * y - 1) + rng.normal(0, 1.5, n)
    probability = 1 / (1 + np.exp(-logit))
    if decimals is not None:
        probability = np.round(probability, decimals)
    return y, probability


@pytest.mark.parametrize(("n", "seed", "decimals"), [(200, 0, None), (500, 1, 1), (37, 2, 2)])
def test_curves_equal_sklearn(n: int, seed: int, decimals: int | None) -> None:
    y, p = _scores(n, seed, decimals)
    roc = roc_of(y, p)
    fpr, tpr, thresholds = skm.roc_curve(y, p)
    np.testing.assert_array_equal(roc.fpr, fpr)
    np.testing.assert_array_equal(roc.tpr, tpr)
    np.testing.assert_array_equal(roc.thresholds, thresholds)
    assert roc.auc == skm.roc_auc_score(y, p)
    curve = precision_recall_of(y, p)
    precision, recall, pr_thresholds = skm.precision_recall_curve(y, p, drop_intermediate=True)
    np.testing.assert_array_equal(curve.precision, precision)
    np.testing.assert_array_equal(curve.recall, recall)
    np.testing.assert_array_equal(curve.thresholds, pr_thresholds)
    assert curve.average_precision == skm.average_precision_score(y, p)


@pytest.mark.parametrize("threshold", [0.0, 0.1, 0.37, 0.5, 0.9, 1.0])
def test_threshold_row_equals_sklearn(threshold: float) -> None:
    y, p = _scores(300, 3)
    assert_row_is_sklearns(threshold_row(y, p, threshold), y, p)


def assert_row_is_sklearns(row: ThresholdRow, y: np.ndarray, p: np.ndarray) -> None:
    predicted = (p >= row.threshold).astype(int)
    (tn, fp), (fn, tp) = skm.confusion_matrix(y, predicted, labels=[0, 1])
    assert (row.tp, row.fp, row.tn, row.fn) == (tp, fp, tn, fn)
    assert row.accuracy == skm.accuracy_score(y, predicted)
    assert row.precision == skm.precision_score(y, predicted, zero_division=0)
    assert row.recall == skm.recall_score(y, predicted, zero_division=0)
    assert row.f1 == skm.f1_score(y, predicted, zero_division=0)
    # FPR = 1 − specificity, and specificity is the recall of class 0.
    assert row.fpr == pytest.approx(1 - skm.recall_score(y, predicted, pos_label=0))


@pytest.mark.parametrize("batch_cells", [thresholds.BATCH_CELLS, 0])  # 0: one at a time
def test_threshold_rows_at_once_equal_each_row_alone(
    batch_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thresholds, "BATCH_CELLS", batch_cells)
    y, p = _scores(300, 4)
    reasons = {0.0: (), 0.25: ("chosen",), 0.5: (), 0.999: ("best F1",), 1.0: ()}
    rows = threshold_rows(y, p, reasons)
    assert [row.threshold for row in rows] == sorted(reasons)
    for row in rows:
        assert_row_is_sklearns(row, y, p)
        assert row.reasons == reasons[row.threshold]
    single = threshold_rows(np.zeros(5), np.linspace(0, 1, 5), {0.5: ()})[0]  # one class
    assert (single.tp, single.fp, single.tn, single.fn, single.precision) == (0, 3, 2, 0, 0.0)


def test_tumour_classifier_from_the_crash_course() -> None:
    """91% accurate, precision 0.5, recall 0.11: and no better than always "benign"."""
    # TP 1, FP 1, FN 8, TN 90 at threshold 0.5 (class 1 = malignant).
    y = np.array([1] * 1 + [0] * 1 + [1] * 8 + [0] * 90, dtype=np.float64)
    p = np.array([0.9] * 1 + [0.8] * 1 + [0.3] * 8 + [0.1] * 90)
    result, warnings = evaluate_binary(y, p, 0.5, ["benign", "malignant"])
    chosen = next(row for row in result.thresholds if "chosen" in row.reasons)
    assert (chosen.tp, chosen.fp, chosen.fn, chosen.tn) == (1, 1, 8, 90)
    assert chosen.accuracy == pytest.approx(0.91)
    assert chosen.precision == pytest.approx(0.5)
    assert chosen.recall == pytest.approx(1 / 9) and round(chosen.recall, 2) == 0.11
    assert result.confusion.labels == ["benign", "malignant"]
    assert result.confusion.counts.tolist() == [[90, 1], [8, 1]]  # rows actual, cols predicted
    baseline = result.baseline
    assert (baseline.majority_class, baseline.accuracy) == ("benign", pytest.approx(0.91))
    assert not baseline.beaten
    assert any("does not beat the majority-class baseline" in w for w in warnings)
    metrics = task_metrics("binary", y, p, 0.5)
    assert metrics["baseline_accuracy"] == pytest.approx(0.91)
    assert metrics["accuracy"] == pytest.approx(0.91)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_raising_the_threshold_never_raises_recall(seed: int) -> None:
    y, p = _scores(400, seed, decimals=2)
    table = threshold_table(y, p, 0.35, precision_recall_of(y, p))
    thresholds = [row.threshold for row in table]
    assert thresholds == sorted(thresholds) and set(GRID_THRESHOLDS) <= set(thresholds)
    recalls = [row.recall for row in table]
    assert all(a >= b for a, b in itertools.pairwise(recalls))
    dense = [threshold_row(y, p, t).recall for t in np.linspace(0, 1, 101)]
    assert all(a >= b for a, b in itertools.pairwise(dense))


def test_best_f1_and_break_even_rows() -> None:
    y, p = _scores(150, 7, decimals=2)
    curve = precision_recall_of(y, p)
    table = threshold_table(y, p, 0.5, curve)
    scores = [
        skm.precision_recall_fscore_support(y, (p >= t).astype(int), average="binary")[:3]
        for t in np.unique(p)
    ]  # (precision, recall, F1) at every distinct score
    best = next(row for row in table if "best F1" in row.reasons)
    assert best.f1 == pytest.approx(max(f1 for _, _, f1 in scores))
    even = next(row for row in table if "precision = recall" in row.reasons)
    gaps = [abs(precision - recall) for precision, recall, _ in scores]
    assert abs(even.precision - even.recall) == pytest.approx(min(gaps))


@pytest.mark.parametrize(("n", "seed", "decimals"), [(250, 8, None), (300, 9, 1), (23, 10, 2)])
def test_calibration_buckets_equal_sklearn_calibration_curve(
    n: int, seed: int, decimals: int | None
) -> None:
    y, p = _scores(n, seed, decimals)
    buckets = prediction_buckets(y, p, errors=False)
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
    np.testing.assert_allclose([b.mean_label for b in buckets], observed, rtol=1e-12)
    np.testing.assert_allclose([b.mean_prediction for b in buckets], predicted, rtol=1e-12)
    assert sum(b.count for b in buckets) == n
    edges = np.quantile(p, np.linspace(0, 1, 11))
    np.testing.assert_allclose([b.lower for b in buckets][:1], edges[:1])
    for bucket in buckets:
        assert bucket.prediction_bias == pytest.approx(bucket.mean_prediction - bucket.mean_label)


def test_regression_buckets_equal_sklearn_per_bucket() -> None:
    rng = np.random.default_rng(11)
    y = rng.normal(10, 3, 200)
    prediction = y + rng.normal(0.5, 1, 200)
    result = evaluate_regression(y, prediction)
    ids, edges = quantile_buckets(prediction)
    np.testing.assert_allclose(edges, np.quantile(prediction, np.linspace(0, 1, 11)))
    assert len(result.residuals) == 10
    for k, bucket in enumerate(result.residuals):
        rows = ids == k
        assert bucket.count == rows.sum()
        assert bucket.rmse == pytest.approx(skm.root_mean_squared_error(y[rows], prediction[rows]))
        assert bucket.mae == pytest.approx(skm.mean_absolute_error(y[rows], prediction[rows]))
        assert bucket.mean_label == pytest.approx(y[rows].mean())
    assert result.prediction_bias == pytest.approx(prediction.mean() - y.mean())


def test_example_loss_averages_to_sklearn() -> None:
    y, p = _scores(100, 12)
    p[:3] = [0.0, 1.0, 1e-20]  # clipped as sklearn clips them
    assert example_loss("binary", y, p).mean() == pytest.approx(
        skm.log_loss(y, p, labels=[0, 1]), rel=1e-12
    )
    prediction = p * 3
    assert example_loss("regression", y, prediction).mean() == pytest.approx(
        skm.mean_squared_error(y, prediction)
    )


def test_worst_examples_show_the_source_rows() -> None:
    rows = pd.DataFrame(
        {
            "city": ["a", "b", "c", "d"],
            "size": [1.0, np.nan, 3.0, 4.0],
            "sold": ["y", "n", "y", "n"],
        },
        index=pd.Index([10, 11, 12, 13], name="row_id"),
    )
    y = np.array([1.0, 0.0, 1.0, 0.0])
    p = np.array([0.9, 0.95, 0.2, 0.5])
    worst = worst_examples("binary", rows, y, p, 3, label="sold", classes=["n", "y"], threshold=0.5)
    assert [w.row_id for w in worst] == [11, 12, 13]
    assert worst[0].features == {"city": "b", "size": None}  # the label is shown apart
    assert (worst[0].label, worst[0].predicted_class) == ("n", "y")
    assert worst[2].predicted_class == "y"  # P = 0.5 ≥ threshold 0.5
    assert json.dumps([w.to_json() for w in worst], allow_nan=False)
    assert worst_examples("binary", rows, y, p, 0, label="sold", classes=None, threshold=0.5) == []


def test_single_class_rows_have_no_curves() -> None:
    y = np.zeros(20)
    p = np.linspace(0.05, 0.6, 20)
    result, warnings = evaluate_binary(y, p, 0.5, ["no", "yes"])
    assert result.roc is None and result.precision_recall is None
    assert any("every row is labelled 'no'" in w for w in warnings)
    assert result.thresholds[0].fpr == pytest.approx(18 / 20)  # P ≥ 0.1: 18 of 20 negatives
    payload = result.to_json()
    assert payload["roc"] is None and len(payload["calibration"]["buckets"]) > 0


def test_report_json_carries_every_number() -> None:
    y, p = _scores(120, 13)
    report = build_report(
        run_dir=Path("run"),
        rows_from="validation split",
        name="validation",
        task="binary",
        y=y,
        prediction=p,
        threshold=0.4,
        classes=["no", "yes"],
        worst=[],
        warnings=[],
    )
    payload = json.loads(json.dumps(report.to_json(), allow_nan=False))
    fpr, tpr, thresholds = skm.roc_curve(y, p)
    assert payload["roc"]["fpr"] == fpr.tolist() and payload["roc"]["tpr"] == tpr.tolist()
    assert payload["roc"]["thresholds"][0] is None  # +inf has no JSON spelling
    assert payload["roc"]["thresholds"][1:] == thresholds[1:].tolist()
    assert payload["roc"]["auc"] == payload["metrics"]["auc"]
    assert payload["precision_recall"]["average_precision"] == pytest.approx(
        payload["metrics"]["average_precision"]
    )
    table = payload["threshold_table"]
    assert {"tp", "fp", "tn", "fn", "accuracy", "precision", "recall", "fpr", "f1"} <= set(table[0])
    chosen = next(row for row in table if "chosen" in row["reasons"])
    assert chosen["threshold"] == 0.4
    assert chosen["precision"] == pytest.approx(payload["metrics"]["precision"])
    counts = skm.confusion_matrix(y, (p >= 0.4).astype(int)).tolist()
    assert payload["confusion_matrix"]["counts"] == counts
    assert payload["calibration"]["log_loss"] == pytest.approx(skm.log_loss(y, p))
    assert payload["rows"] == 120 and payload["task"] == "binary"


def test_plot_folder_is_replaced_only_when_complete(tmp_path: Path) -> None:
    folder = tmp_path / "evaluate" / "validation"

    def write(text: str) -> object:
        return lambda path: path.write_text(text)

    write_plot_folder(folder, {"a.png": write("first"), "b.png": write("first")})
    assert sorted(p.name for p in folder.iterdir()) == ["a.png", "b.png"]

    def broken(path: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_plot_folder(folder, {"a.png": write("second"), "b.png": broken})
    assert (folder / "a.png").read_text() == "first"  # the earlier folder is untouched
    write_plot_folder(folder, {"c.png": write("third")})
    assert [p.name for p in folder.iterdir()] == ["c.png"]  # replaced, not merged
    assert [p.name for p in folder.parent.iterdir()] == ["validation"]  # no staging left


@pytest.mark.parametrize("threshold", [0.5, 0.999])  # 0.999: nothing predicted positive
def test_binary_metrics_are_sklearns_own_scores(threshold: float) -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(300) < 0.4).astype(float)
    probability = np.clip(0.3 * y + rng.random(300) * 0.7, 0.0, 0.99)
    predicted = (probability >= threshold).astype(int)
    metrics = binary_metrics(y, probability, threshold)
    assert metrics["precision"] == skm.precision_score(y, predicted, zero_division=0)
    assert metrics["recall"] == skm.recall_score(y, predicted, zero_division=0)
    assert metrics["f1"] == skm.f1_score(y, predicted, zero_division=0)
    assert metrics["accuracy"] == skm.accuracy_score(y, predicted)
    assert metrics["log_loss"] == skm.log_loss(y, probability, labels=[0, 1])
    assert metrics["auc"] == skm.roc_auc_score(y, probability)


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass", "multilabel"])
def test_metric_names_are_the_keys_each_task_records(task: str) -> None:
    # `mlcc sweep --metric` is checked against METRIC_NAMES before training: they must be
    # exactly what task_metrics writes into metrics.json.
    rng = np.random.default_rng(0)
    y = {
        "regression": rng.random(20),
        "binary": np.arange(20) % 2,
        "multiclass": np.arange(20) % 3,
        "multilabel": np.stack([np.arange(20) % 2, np.arange(20) // 10], axis=1),
    }[task].astype(float)
    prediction = {
        "regression": rng.random(20),
        "binary": rng.uniform(0.1, 0.9, 20),
        "multiclass": np.full((20, 3), 1 / 3),
        "multilabel": rng.uniform(0.1, 0.9, (20, 2)),
    }[task]
    keys = set(task_metrics(task, y, prediction, 0.5, labels=["a", "b"]))
    per_label = {"log_loss_a", "log_loss_b"} if task == "multilabel" else set()
    assert keys == set(METRIC_NAMES[task]) | per_label
