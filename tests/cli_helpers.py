"""What the CLI tests share: running `mlcc` in process, and a small, fast experiment file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app

runner = CliRunner()


def mlcc(*args: str | Path) -> Any:
    """`mlcc ARGS` in process (typer's CliRunner); the Result."""
    return runner.invoke(app, [str(a) for a in args])


def experiment(tmp_path: Path, **sections: object) -> Path:
    """Write a small, fast experiment (breast cancer, logistic regression, 2 epochs) to
    tmp_path/exp.yaml; keyword sections replace the defaults."""
    config: dict[str, object] = {
        "name": "t",
        "seed": 3,
        "data": {"source": "builtin:breast_cancer", "split": {"train": 0.8, "validation": 0.2}},
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 32, "epochs": 2, "periods": 2},
    }
    config.update(sections)
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def trained_run_in(folder: Path) -> Path:
    """Train `experiment(folder)` into folder/runs without plots; its run directory."""
    result = mlcc("train", experiment(folder), "--runs-dir", folder / "runs", "--no-plots")
    assert result.exit_code == 0, result.output
    return next((folder / "runs").iterdir())


def train_json(tmp_path: Path, config: dict, *overrides: str) -> dict:
    """Write `config` to tmp_path/NAME.yaml and train it with `--set` `overrides`, --json and
    no plots (exit 0, or 1 for a diverged run); the JSON payload."""
    path = tmp_path / f"{config['name']}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    sets = [arg for override in overrides for arg in ("--set", override)]
    args = ["train", str(path), *sets, "--runs-dir", str(tmp_path / "runs"), "--json"]
    result = runner.invoke(app, [*args, "--no-plots"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def california_linear(rate: float, batch_size: int) -> dict:
    """The course's linear regression of California house values (thousands of dollars) on
    every input, z-scored, from MLCC_DATASET_MIRROR's training CSV (10 or 20 epochs)."""
    source = Path(os.environ["MLCC_DATASET_MIRROR"]) / "california_housing_train.csv"
    return {
        "name": "california",
        "seed": 42,
        "data": {"source": str(source), "label": "median_house_value", "label_scale": 0.001},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": rate},
        "training": {"batch_size": batch_size, "epochs": 10, "periods": 10},
    }


# The healthy classifier of the doctor tests: five breast-cancer inputs without long tails.
HEALTHY_BREAST_CANCER = {
    "name": "doctor-bc",
    "data": {"source": "builtin:breast_cancer"},
    "features": [{"type": "zscore"}],
    "inputs": ["mean_radius", "mean_texture", "mean_smoothness", "mean_concavity", "worst_area"],
    "model": {"type": "logistic"},
    "optimizer": {"type": "sgd", "learning_rate": 0.1},
    "training": {"batch_size": 32, "epochs": 20, "periods": 10},
}
