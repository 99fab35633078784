"""Optimizers and learning-rate schedules against textbook formulas written out by hand,
trained models against least squares / scikit-learn, and the CLI's history.csv."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from pydantic import TypeAdapter
from sklearn.linear_model import Lasso, LogisticRegression
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.base import union_tags
from mlcc_cli.config.optimizers import OptimizerConfig, SGDConfig
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.linear import LinearRegression
from mlcc_cli.models.linear import LogisticRegression as OurLogistic
from mlcc_cli.optim.adaptive import Adagrad, Adam
from mlcc_cli.optim.base import clip_by_global_norm, soft_threshold
from mlcc_cli.optim.ftrl import Ftrl
from mlcc_cli.optim.registry import OPTIMIZERS, build_optimizer
from mlcc_cli.optim.schedules import CosineDecay, ExponentialDecay, LearningRateSchedule, StepDecay
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import choose_engine
from mlcc_cli.training.loop import train

ROOT = Path(__file__).resolve().parent.parent


def _grads() -> dict[str, np.ndarray]:
    # Global norm √(3² + 0² + 4²) = 5 across the two arrays.
    return {"coef_": np.array([3.0, 0.0]), "intercept_": np.array([4.0])}


def test_clip_by_global_norm_rescales_all_arrays_together() -> None:
    grads = _grads()
    clipped, norm = clip_by_global_norm(grads, clip_norm=2.5)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(clipped["coef_"], [1.5, 0.0])  # scale 2.5 / 5 = 0.5
    np.testing.assert_allclose(clipped["intercept_"], [2.0])
    np.testing.assert_array_equal(grads["coef_"], [3.0, 0.0])  # input untouched


@pytest.mark.parametrize("clip_norm", [None, 5.0, 10.0])
def test_clip_by_global_norm_leaves_small_gradients_alone(clip_norm: float | None) -> None:
    clipped, norm = clip_by_global_norm(_grads(), clip_norm)
    assert norm == pytest.approx(5.0)
    np.testing.assert_array_equal(clipped["coef_"], [3.0, 0.0])
    np.testing.assert_array_equal(clipped["intercept_"], [4.0])


def test_clip_by_global_norm_passes_non_finite_gradients_through() -> None:
    grads = {"coef_": np.array([np.inf, 1.0])}
    clipped, norm = clip_by_global_norm(grads, clip_norm=1.0)
    assert norm == np.inf
    assert clipped["coef_"][0] == np.inf


def test_sgd_step_is_w_minus_learning_rate_times_gradient() -> None:
    params = {"coef_": np.array([1.0, -2.0]), "intercept_": np.array([0.5])}
    coef, intercept = params["coef_"], params["intercept_"]
    norm = SGD(learning_rate=0.1).step(params, _grads())
    assert norm == pytest.approx(5.0)
    assert params["coef_"] is coef and params["intercept_"] is intercept  # updated in place
    np.testing.assert_allclose(coef, [1.0 - 0.3, -2.0])
    np.testing.assert_allclose(intercept, [0.5 - 0.4])


def test_sgd_step_clips_first_and_returns_the_pre_clip_norm() -> None:
    params = {"coef_": np.zeros(2), "intercept_": np.zeros(1)}
    norm = SGD(learning_rate=1.0, clip_norm=1.0).step(params, _grads())
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(params["coef_"], [-0.6, 0.0])  # gradient scaled by 1/5
    np.testing.assert_allclose(params["intercept_"], [-0.8])


@pytest.mark.parametrize(
    ("weights", "threshold", "expected"),
    [
        ([3.0, -3.0, 0.5, -0.5, 0.0], 1.0, [2.0, -2.0, 0.0, 0.0, 0.0]),
        ([1.0, -1.0], 1.0, [0.0, 0.0]),  # exactly at the threshold: zero
        ([0.2, -4.0], 0.0, [0.2, -4.0]),  # no penalty: unchanged
    ],
)
def test_soft_threshold_closed_form(
    weights: list[float], threshold: float, expected: list[float]
) -> None:
    w = np.array(weights)
    soft_threshold(w, threshold)
    np.testing.assert_array_equal(w, expected)
    assert np.all((w == 0.0) == (np.array(expected) == 0.0))


def test_proximal_l1_uses_learning_rate_times_l1_and_only_named_params() -> None:
    params = {"coef_": np.array([0.5, -0.05, 0.02]), "intercept_": np.array([0.01])}
    SGD(learning_rate=0.1).proximal_l1(params, ["coef_"], l1=0.5)  # threshold 0.05
    np.testing.assert_allclose(params["coef_"], [0.45, 0.0, 0.0])
    assert params["coef_"][1] == 0.0 and params["coef_"][2] == 0.0  # exact zeros
    np.testing.assert_array_equal(params["intercept_"], [0.01])  # the bias is never penalised


# ------------------------------------------------------------ update rules by hand


def _optimizer(section: dict) -> object:
    return build_optimizer(TypeAdapter(OptimizerConfig).validate_python(section))


def _run(optimizer: object, w0: list[float], grads: list[list[float]]) -> np.ndarray:
    """Apply the gradients in turn to one parameter "w"; return its final value."""
    params = {"w": np.array(w0)}
    for g in grads:
        optimizer.step(params, {"w": np.array(g)})
    return params["w"]


GRADS = [[1.0, -2.0], [0.5, 0.5], [-1.0, 3.0]]


def test_momentum_three_steps() -> None:
    lr, mu = 0.1, 0.9
    w, v = np.array([1.0, 1.0]), np.zeros(2)
    for g in map(np.array, GRADS):
        v = mu * v + g
        w = w - lr * v
    got = _run(SGD(lr, momentum=mu), [1.0, 1.0], GRADS)
    np.testing.assert_allclose(got, w, rtol=0, atol=1e-15)
    # Step 1 by hand: v = g, w = 1 − 0.1·(1, −2) = (0.9, 1.2).
    np.testing.assert_allclose(_run(SGD(lr, momentum=mu), [1.0, 1.0], GRADS[:1]), [0.9, 1.2])


def test_nesterov_three_steps() -> None:
    lr, mu = 0.1, 0.5
    w, v = np.array([0.0, 2.0]), np.zeros(2)
    for g in map(np.array, GRADS):
        v = mu * v + g
        w = w - lr * (g + mu * v)
    got = _run(SGD(lr, momentum=mu, nesterov=True), [0.0, 2.0], GRADS)
    np.testing.assert_allclose(got, w, rtol=0, atol=1e-15)
    # Step 1 by hand: v = g, w − 0.1·(1.5·g) = (0, 2) − 0.15·(1, −2) = (−0.15, 2.3).
    first = _run(SGD(lr, momentum=mu, nesterov=True), [0.0, 2.0], GRADS[:1])
    np.testing.assert_allclose(first, [-0.15, 2.3])


def test_adagrad_two_steps() -> None:
    lr, g0, eps = 0.5, 0.1, 1e-7
    # Step 1: G = 0.1 + g², w = w − 0.5·g/(√G + ε).
    G1 = np.array([0.1 + 1.0, 0.1 + 4.0])
    w1 = np.array([1.0, 1.0]) - lr * np.array([1.0, -2.0]) / (np.sqrt(G1) + eps)
    G2 = G1 + np.array([0.25, 0.25])
    w2 = w1 - lr * np.array([0.5, 0.5]) / (np.sqrt(G2) + eps)
    optimizer = Adagrad(lr, initial_accumulator=g0, epsilon=eps)
    np.testing.assert_allclose(_run(optimizer, [1.0, 1.0], GRADS[:2]), w2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(optimizer.state_["w"]["accumulator"], G2)


def test_adam_first_step_moves_every_coordinate_by_the_learning_rate() -> None:
    # Bias correction makes m̂ = g and v̂ = g² at t = 1, so the step is lr·g/(|g| + ε).
    got = _run(Adam(0.01), [1.0, 1.0], GRADS[:1])
    np.testing.assert_allclose(got, [1.0 - 0.01 / (1 + 1e-8), 1.0 + 0.02 / (2 + 1e-8)])


def test_adam_three_steps() -> None:
    lr, b1, b2, eps = 0.01, 0.8, 0.9, 1e-6
    w, m, v = np.array([1.0, 1.0]), np.zeros(2), np.zeros(2)
    for t, g in enumerate(map(np.array, GRADS), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)  # ε outside the square root
    optimizer = Adam(lr, beta1=b1, beta2=b2, epsilon=eps)
    np.testing.assert_allclose(_run(optimizer, [1.0, 1.0], GRADS), w, rtol=0, atol=1e-15)
    assert optimizer.state_["w"]["t"] == 3


def test_ftrl_matches_mcmahan_algorithm_1() -> None:
    alpha, beta, l1, l2 = 0.5, 1.0, 0.3, 0.2
    w, z, n = np.zeros(2), np.zeros(2), np.zeros(2)
    for g in map(np.array, GRADS):
        sigma = (np.sqrt(n + g**2) - np.sqrt(n)) / alpha
        z = z + g - sigma * w
        n = n + g**2
        w = np.where(
            np.abs(z) <= l1, 0.0, -(z - np.sign(z) * l1) / ((beta + np.sqrt(n)) / alpha + l2)
        )
    optimizer = Ftrl(alpha, beta=beta, l1=l1, l2=l2)
    np.testing.assert_allclose(_run(optimizer, [0.0, 0.0], GRADS), w, rtol=0, atol=1e-15)
    # Step 1 by hand: z = g, n = g²; coordinate 0: −(1 − 0.3)/((1 + 1)/0.5 + 0.2) = −0.7/4.2.
    first = _run(Ftrl(alpha, beta=beta, l1=l1, l2=l2), [0.0, 0.0], GRADS[:1])
    np.testing.assert_allclose(first, [-0.7 / 4.2, 1.7 / ((1 + 2) / 0.5 + 0.2)])


def test_ftrl_l1_gives_exact_zeros() -> None:
    got = _run(Ftrl(0.5, l1=0.6), [0.0, 0.0], [[0.5, -2.0]])
    assert got[0] == 0.0 and got[1] > 0


@pytest.mark.parametrize(
    "optimizer", [SGD(0.1, momentum=0.9), Adagrad(0.1), Adam(0.1), Ftrl(0.1)], ids=repr
)
def test_state_is_lazy_and_keyed_by_parameter_name(optimizer: object) -> None:
    params = {"W1": np.zeros((2, 3)), "b1": np.zeros(3)}
    assert optimizer.state_ == {}
    optimizer.step(params, {"W1": np.ones((2, 3)), "b1": np.ones(3)})
    assert set(optimizer.state_) == {"W1", "b1"}
    for state in optimizer.state_.values():
        arrays = [a for a in state.values() if isinstance(a, np.ndarray)]
        assert arrays and all(a.shape in {(2, 3), (3,)} for a in arrays)


def test_adaptive_proximal_l1_uses_the_per_coordinate_step() -> None:
    optimizer = Adagrad(0.5, initial_accumulator=0.0, epsilon=1e-7)
    params = {"w": np.array([1.0, 1.0])}
    optimizer.step(params, {"w": np.array([1.0, 4.0])})  # G = (1, 16): ηᵢ = 0.5/(1, 4)
    w = params["w"].copy()
    optimizer.proximal_l1(params, ["w"], l1=0.2)
    steps = 0.5 / (np.sqrt([1.0, 16.0]) + 1e-7)
    np.testing.assert_allclose(params["w"], np.sign(w) * np.maximum(np.abs(w) - steps * 0.2, 0))


# ------------------------------------------------------------------- schedules


@pytest.mark.parametrize(
    ("schedule", "t", "expected"),
    [
        (LearningRateSchedule(), 0, 0.2),
        (LearningRateSchedule(), 999, 0.2),
        (StepDecay(drop_every=10, factor=0.5), 9, 0.2),
        (StepDecay(drop_every=10, factor=0.5), 10, 0.1),
        (StepDecay(drop_every=10, factor=0.5), 25, 0.05),
        (ExponentialDecay(decay_rate=0.1, decay_steps=100), 0, 0.2),
        (ExponentialDecay(decay_rate=0.1, decay_steps=100), 50, 0.2 * math.sqrt(0.1)),
        (ExponentialDecay(decay_rate=0.1, decay_steps=100), 200, 0.002),
        (CosineDecay(decay_steps=100, min_learning_rate=0.02), 0, 0.2),
        (CosineDecay(decay_steps=100, min_learning_rate=0.02), 50, 0.11),  # halfway
        (CosineDecay(decay_steps=100, min_learning_rate=0.02), 100, 0.02),
        (CosineDecay(decay_steps=100, min_learning_rate=0.02), 500, 0.02),  # stays at min
        (CosineDecay(decay_steps=100), 25, 0.1 * (1 + math.cos(math.pi / 4))),
    ],
)
def test_schedule_closed_forms(schedule: LearningRateSchedule, t: int, expected: float) -> None:
    assert schedule(0.2, t) == pytest.approx(expected, rel=1e-12)


def test_cosine_without_decay_steps_uses_the_training_length() -> None:
    optimizer = SGD(0.2, schedule=CosineDecay())
    optimizer.expect_total_steps(40)
    optimizer.iterations_ = 20
    assert optimizer.current_learning_rate == pytest.approx(0.1)


def test_each_step_uses_the_scheduled_rate() -> None:
    optimizer = SGD(1.0, schedule=StepDecay(drop_every=1, factor=0.5))
    params = {"w": np.zeros(1)}
    for _ in range(3):  # rates 1, 0.5, 0.25
        optimizer.step(params, {"w": np.ones(1)})
    np.testing.assert_allclose(params["w"], [-1.75])
    assert optimizer.current_learning_rate == 0.125


# -------------------------------------------------------- training to the optimum

CONFIGS = {
    "sgd": {"type": "sgd", "learning_rate": 0.2},
    "momentum": {"type": "sgd", "learning_rate": 0.05, "momentum": 0.9},
    "nesterov": {"type": "sgd", "learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
    "adagrad": {"type": "adagrad", "learning_rate": 0.5},
    "adam": {
        "type": "adam",
        "learning_rate": 0.05,
        "schedule": {"type": "cosine", "min_learning_rate": 0.0001},
    },
    "ftrl": {"type": "ftrl", "learning_rate": 1.0},
    "sgd-exponential": {
        "type": "sgd",
        "learning_rate": 0.3,
        "schedule": {"type": "exponential", "decay_rate": 0.5, "decay_steps": 500},
    },
}


def _regression(rng_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(rng_seed)
    X = rng.normal(size=(120, 4))
    X[rng.random(X.shape) < 0.5] = 0.0  # half zeros, so CSR has something to skip
    y = X @ np.array([1.5, -2.0, 0.0, 0.3]) + 0.5 + 0.1 * rng.normal(size=120)
    return X, y


def _train(section: dict, model: object, X: object, y: np.ndarray, steps: int = 1500) -> object:
    optimizer = _optimizer(section)
    training = TrainingConfig(batch_size="full", steps=steps, periods=3, engine="numpy")
    result = train(model, optimizer, X, y, None, None, training, np.random.default_rng(0))
    assert result.status == "complete", result.message
    return model


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_linear_regression_reaches_least_squares(name: str) -> None:
    X, y = _regression()
    A = np.column_stack([X, np.ones(len(y))])
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    best = float(np.mean((A @ solution - y) ** 2))
    model = _train(CONFIGS[name], LinearRegression(), X, y)
    assert model.loss(X, y) == pytest.approx(best, rel=1e-3)
    np.testing.assert_allclose(model.coef_, solution[:-1], atol=0.02)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "adam", "ftrl"])
def test_logistic_regression_reaches_sklearn(name: str) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 3))
    y = (X @ np.array([1.0, -1.0, 0.5]) + 0.3 * rng.normal(size=150) > 0).astype(float)
    oracle = LogisticRegression(C=1 / (2 * 0.01 * len(y)), tol=1e-10, max_iter=10_000)
    oracle.fit(X, y)
    model = _train(CONFIGS[name], OurLogistic(l2=0.01), X, y, steps=3000)
    np.testing.assert_allclose(model.coef_, oracle.coef_[0], atol=0.01)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, atol=0.01)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_clip_norm_still_reaches_least_squares(name: str) -> None:
    X, y = _regression()
    A = np.column_stack([X, np.ones(len(y))])
    best = float(np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2))
    model = _train(CONFIGS[name] | {"clip_norm": 0.5}, LinearRegression(), X, y, steps=3000)
    assert model.loss(X, y) == pytest.approx(best, rel=1e-3)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_l1_reaches_the_lasso_optimum_with_exact_zeros(name: str) -> None:
    X, y = _regression()
    l1 = 0.2
    # Our objective mean(r²) + λ₁‖w‖₁ is twice scikit-learn's ‖r‖²/(2n) + α‖w‖₁ at α = λ₁/2.
    oracle = Lasso(alpha=l1 / 2, tol=1e-12, max_iter=100_000).fit(X, y)
    model = _train(CONFIGS[name], LinearRegression(l1=l1), X, y, steps=3000)
    np.testing.assert_allclose(model.coef_, oracle.coef_, atol=0.01)
    assert np.array_equal(model.coef_ == 0.0, oracle.coef_ == 0.0)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_csr_x_gives_the_dense_weights(name: str) -> None:
    X, y = _regression()
    section = CONFIGS[name] | {"clip_norm": 1.0}
    dense = _train(section, LinearRegression(l1=0.05), X, y, steps=200)
    sparse = _train(section, LinearRegression(l1=0.05), sp.csr_matrix(X), y, steps=200)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(sparse.intercept_, dense.intercept_, rtol=0, atol=1e-10)


# ----------------------------------------------------------------------- engine


@pytest.mark.parametrize(
    "name", ["momentum", "nesterov", "adagrad", "adam", "ftrl", "sgd-exponential"]
)
def test_auto_engine_runs_numpy_when_the_kernel_cannot(name: str) -> None:
    optimizer = _optimizer(CONFIGS[name])
    assert choose_engine("auto", LinearRegression(), optimizer) == "numpy"
    with pytest.raises(ConfigError, match=r"training\.engine: compiled has no kernel"):
        choose_engine("compiled", LinearRegression(), optimizer)


def test_auto_engine_keeps_the_kernel_for_plain_sgd() -> None:
    optimizer = _optimizer({"type": "sgd", "learning_rate": 0.1, "schedule": {"type": "constant"}})
    assert choose_engine("auto", LinearRegression(), optimizer) == "compiled"


# -------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_history_reports_the_scheduled_learning_rate(tmp_path: Path) -> None:
    section = (
        "optimizer={type: adam, learning_rate: 0.01, "
        "schedule: {type: step, drop_every: 10, factor: 0.5}}"
    )
    args = ["train", str(ROOT / "configs" / "quickstart.yaml"), "--set", section]
    args += ["--set", "training.epochs=3", "--set", "training.periods=6"]
    result = runner.invoke(app, [*args, "--runs-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    run_dir = next(tmp_path.iterdir())
    history = pd.read_csv(run_dir / "history.csv")
    expected = 0.01 * 0.5 ** (history["step"] // 10)
    np.testing.assert_allclose(history["learning_rate"], expected, rtol=1e-12)
    assert history["learning_rate"].nunique() > 2


@pytest.mark.parametrize(
    ("assignment", "key"),
    [
        ("optimizer.momentum=1", "optimizer.momentum"),
        ("optimizer={type: adam, learning_rate: 0.1, beta1: 1}", "optimizer.beta1"),
        ("optimizer={type: adagrad, learning_rate: 0.1, epsilon: -1}", "optimizer.epsilon"),
        ("optimizer.schedule={type: linear}", "optimizer.schedule"),
        ("optimizer.nesterov=true", "nesterov"),
    ],
)
def test_cli_rejects_bad_optimizer_keys(tmp_path: Path, assignment: str, key: str) -> None:
    args = ["train", str(ROOT / "configs" / "quickstart.yaml"), "--set", assignment]
    result = runner.invoke(app, [*args, "--runs-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert key in result.output


# ----------------------------------------------------------------- contract suite

SECTIONS = {
    "sgd": {"momentum": 0.5},
    "adagrad": {"initial_accumulator": 0.2},
    "adam": {"beta1": 0.8},
    "ftrl": {"beta": 0.5},
}


def test_registry_lists_exactly_the_config_tags() -> None:
    assert tuple(OPTIMIZERS) == union_tags(OptimizerConfig)


@pytest.mark.parametrize("tag", sorted(OPTIMIZERS))
def test_optimizer_contract(tag: str) -> None:
    section = {"type": tag, "learning_rate": 0.05, "clip_norm": 2.0} | SECTIONS[tag]
    optimizer = _optimizer(section)
    assert isinstance(optimizer, OPTIMIZERS[tag])
    assert optimizer.type == tag
    assert optimizer.current_learning_rate == 0.05
    assert "learning_rate=0.05" in repr(optimizer) and "clip_norm=2.0" in repr(optimizer)
    for key, value in SECTIONS[tag].items():  # build_optimizer passes every field
        assert getattr(optimizer, key) == value and f"{key}={value!r}" in repr(optimizer)

    params = {"coef_": np.array([1.0, 2.0]), "intercept_": np.array([0.0])}
    arrays = dict(params)
    grads = {"coef_": np.array([1.0, -1.0]), "intercept_": np.array([0.5])}
    grads_before = {k: v.copy() for k, v in grads.items()}
    optimizer.step(params, grads)
    for name in params:
        assert params[name] is arrays[name]  # in place
        np.testing.assert_array_equal(grads[name], grads_before[name])  # grads untouched
    # A descent direction: a small step along −g lowers a linear function of the weights.
    assert float(params["coef_"] @ grads["coef_"]) < float(np.array([1.0, 2.0]) @ grads["coef_"])


def test_sgd_config_is_importable_from_config() -> None:
    assert SGDConfig(type="sgd", learning_rate=0.1).momentum == 0.0


@pytest.mark.parametrize(
    ("momentum", "nesterov"), [(0.0, False), (0.5, False), (0.9, False), (0.5, True)]
)
def test_quadratic_step_limit_is_where_gradient_descent_on_a_quadratic_stops_converging(
    momentum: float, nesterov: bool
) -> None:
    """On h·w²/2 (gradient h·w), η·h just under `quadratic_step_limit` still shrinks w, just
    over it w grows: the closed form of each update's stability boundary."""
    curvature = 3.0
    limit = OPTIMIZERS["sgd"](0.1, momentum=momentum, nesterov=nesterov).quadratic_step_limit()
    final = {}
    for share in (0.98, 1.02):
        optimizer = OPTIMIZERS["sgd"](
            share * limit / curvature, momentum=momentum, nesterov=nesterov
        )
        w = {"w": np.array([1.0])}
        for _ in range(2000):
            optimizer.step(w, {"w": curvature * w["w"]})
        final[share] = abs(float(w["w"][0]))
    assert final[0.98] < 1e-3 and final[1.02] > 1e3


def test_adaptive_optimizers_have_no_quadratic_step_limit() -> None:
    for name in ("adagrad", "adam", "ftrl"):
        assert OPTIMIZERS[name](0.1).quadratic_step_limit() is None
