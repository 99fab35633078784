"""The doctor's scaling fix, trained through the real CLI and retrained with it.

Z-scored, every weight lives in new units: a rate tuned to raw inputs no longer suits them
(plain SGD's was held tiny by the largest spread; Adam and Adagrad move each weight about the
rate a step, a crawl once the weights must reach the label's scale). So where a range test on
the z-scored inputs measures a rate far from the run's, the fix sets both together, and the
retrained run must beat the raw one; the z-score alone, at Adam's raw-input rate, does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import mlcc, train_json
from mlcc_cli.doctor.findings import fix_overrides

RAW_TUMOURS = {
    "name": "raw",
    "seed": 42,
    "data": {"source": "builtin:breast_cancer"},
    "features": [],
    "model": {"type": "logistic"},
    "training": {"batch_size": 32, "epochs": 20, "periods": 10},
}


def _scaling(payload: dict) -> dict:
    [finding] = [f for f in payload["doctor"] if f["kind"] == "features_not_scaled"]
    return finding


@pytest.mark.parametrize(("kind", "rate"), [("adam", 1e-4), ("adagrad", 1e-3), ("sgd", 1e-7)])
def test_the_scaling_fix_brings_a_rate_for_z_scored_inputs(
    tmp_path: Path, kind: str, rate: float
) -> None:
    config = {**RAW_TUMOURS, "optimizer": {"type": kind, "learning_rate": rate}}
    before = train_json(tmp_path, config)
    finding = _scaling(before)
    overrides = fix_overrides(finding["fix"][0])
    assert overrides[0] == "features.0={type: zscore}"
    [new_rate] = [float(o.partition("=")[2]) for o in overrides if "learning_rate" in o]
    assert new_rate > 10 * rate
    adaptive = kind != "sgd"
    assert ("scales each weight's step" in finding["advice"]) is adaptive
    after = train_json(tmp_path, config, *overrides)
    loss = {n: p["metrics"]["validation"]["log_loss"] for n, p in (("b", before), ("a", after))}
    assert loss["a"] < 0.6 * loss["b"]
    assert "features_not_scaled" not in {f["kind"] for f in after["doctor"]}
    if kind == "adam":  # the z-score alone, at the raw inputs' rate, is worse than nothing
        alone = train_json(tmp_path, config, overrides[0])
        assert alone["metrics"]["validation"]["log_loss"] > loss["b"]


def test_a_rate_that_suits_z_scored_inputs_is_kept(tmp_path: Path) -> None:
    config = {**RAW_TUMOURS, "optimizer": {"type": "adam", "learning_rate": 0.01}}
    assert _scaling(train_json(tmp_path, config))["fix"] == ["features.0={type: zscore}"]


def test_mlcc_doctor_prints_both_settings_of_the_fix(tmp_path: Path) -> None:
    config = {**RAW_TUMOURS, "optimizer": {"type": "adam", "learning_rate": 1e-4}}
    run_dir = train_json(tmp_path, config)["run_dir"]
    result = mlcc("doctor", run_dir)
    assert result.exit_code == 0, result.output
    # Read the command as the shell does: " \" at a line's end continues it.
    text = " ".join(result.output.replace(" \\\n", " ").split())
    assert "--set 'features.0={type: zscore}' --set 'optimizer.learning_rate=0.0" in text
