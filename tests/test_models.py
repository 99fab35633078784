"""Models: gradients against finite differences, losses and optima against scikit-learn.

The convergence tests train through `training.train` because that is how a model reaches its
optimum; the oracle is always a closed form or scikit-learn, never this code.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import Lasso
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.metrics import log_loss

from mlcc_cli.config.base import union_tags
from mlcc_cli.config.models import LinearConfig, LogisticConfig, ModelConfig
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.models.linear import LinearRegression, LogisticRegression
from mlcc_cli.models.registry import MODELS, build_model
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.loop import train

# Models with one weight vector (the compiled kernels' family); multiclass models and the
# MLP have their own test modules.
LINEAR_FAMILY = ("linear", "logistic")


def _zscore(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _problem(tag: str, n: int = 30, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    z = X @ np.linspace(-1.0, 1.5, d) + 0.3 + 0.5 * rng.normal(size=n)
    return X, (z > 0).astype(float) if tag == "logistic" else z


def _with_random_weights(model, d: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    model.initialize(d)
    model.coef_[:] = rng.normal(size=d)
    model.intercept_[:] = rng.normal(size=1)
    return model


# ------------------------------------------------------------------- gradients


@pytest.mark.parametrize("tag", LINEAR_FAMILY)
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradients_match_central_differences(tag: str, l2: float) -> None:
    X, y = _problem(tag)
    model = _with_random_weights(MODELS[tag](l2=l2), X.shape[1])

    def objective() -> float:  # data loss + L2 penalty, what the gradient differentiates
        return model.loss(X, y) + l2 * float(model.coef_ @ model.coef_)

    _, grads = model.loss_and_gradients(X, y)
    eps = 1e-6
    for name, param in model.params.items():
        numeric = np.empty_like(param)
        for i in range(param.size):
            saved = param[i]
            param[i] = saved + eps
            up = objective()
            param[i] = saved - eps
            down = objective()
            param[i] = saved
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)


def test_linear_loss_is_mean_squared_error() -> None:
    X, y = _problem("linear")
    model = _with_random_weights(LinearRegression(l1=0.5, l2=0.5), X.shape[1])
    residual = X @ model.coef_ + model.intercept_[0] - y
    assert model.loss(X, y) == pytest.approx(np.mean(residual**2), rel=1e-12)
    batch_loss, _ = model.loss_and_gradients(X, y)
    assert batch_loss == pytest.approx(np.mean(residual**2), rel=1e-12)  # no penalty inside


def test_logistic_loss_and_probabilities_match_sklearn() -> None:
    X, y = _problem("logistic")
    sk = SklearnLogisticRegression().fit(X, y)
    model = LogisticRegression().initialize(X.shape[1])
    model.coef_[:] = sk.coef_[0]
    model.intercept_[:] = sk.intercept_
    np.testing.assert_allclose(model.predict_proba(X), sk.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(model.decision_function(X), sk.decision_function(X), rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), sk.predict(X))
    assert model.loss(X, y) == pytest.approx(log_loss(y, sk.predict_proba(X)), rel=1e-10)


def test_logistic_loss_is_stable_for_huge_logits() -> None:
    X = np.array([[1.0], [-1.0]])
    model = LogisticRegression().initialize(1)
    model.coef_[:] = 1000.0  # z = ±1000: a naive log(σ(z)) would hit log(0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert model.loss(X, np.array([1.0, 0.0])) == pytest.approx(0.0, abs=1e-300)
        assert model.loss(X, np.array([0.0, 1.0])) == pytest.approx(1000.0)
        loss, grads = model.loss_and_gradients(X, np.array([0.0, 1.0]))
    assert np.isfinite(loss) and np.isfinite(grads["coef_"]).all()
    np.testing.assert_allclose(grads["coef_"], [1.0])  # (1/2)·[1·(1 − 0) + (−1)·(0 − 1)]


def test_predict_threshold_and_penalty() -> None:
    model = LogisticRegression(l1=0.5, l2=2.0).initialize(2)
    model.coef_[:] = [1.0, -3.0]
    X = np.array([[0.0, 0.0], [1.0, 0.0]])  # p = 0.5 and σ(1) ≈ 0.73
    np.testing.assert_array_equal(model.predict(X), [1, 1])  # at or above 0.5 is class 1
    np.testing.assert_array_equal(model.predict(X, threshold=0.6), [0, 1])
    assert model.penalty() == pytest.approx(0.5 * 4.0 + 2.0 * 10.0)
    assert model.nonzero_weights() == 2


def test_logistic_rejects_labels_other_than_0_and_1() -> None:
    model = LogisticRegression().initialize(1)
    with pytest.raises(DataError, match="labels 0 and 1"):
        model.loss(np.zeros((3, 1)), np.array([0.0, 1.0, 2.0]))


# ---------------------------------------------------------------- convergence


def _full_batch(steps: int) -> TrainingConfig:
    return TrainingConfig(batch_size="full", steps=steps, periods=2)


@pytest.mark.parametrize(
    ("batch_size", "learning_rate", "schedule"),
    [("full", 0.1, {"steps": 3000}), (32, 0.01, {"epochs": 300})],
)
def test_linear_regression_reaches_least_squares_rmse(
    batch_size: int | str, learning_rate: float, schedule: dict[str, int]
) -> None:
    X, y = load_diabetes(return_X_y=True)
    X = _zscore(X)
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    optimum_rmse = np.sqrt(np.mean((design @ solution - y) ** 2))

    model = LinearRegression()
    config = TrainingConfig(batch_size=batch_size, periods=3, **schedule)
    result = train(model, SGD(learning_rate), X, y, None, None, config, np.random.default_rng(0))
    assert result.status == "complete"
    assert np.sqrt(model.loss(X, y)) <= optimum_rmse * 1.005


def test_l2_logistic_regression_matches_sklearn() -> None:
    # Our objective mean log loss + λ₂‖w‖² equals sklearn's C·Σ log loss + ½‖w‖² divided by
    # C·n when λ₂ = 1/(2·C·n), i.e. C = 1/(2·λ₂·n); both leave the intercept unpenalised.
    X, y = load_breast_cancer(return_X_y=True)
    X = _zscore(X)
    l2 = 0.01
    sk = SklearnLogisticRegression(C=1 / (2 * l2 * len(X)), tol=1e-12, max_iter=100_000)
    sk.fit(X, y)

    model = LogisticRegression(l2=l2)
    result = train(model, SGD(1.0), X, y, None, None, _full_batch(2000), np.random.default_rng(0))
    assert result.status == "complete"
    np.testing.assert_allclose(model.coef_, sk.coef_[0], atol=1e-3)
    np.testing.assert_allclose(model.intercept_, sk.intercept_, atol=1e-3)


def test_l1_gives_exact_zeros_on_noise_columns_like_lasso() -> None:
    rng = np.random.default_rng(3)
    n = 200
    informative = rng.normal(size=(n, 3))
    y = informative @ np.array([3.0, -2.0, 1.5]) + 1.0 + 0.5 * rng.normal(size=n)
    X = np.column_stack([informative, rng.normal(size=(n, 5))])  # 5 pure-noise columns
    l1 = 0.2

    model = LinearRegression(l1=l1)
    train(model, SGD(0.1), X, y, None, None, _full_batch(3000), np.random.default_rng(0))
    assert np.all(model.coef_[3:] == 0.0)
    assert np.all(model.coef_[:3] != 0.0)
    assert model.nonzero_weights() == 3
    # MSE + λ₁‖w‖₁ is twice sklearn's (1/2n)‖r‖² + α‖w‖₁ with α = λ₁/2: same minimiser.
    lasso = Lasso(alpha=l1 / 2, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(model.coef_, lasso.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, [lasso.intercept_], atol=1e-6)


# ---------------------------------------------------------------- contract suite


def test_registry_lists_exactly_the_config_tags() -> None:
    assert tuple(MODELS) == union_tags(ModelConfig)


@pytest.mark.parametrize(
    "config",
    [LinearConfig(type="linear", l1=0.1, l2=0.2), LogisticConfig(type="logistic", l1=0.1, l2=0.2)],
)
def test_build_model_stores_hyperparameters_only(config: LinearConfig | LogisticConfig) -> None:
    model = build_model(config)
    assert isinstance(model, MODELS[config.type])
    assert (model.l1, model.l2) == (0.1, 0.2)
    assert model.coef_ is None
    assert repr(model) == f"{type(model).__name__}(l1=0.1, l2=0.2)"


@pytest.mark.parametrize("tag", LINEAR_FAMILY)
def test_unfitted_model_raises_not_fitted(tag: str) -> None:
    model = MODELS[tag]()
    X, y = _problem(tag)
    for call in (
        lambda: model.predict(X),
        lambda: model.loss(X, y),
        lambda: model.loss_and_gradients(X, y),
        model.get_state,
        model.nonzero_weights,
    ):
        with pytest.raises(NotFittedError, match=type(model).__name__):
            call()


@pytest.mark.parametrize("tag", LINEAR_FAMILY)
def test_state_round_trips_through_json(tag: str) -> None:
    X, y = _problem(tag)
    model = _with_random_weights(MODELS[tag](l1=0.01, l2=0.02), X.shape[1])
    state = json.loads(json.dumps(model.get_state()))
    rebuilt = MODELS[tag].from_state(state)
    assert (rebuilt.l1, rebuilt.l2, rebuilt.n_features_in_) == (0.01, 0.02, X.shape[1])
    np.testing.assert_array_equal(rebuilt.predict(X), model.predict(X))
    np.testing.assert_array_equal(rebuilt.decision_function(X), model.decision_function(X))
    assert rebuilt.loss(X, y) == model.loss(X, y)


@pytest.mark.parametrize("tag", LINEAR_FAMILY)
def test_feature_count_mismatch_is_rejected(tag: str) -> None:
    X, y = _problem(tag, d=4)
    model = MODELS[tag]().initialize(3)
    with pytest.raises(DataError, match="3 features but got 4"):
        model.predict(X)
    with pytest.raises(DataError, match="3 features but got 4"):
        model.loss_and_gradients(X, y)


@pytest.mark.parametrize("tag", LINEAR_FAMILY)
def test_inputs_are_not_mutated(tag: str) -> None:
    X, y = _problem(tag)
    X_before, y_before = X.copy(), y.copy()
    model = _with_random_weights(MODELS[tag](l2=0.1), X.shape[1])
    model.loss_and_gradients(X, y)
    model.loss(X, y)
    model.predict(X)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("tag", LINEAR_FAMILY)
def test_params_are_the_live_weight_arrays(tag: str) -> None:
    model = MODELS[tag]().initialize(2)
    assert model.params["coef_"] is model.coef_
    assert model.params["intercept_"] is model.intercept_
    assert model.coef_.dtype == np.float64 and model.intercept_.shape == (1,)
