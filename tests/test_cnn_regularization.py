"""Dropout and batch norm in a cnn: gradients against finite differences, the running averages
in closed form, the layer table, every optimizer, the doctor's advice, and a saved run
replayed by `mlcc predict`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import mlcc_cli
from mlcc_cli.cli import app
from mlcc_cli.data.images import digits_images
from mlcc_cli.models.nn import Cnn
from mlcc_cli.models.nn.layers import BATCH_NORM_EPS, BATCH_NORM_MOMENTUM
from mlcc_cli.rundir.saved import load_run
from mlcc_cli.training.diagnostics import period_metrics
from test_convolution import numeric_gradient, relative_error  # the shared oracle

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "digits_cnn.yaml"
runner = CliRunner()

TINY_BLOCKS = [
    {"filters": 2, "kernel": 3, "pool": 2},  # 5×5×2 → 5×5×2 (same) → 2×2×2 (pool)
    {"filters": 3, "kernel": 2, "padding": "valid"},  # → 1×1×3
]


def _fixed_masks(model: Cnn, n: int) -> list[np.ndarray | None]:
    """One inverted-dropout mask per dense hidden layer (rate 0.5: kept units scaled by 2)."""
    rng = np.random.default_rng(7)
    return [(rng.random((n, units)) >= 0.5) * 2.0 for units in model.hidden_units]


@pytest.mark.parametrize(
    ("batch_norm", "dropout", "pool_type"),
    [(True, 0.0, "max"), (False, 0.5, "average"), (True, [0.5, 0.0], "average")],
)
def test_gradients_match_finite_differences(
    batch_norm: bool, dropout: float | list[float], pool_type: str
) -> None:
    blocks = [TINY_BLOCKS[0] | {"pool_type": pool_type}, TINY_BLOCKS[1]]
    model = Cnn(
        [5, 5, 2], blocks, [4, 3], activation="tanh", dropout=dropout, batch_norm=batch_norm,
        task="multiclass", l2=0.1, seed=3,
    )  # fmt: skip
    model.initialize(50, 3)
    rng = np.random.default_rng(0)
    for name, array in model.params.items():
        if "gamma" in name or "beta" in name:  # away from γ = 1, β = 0 so every term counts
            array[...] = rng.normal(1.0 if "gamma" in name else 0.0, 0.3, array.shape)
    X = rng.normal(size=(6, 50))
    y = rng.integers(0, 3, size=6).astype(np.float64)
    masks = _fixed_masks(model, 6)
    running = {name: array.copy() for name, array in model.buffers.items()}

    def penalised_loss() -> float:
        loss = model.loss_and_gradients(X, y, masks=masks, update_running=False)[0]
        return loss + model.l2 * sum(float((model.params[k] ** 2).sum()) for k in model.l1_names)

    _, grads = model.loss_and_gradients(X, y, masks=masks, update_running=False)
    assert set(grads) == set(model.params)
    for name, array in model.params.items():
        assert relative_error(numeric_gradient(penalised_loss, array), grads[name]) < 1e-6, name
    for name, array in model.buffers.items():  # update_running=False left them alone
        np.testing.assert_array_equal(array, running[name])


def test_batch_norm_parameters_replace_the_biases() -> None:
    model = Cnn([5, 5, 2], TINY_BLOCKS, [4], batch_norm=True, task="binary").initialize(50)
    assert set(model.params) == {
        "K1", "conv_gamma1", "conv_beta1", "K2", "conv_gamma2", "conv_beta2",
        "W1", "gamma1", "beta1", "W2", "b2",
    }  # fmt: skip
    assert set(model.buffers) == {
        "conv_running_mean1", "conv_running_var1", "conv_running_mean2", "conv_running_var2",
        "running_mean1", "running_var1",
    }  # fmt: skip
    assert model.l1_names == ("K1", "K2", "W1", "W2")


def test_running_averages_follow_the_batch_and_serve_evaluation() -> None:
    """A 1×1 convolution of a 2×2 image: z = k·x per pixel, so every statistic is in reach."""
    model = Cnn([2, 2, 1], [{"filters": 1, "kernel": 1}], [], batch_norm=True, task="regression")
    model.initialize(4)
    p = model.params
    p["K1"][...] = 2.0
    X = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 1.0, 1.0]])
    model.loss_and_gradients(X, np.zeros(2))
    z = 2.0 * X  # every pixel of both images: the one filter's batch
    m = BATCH_NORM_MOMENTUM
    np.testing.assert_allclose(model.conv_running_mean_[1], [(1 - m) * z.mean()])
    np.testing.assert_allclose(model.conv_running_var_[1], [m + (1 - m) * z.var()])

    model.conv_running_mean_[1][:] = 3.0
    model.conv_running_var_[1][:] = 4.0
    p["conv_gamma1"][:], p["conv_beta1"][:] = 0.5, 0.25
    p["W1"][...], p["b1"][:] = [[1.0], [-1.0], [2.0], [0.5]], 0.1
    u = 0.5 * (z - 3.0) / np.sqrt(4.0 + BATCH_NORM_EPS) + 0.25
    expected = np.maximum(u, 0.0) @ p["W1"] + p["b1"]
    np.testing.assert_allclose(model.output(X), expected, rtol=1e-12)
    # Evaluation never depends on the batch: one image alone gives the same output.
    np.testing.assert_allclose(model.output(X[1:]), expected[1:], rtol=1e-12)


def test_dropout_is_off_at_evaluation_and_the_diagnostics_leave_training_alone() -> None:
    model = Cnn([5, 5, 2], TINY_BLOCKS, [4], dropout=0.5, batch_norm=True, task="binary")
    model.initialize(50)
    X = np.random.default_rng(1).normal(size=(8, 50))
    y = (X[:, 0] > 0).astype(np.float64)
    np.testing.assert_array_equal(model.output(X), model.output(X))
    first = model.loss_and_gradients(X, y, update_running=False)[0]
    assert first != model.loss_and_gradients(X, y, update_running=False)[0]  # fresh masks
    running = {name: array.copy() for name, array in model.buffers.items()}
    metrics = period_metrics(model, X, y, None)
    assert set(metrics) >= {"grad_norm_K1", "grad_norm_K2", "grad_norm_W1", "dead_relu_1"}
    for name, array in model.buffers.items():
        np.testing.assert_array_equal(array, running[name])


def test_the_layer_table_shows_gamma_beta_and_dropout() -> None:
    model = Cnn(
        conv=[{"filters": 8, "kernel": 3, "pool": 2}], hidden_units=[32], dropout=0.25,
        batch_norm=True, task="multiclass",
    )  # fmt: skip
    rows = model.layer_summary(n_classes=10)
    assert rows[1:4] == [
        ("conv 3×3, 8 filters, same", "(8, 8, 8)", 72),
        ("batch norm (γ, β per filter), relu", "(8, 8, 8)", 16),
        ("max pool 2×2", "(4, 4, 8)", 0),
    ]
    assert rows[5:8] == [
        ("dense 32", "32", 128 * 32),
        ("batch norm (γ, β per unit), relu", "32", 64),
        ("dropout 0.25", "32", 0),
    ]
    model.initialize(64, 10)
    assert sum(row[2] for row in rows) == sum(array.size for array in model.params.values())


def test_the_doctor_offers_what_is_off_and_valid() -> None:
    plain = Cnn(hidden_units=[8])
    assert plain.overfitting_fixes() == ("model.dropout=0.2",)
    assert plain.stability_fixes() == ("model.batch_norm=true",)
    assert "model.batch_norm: true" in plain.divergence_advice()
    regularised = Cnn(hidden_units=[8], dropout=0.2, batch_norm=True)
    assert regularised.overfitting_fixes() == regularised.stability_fixes() == ()
    assert regularised.divergence_advice() == ""
    assert Cnn(hidden_units=[]).overfitting_fixes() == ()  # no dense layer to drop units of
    mlcc_cli.load_config(CONFIG, [*plain.overfitting_fixes(), *plain.stability_fixes()])


SMALL_RUN = ["training.epochs=2", "training.periods=2"]
REGULARISED = ["model.dropout=0.2", "model.batch_norm=true"]


def _set(*assignments: str) -> list[str]:
    """`--set` options for the CLI."""
    return [word for assignment in assignments for word in ("--set", assignment)]


@pytest.mark.parametrize(
    "optimizer",
    ["{type: sgd, learning_rate: 0.05, momentum: 0.9}", "{type: adagrad, learning_rate: 0.1}",
     "{type: adam, learning_rate: 0.01, clip_norm: 1.0}", "{type: ftrl, learning_rate: 0.1}"],
)  # fmt: skip
def test_every_optimizer_trains_a_regularised_cnn(optimizer: str) -> None:
    overrides = [*REGULARISED, f"optimizer={optimizer}", "model.l2=0.001", *SMALL_RUN]
    overrides.append("training.early_stopping={patience: 1}")
    result = mlcc_cli.train(CONFIG, overrides=overrides)
    assert result.status == "complete", result.message
    assert result.metrics["validation"]["accuracy"] > 0.5
    assert {"grad_norm_K1", "grad_norm_W1"} <= set(result.history.columns)


def test_a_saved_run_predicts_like_the_trained_model(tmp_path: Path) -> None:
    args = ["train", str(CONFIG), "--runs-dir", str(tmp_path / "runs"), "--json"]
    trained = runner.invoke(app, [*args, *_set(*REGULARISED, *SMALL_RUN)])
    assert trained.exit_code == 0, trained.output
    run_dir = Path(json.loads(trained.stdout)["run_dir"])
    with np.load(run_dir / "model.npz") as saved:
        assert {"conv_running_mean1", "running_var1", "conv_gamma1", "beta1"} <= set(saved)
        assert np.any(saved["conv_running_mean1"] != 0)

    pixels = digits_images(None, None).head(40).drop(columns=["target"])
    pixels.to_csv(tmp_path / "pixels.csv", index=False)
    out = tmp_path / "predicted.csv"
    predicted = runner.invoke(
        app, ["predict", str(run_dir), str(tmp_path / "pixels.csv"), "-o", str(out)]
    )
    assert predicted.exit_code == 0, predicted.output
    model = load_run(run_dir).model
    X = pixels.to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(pd.read_csv(out)["prediction"], model.predict(X))
    rebuilt = Cnn.from_state(json.loads(json.dumps(model.get_state())))
    np.testing.assert_array_equal(rebuilt.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(
    ("setting", "phrase"),
    [
        ("model.dropout=[0.1, 0.2]", "2 rates for 1 dense hidden layers"),
        ("model.dropout=1.0", "[0, 1)"),
        ("model.hidden_units=[]", "hidden_units is empty"),
    ],
)
def test_a_bad_dropout_exits_2_naming_the_key(tmp_path: Path, setting: str, phrase: str) -> None:
    extra = ["model.dropout=0.2"] if "hidden_units" in setting else []
    args = ["train", str(CONFIG), "--runs-dir", str(tmp_path), *_set(*extra, setting)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "model.dropout" in result.output and phrase in result.output
    assert "Traceback" not in result.output
