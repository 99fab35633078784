"""Tests of the training diagnostics: gradient norms per layer, dead ReLUs, overfitting."""

from __future__ import annotations

import numpy as np
import pytest

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.models.linear import LinearRegression
from mlcc_cli.models.nn import Mlp
from mlcc_cli.models.nn.cnn import Cnn
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training import diagnostics, divergence
from mlcc_cli.training.loop import train
from mlcc_cli.training.schedule import PeriodRecord


def _xor(n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.float64)


def _train(model: Mlp, learning_rate: float, epochs: int = 2):
    X, y = _xor()
    schedule = TrainingConfig(batch_size=32, epochs=epochs, periods=2, engine="numpy")
    return train(
        model, SGD(learning_rate=learning_rate), X[:300], y[:300], X[300:], y[300:], schedule,
        np.random.default_rng(1),
    )  # fmt: skip


def _record(period: int, train_loss: float, validation_loss: float | None) -> PeriodRecord:
    return PeriodRecord(period, period * 10, float(period), period * 320, train_loss,
                        validation_loss, 0.1, 1.0)  # fmt: skip


def test_history_gets_per_layer_columns() -> None:
    result = _train(Mlp([8, 4], task="binary"), learning_rate=0.1)
    metrics = result.history[-1].metrics
    assert {"grad_norm_W1", "grad_norm_W2", "grad_norm_W3", "dead_relu_1", "dead_relu_2"} <= set(
        metrics
    )
    assert all(np.isfinite(metrics[key]) for key in metrics)
    assert result.warnings == []


def test_linear_models_get_no_layer_columns() -> None:
    X, y = _xor()
    result = train(
        LinearRegression(), SGD(learning_rate=0.1), X, y, None, None,
        TrainingConfig(epochs=1, periods=1), np.random.default_rng(0),
    )  # fmt: skip
    assert not any(
        key.startswith(("grad_norm_", "dead_relu_")) for key in result.history[0].metrics
    )


def test_dead_relus_are_detected() -> None:
    model = Mlp([16, 8], task="binary").initialize(2)
    model.params["b1"][:] = -100.0  # u < 0 for every input: layer 1 never fires
    result = _train(model, learning_rate=0.1)
    assert result.history[-1].metrics["dead_relu_1"] == 1.0
    assert any("dead ReLUs: 100% of hidden layer 1" in w for w in result.warnings)


def test_dead_fraction_counts_units_zero_on_every_row() -> None:
    activations = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]])
    assert diagnostics.dead_fraction(activations) == 0.5


def test_vanishing_gradients_in_a_deep_sigmoid_net() -> None:
    X, y = _xor()
    deep = [16] * 10
    sigmoid = Mlp(deep, activation="sigmoid", task="binary").initialize(2)
    findings = diagnostics.gradient_warnings(diagnostics.period_metrics(sigmoid, X, y, None))
    assert len(findings) == 1 and findings[0].startswith("vanishing gradients: layer 1")
    relu = Mlp(deep, activation="relu", task="binary").initialize(2)
    assert diagnostics.gradient_warnings(diagnostics.period_metrics(relu, X, y, None)) == []


def test_exploding_gradients() -> None:
    metrics = {"grad_norm_W1": 5e4, "grad_norm_W2": 10.0}
    assert diagnostics.gradient_warnings(metrics)[0].startswith("exploding gradients")


def test_no_gradient_at_all_is_not_called_exploding() -> None:
    # Every ReLU dead: all norms 0, which the dead-unit finding explains instead.
    metrics = {"grad_norm_W1": 0.0, "grad_norm_W2": 0.0, "grad_norm_W3": 0.0}
    assert diagnostics.gradient_warnings(metrics) == []


@pytest.mark.parametrize(
    ("validation", "start"),
    [
        ([1.0, 0.8, 0.7, 0.75, 0.8, 0.9], 4),  # rises from period 4 on
        ([1.0, 0.8, 0.7, 0.75, 0.7, 0.72], None),  # single rises are noise
        ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5], None),
    ],
)
def test_overfitting_start(validation: list[float], start: int | None) -> None:
    train_losses = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]
    assert diagnostics.overfitting_start(train_losses, validation) == start
    history = [
        _record(k + 1, t, v) for k, (t, v) in enumerate(zip(train_losses, validation, strict=True))
    ]
    findings = diagnostics.history_warnings(history)
    if start is None:
        assert findings == []
    else:
        assert findings == [
            "overfitting: from period 4 validation loss rises while training loss still "
            "falls; try model.l2, model.dropout (mlp) or training.early_stopping"
        ]


def test_overfitting_needs_training_loss_falling() -> None:
    # Both losses rising is not overfitting (more like a learning rate too high).
    assert diagnostics.overfitting_start([1.0, 1.1, 1.2], [1.0, 1.1, 1.2]) is None


def test_divergence_advice_mentions_batch_norm_for_mlp() -> None:
    result = _train(Mlp([32, 32], task="binary", init="he"), learning_rate=1e6)
    assert result.status == "diverged"
    assert "model.batch_norm: true" in result.message
    assert LinearRegression().divergence_advice() == ""
    assert Mlp([4], batch_norm=True).divergence_advice() == ""


def test_a_finite_but_exploding_loss_is_reported() -> None:
    history = [PeriodRecord(i + 1, i, 0.0, 0, loss, None, 0.1, 1.0) for i, loss in
               enumerate([2.0, 1.0, 50.0, 4e6])]  # fmt: skip
    (finding,) = diagnostics.loss_growth_warnings(history)
    assert finding.startswith("training loss grew 4e+06-fold after period 2")
    assert diagnostics.loss_growth_warnings(history[:3]) == []


def test_a_cnns_kernels_count_as_its_lowest_layers() -> None:
    dense_only = diagnostics.gradient_warnings({"grad_norm_W1": 1e-6, "grad_norm_W2": 1.0})
    assert dense_only[0].startswith("vanishing gradients: layer 1's gradient norm")
    with_kernels = {"grad_norm_K1": 1e-7, "grad_norm_W1": 0.5, "grad_norm_W2": 1.0}
    (message,) = diagnostics.gradient_warnings(with_kernels)
    assert message.startswith("vanishing gradients: conv layer 1's gradient norm 1e-07")
    assert "times layer 2's" in message


def test_only_models_with_batch_norm_offer_it_as_a_fix() -> None:
    assert Mlp().stability_fixes() == ("model.batch_norm=true",)
    conv = [{"filters": 2, "kernel": 3}]
    assert Cnn(image_shape=[5, 5, 1], conv=conv).stability_fixes() == ("model.batch_norm=true",)
    assert Cnn(image_shape=[5, 5, 1], conv=conv, batch_norm=True).stability_fixes() == ()
    assert LinearRegression().stability_fixes() == ()


@pytest.mark.parametrize(
    ("ratio", "orders"), [(0.5, 1), (1.0, 1), (9.0, 1), (11.0, 2), (999.0, 3), (2.6e4, 3)]
)
def test_a_diverged_rate_is_lowered_by_the_losss_overshoot_at_most_1000_fold(
    ratio: float, orders: int
) -> None:
    assert divergence.orders_smaller(ratio) == orders
    # the training error names that rate (the doctor's fix uses the same rule)
    message = divergence.divergence_message(25, 1, 0.01, 0.6931 * ratio, limit=6.931)
    assert f"(e.g. {0.01 * 10.0**-orders:g}, or find one with mlcc lr-find)" in message
