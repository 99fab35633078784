"""What the CLI tests share: running `mlcc` in process, and a small, fast experiment file."""

from __future__ import annotations

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
