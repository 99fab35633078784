"""The doctor's fixes retrained through the real CLI, where a plausible fix would not help.

A glitch that multiplies a few values of a centred input by 1000 leaves outliers at both
ends: the clip the doctor offers must cut both, or the fit it promises does not come back.
An L2 penalty offered to a plain-SGD run at a large rate must not shrink the weights so
hard each step (1 − 2ηλ₂) that the retrained run diverges. Long tails, which cost a run some
fit, are listed after what starves the model (an L1 zeroing its weights), whose fix wins more."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cli_helpers import train_json


def _glitched(tmp_path: Path, rows: int = 1500) -> str:
    """y = 2·sensor + other + noise, then 1% of `sensor` readings multiplied by 1000 (either
    sign, as the readings are centred on 0) while y keeps the true value."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(rows, 2))  # (rows, 2)
    y = 2.0 * x[:, 0] + x[:, 1] + rng.normal(0.0, 0.5, rows)
    sensor = x[:, 0].copy()
    sensor[rng.choice(rows, rows // 100, replace=False)] *= 1000.0
    frame = pd.DataFrame({"sensor": sensor, "other": x[:, 1], "y": y})
    frame.to_csv(tmp_path / "glitch.csv", index=False)
    return str(tmp_path / "glitch.csv")


def test_outliers_at_both_ends_are_clipped_at_both_ends(tmp_path: Path) -> None:
    config = {
        "name": "glitch",
        "seed": 7,
        "data": {"source": _glitched(tmp_path), "label": "y"},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 10, "periods": 5},
    }
    before = train_json(tmp_path, config)
    [finding] = [f for f in before["doctor"] if f["kind"] == "long_tails"]
    assert finding["severity"] == "warning"
    # the evidence quotes both far ends, the advice and the fix clip both
    assert "falls to" in finding["evidence"] and "reaches" in finding["evidence"]
    assert "1st and 99th percentiles" in finding["advice"]
    clip = "{type: clip, columns: [sensor], lower_quantile: 0.01, upper_quantile: 0.99}"
    assert finding["fix"] == [f"features=[{clip}, {{type: zscore}}]"]
    after = train_json(tmp_path, config, finding["fix"][0])
    r2 = {name: p["metrics"]["validation"]["r2"] for name, p in (("b", before), ("a", after))}
    assert r2["b"] < 0.5 < 0.9 < r2["a"]
    assert "long_tails" not in {f["kind"] for f in after["doctor"]}


def test_the_l2_offered_to_a_large_sgd_rate_does_not_wipe_the_weights(tmp_path: Path) -> None:
    # Full-batch SGD at rate 50: the weights grow huge, validation log loss 4× training's.
    config = {
        "name": "steep",
        "seed": 7,
        "data": {"source": "builtin:breast_cancer"},
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 50.0},
        "training": {"batch_size": "full", "epochs": 80, "periods": 10},
    }
    before = train_json(tmp_path, config)
    [finding] = [f for f in before["doctor"] if f["kind"] == "overfitting"]
    [l2] = [fix for fix in finding["fix"] if fix.startswith("model.l2=")]
    assert 2 * 50.0 * float(l2.split("=")[1]) <= 0.1  # FIRST_L2 = 0.01 would take all
    after = train_json(tmp_path, config, l2)
    assert after["status"] == "complete"
    loss = {
        name: p["metrics"]["validation"]["log_loss"] for name, p in (("b", before), ("a", after))
    }
    assert loss["a"] < loss["b"]


def test_a_model_that_l1_starves_is_named_before_its_long_tailed_inputs(tmp_path: Path) -> None:
    # All 30 tumour measurements (several long-tailed) and an L1 that zeroes most weights:
    # the next step printed first must be the one that wins the fit back.
    config = {
        "name": "starved",
        "seed": 3,
        "data": {"source": "builtin:breast_cancer"},
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic", "l1": 1.0},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 32, "epochs": 20, "periods": 10},
    }
    before = train_json(tmp_path, config)
    warnings = [f for f in before["doctor"] if f["severity"] == "warning"]
    kinds = [f["kind"] for f in warnings]
    assert "l1_sparsity" in kinds  # underfitting may lead
    # the tails cost a linear refit little: a fact (info), or else a warning listed last
    [tail] = [f for f in before["doctor"] if f["kind"] == "long_tails"]
    assert tail["severity"] == "info" or kinds[-1] == "long_tails"
    after = train_json(tmp_path, config, warnings[0]["fix"][0])
    tails = train_json(tmp_path, config, tail["fix"][0])
    loss = {n: p["metrics"]["validation"]["log_loss"] for n, p in (("b", before), ("a", after))}
    assert loss["a"] < tails["metrics"]["validation"]["log_loss"] and loss["a"] < loss["b"]
