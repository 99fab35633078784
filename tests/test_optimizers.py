"""Optimizers: clipping, the SGD update and soft-thresholding against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from mlcc_cli.config import OptimizerConfig, SGDConfig, union_tags
from mlcc_cli.optimizers import (
    OPTIMIZERS,
    SGD,
    build_optimizer,
    clip_by_global_norm,
    soft_threshold,
)


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


# ----------------------------------------------------------------- contract suite


def test_registry_lists_exactly_the_config_tags() -> None:
    assert tuple(OPTIMIZERS) == union_tags(OptimizerConfig)


@pytest.mark.parametrize("tag", sorted(OPTIMIZERS))
def test_optimizer_contract(tag: str) -> None:
    config = {"sgd": SGDConfig(type="sgd", learning_rate=0.05, clip_norm=2.0)}[tag]
    optimizer = build_optimizer(config)
    assert isinstance(optimizer, OPTIMIZERS[tag])
    assert optimizer.type == tag
    assert optimizer.current_learning_rate == 0.05
    assert "learning_rate=0.05" in repr(optimizer) and "clip_norm=2.0" in repr(optimizer)

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
