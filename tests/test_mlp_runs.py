"""MLP runs through the real CLI: heads by task, saved state replayed by evaluate/predict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlcc_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _train(tmp_path: Path, config: Path, *overrides: str) -> dict:
    args = ["train", str(config), "--runs-dir", str(tmp_path / "runs"), "--json", *overrides]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_spiral_needs_the_network(tmp_path: Path) -> None:
    config = ROOT / "configs/spiral_mlp.yaml"
    network = _train(tmp_path, config)["metrics"]["validation"]["accuracy"]
    logistic = _train(tmp_path, config, "--set", "model={type: logistic}")
    assert network >= 0.95 and logistic["metrics"]["validation"]["accuracy"] < 0.65


@pytest.mark.parametrize(
    ("source", "overrides", "metric"),
    [
        ("builtin:spiral", ["--set", "model.batch_norm=true"], "accuracy"),
        ("builtin:diabetes", ["--set", "features=[{type: zscore}]"], "rmse"),
    ],
)
def test_saved_network_scores_its_split_again(
    tmp_path: Path, source: str, overrides: list[str], metric: str
) -> None:
    config = ROOT / "configs/spiral_mlp.yaml"
    payload = _train(
        tmp_path, config, "--set", f"data.source={source}", "--set", "training.epochs=5",
        *overrides,
    )  # fmt: skip
    expected = payload["metrics"]["validation"][metric]
    result = runner.invoke(app, ["evaluate", payload["run_dir"], "--json", "--no-plots"])
    assert result.exit_code == 0, result.output
    # Batch-norm running averages are saved with the weights, so evaluation is identical.
    assert json.loads(result.stdout)["metrics"][metric] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("model.hidden_units=[]", "model.hidden_units"),
        ("model.hidden_units=[8, 0]", "model.hidden_units"),
        ("model.dropout=1.0", "model"),
    ],
)
def test_bad_network_configs_exit_2(tmp_path: Path, override: str, key: str) -> None:
    result = runner.invoke(
        app, ["validate", str(ROOT / "configs/spiral_mlp.yaml"), "--set", override]
    )
    assert result.exit_code == 2 and key in result.stderr
