"""The compiled engine against the numpy reference, engine choice and the kernel cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.registry import OPTIMIZERS
from mlcc_cli.training.engine import (
    AUTO_WINDOWS_MIN_BYTES,
    SHUFFLE_BLOCK_ROWS,
    choose_engine,
    epoch_order,
    resolve_shuffle,
)
from mlcc_cli.training.loop import train

# Models with one weight vector (the compiled kernels' family); multiclass models and the
# MLP have their own test modules.
LINEAR_FAMILY = ("linear", "logistic")

PENALTIES = {"none": (0.0, 0.0), "l1": (0.01, 0.0), "l2": (0.0, 0.01), "l1+l2": (0.01, 0.01)}
BATCHES = [1, 7, 32, 100, "full"]


def _problem(model_type: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(300, 6))  # (n, d)
    X[:, 5] = rng.normal(size=300) * 5  # a badly scaled column, so clipping engages
    y = X @ np.array([1.0, -2.0, 0.0, 0.5, 0.0, 0.1]) + 0.3 * rng.normal(size=300)
    return X, (y > 0).astype(np.float64) if model_type == "logistic" else y


def _trained(
    model_type: str,
    optimizer_type: str,
    penalty: str,
    clip: float | None,
    batch,
    engine,
    shuffle: str = "rows",
):
    X, y = _problem(model_type)
    l1, l2 = PENALTIES[penalty]
    model = MODELS[model_type](l1=l1, l2=l2)
    optimizer = OPTIMIZERS[optimizer_type](learning_rate=0.02, clip_norm=clip)
    config = TrainingConfig(batch_size=batch, epochs=3, periods=3, engine=engine, shuffle=shuffle)
    result = train(model, optimizer, X, y, X[:50], y[:50], config, np.random.default_rng(4))
    return model, result


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("clip", [None, 1.0])
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("optimizer_type", ["sgd"])  # the kernel runs plain SGD only
@pytest.mark.parametrize("model_type", LINEAR_FAMILY)
def test_compiled_equals_numpy_reference(
    model_type: str, optimizer_type: str, penalty: str, clip: float | None, batch
) -> None:
    reference, reference_result = _trained(
        model_type, optimizer_type, penalty, clip, batch, "numpy"
    )
    compiled, compiled_result = _trained(
        model_type, optimizer_type, penalty, clip, batch, "compiled"
    )
    np.testing.assert_allclose(compiled.coef_, reference.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(compiled.intercept_, reference.intercept_, rtol=0, atol=1e-10)
    assert compiled.nonzero_weights() == reference.nonzero_weights()
    for ours, theirs in zip(compiled_result.history, reference_result.history, strict=True):
        assert (ours.step, ours.examples_seen) == (theirs.step, theirs.examples_seen)
        assert ours.grad_norm == pytest.approx(theirs.grad_norm, abs=1e-10)
        assert ours.train_loss == pytest.approx(theirs.train_loss, abs=1e-10)


@pytest.mark.parametrize("batch", [1, 32, 100])
@pytest.mark.parametrize("model_type", LINEAR_FAMILY)
def test_block_shuffle_engines_agree(model_type: str, batch: int) -> None:
    reference, _ = _trained(model_type, "sgd", "l1+l2", 1.0, batch, "numpy", "blocks")
    compiled, _ = _trained(model_type, "sgd", "l1+l2", 1.0, batch, "compiled", "blocks")
    np.testing.assert_allclose(compiled.coef_, reference.coef_, rtol=0, atol=1e-10)
    rows, _ = _trained(model_type, "sgd", "l1+l2", 1.0, batch, "compiled", "rows")
    assert not np.array_equal(rows.coef_, compiled.coef_)  # a different visiting order


@pytest.mark.parametrize("n_rows", [1, 255, 256, 1000, 4097])
def test_epoch_order_is_a_permutation(n_rows: int) -> None:
    for shuffle in ("rows", "blocks"):
        order = epoch_order(n_rows, np.random.default_rng(3), shuffle)
        assert sorted(order.tolist()) == list(range(n_rows))
    blocks = epoch_order(n_rows, np.random.default_rng(3), "blocks")
    runs = np.diff(blocks) == 1  # within a block the rows are consecutive
    assert runs.sum() >= n_rows - n_rows // SHUFFLE_BLOCK_ROWS - 1


def test_auto_shuffle_reads_windows_only_of_large_already_shuffled_matrices() -> None:
    small = np.zeros((1000, 4))
    # A broadcast view reports the full nbytes without allocating them.
    large = np.broadcast_to(np.zeros(1), (AUTO_WINDOWS_MIN_BYTES // 8, 1))
    assert resolve_shuffle("auto", small, rows_in_random_order=True) == "rows"
    assert resolve_shuffle("auto", large, rows_in_random_order=True) == "windows"
    assert resolve_shuffle("auto", large, rows_in_random_order=False) == "rows"
    for explicit in ("rows", "windows", "blocks"):
        assert resolve_shuffle(explicit, large, rows_in_random_order=False) == explicit
        assert resolve_shuffle(explicit, small, rows_in_random_order=True) == explicit


def test_training_result_records_engine_and_shuffle() -> None:
    X, y = _problem("linear")
    for engine, expected in (("auto", "numpy"), ("compiled", "compiled")):
        # auto: one short epoch is cheaper on numpy than loading the compiled kernel.
        config = TrainingConfig(batch_size=8, epochs=1, periods=1, engine=engine)
        model = MODELS["linear"]()
        result = train(
            model, OPTIMIZERS["sgd"](0.01), X, y, None, None, config, np.random.default_rng(0)
        )
        assert result.settings == {"engine": expected, "shuffle": "rows"}


def test_l1_reaches_exact_zeros_in_the_compiled_kernel() -> None:
    strong = MODELS["linear"](l1=0.5)
    X, y = _problem("linear")
    config = TrainingConfig(batch_size=8, epochs=3, periods=1, engine="compiled")
    train(strong, OPTIMIZERS["sgd"](0.02), X, y, None, None, config, np.random.default_rng(0))
    assert 0 < strong.nonzero_weights() < 6
    assert np.count_nonzero(strong.coef_ == 0.0) >= 1


def test_compiled_divergence_is_reported_like_numpy() -> None:
    X, y = _problem("linear")
    statuses = []
    for engine in ("numpy", "compiled"):
        model = MODELS["linear"]()
        config = TrainingConfig(batch_size=4, epochs=50, periods=5, engine=engine)
        optimizer = OPTIMIZERS["sgd"](50.0)
        result = train(model, optimizer, X, y * 1e3, None, None, config, np.random.default_rng(0))
        statuses.append((result.status, result.message.split(" with ")[0]))
    assert statuses[0] == statuses[1]
    assert statuses[0][0] == "diverged"


@pytest.mark.parametrize(
    ("engine", "expected"), [("auto", "compiled"), ("numpy", "numpy"), ("compiled", "compiled")]
)
def test_choose_engine(engine: str, expected: str) -> None:
    model, optimizer = MODELS["logistic"](), OPTIMIZERS["sgd"](0.1)
    assert choose_engine(engine, model, optimizer) == expected


def test_compiled_engine_refuses_what_it_cannot_run() -> None:
    class Unknown:
        type = "tree"

    with pytest.raises(ConfigError, match=r"training\.engine"):
        choose_engine("compiled", Unknown(), OPTIMIZERS["sgd"](0.1))
    assert choose_engine("auto", Unknown(), OPTIMIZERS["sgd"](0.1)) == "numpy"


def test_kernel_is_served_from_the_on_disk_cache_in_a_new_process() -> None:
    """The first-call compile (about a second) is paid once per machine, not per run."""
    script = (
        "import numpy as np\n"
        "from mlcc_cli.config.training import TrainingConfig\n"
        "from mlcc_cli.models.linear import LinearRegression\n"
        "from mlcc_cli.optim.sgd import SGD\n"
        "from mlcc_cli.training.loop import train\n"
        "from mlcc_cli.training.kernels import dense as kernels\n"
        "X = np.ones((10, 2)); y = np.ones(10)\n"
        "config = TrainingConfig(batch_size=2, epochs=1, engine='compiled')\n"
        "train(LinearRegression(), SGD(0.1), X, y, None, None, config, np.random.default_rng(0))\n"
        "print(sum(kernels.linear_family_steps.stats.cache_hits.values()) > 0)\n"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert outputs[1].stdout.strip() == "True", outputs[1].stderr


def test_a_full_disk_where_numba_caches_its_kernels_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NUMBA_CACHE_DIR on a full tmpfs: numba raised ENOSPC out of its first kernel call."""
    import errno

    from cli_helpers import experiment, mlcc

    def cache_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("mlcc_cli.training.engine.compiled_steps", cache_full)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    config = experiment(tmp_path, training={"batch_size": 1, "epochs": 1, "engine": "compiled"})
    runs = tmp_path / "runs"
    result = mlcc("train", config, "--runs-dir", runs)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"could not store it in its cache ({tmp_path / 'numba'})" in result.stderr
    assert "No space left on device" in result.stderr and "training.engine=numpy" in result.stderr
    assert not runs.exists()  # its staging folder (and the runs folder it made) removed
