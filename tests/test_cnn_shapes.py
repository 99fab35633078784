"""Weight sharing and pooling: a CNN recognises shapes at positions it never trained on.

configs/shapes_cnn.yaml trains on shapes drawn in the left half of the image and validates
on shapes in the right half (builtin:shapes, placement: halves, no shuffle); a dense network
with about as many weights (hidden_units [5]: 743 against the CNN's 691) does not generalise.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mlcc_cli.cli import app

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "shapes_cnn.yaml"
SMALLER = ["--set", "data.synthetic.samples=800", "--set", "training.epochs=8"]


def validation_accuracy(tmp_path: Path, *overrides: str) -> float:
    runner = CliRunner()
    args = ["train", str(CONFIG), "--runs-dir", str(tmp_path), "--json", *SMALLER, *overrides]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)["metrics"]["validation"]["accuracy"]


def test_the_cnn_generalises_across_positions_and_the_mlp_does_not(tmp_path: Path) -> None:
    cnn = validation_accuracy(tmp_path)
    mlp = validation_accuracy(tmp_path, "--set", "model={type: mlp, hidden_units: [5]}")
    assert cnn >= 0.95
    assert mlp <= 0.6  # three classes: chance is 1/3
