"""The doctor on regularisation strength, trained through the real CLI and retrained with its
fix: an L2 penalty so strong it pins the weights is named as such (not as a learning rate or a
too-simple model), and the weaker λ₂ it suggests lowers the validation loss; the L2 offered to
an overfit feature cross is sized to its weights and rows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from cli_helpers import HEALTHY_BREAST_CANCER, train_json

ROOT = Path(__file__).resolve().parent.parent

BREAST_CANCER = {**HEALTHY_BREAST_CANCER, "model": {"type": "logistic", "l2": 1.0}}


def _kinds(payload: dict, severity: str = "warning") -> set[str]:
    return {f["kind"] for f in payload["doctor"] if f["severity"] == severity}


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_pinning_l2_is_named_and_its_weaker_strength_helps(
    tmp_path: Path, optimizer: str
) -> None:
    config = {**BREAST_CANCER, "optimizer": {"type": optimizer, "learning_rate": 0.05}}
    before = train_json(tmp_path, config)
    kinds = _kinds(before)
    assert "l2_too_strong" in kinds
    assert not {"learning_rate_too_high", "learning_rate_too_low", "underfitting"} & kinds
    [finding] = [f for f in before["doctor"] if f["kind"] == "l2_too_strong"]
    weaker = float(finding["fix"][0].removeprefix("model.l2="))
    assert 0 < weaker < 0.1  # weaker, by what the shrinkage says, not a blind tenth
    after = train_json(tmp_path, config, finding["fix"][0])
    loss = {n: p["metrics"]["validation"]["log_loss"] for n, p in (("b", before), ("a", after))}
    assert loss["a"] < 0.6 * loss["b"]
    assert "l2_too_strong" not in _kinds(after)


def test_a_bouncing_loss_under_a_strong_l2_is_the_penalty_not_the_rate(tmp_path: Path) -> None:
    # Plain SGD at 0.5 with λ₂ = 1: each step also multiplies the weights by 1 − 2ηλ₂ = 0, so
    # the loss never settles; read alone, that looks like a learning rate too high.
    config = {**BREAST_CANCER, "inputs": None, "optimizer": {"type": "sgd", "learning_rate": 0.5}}
    before = train_json(tmp_path, config)
    assert "learning_rate_too_high" not in _kinds(before)
    [finding] = [f for f in before["doctor"] if f["kind"] == "l2_too_strong"]
    assert "this also explains the loss that does not settle lower" in finding["evidence"]
    after = train_json(tmp_path, config, finding["fix"][0])
    loss = {n: p["metrics"]["validation"]["log_loss"] for n, p in (("b", before), ("a", after))}
    assert loss["a"] < 0.5 * loss["b"]


def test_a_gentle_l2_raises_no_alarm(tmp_path: Path) -> None:
    before = train_json(tmp_path, {**BREAST_CANCER, "model": {"type": "logistic", "l2": 0.001}})
    assert not {"l2_too_strong", "l2_shrinkage"} & (_kinds(before) | _kinds(before, "info"))


@pytest.mark.skipif(
    not os.environ.get("MLCC_DATASET_MIRROR"), reason="needs the California CSVs (mirror)"
)
def test_the_l2_offered_to_an_overfit_feature_cross_fits_its_weights_and_rows(
    tmp_path: Path,
) -> None:
    # A 50 × 50 latitude-longitude cross (2,500 cell weights) learned from 510 rows: the
    # cells memorise their few rows. A fixed first L2 (0.01) barely helps; the one sized to
    # the weights and rows (empirical Bayes, about 0.003) wins most of the gap back.
    config = yaml.safe_load((ROOT / "configs/california_feature_crosses.yaml").read_text())
    source = Path(os.environ["MLCC_DATASET_MIRROR"]) / "california_housing_train.csv"
    config["data"] |= {
        "source": str(source),
        "split": {"train": 0.03, "validation": 0.3, "test": 0.67},
    }
    config["features"][2]["bins"] = 50
    config["optimizer"]["learning_rate"] = 0.1
    config["training"] |= {"batch_size": 10, "epochs": 300}
    before = train_json(tmp_path, config)
    [finding] = [f for f in before["doctor"] if f["kind"] == "overfitting"]
    [l2] = [fix for fix in finding["fix"] if fix.startswith("model.l2=")]
    strength = float(l2.removeprefix("model.l2="))
    assert 0.001 < strength < 0.01
    loss = {
        name: train_json(tmp_path, config, *sets)["metrics"]["validation"]["loss"]
        for name, sets in (("sized", [l2]), ("fixed", ["model.l2=0.01"]))
    }
    assert loss["sized"] < 0.93 * before["metrics"]["validation"]["loss"]
    assert loss["sized"] < loss["fixed"]


@pytest.mark.parametrize(
    ("l2", "momentum", "status"),
    [(9.0, 0.0, "complete"), (11.0, 0.0, "diverged"), (8.0, 0.5, "complete")],
)
def test_a_penalty_whose_own_step_overshoots_is_named_not_the_learning_rate(
    tmp_path: Path, l2: float, momentum: float, status: str
) -> None:
    """η·2λ₂ = 1.8 and 2.2 with plain SGD (limit 2), 1.6 with momentum 0.5 (limit 3): the
    penalty, not the rate, is the root cause, and its fix helps."""
    config = {
        **HEALTHY_BREAST_CANCER,
        "model": {"type": "logistic", "l2": l2},
        "optimizer": {"type": "sgd", "learning_rate": 0.1, "momentum": momentum},
    }
    before = train_json(tmp_path, config)
    assert before["status"] == status
    [first, *_] = [f for f in before["doctor"] if f["severity"] == "warning"]
    assert first["kind"] == "l2_step_overshoots"
    assert not {"learning_rate_too_high", "l2_too_strong"} & _kinds(before)
    assert "times its value for the penalty alone" in first["evidence"]
    if status == "diverged":  # the error names the penalty too, with the doctor's λ₂
        weaker = first["fix"][0].removeprefix("model.l2=")
        assert f"so weaken model.l2 (e.g. {weaker})" in before["message"]
    after = train_json(tmp_path, config, first["fix"][0])
    assert after["status"] == "complete"
    assert "l2_step_overshoots" not in _kinds(after)
    if status == "complete":
        loss = {n: p["metrics"]["validation"]["log_loss"] for n, p in (("b", before), ("a", after))}
        assert loss["a"] < 0.5 * loss["b"]


def test_adam_has_no_step_limit_for_the_penalty(tmp_path: Path) -> None:
    """Adam scales each weight's step by its own gradients: η·2λ₂ sets no overshoot there."""
    config = {
        **HEALTHY_BREAST_CANCER,
        "model": {"type": "logistic", "l2": 11.0},
        "optimizer": {"type": "adam", "learning_rate": 0.1},
    }
    assert "l2_step_overshoots" not in {f["kind"] for f in train_json(tmp_path, config)["doctor"]}
