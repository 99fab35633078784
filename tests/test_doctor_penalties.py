"""The doctor on regularisation strength, trained through the real CLI and retrained with its
fix: an L2 penalty so strong it pins the weights is named as such (not as a learning rate or a
too-simple model), and the weaker λ₂ it suggests lowers the validation loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import HEALTHY_BREAST_CANCER, train_json

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


def test_a_gentle_l2_raises_no_alarm(tmp_path: Path) -> None:
    before = train_json(tmp_path, {**BREAST_CANCER, "model": {"type": "logistic", "l2": 0.001}})
    assert not {"l2_too_strong", "l2_shrinkage"} & (_kinds(before) | _kinds(before, "info"))
