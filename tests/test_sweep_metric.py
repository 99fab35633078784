"""`mlcc sweep --metric` for a network with `task: auto`: the task is read from the label (as
training reads it) and a metric the task does not record is refused before any point trains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.cli_helpers import mlcc


def _network(tmp_path: Path, source: str, task: str = "auto") -> Path:
    """A one-epoch mlp whose task is left to the label (`task: auto`, the default)."""
    config = {
        "name": "auto",
        "seed": 2,
        "data": {"source": source, "split": {"train": 0.8, "validation": 0.2}},
        "features": [{"type": "zscore"}],
        "model": {"type": "mlp", "hidden_units": [4], "task": task},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 1, "periods": 1},
    }
    path = tmp_path / "auto.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("source", "metric", "task", "fitting"),
    [
        ("builtin:breast_cancer", "rmse", "binary", "auc"),  # two classes: 0 and 1
        ("builtin:diabetes", "auc", "regression", "rmse"),  # a quantity
        ("builtin:iris", "auc", "multiclass", "macro_f1"),  # three classes
    ],
)
def test_metric_that_does_not_fit_the_label_is_refused_before_training(
    tmp_path: Path, source: str, metric: str, task: str, fitting: str
) -> None:
    runs = tmp_path / "runs"
    result = mlcc(
        "sweep", _network(tmp_path, source), "--grid", "model.l2=0,0.1", "--metric", metric,
        "--runs-dir", runs, "--json",
    )  # fmt: skip
    assert result.exit_code == 2
    flat = " ".join(result.stderr.split())
    assert f"--metric '{metric}': a {task} run (model.task auto, read from the label)" in flat
    assert f"{task}: " in flat and fitting in flat.split(f"{task}: ")[1]  # the ones that fit
    assert json.loads(result.stdout)["error"]["exit_code"] == 2
    assert not runs.exists()  # nothing trained, no folder made


def test_metric_that_fits_the_label_is_ranked_by(tmp_path: Path) -> None:
    result = mlcc(
        "sweep", _network(tmp_path, "builtin:breast_cancer"), "--grid", "model.l2=0",
        "--metric", "auc", "--runs-dir", tmp_path / "runs", "--json", "--no-plots",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["metric"] == "auc"
    assert "auc" in payload["runs"][0]["metrics"]["validation"]


def test_explicit_task_needs_no_data_to_refuse_a_metric(tmp_path: Path) -> None:
    # task: regression is known from the config: refused even though the source is missing
    path = _network(tmp_path, "missing.csv", task="regression")
    runs = tmp_path / "runs"
    result = mlcc("sweep", path, "--grid", "model.l2=0", "--metric", "auc", "--runs-dir", runs)
    assert result.exit_code == 2
    assert "--metric 'auc': a regression run records no" in " ".join(result.stderr.split())
    assert not runs.exists()
