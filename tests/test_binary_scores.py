"""evaluation.binary_scores against scikit-learn: exactly its numbers, ties included."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from mlcc_cli.evaluation import binary_scores as scores


def _case(seed: int, n: int, decimals: int | None) -> tuple[np.ndarray, np.ndarray]:
    """0/1 labels and P(1) that lean towards them; rounded to `decimals` for ties."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    p = 1 / (1 + np.exp(-(2 * y - 1) * rng.uniform(0, 2) - rng.normal(size=n)))
    if decimals is not None:
        p = p.round(decimals)
    y[:2] = [0, 1]  # both classes always present
    return y, p


CASES = [(seed, n, d) for seed in range(4) for n, d in [(85, None), (400, 2), (7, 1), (50, 0)]]


@pytest.mark.parametrize(("seed", "n", "decimals"), CASES)
def test_curves_and_areas_equal_sklearns(seed: int, n: int, decimals: int | None) -> None:
    y, p = _case(seed, n, decimals)
    for ours, theirs in zip(scores.roc_curve(y, p), skm.roc_curve(y, p), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(
        scores.precision_recall_curve(y, p), skm.precision_recall_curve(y, p), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)
    assert scores.roc_auc(y, p) == skm.roc_auc_score(y, p)
    assert scores.average_precision(y, p) == skm.average_precision_score(y, p)


@pytest.mark.parametrize(("seed", "n", "decimals"), CASES)
def test_log_loss_and_counts_equal_sklearns(seed: int, n: int, decimals: int | None) -> None:
    y, p = _case(seed, n, decimals)
    p[0], p[1] = 0.0, 1.0 if n > 10 else p[1]  # a certain (wrong) prediction: clipped
    assert scores.log_loss(y, p) == skm.log_loss(y, p, labels=[0, 1])
    predicted = (p >= 0.5).astype(np.int64)
    tn, fp, fn, tp = skm.confusion_matrix(y, predicted, labels=[0, 1]).ravel().tolist()
    assert scores.confusion_counts(y, predicted) == (tn, fp, fn, tp)


def test_ratio_is_zero_for_an_empty_denominator() -> None:
    assert scores.ratio(3, 4) == 0.75
    assert scores.ratio(0, 0) == 0.0


@pytest.mark.parametrize(("seed", "n", "decimals"), CASES)
def test_binary_metrics_equal_sklearns(seed: int, n: int, decimals: int | None) -> None:
    from sklearn.dummy import DummyClassifier

    from mlcc_cli.evaluation.metrics import binary_metrics, majority_baseline

    y, p = _case(seed, n, decimals)
    predicted = (p >= 0.3).astype(np.int64)
    ours = binary_metrics(y.astype(float), p, threshold=0.3)
    assert ours["accuracy"] == skm.accuracy_score(y, predicted)
    assert ours["precision"] == skm.precision_score(y, predicted, zero_division=0)
    assert ours["recall"] == skm.recall_score(y, predicted, zero_division=0)
    assert ours["f1"] == skm.f1_score(y, predicted, zero_division=0)
    assert ours["auc"] == skm.roc_auc_score(y, p)
    dummy = DummyClassifier(strategy="most_frequent").fit(np.zeros((n, 1)), y)
    assert majority_baseline(y) == (int(dummy.predict([[0]])[0]), dummy.score(np.zeros((n, 1)), y))


def test_precision_and_f1_are_zero_without_predicted_positives() -> None:
    from mlcc_cli.evaluation.metrics import binary_metrics

    ours = binary_metrics(np.array([0.0, 1.0, 1.0]), np.array([0.1, 0.2, 0.3]), threshold=0.9)
    assert ours["precision"] == ours["recall"] == ours["f1"] == 0.0
