"""`impute` steps through the CLI on California housing with holes: the step's own strategy
fills its columns (as scikit-learn's SimpleImputer on the training rows), whatever
`data.missing` says, and `predict` / `evaluate --data` fill the same gaps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import TypeAdapter
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler

from cli_helpers import mlcc
from mlcc_cli.config.features import FeatureStep
from mlcc_cli.features import imputed_columns

pytestmark = pytest.mark.skipif(
    not os.environ.get("MLCC_DATASET_MIRROR"), reason="needs the California CSVs (mirror)"
)
HOLED = ["total_bedrooms", "population", "median_income"]
STEPS: list[dict] = [
    {"type": "impute", "columns": ["total_bedrooms"], "strategy": "median"},
    {"type": "impute", "columns": ["population"], "strategy": "constant", "fill_value": 1000},
    {"type": "zscore", "columns": HOLED},
]


def _holed_california(folder: Path) -> Path:
    """3,000 California rows with a tenth of each HOLED column's values missing (seeded)."""
    source = Path(os.environ["MLCC_DATASET_MIRROR"]) / "california_housing_train.csv"
    frame = pd.read_csv(source).sample(3000, random_state=0).reset_index(drop=True)
    rng = np.random.default_rng(0)
    for column in HOLED:
        frame.loc[rng.random(len(frame)) < 0.1, column] = np.nan
    path = folder / "holed.csv"
    frame.to_csv(path, index=False)
    return path


def _config(data: Path, missing: str) -> dict:
    return {
        "name": "holes",
        "seed": 5,
        "data": {
            "source": str(data),
            "label": "median_house_value",
            "label_scale": 0.001,
            "missing": missing,
        },
        "features": STEPS,
        "inputs": HOLED,
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 100, "epochs": 1, "periods": 1},
    }


def _train(tmp_path: Path, data: Path, missing: str) -> Path:
    path = tmp_path / f"{missing}.yaml"
    path.write_text(yaml.safe_dump(_config(data, missing), sort_keys=False))
    runs = tmp_path / f"runs-{missing}"
    result = mlcc("train", path, "--runs-dir", runs, "--quiet", "--no-plots")
    assert result.exit_code == 0, result.output
    return next(runs.iterdir())


@pytest.mark.parametrize("missing", ["drop", "mean"])
def test_impute_steps_fill_their_columns_as_simple_imputer(tmp_path: Path, missing: str) -> None:
    data = _holed_california(tmp_path)
    run = _train(tmp_path, data, missing)
    frame = pd.read_csv(data)
    validation = pd.read_csv(run / "predictions-validation.csv")["row_id"]
    train = frame.drop(index=validation)
    if missing == "drop":  # only median_income, which no step fills, drops rows
        train = train.dropna(subset=["median_income"])
    fitted = {
        t["params"]["key"]: t["fitted"]
        for t in json.loads((run / "model.json").read_text())["pipeline"]["transforms"]
    }
    # The steps' own fills, not the mean that data.missing: mean would put in first.
    median = SimpleImputer(strategy="median").fit(train[["total_bedrooms"]]).statistics_[0]
    assert fitted["features.0"]["statistics_"] == {"total_bedrooms": median}
    assert fitted["features.1"]["statistics_"] == {"population": 1000}
    filled = train[HOLED].fillna(
        {"total_bedrooms": median, "population": 1000, "median_income": train.median_income.mean()}
    )
    scaler = StandardScaler().fit(filled)
    np.testing.assert_allclose(list(fitted["features.2"]["mean_"].values()), scaler.mean_)
    np.testing.assert_allclose(list(fitted["features.2"]["scale_"].values()), scaler.scale_)
    # data.missing: mean fills only what no step fills (here median_income)
    policy = fitted.get("data.missing", {"feature_names_in_": []})["feature_names_in_"]
    assert ("median_income" in policy) == (missing == "mean")
    assert not {"total_bedrooms", "population"} & set(policy)
    # New rows with the same gaps are filled alike: every row gets a prediction.
    holes = frame.assign(median_income=frame.median_income.fillna(1.0))
    rows = tmp_path / "rows.csv"
    holes.to_csv(rows, index=False)
    out = tmp_path / "predicted.csv"
    result = mlcc("predict", run, rows, "-o", out)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["prediction"].notna().all()
    result = mlcc("evaluate", run, "--data", rows, "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == len(frame)


def test_a_column_without_impute_step_is_still_refused(tmp_path: Path) -> None:
    config = tmp_path / "exp.yaml"
    config.write_text(yaml.safe_dump(_config(_holed_california(tmp_path), "error")))
    result = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--no-plots")
    assert result.exit_code == 2
    assert "column 'median_income': " in result.output
    assert "'total_bedrooms'" not in result.output and "'population'" not in result.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_only_columns_imputed_before_any_other_step_reads_them() -> None:
    frame = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3.0], "t": ["x"], "y": [0.0]})
    steps = [
        {"type": "ratio", "name": "r", "numerator": "a", "denominator": "b"},
        {"type": "impute", "columns": ["a", "c", "t"], "strategy": "most_frequent"},
        {"type": "impute", "strategy": "mean"},  # every numeric column not read before
        {"type": "zscore"},  # reads every column: an impute after it comes too late
        {"type": "impute", "columns": ["y"], "strategy": "mean"},
    ]
    parsed = [TypeAdapter(FeatureStep).validate_python(step) for step in steps]
    assert imputed_columns(parsed, frame, "y") == ["c", "t"]
