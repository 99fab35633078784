"""run_experiment as a library call: missing-value policies, columns read, saved state."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import load_config
from mlcc_cli.errors import DataError
from mlcc_cli.features import FeaturePipeline, columns_read
from mlcc_cli.models.registry import MODELS
from mlcc_cli.rundir.files import read_model
from mlcc_cli.workflows.train import run_experiment


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80) + 3})
    frame["unused"] = rng.normal(size=80)
    frame["y"] = 2.0 * frame["a"] - frame["b"] + 0.1 * rng.normal(size=80)
    return frame


def _run(tmp_path: Path, frame: pd.DataFrame, **sections: object) -> object:
    frame.to_csv(tmp_path / "d.csv", index=False)
    config = {
        "data": {"source": "d.csv", "label": "y"},
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 8, "epochs": 5, "periods": 2},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}  # type: ignore[dict-item]
        else:
            config[key] = value
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    return run_experiment(load_config(tmp_path / "exp.yaml"), runs_dir=tmp_path / "runs")


def test_gap_in_an_unused_column_is_harmless(tmp_path: Path) -> None:
    frame = _frame()
    frame.loc[3, "unused"] = np.nan
    result = _run(tmp_path, frame, inputs=["a", "b"])
    assert result.status == "complete"
    with pytest.raises(DataError, match="'unused': 1 missing"):
        _run(tmp_path, frame)  # without inputs every column is used


# 80 rows, 20% validation: 64 train; after dropping 2 rows, 78 → 16 validation, 62 train.
@pytest.mark.parametrize(("policy", "train_rows"), [("drop", 62), ("mean", 64), ("median", 64)])
def test_missing_policies(tmp_path: Path, policy: str, train_rows: int) -> None:
    frame = _frame()
    frame.loc[[1, 2], "a"] = np.nan
    result = _run(tmp_path, frame, data={"missing": policy})
    assert result.status == "complete"
    assert result.history[-1].examples_seen == 5 * train_rows
    if policy == "drop":
        assert any("dropped 2 of 80 rows" in warning for warning in result.warnings)


def test_columns_read_skips_columns_created_by_earlier_steps() -> None:
    config = ExperimentConfig.model_validate(
        {
            "data": {"source": "x.csv", "label": "y"},
            "features": [
                {"type": "ratio", "name": "r", "numerator": "a", "denominator": "b"},
                {"type": "expression", "name": "e", "expression": "log(r) + sqrt(c) * 2"},
                {"type": "clip", "columns": ["e", "d"], "max": 3},
            ],
            "model": {"type": "linear"},
            "optimizer": {"type": "sgd", "learning_rate": 0.1},
        }
    )
    assert columns_read(config.features) == ["a", "b", "c", "d"]


def test_saved_model_and_pipeline_reproduce_the_predictions(tmp_path: Path) -> None:
    frame = _frame()
    result = _run(tmp_path, frame, features=[{"type": "zscore", "columns": ["a", "b"]}])
    state, arrays = read_model(result.run_dir)
    pipeline = FeaturePipeline.from_state(state["pipeline"])
    model = MODELS[state["model"]["type"]]().initialize(len(state["inputs"]))
    for name, array in arrays.items():
        model.params[name][...] = array
    predictions = pd.read_csv(result.run_dir / "predictions-validation.csv")
    rows = frame.loc[predictions["row_id"]]
    X = pipeline.transform(rows)[state["inputs"]].to_numpy()
    np.testing.assert_allclose(model.predict(X), predictions["prediction"], rtol=1e-12)
    np.testing.assert_allclose(rows["y"], predictions["label"])
    assert json.loads((result.run_dir / "metrics.json").read_text()) == result.metrics
