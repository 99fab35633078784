"""history.csv's last period measures the final weights as metrics.json does (scikit-learn).

A classifier's accuracy columns use the run's `evaluation.threshold`, the rule behind every
other number of the run, so a run at threshold 0.2 plots the accuracy it reports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp, softmax
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.metrics import accuracy_score, log_loss

from cli_helpers import train_json

THRESHOLD = 0.2


def _classifier(source: str, streaming: bool) -> dict:
    """Breast cancer after a few small steps: many probabilities lie between 0.2 and 0.5."""
    return {
        "name": "history-threshold",
        "seed": 5,
        "data": {
            "source": source,
            "label": "target",
            "split": {"train": 0.7, "validation": 0.3},
            "streaming": streaming,
        },
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.002},
        "training": {"batch_size": 32, "epochs": 1, "periods": 2},
        "evaluation": {"threshold": THRESHOLD},
    }


@pytest.mark.parametrize("streaming", [False, True], ids=["in-memory", "streaming"])
def test_history_accuracy_uses_the_runs_threshold(tmp_path: Path, streaming: bool) -> None:
    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    source = tmp_path / "cancer.csv"
    frame.to_csv(source, index=False)
    payload = train_json(tmp_path, _classifier(str(source), streaming))
    run = Path(payload["run_dir"])
    last = pd.read_csv(run / "history.csv").iloc[-1]
    rows = pd.read_csv(run / "predictions-validation.csv")
    at_threshold = accuracy_score(rows["label"], rows["prediction"] >= THRESHOLD)
    at_half = accuracy_score(rows["label"], rows["prediction"] >= 0.5)
    assert at_threshold != at_half  # the test can tell the two rules apart
    assert last["validation_accuracy"] == pytest.approx(at_threshold, abs=1e-12)
    assert last["train_accuracy"] == pytest.approx(
        payload["metrics"]["train"]["accuracy"], abs=1e-12
    )


def test_multilabel_history_subset_accuracy_uses_the_runs_threshold(tmp_path: Path) -> None:
    frame = load_breast_cancer(as_frame=True).frame
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    frame["large"] = (frame["mean_area"] > frame["mean_area"].median()).astype(int)
    source = tmp_path / "cancer.csv"
    frame.to_csv(source, index=False)
    config = _classifier(str(source), streaming=False)
    config["data"] = {"source": str(source), "labels": ["target", "large"]}
    config["data"]["split"] = {"train": 0.7, "validation": 0.3}
    config["features"] = [{"type": "zscore", "columns": ["mean_radius", "worst_texture"]}]
    config["inputs"] = ["mean_radius", "worst_texture"]
    config["model"] = {"type": "multi_label"}
    payload = train_json(tmp_path, config)
    run = Path(payload["run_dir"])
    last = pd.read_csv(run / "history.csv").iloc[-1]
    rows = pd.read_csv(run / "predictions-validation.csv")
    labels = rows[["label_target", "label_large"]].to_numpy()
    probability = rows[["p_target", "p_large"]].to_numpy()
    at_threshold = accuracy_score(labels, (probability >= THRESHOLD).astype(np.int64))
    assert at_threshold != accuracy_score(labels, (probability >= 0.5).astype(np.int64))
    assert last["validation_subset_accuracy"] == pytest.approx(at_threshold, abs=1e-12)
    assert last["train_subset_accuracy"] == pytest.approx(
        payload["metrics"]["train"]["subset_accuracy"], abs=1e-12
    )


def test_history_loss_is_the_exact_cross_entropy_metrics_json_is_scikit_learns(
    tmp_path: Path,
) -> None:
    # Raw 0-16 pixels at a large step: confidently wrong rows, P(true class) under 1e-16.
    config = {
        "name": "confident",
        "seed": 42,
        "data": {"source": "builtin:digits", "split": {"train": 0.7, "validation": 0.3}},
        "model": {"type": "softmax"},
        "optimizer": {"type": "sgd", "learning_rate": 0.5},
        "training": {"batch_size": 32, "epochs": 3, "periods": 1},
    }
    payload = train_json(tmp_path, config)
    run = Path(payload["run_dir"])
    rows = pd.read_csv(run / "predictions-validation.csv")
    digits = load_digits()
    X, y = digits.data[rows["row_id"]], digits.target[rows["row_id"]]
    weights = np.load(run / "model.npz")
    Z = X @ weights["coef_"] + weights["intercept_"]  # (n, 10) logits
    exact = float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]))
    clipped = log_loss(y, softmax(Z, axis=1), labels=range(10))  # P clipped to [ε, 1 − ε]
    assert exact > clipped + 0.1  # the two conventions part here
    assert pd.read_csv(run / "history.csv")["validation_loss"].iloc[-1] == pytest.approx(exact)
    assert payload["metrics"]["validation"]["log_loss"] == pytest.approx(clipped)
