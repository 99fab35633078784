"""The vectorised loss terms of the dense kernel: its exp against numpy's, its terms against
scipy's logistic function and the squared error's closed form."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy.special import expit

from mlcc_cli.training.kernels import vector_terms
from mlcc_cli.training.kernels.kinds import LINEAR, LOGISTIC


@njit(cache=False)
def _exp_negative_of(xs: np.ndarray) -> np.ndarray:
    out = np.empty_like(xs)
    for i in range(xs.shape[0]):
        out[i] = vector_terms.exp_negative(xs[i])
    return out


def test_exp_negative_is_within_one_ulp_of_numpy_down_to_the_clamp() -> None:
    rng = np.random.default_rng(0)
    xs = np.concatenate(
        [-40 * rng.random(200_000), -np.logspace(-20, np.log10(40), 2_000), [0.0, -40.0]]
    )
    ours, numpy_exp = _exp_negative_of(xs), np.exp(xs)
    assert np.all(np.abs(ours - numpy_exp) <= np.spacing(numpy_exp))


def test_below_the_clamp_the_logistic_function_is_unchanged() -> None:
    """exp(x) < 4.3e-18 below −40, so 1/(1 + exp(x)) is 1.0 exactly with or without it."""
    xs = np.array([-40.0, -41.0, -745.0, -1e300, -np.inf])
    assert np.all(1.0 / (1.0 + _exp_negative_of(xs)) == 1.0)
    assert np.all(1.0 / (1.0 + np.exp(xs)) == 1.0)


@pytest.mark.parametrize("model_kind", [LINEAR, LOGISTIC])
def test_loss_terms_match_the_closed_forms(model_kind: int) -> None:
    rng = np.random.default_rng(1)
    z = np.concatenate([rng.normal(scale=5, size=1_000), [0.0, 60.0, -60.0]])
    labels = (rng.random(z.size) < 0.5).astype(np.float64)
    terms = z.copy()
    probe, total = vector_terms.loss_terms(terms, labels, z.size, model_kind)
    if model_kind == LINEAR:
        expected, expected_probe = z - labels, np.sum((z - labels) ** 2)
    else:
        s = (1 - 2 * labels) * z
        expected, expected_probe = expit(z) - labels, np.sum(np.maximum(s, 0.0))
    np.testing.assert_allclose(terms, expected, rtol=0, atol=1e-15)
    assert total == pytest.approx(expected.sum(), abs=1e-12)
    assert probe == pytest.approx(expected_probe, rel=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_non_finite_output_makes_the_probe_non_finite(bad: float) -> None:
    z = np.array([0.5, bad, -0.5])
    probe, _ = vector_terms.loss_terms(z, np.zeros(3), 3, LOGISTIC)
    assert not np.isfinite(probe)
