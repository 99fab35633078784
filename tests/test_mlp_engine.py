"""The compiled MLP kernel (training/kernels/mlp.py) against the numpy reference, and when
`engine: auto` uses it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from cli_helpers import experiment, mlcc
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.nn import Mlp
from mlcc_cli.optim.adaptive import Adam
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import choose_engine
from mlcc_cli.training.loop import train

TASK_CLASSES = {"regression": None, "binary": 2, "multiclass": 4}


def _problem(task: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(150, 5))  # (n, d)
    X[:, 4] *= 5  # a badly scaled column, so clipping engages
    scores = X @ rng.normal(size=(5, 4)) + 0.3 * rng.normal(size=(150, 4))
    if task == "regression":
        return X, scores[:, 0]
    if task == "binary":
        return X, (scores[:, 0] > 0).astype(np.float64)
    return X, np.argmax(scores, axis=1).astype(np.float64)


def _trained(task: str, engine: str, batch, activation="relu", hidden=(6, 4), **kwargs):
    X, y = _problem(task)
    l1, l2, clip = kwargs.pop("l1", 0.0), kwargs.pop("l2", 0.0), kwargs.pop("clip", None)
    model = Mlp(hidden_units=hidden, activation=activation, task=task, l1=l1, l2=l2, seed=3)
    model.initialize(X.shape[1], TASK_CLASSES[task])
    optimizer = SGD(learning_rate=kwargs.pop("learning_rate", 0.05), clip_norm=clip)
    config = TrainingConfig(
        batch_size=batch, engine=engine, **({"epochs": 3, "periods": 3} | kwargs)
    )
    result = train(model, optimizer, X, y, X[:40], y[:40], config, np.random.default_rng(4))
    return model, result


def _assert_same_training(compiled, compiled_result, reference, reference_result) -> None:
    assert compiled_result.settings["engine"] == "compiled"
    assert reference_result.settings["engine"] == "numpy"
    for name, value in reference.params.items():
        np.testing.assert_allclose(compiled.params[name], value, rtol=0, atol=1e-10)
    for ours, theirs in zip(compiled_result.history, reference_result.history, strict=True):
        assert (ours.step, ours.examples_seen) == (theirs.step, theirs.examples_seen)
        assert ours.grad_norm == pytest.approx(theirs.grad_norm, abs=1e-10)
        assert ours.train_loss == pytest.approx(theirs.train_loss, abs=1e-10)


@pytest.mark.parametrize("batch", [1, 16, "full"])
@pytest.mark.parametrize("task", list(TASK_CLASSES))
def test_compiled_mlp_equals_numpy_reference(task: str, batch) -> None:
    reference = _trained(task, "numpy", batch)
    compiled = _trained(task, "compiled", batch)
    _assert_same_training(*compiled, *reference)


@pytest.mark.parametrize("activation", ["leaky_relu", "tanh", "sigmoid"])
def test_every_activation_matches(activation: str) -> None:
    reference = _trained("multiclass", "numpy", 7, activation=activation)
    compiled = _trained("multiclass", "compiled", 7, activation=activation)
    _assert_same_training(*compiled, *reference)


@pytest.mark.parametrize(
    "settings",
    [
        {"l1": 0.01},
        {"l2": 0.01},
        {"l1": 0.01, "l2": 0.01, "clip": 0.5},
        {"hidden": ()},  # no hidden layer: a linear model trained by the network code
        {"hidden": (5, 4, 3), "shuffle": "blocks"},
    ],
)
def test_penalties_clipping_depth_and_shuffles_match(settings: dict) -> None:
    reference = _trained("binary", "numpy", 8, **dict(settings))
    compiled = _trained("binary", "compiled", 8, **dict(settings))
    _assert_same_training(*compiled, *reference)


def test_compiled_divergence_is_reported_like_numpy() -> None:
    outcomes = []
    for engine in ("numpy", "compiled"):
        _, result = _trained("regression", engine, 4, learning_rate=1e6, epochs=5, periods=5)
        last_step = result.history[-1].step if result.history else None
        outcomes.append((result.status, last_step, result.message.split(" with ")[0]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "diverged"


def test_auto_uses_the_kernel_for_plain_dense_networks_only() -> None:
    dense, sparse = np.zeros((3, 2)), sp.csr_matrix(np.zeros((3, 2)))
    sgd = SGD(0.1)
    assert choose_engine("auto", Mlp(), sgd, dense) == "compiled"
    assert choose_engine("auto", Mlp(), sgd, sparse) == "numpy"
    assert choose_engine("auto", Mlp(), Adam(0.01), dense) == "numpy"
    for numpy_only in (Mlp(batch_norm=True), Mlp(dropout=0.2), Mlp(dropout=[0.0, 0.1])):
        assert numpy_only.kernel is None
        assert choose_engine("auto", numpy_only, sgd, dense) == "numpy"
        with pytest.raises(ConfigError, match="no kernel"):
            choose_engine("compiled", numpy_only, sgd, dense)
    # A network's numpy step costs five times a linear one's: auto switches sooner.
    work = (1_000, 32)
    assert choose_engine("auto", Mlp(), sgd, np.zeros((3, 30)), work) == "numpy"
    assert choose_engine("auto", Mlp(), sgd, np.zeros((3, 30)), (5_000, 32)) == "compiled"


def test_a_long_mlp_run_trains_compiled_through_the_cli(tmp_path: Path) -> None:
    """`engine: auto` records the kernel it chose, and the run's metrics match `numpy`."""
    metrics = {}
    for engine in ("auto", "numpy"):
        training = {"batch_size": 32, "steps": 4_000, "periods": 2, "engine": engine}
        model = {"type": "mlp", "hidden_units": [8], "activation": "relu"}
        optimizer = {"type": "sgd", "learning_rate": 0.01}
        path = experiment(tmp_path, model=model, optimizer=optimizer, training=training)
        result = mlcc("train", path, "--runs-dir", tmp_path / engine, "--quiet", "--no-plots")
        assert result.exit_code == 0, result.output
        run = Path(result.stdout.strip())
        status = json.loads((run / "status.json").read_text())
        assert status["training"]["engine"] == ("compiled" if engine == "auto" else "numpy")
        metrics[engine] = json.loads((run / "metrics.json").read_text())
    assert metrics["auto"]["validation"]["accuracy"] == pytest.approx(
        metrics["numpy"]["validation"]["accuracy"], abs=1e-9
    )
