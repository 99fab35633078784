"""The compiled max-pooling agrees with the readable numpy version, ties and NaNs included,
and pooling before the activation gives a cnn the outputs of pooling after it."""

from __future__ import annotations

import numpy as np
import pytest

from mlcc_cli.models.nn.activations import activate
from mlcc_cli.models.nn.pooling import (
    max_pool_backward,
    max_pool_backward_compiled,
    max_pool_forward,
    max_pool_forward_compiled,
)


@pytest.mark.parametrize(
    ("shape", "pool", "stride"),
    [((3, 8, 8, 4), 2, 2), ((2, 7, 9, 3), 2, 2), ((2, 7, 7, 2), 3, 2), ((1, 9, 8, 5), 3, 3),
     ((2, 6, 6, 1), 2, 1), ((1, 5, 5, 2), 1, 1)],
)  # fmt: skip
def test_compiled_max_pooling_matches_numpy(
    shape: tuple[int, int, int, int], pool: int, stride: int
) -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(-2, 3, size=shape).astype(np.float64)  # few values: many ties
    y, cache = max_pool_forward(x, pool, stride)
    y_fast, cache_fast = max_pool_forward_compiled(x, pool, stride)
    np.testing.assert_array_equal(y_fast, y)
    np.testing.assert_array_equal(cache_fast.argmax, cache.argmax)
    assert cache_fast[:3] == cache[:3]
    grad = rng.normal(size=y.shape)
    np.testing.assert_allclose(
        max_pool_backward_compiled(grad, cache_fast), max_pool_backward(grad, cache), rtol=1e-15
    )


def test_a_nan_wins_its_window_as_in_numpy() -> None:
    x = np.arange(16, dtype=np.float64).reshape(1, 4, 4, 1)
    x[0, 1, 0, 0] = np.nan
    y, cache = max_pool_forward(x, 2)
    y_fast, cache_fast = max_pool_forward_compiled(x, 2)
    np.testing.assert_array_equal(y_fast, y)  # NaN == NaN for assert_array_equal
    np.testing.assert_array_equal(cache_fast.argmax, cache.argmax)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
def test_max_pooling_commutes_with_every_activation(activation: str) -> None:
    u = np.random.default_rng(1).normal(scale=3.0, size=(4, 6, 6, 3))
    pooled_after = max_pool_forward(activate(activation, u), 2)[0]
    pooled_before = activate(activation, max_pool_forward_compiled(u, 2)[0])
    np.testing.assert_array_equal(pooled_before, pooled_after)
