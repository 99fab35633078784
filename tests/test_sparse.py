"""Sparse (CSR) input end to end: same weights as dense input, never densified.

The oracle for every sparse path is the dense path on the same matrix (itself tested against
scikit-learn and closed forms): same visiting order, weights equal to 1e-10.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import DataError
from mlcc_cli.models.linear_base import as_csr, is_sparse
from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.registry import OPTIMIZERS
from mlcc_cli.training import engine
from mlcc_cli.training.engine import matrix_bytes, resolve_shuffle
from mlcc_cli.training.loop import as_arrays, train

# Models with one weight vector (the compiled kernels' family); multiclass models and the
# MLP have their own test modules.
LINEAR_FAMILY = ("linear", "logistic")

PENALTIES = {"none": (0.0, 0.0), "l1": (0.05, 0.0), "l2": (0.0, 0.05), "l1+l2": (0.05, 0.05)}
BATCHES = [1, 7, 32, "full"]


def _problem(model_type: str, n: int = 150, d: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Mostly-zero X: a badly scaled column (clipping engages) and a rarely non-zero one
    (long gaps between its updates exercise the lazy catch-up)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(n, d)) * (rng.random((n, d)) < 0.3)  # (n, d), ~70 % zeros
    X[:, 3] *= 4
    X[:, 7] = (rng.random(n) < 0.03) * 1.0
    z = X @ np.linspace(-1.0, 1.0, d) + 0.3 * rng.normal(size=n)
    return X, (z > 0).astype(np.float64) if model_type == "logistic" else z


def _train(X, y, model_type, penalty, clip, batch, engine_name, learning_rate=0.02, **config):
    l1, l2 = PENALTIES[penalty] if isinstance(penalty, str) else penalty
    model = MODELS[model_type](l1=l1, l2=l2)
    optimizer = OPTIMIZERS["sgd"](learning_rate=learning_rate, clip_norm=clip)
    settings = {"epochs": 3, "periods": 3} | config
    training = TrainingConfig(batch_size=batch, engine=engine_name, **settings)
    result = train(model, optimizer, X, y, X[:40], y[:40], training, np.random.default_rng(4))
    return model, result


def _assert_same_training(ours, theirs) -> None:
    (model, result), (reference, reference_result) = ours, theirs
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=0, atol=1e-10)
    assert model.nonzero_weights() == reference.nonzero_weights()
    assert result.status == reference_result.status
    for mine, other in zip(result.history, reference_result.history, strict=True):
        assert (mine.step, mine.examples_seen) == (other.step, other.examples_seen)
        assert mine.grad_norm == pytest.approx(other.grad_norm, rel=1e-10, abs=1e-10)
        assert mine.train_loss == pytest.approx(other.train_loss, rel=1e-10, abs=1e-10)
        assert mine.validation_loss == pytest.approx(other.validation_loss, abs=1e-10)


# ------------------------------------------------------------- sparse = dense


@pytest.mark.parametrize("engine_name", ["numpy", "compiled"])
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("clip", [None, 1.0])
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("model_type", LINEAR_FAMILY)
def test_csr_training_equals_dense_training(model_type, penalty, clip, batch, engine_name):
    X, y = _problem(model_type)
    dense = _train(X, y, model_type, penalty, clip, batch, engine_name)
    sparse = _train(sp.csr_array(X), y, model_type, penalty, clip, batch, engine_name)
    _assert_same_training(sparse, dense)
    assert sparse[1].settings == dense[1].settings


# Wider, sparser data and one period (long kernel calls) for the lazy machinery's edge cases:
# weights reaching exactly 0 between touches, a tracker rebase (a = 0.2), the eager path
# (a = 1 − 2ηλ₂ = 0, and clipping with L2), a tiny λ₂ next to λ₁ (C = λ₁/2λ₂ huge).
LAZY_CASES = {
    "l1+l2": (0.02, (0.01, 0.01), None),
    "l2 strong, rebase": (0.1, (0.01, 4.0), None),
    "a = 0, eager": (0.5, (0.01, 1.0), None),
    "clip + l1+l2, eager": (0.02, (0.01, 0.01), 1.0),
    "clip + l1, lazy": (0.05, (0.02, 0.0), 0.5),
    "tiny l2": (0.02, (1e-4, 1e-7), None),
}


@pytest.mark.parametrize("case", list(LAZY_CASES))
@pytest.mark.parametrize("model_type", LINEAR_FAMILY)
def test_lazy_regularisation_edge_cases_match_dense(model_type: str, case: str) -> None:
    learning_rate, penalty, clip = LAZY_CASES[case]
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 120)) * (rng.random((600, 120)) < 0.03)
    z = X @ rng.normal(size=120) + 0.1 * rng.normal(size=600)
    y = (z > 0).astype(np.float64) if model_type == "logistic" else z
    for batch in (1, 16):
        options = {"epochs": 2, "periods": 1, "learning_rate": learning_rate}
        dense = _train(X, y, model_type, penalty, clip, batch, "compiled", **options)
        sparse = _train(sp.csr_array(X), y, model_type, penalty, clip, batch, "compiled", **options)
        _assert_same_training(sparse, dense)
        reference = _train(sp.csr_array(X), y, model_type, penalty, clip, batch, "numpy", **options)
        _assert_same_training(sparse, reference)


@pytest.mark.parametrize("batch", [1, 32])
def test_block_shuffle_on_csr_matches_dense(batch: int) -> None:
    X, y = _problem("logistic")
    options = {"shuffle": "blocks"}
    for engine_name in ("numpy", "compiled"):
        dense = _train(X, y, "logistic", "l1+l2", 1.0, batch, engine_name, **options)
        sparse = _train(sp.csr_array(X), y, "logistic", "l1+l2", 1.0, batch, engine_name, **options)
        _assert_same_training(sparse, dense)


def test_divergence_on_csr_is_reported_like_dense() -> None:
    X, y = _problem("linear")
    outcomes = []
    for matrix in (X, sp.csr_array(X)):
        for engine_name in ("numpy", "compiled"):
            _, result = _train(matrix, y * 1e3, "linear", "l2", None, 4, engine_name, 50.0)
            outcomes.append((result.status, result.message.split(" with ")[0]))
    assert outcomes[0][0] == "diverged"
    assert all(outcome == outcomes[0] for outcome in outcomes)


# ------------------------------------------------------------- lazy closed form


@pytest.mark.parametrize(("rate", "threshold"), [(0.0, 0.01), (0.01, 0.0), (0.01, 0.003)])
def test_catch_up_equals_repeated_eager_steps(rate: float, threshold: float) -> None:
    from mlcc_cli.training.kernels.lazy import catch_up, lazy_tables

    decay, shrink = lazy_tables(200, rate, threshold)
    a = 1.0 - rate
    for w0 in (1.3, -0.7, 0.05, -0.004, 0.0):
        w = w0
        for k in range(201):  # w: k eager steps (decay, then soft-threshold)
            assert catch_up(w0, k, decay, shrink) == pytest.approx(w, rel=1e-12, abs=1e-15)
            w = a * w
            w = np.sign(w) * max(abs(w) - threshold, 0.0)


@pytest.mark.parametrize(
    ("rate", "threshold"), [(0.0, 0.01), (0.01, 0.0), (0.01, 0.003), (0.8, 0.01)]
)
def test_scaled_catch_up_equals_repeated_eager_steps(rate: float, threshold: float) -> None:
    """w = s·v: k untouched steps are s = a^k and one soft-threshold of v by P[k] − P[l]."""
    from mlcc_cli.training.kernels.scaled import frame_tables, soft

    S, P, frame = frame_tables(200, rate, threshold)
    assert frame == (200 if rate < 0.5 else 12)  # 0.2^12 ≥ 1e-9 > 0.2^13: a new frame then
    a = 1.0 - rate
    for w0 in (1.3, -0.7, 0.05, -0.004, 0.0):
        w = w0
        for k in range(frame + 1):  # w: k eager steps (decay, then soft-threshold)
            scaled = S[k] * soft(w0, P[k] - P[0])
            assert scaled == pytest.approx(w, rel=1e-12, abs=1e-15)
            w = a * w
            w = np.sign(w) * max(abs(w) - threshold, 0.0)


# ------------------------------------------------------------- never densified


@pytest.fixture
def no_densify(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make turning any sparse matrix dense an error for the duration of the test."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("a sparse matrix was densified")

    for cls in (sp.csr_array, sp.csr_matrix, sp.csc_array, sp.coo_array):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)


def _hashed(n_rows: int, n_columns: int, per_row: int, seed: int = 0) -> sp.csr_array:
    """Hashed-crosses-like CSR: `per_row` random columns a row, values 1.0."""
    rng = np.random.default_rng(seed)
    columns = np.sort(rng.integers(0, n_columns, size=(n_rows, per_row)), axis=1)
    indptr = np.arange(0, n_rows * per_row + 1, per_row)
    X = sp.csr_array((np.ones(n_rows * per_row), columns.ravel(), indptr), (n_rows, n_columns))
    X.sum_duplicates()
    return X


@pytest.mark.usefixtures("no_densify")
@pytest.mark.parametrize("engine_name", ["compiled", "numpy"])
@pytest.mark.parametrize(("penalty", "clip"), [("l1+l2", None), ("l2", 1.0)])
def test_training_on_2_18_columns_never_densifies(engine_name, penalty, clip) -> None:
    X = _hashed(300, 2**18, 40)
    y = (np.arange(300) % 2).astype(np.float64)
    _train(X[:20], y[:20], "logistic", penalty, clip, 8, engine_name)  # numba load, imports
    tracemalloc.start()
    started = time.perf_counter()
    model, result = _train(X, y, "logistic", penalty, clip, 32, engine_name, epochs=2)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.status == "complete" and np.isfinite(model.coef_).all()
    assert seconds < 1.0
    dense_bytes = X.shape[0] * X.shape[1] * 8  # 629 MB
    assert peak < dense_bytes / 20  # a few weight-sized vectors, never a dense X or batch
    model.predict_proba(X)
    model.loss(X, y)


# ------------------------------------------------------------- models, inputs


@pytest.mark.usefixtures("no_densify")
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("model_type", LINEAR_FAMILY)
def test_models_compute_the_same_on_sparse_input(model_type: str, fmt: str) -> None:
    X, y = _problem(model_type, n=40, d=8)
    X = X[:, :6]
    model = MODELS[model_type](l2=0.3).initialize(6)
    model.coef_[:] = np.linspace(-1.0, 2.0, 6)
    model.intercept_[:] = 0.2
    S = sp.csr_array(X).asformat(fmt)
    assert is_sparse(S) and not is_sparse(X)
    loss, grads = model.loss_and_gradients(S, y)
    dense_loss, dense_grads = model.loss_and_gradients(X, y)
    assert loss == pytest.approx(dense_loss, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads[name], dense_grads[name], rtol=1e-12, atol=1e-15)
    assert model.loss(S, y) == pytest.approx(model.loss(X, y), rel=1e-12)
    np.testing.assert_allclose(model.predict(S), model.predict(X), rtol=1e-12)
    if model_type == "logistic":
        np.testing.assert_allclose(model.predict_proba(S), model.predict_proba(X), rtol=1e-12)
    with pytest.raises(DataError, match="6 features but got 5"):
        model.predict(sp.csr_array(X[:, :5]))


def test_canonical_float64_csr_is_used_as_is() -> None:
    X = sp.csr_array(np.eye(4) * 2.0)
    checked, _ = as_arrays(X, np.zeros(4), "training")
    assert checked is X  # no copy


def test_other_sparse_inputs_become_canonical_csr_without_touching_the_input() -> None:
    # Row 0 holds column 2 twice (1 + 2) and its columns out of order.
    X = sp.csr_array((np.array([1.0, 5.0, 2.0]), np.array([2, 0, 2]), np.array([0, 3, 3])), (2, 3))
    before = (X.data.copy(), X.indices.copy())
    checked, _ = as_arrays(X, np.zeros(2), "training")
    assert checked.has_canonical_format and checked is not X
    np.testing.assert_array_equal(checked.toarray(), [[5.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(X.data, before[0])
    np.testing.assert_array_equal(X.indices, before[1])
    for fmt in ("csc", "coo", "lil"):
        converted, _ = as_arrays(sp.csr_array(np.eye(3)).asformat(fmt), np.zeros(3), "training")
        assert converted.format == "csr" and converted.dtype == np.float64
    small = as_arrays(sp.csr_array(np.eye(3, dtype=np.float32)), np.zeros(3), "training")[0]
    assert small.dtype == np.float64 and as_csr(small) is small


def test_non_finite_sparse_values_are_rejected() -> None:
    X = sp.csr_array(np.array([[0.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(DataError, match="NaN or infinite"):
        as_arrays(X, np.zeros(2), "training")
    with pytest.raises(DataError, match="do not match"):
        as_arrays(sp.csr_array(np.eye(3)), np.zeros(2), "training")


def test_auto_shuffle_counts_the_csr_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    X = _hashed(1000, 2**10, 8)
    expected = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    assert matrix_bytes(X) == expected
    monkeypatch.setattr(engine, "AUTO_BLOCKS_MIN_BYTES", expected)
    assert resolve_shuffle("auto", X, rows_in_random_order=True) == "blocks"
    assert resolve_shuffle("auto", X, rows_in_random_order=False) == "rows"
    monkeypatch.setattr(engine, "AUTO_BLOCKS_MIN_BYTES", expected + 1)
    assert resolve_shuffle("auto", X, rows_in_random_order=True) == "rows"


def test_int64_indices_train_like_int32() -> None:
    X, y = _problem("logistic")
    wide = sp.csr_array(X)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    narrow = _train(sp.csr_array(X), y, "logistic", "l1+l2", None, 7, "compiled")
    _assert_same_training(_train(wide, y, "logistic", "l1+l2", None, 7, "compiled"), narrow)


def test_sparse_kernel_is_served_from_the_on_disk_cache_in_a_new_process() -> None:
    """The cold compile (a few seconds) is paid once per machine, not per run."""
    script = (
        "import numpy as np, scipy.sparse as sp\n"
        "from mlcc_cli.config.training import TrainingConfig\n"
        "from mlcc_cli.models.linear import LogisticRegression\n"
        "from mlcc_cli.optim.sgd import SGD\n"
        "from mlcc_cli.training.loop import train\n"
        "from mlcc_cli.training.kernels import sparse as kernels_sparse\n"
        "X = sp.csr_array(np.eye(10)); y = np.arange(10) % 2.0\n"
        "config = TrainingConfig(batch_size=2, epochs=1, engine='compiled')\n"
        "model = LogisticRegression(l1=0.01, l2=0.01)\n"
        "train(model, SGD(0.1), X, y, None, None, config, np.random.default_rng(0))\n"
        "stats = kernels_sparse.csr_linear_family_steps.stats\n"
        "print(sum(stats.cache_hits.values()) > 0)\n"
    )
    outputs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert outputs[1].stdout.strip() == "True", outputs[1].stderr
