"""The doctor on a long-tailed label, trained through the real CLI: the few huge labels that
dominate the squared error are named; for a count label the Poisson model it suggests is
retrained and must fit far better, and `mlcc doctor RUN` finds the same from the run folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from cli_helpers import mlcc, train_json


def _long_tailed(tmp_path: Path, counts: bool) -> dict:
    """y grows multiplicatively with x1, x2: Poisson counts of rate exp(1.5 + 0.9·x1 − 0.6·x2),
    or lognormal prices exp(4.5 + 0.9·x1 − 0.6·x2 + N(0, 0.35²))."""
    rng = np.random.default_rng(10)
    x = rng.normal(size=(2000, 2))  # (2000, 2)
    if counts:
        y = rng.poisson(np.exp(1.5 + 0.9 * x[:, 0] - 0.6 * x[:, 1]))
    else:
        y = np.exp(4.5 + 0.9 * x[:, 0] - 0.6 * x[:, 1] + rng.normal(0.0, 0.35, 2000))
    path = tmp_path / "tail.csv"
    pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "y": y}).to_csv(path, index=False)
    return {
        "name": "tail",
        "seed": 42,
        "data": {"source": str(path), "label": "y"},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
        "training": {"batch_size": 32, "epochs": 20, "periods": 10},
    }


def _found(payload: dict) -> list[dict]:
    return [f for f in payload["doctor"] if f["kind"] == "long_tailed_label"]


def test_a_long_tailed_count_label_gets_poisson_regression(tmp_path: Path) -> None:
    config = _long_tailed(tmp_path, counts=True)
    before = train_json(tmp_path, config)
    [finding] = _found(before)
    assert finding["severity"] == "warning" and "squared error" in finding["evidence"]
    assert finding["fix"] == ["model.type=poisson"]
    after = train_json(tmp_path, config, finding["fix"][0])
    r2 = {n: p["metrics"]["validation"]["r2"] for n, p in (("b", before), ("a", after))}
    assert r2["b"] < 0.6 < 0.85 < r2["a"]
    assert not _found(after)
    # read back from the run folder, the doctor says the same
    result = mlcc("doctor", before["run_dir"], "--json")
    assert result.exit_code == 0, result.output
    assert [f["kind"] for f in json.loads(result.stdout)["findings"]].count("long_tailed_label")


def test_a_long_tailed_price_label_is_named_without_a_count_model(tmp_path: Path) -> None:
    [finding] = _found(train_json(tmp_path, _long_tailed(tmp_path, counts=False)))
    assert finding["fix"] == [] and "log of the label" in finding["advice"]
