"""Tests of 2-D convolution and pooling: scipy and loop oracles, sizes, finite differences."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import correlate2d
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.nn.cnn import Cnn
from mlcc_cli.models.nn.convolution import (
    col2im,
    col2im_compiled,
    conv2d_backward,
    conv2d_forward,
    im2col,
    im2col_compiled,
    output_size,
    pad_amounts,
)
from mlcc_cli.models.nn.pooling import (
    average_pool_backward,
    average_pool_forward,
    flatten,
    max_pool_backward,
    max_pool_forward,
    pooled_size,
    unflatten,
)


def _keras_length(size: int, kernel: int, stride: int, padding: str) -> int:
    """keras.utils.conv_utils.conv_output_length with dilation 1, transcribed."""
    length = size if padding == "same" else size - kernel + 1
    return (length + stride - 1) // stride


def _tf_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's SAME padding along one axis: the odd pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _scipy_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Valid, stride-1 convolution: correlate2d per (image, filter), summed over channels."""
    out_h, out_w = x.shape[1] - W.shape[0] + 1, x.shape[2] - W.shape[1] + 1
    y = np.zeros((x.shape[0], out_h, out_w, W.shape[3]))
    for i, c, f in np.ndindex(x.shape[0], W.shape[2], W.shape[3]):
        y[i, :, :, f] += correlate2d(x[i, :, :, c], W[:, :, c, f], mode="valid")
    return y + b


def _same_padded(x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    rows = _tf_pads(x.shape[1], kernel, stride)
    cols = _tf_pads(x.shape[2], kernel, stride)
    return np.pad(x, ((0, 0), rows, cols, (0, 0)))


def relative_error(numeric: np.ndarray, analytic: np.ndarray) -> float:
    scale = max(np.linalg.norm(numeric) + np.linalg.norm(analytic), 1e-12)
    return float(np.linalg.norm(numeric - analytic) / scale)


def numeric_gradient(objective: Callable[[], float], param: np.ndarray) -> np.ndarray:
    """Central differences (f(θ + ε) − f(θ − ε)) / 2ε of objective() in each entry of param."""
    eps = 1e-6
    numeric = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + eps
        plus = objective()
        param[index] = saved - eps
        minus = objective()
        param[index] = saved
        numeric[index] = (plus - minus) / (2 * eps)
    return numeric


SIZES = [
    # size, kernel, stride, padding, expected out (hand-checked against the Keras rule)
    (5, 3, 1, "same", 5),
    (5, 3, 1, "valid", 3),
    (5, 3, 2, "same", 3),
    (5, 3, 2, "valid", 2),
    (6, 3, 2, "same", 3),
    (6, 3, 2, "valid", 2),
    (6, 2, 2, "same", 3),
    (6, 2, 2, "valid", 3),
    (7, 3, 2, "same", 4),
    (7, 3, 2, "valid", 3),
    (4, 4, 1, "valid", 1),
    (3, 5, 1, "same", 3),
    (8, 1, 3, "same", 3),
    (8, 1, 3, "valid", 3),
    (28, 5, 1, "same", 28),
    (28, 5, 2, "valid", 12),
]


@pytest.mark.parametrize("size,kernel,stride,padding,expected", SIZES)
def test_output_size_follows_the_keras_rule(
    size: int, kernel: int, stride: int, padding: str, expected: int
) -> None:
    assert output_size(size, kernel, stride, padding) == expected  # type: ignore[arg-type]
    assert expected == _keras_length(size, kernel, stride, padding)


def test_output_size_matches_keras_on_a_grid() -> None:
    for size in range(1, 12):
        for kernel in range(1, 6):
            for stride in (1, 2, 3):
                assert output_size(size, kernel, stride, "same") == _keras_length(
                    size, kernel, stride, "same"
                )
                assert pad_amounts(size, kernel, stride, "same") == _tf_pads(size, kernel, stride)
                if kernel <= size:
                    assert output_size(size, kernel, stride, "valid") == _keras_length(
                        size, kernel, stride, "valid"
                    )


@pytest.mark.parametrize(
    "size,kernel,stride,pads",
    [(5, 3, 1, (1, 1)), (6, 3, 2, (0, 1)), (6, 4, 1, (1, 2)), (3, 5, 1, (2, 2)), (8, 1, 3, (0, 0))],
)
def test_same_padding_puts_the_odd_pixel_after(
    size: int, kernel: int, stride: int, pads: tuple[int, int]
) -> None:
    assert pad_amounts(size, kernel, stride, "same") == pads
    if kernel <= size:
        assert pad_amounts(size, kernel, stride, "valid") == (0, 0)


def test_a_valid_kernel_larger_than_its_input_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"kernel 5 is larger than its input 3"):
        output_size(3, 5, 1, "valid")
    x, W = np.zeros((1, 4, 6, 1)), np.zeros((5, 5, 1, 2))
    with pytest.raises(ConfigError, match=r"kernel 5 is larger than its input 4"):
        conv2d_forward(x, W, np.zeros(2), padding="valid")


def test_a_pool_larger_than_its_input_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"pool size 4 is larger than its input 3"):
        pooled_size(3, 4, 4)
    with pytest.raises(ConfigError, match=r"pool size 3 is larger than its input 2"):
        max_pool_forward(np.zeros((1, 5, 2, 1)), 3)
    with pytest.raises(ConfigError, match=r"pool size 3 is larger than its input 2"):
        average_pool_forward(np.zeros((1, 2, 5, 1)), 3)


def _layer(
    shape: tuple[int, int, int, int], kernel: int, filters: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    W = rng.normal(size=(kernel, kernel, shape[3], filters))
    return x, W, rng.normal(size=filters)


@pytest.mark.parametrize("shape,kernel", [((2, 5, 5, 3), 3), ((2, 6, 7, 2), 2), ((1, 4, 6, 1), 4)])
def test_valid_convolution_equals_scipy_correlate2d(
    shape: tuple[int, int, int, int], kernel: int
) -> None:
    x, W, b = _layer(shape, kernel, filters=3)
    y, _ = conv2d_forward(x, W, b, stride=1, padding="valid")
    np.testing.assert_allclose(y, _scipy_conv(x, W, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("shape,kernel", [((2, 5, 5, 3), 3), ((2, 6, 7, 2), 2), ((1, 6, 4, 2), 4)])
def test_same_convolution_equals_scipy_on_the_padded_input(
    shape: tuple[int, int, int, int], kernel: int, stride: int
) -> None:
    x, W, b = _layer(shape, kernel, filters=2)
    y, _ = conv2d_forward(x, W, b, stride=stride, padding="same")
    expected = _scipy_conv(_same_padded(x, kernel, stride), W, b)[:, ::stride, ::stride]
    assert y.shape == (shape[0], -(-shape[1] // stride), -(-shape[2] // stride), 2)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape,kernel", [((2, 5, 5, 3), 3), ((1, 8, 7, 2), 2), ((1, 6, 6, 1), 1)])
def test_stride_two_subsamples_the_stride_one_output(
    shape: tuple[int, int, int, int], kernel: int
) -> None:
    x, W, b = _layer(shape, kernel, filters=2)
    strided, _ = conv2d_forward(x, W, b, stride=2, padding="valid")
    dense, _ = conv2d_forward(x, W, b, stride=1, padding="valid")
    np.testing.assert_allclose(strided, dense[:, ::2, ::2], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("shape,kernel", [((2, 5, 5, 3), 3), ((1, 6, 7, 2), 2), ((1, 5, 4, 2), 4)])
def test_col2im_is_the_adjoint_of_im2col(
    shape: tuple[int, int, int, int], kernel: int, stride: int, padding: str
) -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=shape)
    columns, out_h, out_w = im2col(x, kernel, stride, padding)  # type: ignore[arg-type]
    assert columns.shape == (shape[0] * out_h * out_w, kernel * kernel * shape[3])
    C = rng.normal(size=columns.shape)
    back = col2im(C, shape, kernel, stride, padding)  # type: ignore[arg-type]
    assert back.shape == shape
    assert np.vdot(columns, C) == pytest.approx(np.vdot(x, back), rel=1e-12)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("shape,kernel", [((2, 5, 5, 3), 3), ((1, 6, 7, 2), 2), ((3, 8, 8, 1), 3)])
def test_compiled_im2col_and_col2im_match_numpy(
    shape: tuple[int, int, int, int], kernel: int, stride: int, padding: str
) -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=shape)
    columns, out_h, out_w = im2col(x, kernel, stride, padding)  # type: ignore[arg-type]
    fast = im2col_compiled(x, kernel, stride, padding)  # type: ignore[arg-type]
    np.testing.assert_array_equal(fast[0], columns)
    assert fast[1:] == (out_h, out_w)
    C = rng.normal(size=columns.shape)
    np.testing.assert_allclose(
        col2im_compiled(C, shape, kernel, stride, padding),  # type: ignore[arg-type]
        col2im(C, shape, kernel, stride, padding),  # type: ignore[arg-type]
        rtol=1e-13,
        atol=1e-13,
    )


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize(
    "shape,kernel,filters", [((2, 5, 5, 3), 3, 2), ((1, 6, 5, 2), 2, 3), ((2, 4, 4, 1), 3, 1)]
)
def test_conv2d_gradients_match_finite_differences(
    shape: tuple[int, int, int, int], kernel: int, filters: int, stride: int, padding: str
) -> None:
    x, W, b = _layer(shape, kernel, filters, seed=2)
    y, cache = conv2d_forward(x, W, b, stride, padding)  # type: ignore[arg-type]
    # loss = Σ R·y with a random R, so ∂loss/∂y = R reaches every output unequally.
    R = np.random.default_rng(3).normal(size=y.shape)

    def loss() -> float:
        return float((R * conv2d_forward(x, W, b, stride, padding)[0]).sum())  # type: ignore[arg-type]

    grad_x, grad_W, grad_b = conv2d_backward(R, cache)
    for name, param, analytic in (("x", x, grad_x), ("W", W, grad_W), ("b", b, grad_b)):
        assert analytic.shape == param.shape
        error = relative_error(numeric_gradient(loss, param), analytic)
        assert error < 1e-6, f"{name}: relative error {error:.2e}"


def _pool_by_loops(x: np.ndarray, pool: int, stride: int, reduce: Callable) -> np.ndarray:
    n, height, width, channels = x.shape
    out_h, out_w = (height - pool) // stride + 1, (width - pool) // stride + 1
    y = np.zeros((n, out_h, out_w, channels))
    for i in range(n):
        for r in range(out_h):
            for s in range(out_w):
                for c in range(channels):
                    window = x[i, r * stride : r * stride + pool, s * stride : s * stride + pool, c]
                    y[i, r, s, c] = reduce(window)
    return y


POOLS = [
    ((2, 4, 4, 3), 2, None),
    ((1, 5, 7, 2), 2, None),
    ((2, 5, 5, 1), 3, 1),
    ((1, 7, 6, 2), 3, 2),
]


@pytest.mark.parametrize("shape,pool,stride", POOLS)
def test_pooling_equals_a_direct_loop(
    shape: tuple[int, int, int, int], pool: int, stride: int | None
) -> None:
    x = np.random.default_rng(5).normal(size=shape)
    step = pool if stride is None else stride
    maxed, _ = max_pool_forward(x, pool, stride)
    averaged, _ = average_pool_forward(x, pool, stride)
    np.testing.assert_array_equal(maxed, _pool_by_loops(x, pool, step, np.max))
    np.testing.assert_allclose(averaged, _pool_by_loops(x, pool, step, np.mean), rtol=1e-12)


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("shape,pool,stride", POOLS)
def test_pooling_gradients_match_finite_differences(
    shape: tuple[int, int, int, int], pool: int, stride: int | None, kind: str
) -> None:
    forward, backward = {
        "max": (max_pool_forward, max_pool_backward),
        "average": (average_pool_forward, average_pool_backward),
    }[kind]
    x = np.random.default_rng(6).normal(size=shape)  # continuous: no ties, no kink within ε
    y, cache = forward(x, pool, stride)
    R = np.random.default_rng(7).normal(size=y.shape)
    analytic = backward(R, cache)
    numeric = numeric_gradient(lambda: float((R * forward(x, pool, stride)[0]).sum()), x)
    error = relative_error(numeric, analytic)
    assert error < 1e-6, f"{kind} pool: relative error {error:.2e}"


def test_max_pool_sends_a_tied_gradient_to_the_first_maximum() -> None:
    x = np.array([[3.0, 3.0], [1.0, 3.0]]).reshape(1, 2, 2, 1)
    y, cache = max_pool_forward(x, 2)
    assert y.ravel().tolist() == [3.0]
    grad = max_pool_backward(np.full((1, 1, 1, 1), 5.0), cache)
    assert grad.reshape(2, 2).tolist() == [[5.0, 0.0], [0.0, 0.0]]


def test_flatten_follows_mlcc_pixel_order_and_unflatten_inverts_it() -> None:
    height, width, channels = 3, 4, 2
    X = np.arange(2 * height * width * channels, dtype=np.float64).reshape(2, -1)
    images = unflatten(X, (height, width, channels))
    assert images[1, 2, 3, 1] == X[1, (2 * width + 3) * channels + 1]
    np.testing.assert_array_equal(flatten(images), X)
    with pytest.raises(ConfigError, match=r"3×4×2 needs 24 pixel columns, got 23"):
        unflatten(X[:, :-1], (height, width, channels))


@pytest.mark.parametrize("command", ["validate", "train"])
def test_the_cli_names_the_block_whose_pool_does_not_fit(command: str, tmp_path: Path) -> None:
    """image_shape fixes every block's size, so validate tells before any data is read."""
    config = Path(__file__).resolve().parents[1] / "configs" / "digits_cnn.yaml"
    args = [command, str(config), "--set", "model.conv.0.pool=9"]
    result = CliRunner().invoke(
        app, args if command == "validate" else [*args, "--runs-dir", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "model.conv: block 0: pool size 9 is larger than its input 8" in result.stderr
    valid = [
        command,
        str(config),
        "--set",
        "model.conv.0.padding=valid",
        "--set",
        "model.conv.0.kernel=9",
    ]
    assert "block 0: kernel 9 is larger than its input 8" in CliRunner().invoke(app, valid).stderr


def test_the_model_names_the_block_too() -> None:
    """The model checks as well (a config validated by another route): model.conv.N."""
    net = Cnn(image_shape=(8, 8, 1), conv=[{"filters": 2, "kernel": 3, "pool": 9}])
    with pytest.raises(
        ConfigError, match=r"model\.conv\.0: pool size 9 is larger than its input 8"
    ):
        net.initialize(64, 3)
