"""The convolutional network: gradients against finite differences, the image-shape check,
and a digits run through the real CLI, replayed by evaluate, predict and a saved-state copy."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.data.images import digits_images
from mlcc_cli.models.nn import Cnn
from mlcc_cli.rundir.saved import load_run
from test_convolution import numeric_gradient, relative_error  # the shared oracle

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

TINY_BLOCKS = [
    {"filters": 2, "kernel": 3, "pool": 2},  # 5×5×2 → 5×5×2 (same) → 2×2×2 (max-pool)
    {"filters": 2, "kernel": 2, "padding": "valid", "pool": None},  # → 1×1×2
]


def _penalised_loss(model: Cnn, X: np.ndarray, y: np.ndarray) -> float:
    """Data loss + λ₂·Σ(kernels² and weights²): what loss_and_gradients differentiates."""
    penalty = sum(float((model.params[name] ** 2).sum()) for name in model.l1_names)
    return model.loss(X, y) + model.l2 * penalty


@pytest.mark.parametrize(
    ("task", "n_classes", "pool_type"),
    [("multiclass", 3, "max"), ("binary", None, "average"), ("regression", None, "max")],
)
def test_gradients_match_finite_differences(
    task: str, n_classes: int | None, pool_type: str
) -> None:
    blocks = [TINY_BLOCKS[0] | {"pool_type": pool_type}, TINY_BLOCKS[1]]
    model = Cnn([5, 5, 2], blocks, [3], activation="tanh", task=task, l2=0.1, seed=3)
    model.initialize(50, n_classes)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 50))
    y = rng.integers(0, n_classes or 2, size=4).astype(np.float64)
    _, grads = model.loss_and_gradients(X, y)
    assert set(grads) == {"K1", "c1", "K2", "c2", "W1", "b1", "W2", "b2"}
    for name, array in model.params.items():
        numeric = numeric_gradient(lambda: _penalised_loss(model, X, y), array)
        assert relative_error(numeric, grads[name]) < 1e-6, name


def test_parameters_are_named_and_initialised_by_fan_in() -> None:
    model = Cnn([8, 8, 1], [{"filters": 16, "kernel": 3}], [], seed=1).initialize(64, 10)
    assert model.params["K1"].shape == (3, 3, 1, 16)
    assert model.params["W1"].shape == (8 * 8 * 16, 10)
    assert model.l1_names == ("K1", "W1")
    assert 0.3 < model.params["K1"].std() < 0.6  # he: √(2 / (3·3·1)) ≈ 0.47
    again = Cnn([8, 8, 1], [{"filters": 16, "kernel": 3}], [], seed=1).initialize(64, 10)
    np.testing.assert_array_equal(model.params["K1"], again.params["K1"])


def test_state_round_trip_predicts_identically() -> None:
    model = Cnn([5, 5, 2], TINY_BLOCKS, [3], task="multiclass", seed=2).initialize(50, 3)
    copy = Cnn.from_state(json.loads(json.dumps(model.get_state())))
    X = np.random.default_rng(1).normal(size=(6, 50))
    np.testing.assert_array_equal(copy.predict_proba(X), model.predict_proba(X))


def _train(tmp_path: Path, *overrides: str) -> Any:
    args = ["train", str(ROOT / "configs/digits_cnn.yaml"), "--runs-dir", str(tmp_path)]
    return runner.invoke(app, [*args, "--json", *overrides])


def test_an_image_shape_that_does_not_fit_the_columns_names_both_numbers(
    tmp_path: Path,
) -> None:
    result = _train(tmp_path, "--set", "model.image_shape=[8, 7, 1]")
    assert result.exit_code == 2, result.output
    assert "56" in result.output and "64" in result.output
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, float]:
    """configs/digits_cnn.yaml trained once through the CLI: (run dir, train JSON, seconds)."""
    started = time.perf_counter()
    result = _train(tmp_path_factory.mktemp("runs"))
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    trained = json.loads(result.stdout)
    return Path(trained["run_dir"]), trained, seconds


def test_a_small_cnn_learns_the_digits(digits_run: tuple[Path, dict, float]) -> None:
    _, trained, seconds = digits_run
    assert trained["metrics"]["validation"]["accuracy"] >= 0.97
    assert seconds < 30


def test_evaluate_and_predict_replay_the_saved_run(
    digits_run: tuple[Path, dict, float], tmp_path: Path
) -> None:
    run_dir, trained, _ = digits_run
    evaluated = runner.invoke(app, ["evaluate", str(run_dir), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    validation = trained["metrics"]["validation"]
    assert json.loads(evaluated.stdout)["metrics"]["accuracy"] == validation["accuracy"]

    pixels = digits_images(None, None).head(20)
    pixels.drop(columns=["target"]).to_csv(tmp_path / "pixels.csv", index=False)
    out = tmp_path / "predicted.csv"
    predicted = runner.invoke(
        app, ["predict", str(run_dir), str(tmp_path / "pixels.csv"), "-o", str(out)]
    )
    assert predicted.exit_code == 0, predicted.output
    rows = pd.read_csv(out)
    saved = load_run(run_dir)
    X = pixels.drop(columns=["target"]).to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(rows["prediction"], saved.model.predict(X))
    assert (rows["prediction"] == pixels["target"]).mean() >= 0.9
    rebuilt = Cnn.from_state(saved.model.get_state())
    np.testing.assert_array_equal(rebuilt.predict_proba(X), saved.model.predict_proba(X))
