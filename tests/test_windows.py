"""The `windows` epoch shuffle: its order against a pure-Python oracle, and the staged kernel
against the numpy engine."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.registry import OPTIMIZERS
from mlcc_cli.training import window_orders
from mlcc_cli.training.engine import (
    AUTO_WINDOWS_MIN_BYTES,
    SHUFFLE_BLOCK_ROWS,
    EpochRunner,
    epoch_order,
    resolve_shuffle,
    window_epoch_order,
)
from mlcc_cli.training.kernels import windows
from mlcc_cli.training.loop import train
from mlcc_cli.training.window_orders import Window, WindowOrders

PENALTIES = {"none": (0.0, 0.0), "l1+l2": (0.01, 0.01)}


def _reference_window_order(
    n_rows: int, rng: np.random.Generator, batch_size: int, row_bytes: int
) -> tuple[np.ndarray, np.ndarray]:
    """(order, local) with the same draws as window_epoch_order, in plain Python."""
    base = epoch_order(n_rows, rng, "blocks")
    rows = windows.window_rows(batch_size, row_bytes)
    bits = rng.integers(0, 2**32, size=n_rows, dtype=np.uint32)
    order, local = [], []
    for w0 in range(0, n_rows, rows):
        m = min(rows, n_rows - w0)
        window = list(range(m))
        for i in range(m - 1, 0, -1):  # Fisher–Yates, partner j = ⌊u·(i+1) / 2³²⌋
            j = (int(bits[w0 + i]) * (i + 1)) >> 32
            window[i], window[j] = window[j], window[i]
        local += window
        order += [int(base[w0 + q]) for q in window]
    return np.array(order), np.array(local)


@pytest.mark.parametrize("n_rows", [1, 255, 300, 1000, 4097])
@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_window_order_equals_the_python_oracle(n_rows: int, batch_size: int) -> None:
    row_bytes = 4096  # small windows, so several per epoch
    order, (base, local, rows) = window_epoch_order(
        n_rows, np.random.default_rng(5), batch_size, row_bytes
    )
    expected_order, expected_local = _reference_window_order(
        n_rows, np.random.default_rng(5), batch_size, row_bytes
    )
    np.testing.assert_array_equal(order, expected_order)
    np.testing.assert_array_equal(local, expected_local)
    np.testing.assert_array_equal(base, epoch_order(n_rows, np.random.default_rng(5), "blocks"))
    assert sorted(order.tolist()) == list(range(n_rows))
    assert rows % batch_size == 0 and rows >= windows.MIN_BATCHES_PER_WINDOW * batch_size
    for w0 in range(0, n_rows, rows):  # a window holds the same rows as its run of base
        assert set(order[w0 : w0 + rows]) == set(base[w0 : w0 + rows])


def test_window_rows_are_about_a_megabyte_of_whole_batches() -> None:
    assert windows.window_rows(1, 256) == 4096  # 32 float64 features: 16 blocks
    assert windows.window_rows(128, 256) == 4096
    assert windows.window_rows(1024, 256) == 4096
    assert windows.window_rows(3000, 256) == 12000  # at least 4 batches


def _batches(order: np.ndarray, batch_size: int) -> set[frozenset[int]]:
    return {frozenset(order[i : i + batch_size].tolist()) for i in range(0, len(order), batch_size)}


def test_batch_mates_change_every_epoch_unlike_blocks() -> None:
    """Row-level randomness: `windows` draws new batches each epoch; `blocks` with a batch
    dividing 256 repeats the same batches in another order."""
    n, batch = 80 * SHUFFLE_BLOCK_ROWS, 64
    rng = np.random.default_rng(0)
    first, _ = window_epoch_order(n, rng, batch, 256)
    second, _ = window_epoch_order(n, rng, batch, 256)
    shared = _batches(first, batch) & _batches(second, batch)
    assert len(shared) == 0
    blocks = [epoch_order(n, rng, "blocks") for _ in range(2)]
    assert _batches(blocks[0], batch) == _batches(blocks[1], batch)


def _trained(model_type: str, penalty: str, batch: int, engine: str, periods: int = 7):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(300, 6))  # (n, d)
    y = X @ np.array([1.0, -2.0, 0.0, 0.5, 0.0, 0.1]) + 0.3 * rng.normal(size=300)
    if model_type == "logistic":
        y = (y > 0).astype(np.float64)
    l1, l2 = PENALTIES[penalty]
    model = MODELS[model_type](l1=l1, l2=l2)
    optimizer = OPTIMIZERS["sgd"](learning_rate=0.02, clip_norm=1.0)
    # 7 periods over 3 epochs: periods start and end in the middle of windows.
    config = TrainingConfig(
        batch_size=batch, epochs=3, periods=periods, engine=engine, shuffle="windows"
    )
    result = train(model, optimizer, X, y, X[:50], y[:50], config, np.random.default_rng(4))
    return model, result


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of ~8 rows of 6 features, so 300 rows make many windows."""
    monkeypatch.setattr(windows, "WINDOW_BYTES", 8 * 6 * 8)


@pytest.mark.usefixtures("small_windows")
@pytest.mark.parametrize("batch", [1, 7, 32, 100])
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("model_type", ["linear", "logistic"])
def test_staged_kernel_equals_numpy_reference(model_type: str, penalty: str, batch: int) -> None:
    reference, reference_result = _trained(model_type, penalty, batch, "numpy")
    compiled, compiled_result = _trained(model_type, penalty, batch, "compiled")
    assert compiled_result.settings == {"engine": "compiled", "shuffle": "windows"}
    np.testing.assert_allclose(compiled.coef_, reference.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(compiled.intercept_, reference.intercept_, rtol=0, atol=1e-10)
    for ours, theirs in zip(compiled_result.history, reference_result.history, strict=True):
        assert (ours.step, ours.examples_seen) == (theirs.step, theirs.examples_seen)
        assert ours.grad_norm == pytest.approx(theirs.grad_norm, abs=1e-10)


@pytest.mark.usefixtures("small_windows")
@pytest.mark.parametrize("engine", ["numpy", "compiled"])
def test_windows_results_are_byte_identical_for_a_seed(engine: str) -> None:
    first, _ = _trained("logistic", "l1+l2", 7, engine)
    again, _ = _trained("logistic", "l1+l2", 7, engine)
    assert first.coef_.tobytes() == again.coef_.tobytes()
    assert first.intercept_.tobytes() == again.intercept_.tobytes()
    single, _ = _trained("logistic", "l1+l2", 7, engine, periods=1)  # one kernel call
    assert single.coef_.tobytes() == first.coef_.tobytes()


def test_staged_kernel_reports_divergence() -> None:
    X = np.random.default_rng(0).normal(size=(2000, 4))
    y = X.sum(axis=1) * 1e3
    statuses = []
    for engine in ("numpy", "compiled"):
        config = TrainingConfig(
            batch_size=4, epochs=20, periods=4, engine=engine, shuffle="windows"
        )
        model, optimizer = MODELS["linear"](), OPTIMIZERS["sgd"](50.0)
        result = train(model, optimizer, X, y, None, None, config, np.random.default_rng(0))
        statuses.append((result.status, result.history[-1].step if result.history else 0))
    assert statuses[0] == statuses[1]
    assert statuses[0][0] == "diverged"


def test_auto_shuffle_uses_windows_for_large_dense_matrices() -> None:
    # A broadcast view reports the full nbytes without allocating them.
    large = np.broadcast_to(np.zeros(1), (AUTO_WINDOWS_MIN_BYTES // 8, 1))
    below = np.broadcast_to(np.zeros(1), (AUTO_WINDOWS_MIN_BYTES // 8 - 1, 1))
    assert resolve_shuffle("auto", large, rows_in_random_order=True) == "windows"
    assert resolve_shuffle("auto", below, rows_in_random_order=True) == "rows"
    assert resolve_shuffle("auto", large, rows_in_random_order=False) == "rows"
    assert resolve_shuffle("windows", below, rows_in_random_order=False) == "windows"


def test_runner_reuses_its_window_buffers_and_never_copies_x() -> None:
    X = np.random.default_rng(0).normal(size=(3 * SHUFFLE_BLOCK_ROWS + 5, 3))
    y = np.zeros(len(X))
    steps = math.ceil(len(X) / 16)
    runner = EpochRunner(X, y, 16, steps, np.random.default_rng(0), "compiled", "windows")
    model, optimizer = MODELS["linear"]().initialize(3), OPTIMIZERS["sgd"](0.01)
    runner.run_until(model, optimizer, steps)
    assert runner.window_orders is not None
    buffers = list(runner.window_orders.buffers)
    runner.run_until(model, optimizer, 3 * steps)
    assert all(a is b for a, b in zip(runner.window_orders.buffers, buffers, strict=True))
    assert runner.X_epoch is X
    assert runner.window is not None and runner.kernel_order is runner.order


def test_orders_drawn_ahead_on_a_thread_are_the_orders_drawn_in_turn() -> None:
    """The next epoch's order drawn on another thread while one trains: the same draws from
    the same generator in the same sequence, so the same orders, and the arrays an epoch
    reads are never the ones being written."""
    n, threads = 5 * SHUFFLE_BLOCK_ROWS + 7, set()
    draw = window_orders.window_epoch_order

    def recording_draw(*args: object) -> tuple[np.ndarray, Window]:
        threads.add(threading.current_thread().name)
        return draw(*args)  # type: ignore[arg-type]

    in_turn = WindowOrders(n, np.random.default_rng(3), 8, 64, ahead=False)
    ahead = WindowOrders(n, np.random.default_rng(3), 8, 64, ahead=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(window_orders, "window_epoch_order", recording_draw)
        for _ in range(4):
            expected, (base, local, rows) = in_turn.next()
            expected = expected.copy()
            order, (ahead_base, ahead_local, ahead_rows) = ahead.next()
            np.testing.assert_array_equal(order, expected)
            np.testing.assert_array_equal(ahead_local, local)
            np.testing.assert_array_equal(ahead_base, base)
            assert ahead_rows == rows
            pending_buffers = ahead.buffers[ahead.turn]
            assert not np.shares_memory(pending_buffers, order)
    assert any(name.startswith("mlcc-order") for name in threads)


def test_a_small_windows_run_draws_ahead_and_trains_the_same_weights() -> None:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(40 * SHUFFLE_BLOCK_ROWS, 4))
    y = (X @ np.array([1.0, -1.0, 0.5, 0.0]) > 0).astype(np.float64)
    weights = []
    for ahead in (False, True):
        model, optimizer = MODELS["logistic"]().initialize(4), OPTIMIZERS["sgd"](0.05)
        runner = EpochRunner(
            X, y, 32, len(X) // 32, np.random.default_rng(2), "compiled", "windows"
        )
        runner.window_orders = WindowOrders(len(X), runner.rng, 32, 32, ahead)
        runner.run_until(model, optimizer, 3 * (len(X) // 32))
        weights.append(model.coef_.tobytes())
    assert weights[0] == weights[1]
    runner = EpochRunner(X, y, 32, len(X) // 32, np.random.default_rng(2), "compiled", "windows")
    runner.run_until(MODELS["logistic"]().initialize(4), OPTIMIZERS["sgd"](0.05), 1)
    assert runner.window_orders is not None and runner.window_orders.executor is not None


def test_a_trained_windows_run_leaves_no_drawing_thread() -> None:
    """`train` closes its runner: the thread drawing orders ahead is gone when it returns
    (a live thread would keep `mlcc` from exiting without module teardown)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(20 * SHUFFLE_BLOCK_ROWS, 4))
    y = (X[:, 0] > 0).astype(np.float64)
    config = TrainingConfig(
        batch_size=32, epochs=3, periods=3, engine="compiled", shuffle="windows"
    )
    model, optimizer = MODELS["logistic"]().initialize(4), OPTIMIZERS["sgd"](0.05)
    before = set(threading.enumerate())  # earlier tests' runners may still be collected
    result = train(model, optimizer, X, y, X[:50], y[:50], config, np.random.default_rng(4))
    assert result.settings == {"engine": "compiled", "shuffle": "windows"}
    assert set(threading.enumerate()) - before == set()
