"""Tests of the multilayer perceptron: finite-difference gradients, dropout, heads, training."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from mlcc_cli.errors import ConfigError, DataError, NotFittedError
from mlcc_cli.models.nn import Mlp
from mlcc_cli.models.nn.layers import dropout_mask
from mlcc_cli.models.registry import MODELS, build_model


def _data(task: str, n: int = 12, d: int = 3, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, d))
    if task == "regression":
        return X, rng.normal(size=n)
    if task == "binary":
        return X, rng.integers(0, 2, size=n).astype(np.float64)
    return X, rng.integers(0, k, size=n).astype(np.float64)


def _network(task: str, n_features: int = 3, **options: object) -> Mlp:
    model = Mlp(hidden_units=[5, 4], task=task, seed=3, **options)
    model.initialize(n_features, n_classes=3 if task == "multiclass" else None)
    # Non-zero biases so ReLU kinks and BN shifts are exercised away from the origin.
    for name, param in model.params.items():
        if not name.startswith("W"):
            param += np.random.default_rng(1).normal(scale=0.1, size=param.shape)
    return model


def _check_gradients(model: Mlp, X: np.ndarray, y: np.ndarray, masks: object = False) -> None:
    """Central differences of (data loss + L2 penalty) against the backprop gradients."""

    def objective() -> float:
        loss = model.loss_and_gradients(X, y, masks=masks, update_running=False)[0]
        return loss + model.l2 * sum(float((model.params[w] ** 2).sum()) for w in model.l1_names)

    _, grads = model.loss_and_gradients(X, y, masks=masks, update_running=False)
    assert set(grads) == set(model.params)
    eps = 1e-6
    for name, param in model.params.items():
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = objective()
            param[index] = saved - eps
            minus = objective()
            param[index] = saved
            numeric[index] = (plus - minus) / (2 * eps)
        error = np.linalg.norm(numeric - grads[name]) / max(
            np.linalg.norm(numeric) + np.linalg.norm(grads[name]), 1e-12
        )
        assert error < 1e-6, f"{name}: relative error {error:.2e}"


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_gradients_match_finite_differences(activation: str, task: str) -> None:
    model = _network(task, activation=activation, leaky_slope=0.1)
    _check_gradients(model, *_data(task))


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_gradients_with_l2_and_batch_norm(task: str) -> None:
    model = _network(task, activation="tanh", batch_norm=True, l2=0.3)
    assert "gamma1" in model.params and "b1" not in model.params  # β replaces the bias
    _check_gradients(model, *_data(task))


def test_gradients_with_a_fixed_dropout_mask() -> None:
    model = _network("binary", activation="relu", dropout=0.5)
    X, y = _data("binary")
    rng = np.random.default_rng(0)
    masks = [dropout_mask((12, 5), 0.5, rng), dropout_mask((12, 4), 0.5, rng)]
    _check_gradients(model, X, y, masks=masks)


def test_sparse_input_gives_the_dense_results() -> None:
    X, y = _data("binary")
    X[X < 0.3] = 0.0
    model = _network("binary")
    dense_loss, dense_grads = model.loss_and_gradients(X, y, masks=False)
    sparse_loss, sparse_grads = model.loss_and_gradients(sp.csr_array(X), y, masks=False)
    assert sparse_loss == pytest.approx(dense_loss, rel=1e-12)
    for name in dense_grads:
        np.testing.assert_allclose(sparse_grads[name], dense_grads[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(model.predict(sp.csr_matrix(X)), model.predict(X))


def test_dropout_is_random_in_training_and_off_at_evaluation() -> None:
    model = _network("binary", dropout=[0.5, 0.2])
    X, y = _data("binary")
    first = model.loss_and_gradients(X, y)[0]
    second = model.loss_and_gradients(X, y)[0]
    assert first != second  # fresh masks every step
    assert model.loss(X, y) == model.loss(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))
    # Evaluation equals training without dropout (no BN here): masks are the only difference.
    assert model.loss(X, y) == pytest.approx(model.loss_and_gradients(X, y, masks=False)[0])


def test_batch_norm_uses_running_averages_at_evaluation() -> None:
    model = _network("regression", batch_norm=True)
    X, y = _data("regression")
    before = model.predict(X[:1]).copy()
    for _ in range(50):
        model.loss_and_gradients(X, y)  # updates the running mean and variance
    np.testing.assert_allclose(model.running_mean_[1], (X @ model.params["W1"]).mean(0), atol=1e-2)
    assert not np.allclose(model.predict(X[:1]), before)
    # One row predicted alone equals that row predicted within the whole batch.
    np.testing.assert_allclose(model.predict(X[:1]), model.predict(X)[:1])


def test_same_seed_same_network_and_state_round_trip() -> None:
    a, b = _network("multiclass", batch_norm=True), _network("multiclass", batch_norm=True)
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    X, _ = _data("multiclass")
    rebuilt = Mlp.from_state(json.loads(json.dumps(a.get_state())))  # JSON, as in runs
    np.testing.assert_array_equal(rebuilt.predict_proba(X), a.predict_proba(X))
    assert a.predict_proba(X).shape == (12, 3)
    np.testing.assert_allclose(a.predict_proba(X).sum(axis=1), 1.0)


def test_contract_errors() -> None:
    with pytest.raises(NotFittedError):
        Mlp([3]).predict(np.zeros((1, 2)))
    with pytest.raises(ConfigError, match="task"):
        Mlp([3]).initialize(2)
    assert Mlp([3]).initialize(2, n_classes=4).task == "multiclass"
    model = _network("binary")
    with pytest.raises(DataError, match="features"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(DataError, match="0 and 1"):
        model.validate_targets(np.array([0.0, 2.0]))
    assert "hidden_units=[5, 4]" in repr(model)


def test_registered_and_built_from_config() -> None:
    from mlcc_cli.config.models import MlpConfig

    config = MlpConfig(type="mlp", hidden_units=[8], activation="tanh", task="regression")
    model = build_model(config)
    assert MODELS["mlp"] is Mlp and isinstance(model, Mlp) and model.activation == "tanh"
    model.initialize(2)
    assert model.l1_names == ("W1", "W2") and model.nonzero_weights() == 2 * 8 + 8


def _playground(name: str, samples: int) -> tuple[np.ndarray, ...]:
    """A builtin playground dataset, rows shuffled, split 75 % / 25 %."""
    from mlcc_cli.config.data import SyntheticConfig
    from mlcc_cli.data import builtin

    frame = getattr(builtin, name)(
        SyntheticConfig(samples=samples, noise=0.0), np.random.default_rng(0)
    )
    X, y = frame[["x1", "x2"]].to_numpy(), frame["target"].to_numpy().astype(np.float64)
    order = np.random.default_rng(5).permutation(samples)  # spiral rows run along the arms
    X, y = X[order], y[order]
    cut = samples * 3 // 4
    return X[:cut], y[:cut], X[cut:], y[cut:]


@pytest.mark.parametrize(
    ("dataset", "network", "learning_rate", "epochs"),
    [
        ("xor", {"hidden_units": [8]}, 0.3, 60),
        ("spiral", {"hidden_units": [32, 32], "batch_norm": True}, 0.1, 200),
    ],
)
def test_mlp_learns_what_logistic_regression_cannot(
    dataset: str, network: dict, learning_rate: float, epochs: int
) -> None:
    from mlcc_cli.config.training import TrainingConfig
    from mlcc_cli.models.linear import LogisticRegression
    from mlcc_cli.optim.sgd import SGD
    from mlcc_cli.training.loop import train

    X_train, y_train, X_validation, y_validation = _playground(dataset, 800)
    schedule = TrainingConfig(batch_size=32, epochs=epochs, periods=4, engine="numpy")
    accuracy = {}
    for model in (Mlp(task="binary", **network), LogisticRegression()):
        result = train(
            model, SGD(learning_rate=learning_rate), X_train, y_train, X_validation,
            y_validation, schedule, np.random.default_rng(1),
        )  # fmt: skip
        assert result.status == "complete"
        accuracy[type(model).__name__] = result.history[-1].metrics["validation_accuracy"]
    assert accuracy["Mlp"] >= 0.95
    assert accuracy["LogisticRegression"] < 0.65


def test_params_and_buffers_rebuild_the_network_like_a_run_directory() -> None:
    """What model.npz would hold: params plus the batch-norm running averages."""
    model = _network("binary", batch_norm=True)
    X, y = _data("binary")
    model.loss_and_gradients(X, y)  # moves the running averages away from 0 and 1
    arrays = {name: a.copy() for name, a in {**model.params, **model.buffers}.items()}
    assert set(model.buffers) == {"running_mean1", "running_var1", "running_mean2", "running_var2"}
    rebuilt = Mlp([5, 4], task="binary", batch_norm=True).initialize(3)
    for name, live in {**rebuilt.params, **rebuilt.buffers}.items():
        live[...] = arrays[name]
    np.testing.assert_array_equal(rebuilt.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_forward_pass_matches_scikit_learn(activation: str, task: str) -> None:
    """scikit-learn's MLP given our weights predicts what we predict (the forward oracle)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    X, y = _data(task)
    model = _network(task, activation=activation)
    options = {"hidden_layer_sizes": (5, 4), "max_iter": 1, "random_state": 0}
    options["activation"] = "logistic" if activation == "sigmoid" else activation
    oracle = MLPRegressor(**options) if task == "regression" else MLPClassifier(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        oracle.fit(X, y)  # only to set up its structure; the weights are replaced below
    oracle.coefs_ = [model.params[f"W{layer}"] for layer in (1, 2, 3)]
    oracle.intercepts_ = [model.params[f"b{layer}"] for layer in (1, 2, 3)]
    if task == "regression":
        np.testing.assert_allclose(model.predict(X), oracle.predict(X), rtol=1e-12)
    else:
        np.testing.assert_allclose(model.predict_proba(X), oracle.predict_proba(X), rtol=1e-12)


def _with_categories(n: int = 12) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """Two numeric columns, then one-hot blocks for `city` (4 values) and `kind` (3)."""
    rng = np.random.default_rng(2)
    city = np.eye(4)[rng.integers(0, 4, size=n)]
    kind = np.eye(3)[rng.integers(0, 3, size=n)]
    return np.hstack([rng.normal(size=(n, 2)), city, kind]), {"city": (2, 6), "kind": (6, 9)}


@pytest.mark.parametrize("sparse", [False, True])
def test_embedding_gradients_match_finite_differences(sparse: bool) -> None:
    X, blocks = _with_categories()
    _, y = _data("binary")
    model = Mlp([4], task="binary", embeddings={"city": 2, "kind": 3}, l2=0.1, seed=3)
    model.initialize(9, embedding_columns=blocks)
    assert model.params["embedding_city"].shape == (4, 2)
    assert model.params["W1"].shape == (2 + 2 + 3, 4)  # plain columns, then the embeddings
    assert model.l1_names[:2] == ("embedding_city", "embedding_kind")
    _check_gradients(model, sp.csr_array(X) if sparse else X, y)


def test_embedding_of_a_one_hot_row_is_a_lookup() -> None:
    X, blocks = _with_categories()
    model = Mlp([4], task="regression", embeddings={"city": 2}).initialize(9, None, blocks)
    a0, _ = model.embedding_input_.forward(X, model.params)
    category = X[:, 2:6].argmax(axis=1)
    np.testing.assert_array_equal(a0[:, -2:], model.params["embedding_city"][category])
    np.testing.assert_array_equal(a0[:, :5], X[:, [0, 1, 6, 7, 8]])  # the rest, unchanged
    rebuilt = Mlp.from_state(json.loads(json.dumps(model.get_state())))
    np.testing.assert_array_equal(rebuilt.predict(X), model.predict(X))
    with pytest.raises(ConfigError, match="embedding_columns"):
        Mlp([4], task="regression", embeddings={"city": 2}).initialize(9)
    with pytest.raises(ConfigError, match="not categorical"):
        Mlp([4], task="regression", embeddings={"town": 2}).initialize(9, None, blocks)
