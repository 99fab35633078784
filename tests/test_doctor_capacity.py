"""The doctor on what a classifier's accuracy hides and what a network's shape forbids,
trained through the real CLI: rare classes lost to a common one (multiclass), and a hidden
layer too narrow for the task, whose widened layer the retrained run shows to help."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cli_helpers import train_json


def _kinds(payload: dict) -> set[str]:
    return {f["kind"] for f in payload["doctor"] if f["severity"] == "warning"}


def _network(source: str, hidden: list[int]) -> dict:
    return {
        "name": "narrow",
        "seed": 42,
        "data": {"source": source},
        "features": [{"type": "zscore"}],
        "model": {"type": "mlp", "hidden_units": hidden},
        "optimizer": {"type": "adam", "learning_rate": 0.01},
        "training": {"batch_size": 32, "epochs": 20, "periods": 10},
    }


def test_a_one_unit_layer_is_named_and_widening_it_helps(tmp_path: Path) -> None:
    # Ten digits squeezed through one number: accuracy 0.25.
    config = _network("builtin:digits", [1])
    before = train_json(tmp_path, config)
    [finding] = [f for f in before["doctor"] if f["kind"] == "narrow_hidden_layer"]
    assert finding["severity"] == "warning"
    assert "10 classes need 9" in finding["evidence"]
    assert finding["fix"] == ["model.hidden_units=[20]"]
    assert "underfitting" not in _kinds(before)  # the bottleneck explains the plateau
    after = train_json(tmp_path, config, finding["fix"][0])
    loss = {n: p["metrics"]["validation"]["log_loss"] for n, p in (("b", before), ("a", after))}
    assert loss["a"] < 0.2 * loss["b"]
    assert "narrow_hidden_layer" not in _kinds(after)


def test_a_layer_wide_enough_is_left_alone(tmp_path: Path) -> None:
    assert "narrow_hidden_layer" not in _kinds(train_json(tmp_path, _network("builtin:iris", [4])))


def _three_classes(tmp_path: Path) -> str:
    """Three overlapping blobs, 90% / 7% / 3% of the rows."""
    rng = np.random.default_rng(5)
    target = rng.choice(3, size=3000, p=[0.9, 0.07, 0.03])
    x = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2]])[target] + rng.normal(size=(3000, 2))
    frame = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target})
    frame.to_csv(tmp_path / "three.csv", index=False)
    return str(tmp_path / "three.csv")


def test_rare_classes_lost_to_a_common_one_are_named(tmp_path: Path) -> None:
    config = {
        "name": "imbalanced",
        "seed": 42,
        "data": {"source": _three_classes(tmp_path), "label": "target"},
        "features": [{"type": "zscore"}],
        "model": {"type": "softmax"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 32, "epochs": 20, "periods": 10},
    }
    payload = train_json(tmp_path, config)
    [finding] = [f for f in payload["doctor"] if f["kind"] == "class_imbalance"]
    scores = payload["metrics"]["validation"]
    assert scores["accuracy"] > scores["baseline_accuracy"] >= 0.5
    assert scores["macro_f1"] < scores["weighted_f1"] - 0.2
    assert "macro F1" in finding["evidence"]
    # balanced classes (iris, a third each) get no such finding
    iris = {**config, "data": {"source": "builtin:iris"}}
    assert "class_imbalance" not in _kinds(train_json(tmp_path, iris))
