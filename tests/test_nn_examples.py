"""The neural-network example configs show the crash course's training failures through the CLI:
exploding gradients cured by clipping, dead ReLUs, and overfitting named by its period."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.training import diagnostics

ROOT = Path(__file__).resolve().parent.parent
EXPLODING = str(ROOT / "configs" / "exploding_gradients.yaml")
XOR = str(ROOT / "configs" / "xor_mlp.yaml")
runner = CliRunner()


def _train(config: str, tmp_path: Path, *overrides: str) -> tuple[int, dict]:
    sets = [arg for override in overrides for arg in ("--set", override)]
    result = runner.invoke(app, ["train", config, *sets, "--runs-dir", str(tmp_path), "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _history(run_dir: str) -> list[dict[str, str]]:
    with open(Path(run_dir) / "history.csv", newline="") as file:
        return list(csv.DictReader(file))


def test_exploding_gradients_diverge_without_clipping(tmp_path: Path) -> None:
    code, payload = _train(EXPLODING, tmp_path)
    assert code == 1
    status = json.loads((Path(payload["run_dir"]) / "status.json").read_text())
    assert status["status"] == payload["status"] == "diverged"
    assert "training diverged to infinity at step 4" in status["message"]
    assert "optimizer.clip_norm" in status["message"]
    assert "model.batch_norm: true" in status["message"]


def test_exploding_gradients_train_with_clip_norm(tmp_path: Path) -> None:
    code, payload = _train(EXPLODING, tmp_path, "optimizer.clip_norm=1")
    assert code == 0
    status = json.loads((Path(payload["run_dir"]) / "status.json").read_text())
    assert status["status"] == "complete"
    assert payload["warnings"] == []
    rmse = payload["metrics"]["validation"]["rmse"]
    header = (ROOT / "configs" / "exploding_gradients.yaml").read_text()
    assert "--set optimizer.clip_norm=1" in header
    assert f"validation RMSE of {rmse:.1f}." in (ROOT / "README.md").read_text()
    assert f"{rmse:.1f}" == "69.2"


def test_clipped_steps_still_kill_plain_relu_units(tmp_path: Path) -> None:
    # Clipping keeps training finite, but the first steps (length 0.01 each, into weights
    # facing inputs in the hundreds) push most of layer 2's plain ReLUs below zero for every
    # example, and a unit that never fires gets no gradient to come back: dead from period 1.
    code, payload = _train(EXPLODING, tmp_path, "model.activation=relu", "optimizer.clip_norm=1")
    assert code == 0
    assert payload["status"] == "complete"
    assert [w for w in payload["warnings"] if w.startswith("dead ReLUs:")] == [
        "dead ReLUs: 69% of hidden layer 2's units output 0 on every validation example and "
        "no longer learn; try a lower optimizer.learning_rate, activation leaky_relu, or "
        "batch_norm: true"
    ]
    history = _history(payload["run_dir"])
    assert {"dead_relu_1", "dead_relu_2"} <= set(history[0])
    assert all(float(row["dead_relu_2"]) > diagnostics.DEAD_FRACTION for row in history)
    # The leaky ReLU the config ships with has no dead units to report.
    leaky_code, leaky = _train(EXPLODING, tmp_path, "optimizer.clip_norm=1")
    assert leaky_code == 0 and leaky["warnings"] == []
    assert "dead_relu_1" not in _history(leaky["run_dir"])[0]


OVERFIT = (
    "data.synthetic={samples: 300, noise: 0.3}",
    "data.split={train: 0.2, validation: 0.8}",  # 60 noisy training points
    "model.hidden_units=[64, 64]",
    "training.epochs=100",
)


def test_overfitting_names_the_period_validation_loss_began_rising(tmp_path: Path) -> None:
    code, payload = _train(XOR, tmp_path, *OVERFIT)
    assert code == 0
    history = _history(payload["run_dir"])
    train_losses = [float(row["train_loss"]) for row in history]
    validation_losses = [float(row["validation_loss"]) for row in history]
    start = diagnostics.overfitting_start(train_losses, validation_losses)
    assert start == 2
    assert validation_losses[start - 1] > validation_losses[start - 2]
    assert validation_losses[-1] > 2 * min(validation_losses)
    overfitting = [w for w in payload["warnings"] if w.startswith("overfitting:")]
    assert overfitting == [
        "overfitting: from period 2 validation loss rises while training loss still falls; "
        "try model.l2, model.dropout (mlp) or training.early_stopping"
    ]


def test_shipped_xor_config_does_not_overfit(tmp_path: Path) -> None:
    code, payload = _train(XOR, tmp_path)
    assert code == 0
    assert payload["warnings"] == []
