"""Every shipped config runs end to end through the CLI, and the README's figures hold."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
CALIFORNIA_FILES = ("california_housing_train.csv", "california_housing_test.csv")
runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding configs/ and, when a mirror is available, the fetched datasets/."""
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    mirror = os.environ.get("MLCC_DATASET_MIRROR")
    if mirror:
        fetched = runner.invoke(app, ["datasets", "fetch", "california_housing"])
        assert fetched.exit_code == 0, fetched.output
    return tmp_path


def _needs_california(path: Path) -> bool:
    return "california_housing" in path.read_text()


# Configs built to diverge as shipped, with the override their header gives to train them.
REPAIRS = {"exploding_gradients.yaml": ["--set", "optimizer.clip_norm=1"]}


def _short(path: Path) -> list[str]:
    training = yaml.safe_load(path.read_text()).get("training", {})
    repair = REPAIRS.get(path.name, [])
    if "steps" in training:
        return ["--set", "training.steps=20", "--set", "training.periods=2", *repair]
    return ["--set", "training.epochs=1", "--set", "training.periods=2", *repair]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_shipped_config_trains(workdir: Path, config: Path) -> None:
    if _needs_california(config) and not os.environ.get("MLCC_DATASET_MIRROR"):
        pytest.skip("needs the California CSVs: set MLCC_DATASET_MIRROR (make test does)")
    args = ["train", f"configs/{config.name}", *_short(config), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["status"] == "complete"
    assert payload["metrics"]["validation"]["nonzero_weights"] >= 1


def test_california_config_without_data_says_how_to_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["train", str(ROOT / "configs/california_one_feature.yaml")])
    assert result.exit_code == 2
    assert "mlcc datasets fetch california_housing" in result.stderr


NO_LOCATION = "[median_income, rooms_per_person]"
NO_CROSS = "[latitude, longitude, median_income, rooms_per_person]"
ADAM_LINEAR = ["--set", "optimizer.learning_rate=0.5"]


@pytest.mark.parametrize(
    ("config", "overrides", "readme_rmse"),
    [
        ("california_one_feature.yaml", [], 171.2),
        ("california_rooms_per_person.yaml", [], 109.0),
        ("california_rooms_per_person.yaml", ["--set", "features.1.max=1000"], 124.6),
        ("california_feature_crosses.yaml", ["--set", f"inputs={NO_LOCATION}"], 84.9),
        ("california_feature_crosses.yaml", ["--set", f"inputs={NO_CROSS}"], 69.7),
        ("california_feature_crosses.yaml", [], 65.8),
        ("california_hashed_crosses_l1.yaml", ["--set", "model.l1=0"], 61.6),
        ("california_hashed_crosses_l1.yaml", [], 65.2),
        ("california_hashed_crosses_l1.yaml", ["--set", "model.l1_method=cumulative"], 65.3),
        ("california_mlp.yaml", ["--set", "model={type: linear}", *ADAM_LINEAR], 71.2),
        ("california_mlp.yaml", [], 60.1),
    ],
)
def test_readme_california_figures(
    workdir: Path, config: str, overrides: list[str], readme_rmse: float
) -> None:
    if not os.environ.get("MLCC_DATASET_MIRROR"):
        pytest.skip("needs the California CSVs: set MLCC_DATASET_MIRROR (make test does)")
    result = runner.invoke(app, ["train", f"configs/{config}", *overrides, "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["metrics"]["validation"]
    assert metrics["rmse"] == pytest.approx(readme_rmse, abs=0.05)
    assert f"| {readme_rmse} |" in (ROOT / "README.md").read_text()
    if config == "california_hashed_crosses_l1.yaml":  # the README quotes the survivors
        survivors = f"{metrics['nonzero_weights']} of 1,194 weights non-zero"
        assert survivors in (ROOT / "README.md").read_text()


def test_parquet_source_trains_like_the_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x1": [float(i % 7) for i in range(60)]})
    frame["x2"] = [float(i % 5) for i in range(60)]
    frame["y"] = 2 * frame["x1"] - frame["x2"] + 1
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    results = []
    for source in ("d.csv", "d.parquet"):
        config = {
            "data": {"source": source, "label": "y"},
            "model": {"type": "linear"},
            "optimizer": {"type": "sgd", "learning_rate": 0.01},
            "training": {"batch_size": 8, "epochs": 3, "periods": 3},
        }
        path = tmp_path / f"{source}.yaml"
        path.write_text(yaml.safe_dump(config))
        result = runner.invoke(app, ["train", str(path), "--runs-dir", str(tmp_path), "--json"])
        assert result.exit_code == 0, result.output
        results.append(json.loads(result.stdout)["metrics"])
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("config", "overrides", "readme_accuracy"),
    [
        ("digits_softmax.yaml", [], "96.7%"),
        ("spiral_mlp.yaml", ["--set", "model={type: logistic}"], "55.3%"),
        ("spiral_mlp.yaml", [], "97.7%"),
        ("xor_mlp.yaml", ["--set", "model={type: logistic}"], "52.3%"),
        ("xor_mlp.yaml", [], "97.7%"),
        ("digits_mlp.yaml", [], "98.5%"),
    ],
)
def test_readme_classification_figures(
    tmp_path: Path, config: str, overrides: list[str], readme_accuracy: str
) -> None:
    args = ["train", str(ROOT / "configs" / config), *overrides, "--runs-dir", str(tmp_path)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    accuracy = json.loads(result.stdout)["metrics"]["validation"]["accuracy"]
    assert f"{100 * accuracy:.1f}%" == readme_accuracy
    assert f"| {readme_accuracy} |" in (ROOT / "README.md").read_text()
