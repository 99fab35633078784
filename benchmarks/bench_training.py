"""In-process rows: mlcc epochs and full-batch steps next to numpy and scikit-learn peers.

Every measurement uses the same arrays. An mlcc epoch is timed on `EpochRunner.run_until`
alone (the period-end loss pass of `train` is not part of an epoch); consecutive epochs of one
runner are timed, so the best of N is a steady-state epoch including its shuffle.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
from bench_table import Row, best_of, progress

from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import EpochRunner, choose_engine, resolve_shuffle

LEARNING_RATE = 0.01
KINDS = ("logistic", "linear")
# The reference "one numpy full-batch gradient" is the gradient of the model's mean loss,
# σ included for logistic regression; the two matrix products alone were the reference
# until 2026-12-06 and are kept in the ladder, labelled, so the change stays visible.
GRADIENT = {
    "logistic": "numpy gradient X.T@(σ(X@w)−y)/n",
    "linear": "numpy gradient 2·X.T@(X@w−y)/n",
}
PRODUCTS = "numpy X@w + X.T@r only (no σ)"
PEER = {"logistic": "sklearn SGDClassifier epoch", "linear": "sklearn SGDRegressor epoch"}
# (batch size, engine/shuffle variants to show, reference, target ratio); the numpy engine
# is left out where thousands of Python-level steps per epoch would only measure the
# interpreter. "/auto" is the default `training.shuffle: auto` (windows from 16 MB on, so
# the full-size run shows `rows` separately and the quick run shows `blocks` separately).
EPOCH_PLAN = (
    (1024, ("numpy/auto", "compiled/auto", "compiled/other"), "gradient", 1.5),
    (128, ("compiled/auto", "numpy/auto", "compiled/other"), "peer", 0.25),
    (32, ("compiled/auto", "compiled/other"), "peer", 0.5),
    (1, ("compiled/auto", "compiled/other"), "peer", 1.0),
)


@dataclass(frozen=True)
class Data:
    """One design matrix and a label per model kind, generated from a fixed seed."""

    X: np.ndarray
    y: dict[str, np.ndarray]


def make_data(rows: int, features: int, seed: int) -> Data:
    """Standard-normal X; logistic labels drawn from σ(X·w), linear ones X·w + noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features))
    w = rng.standard_normal(features) / math.sqrt(features)
    z = X @ w
    binary = (rng.random(rows) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    real = z + 0.5 * rng.standard_normal(rows)
    return Data(X, {"logistic": binary, "linear": real})


def warm_up_kernel() -> str:
    """Import the numba kernel and run it once on tiny data; say what that cost."""
    start = time.perf_counter()
    from mlcc_cli.training.kernels import dense as kernels

    imported = time.perf_counter() - start
    X = np.zeros((4, 2))
    start = time.perf_counter()
    _runner_epoch(X, np.zeros(4), "logistic", 2, "compiled/auto", repeat=1)
    first_call = time.perf_counter() - start
    stats = kernels.linear_family_steps.stats
    hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
    served = "served by the on-disk cache" if hits and not misses else "compiled now"
    return (
        f"numba kernel: import {imported:.2f} s, first call {first_call:.2f} s "
        f"({served}: hits {hits}, misses {misses}; {stats.cache_path})"
    )


def _runner_epoch(
    X: np.ndarray, y: np.ndarray, kind: str, batch: int, variant: str, repeat: int
) -> float:
    """Best-of-`repeat` time of one epoch of mlcc SGD (consecutive epochs of one runner)."""
    engine, shuffle = resolve_variant(X, variant)
    model = MODELS[kind]().initialize(X.shape[1])
    optimizer = SGD(learning_rate=LEARNING_RATE)
    steps = math.ceil(X.shape[0] / batch)
    rng = np.random.default_rng(0)
    runner = EpochRunner(X, y, batch, steps, rng, engine, shuffle=shuffle)
    with np.errstate(over="ignore", invalid="ignore"):  # as train() does
        return best_of(repeat, lambda: runner.run_until(model, optimizer, runner.step + steps))


def full_gradient(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Gradient of the mean loss in w (no intercept), as one numpy full-batch step computes it:
    logistic ∇ = Xᵀ(σ(Xw) − y)/n (mean log loss), linear ∇ = 2Xᵀ(Xw − y)/n (mean squared error).
    """
    from scipy.special import expit  # deferred like scikit-learn: only the references use it

    z = X @ w  # (n,)
    residual = expit(z) - y if kind == "logistic" else 2.0 * (z - y)
    return (X.T @ residual) / X.shape[0]


def full_gradient_time(kind: str, X: np.ndarray, y: np.ndarray, repeat: int) -> float:
    """Best time of one numpy full-batch gradient of the model's mean loss (`full_gradient`)."""
    w = np.full(X.shape[1], 0.1)
    return best_of(repeat, lambda: full_gradient(kind, X, y, w))


def products_time(X: np.ndarray, repeat: int) -> float:
    """Best time of the two matrix products alone, X @ w and X.T @ r (the old reference)."""
    w = np.full(X.shape[1], 0.1)
    r = np.full(X.shape[0], 0.5)
    return best_of(repeat, lambda: (X @ w, X.T @ r))


def sklearn_epoch(kind: str, X: np.ndarray, y: np.ndarray, repeat: int) -> float:
    """Best time of one scikit-learn SGD epoch: fit(X, y) with max_iter=1, constant rate."""
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier, SGDRegressor

    common = {"max_iter": 1, "tol": None, "learning_rate": "constant", "eta0": LEARNING_RATE}
    common |= {"alpha": 0.0, "shuffle": True, "random_state": 0}
    if kind == "logistic":
        estimator = SGDClassifier(loss="log_loss", **common)
    else:
        estimator = SGDRegressor(**common)
    # assume_finite skips the NaN scan of X, so the reference is the epoch itself.
    with warnings.catch_warnings(), config_context(assume_finite=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return best_of(repeat, lambda: estimator.fit(X, y))


def lbfgs_row(data: Data) -> Row:
    """scikit-learn LogisticRegression(lbfgs) on the whole data, timed once, for information."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    estimator = LogisticRegression(solver="lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds = best_of(1, lambda: estimator.fit(data.X, data.y["logistic"]))
    iterations = int(estimator.n_iter_[0])
    return Row(f"sklearn LogisticRegression(lbfgs) fit, {iterations} iterations", seconds)


def resolve_variant(X: np.ndarray, variant: str) -> tuple[str, str]:
    """(engine, shuffle) of an "engine/auto|other" variant; bench data is already random."""
    engine, _, requested = variant.partition("/")
    auto = resolve_shuffle("auto", X, rows_in_random_order=True)
    if requested == "other":
        return engine, "blocks" if auto == "rows" else "rows"
    return engine, auto


def _engine_label(kind: str, X: np.ndarray, variant: str, shuffles: bool = True) -> str:
    """Engine (and shuffle), marked '(default)' when `engine: auto` + `shuffle: auto` run them."""
    engine, shuffle = resolve_variant(X, variant)
    default = choose_engine("auto", MODELS[kind](), SGD(LEARNING_RATE))
    label = f"{engine}, {shuffle}" if shuffles else engine
    return f"{label} (default)" if default == engine and variant.endswith("/auto") else label


def epoch_rows(data: Data, kind: str, references: dict[str, float], repeat: int) -> list[Row]:
    """mlcc epoch rows of one model kind at batch 1024, 128, 32 and 1."""
    rows = []
    for batch, engines, reference, target in EPOCH_PLAN:
        for engine in engines:
            progress(f"epoch, {kind}, batch {batch}, {engine}")
            seconds = _runner_epoch(data.X, data.y[kind], kind, batch, engine, repeat)
            rows.append(
                Row(
                    f"epoch, {kind}, batch {batch}",
                    seconds,
                    engine=_engine_label(kind, data.X, engine),
                    reference=GRADIENT[kind] if reference == "gradient" else PEER[kind],
                    reference_value=references[reference],
                    target=target,
                )
            )
    return rows


def full_batch_rows(data: Data, kind: str, gradient: float, repeat: int) -> list[Row]:
    """One full-batch gradient descent step (batch = all rows) with each engine."""
    rows = []
    n = data.X.shape[0]
    for engine in ("numpy/auto", "compiled/auto"):
        progress(f"full-batch step, {kind}, {engine}")
        seconds = _runner_epoch(data.X, data.y[kind], kind, n, engine, repeat)
        label = _engine_label(kind, data.X, engine, shuffles=False)  # full batch: no shuffle
        rows.append(Row(f"full-batch step, {kind}", seconds, label, GRADIENT[kind], gradient, 1.3))
    return rows


def training_rows(data: Data, repeat: int) -> list[Row]:
    """Every in-process row: epochs, full-batch steps and the lbfgs fit."""
    rows: list[Row] = []
    for kind in KINDS:
        progress(f"reference: {GRADIENT[kind]}")
        gradient = full_gradient_time(kind, data.X, data.y[kind], repeat)
        progress(f"reference: {PEER[kind]}")
        peer = sklearn_epoch(kind, data.X, data.y[kind], repeat)
        rows += epoch_rows(data, kind, {"gradient": gradient, "peer": peer}, repeat)
        rows += full_batch_rows(data, kind, gradient, repeat)
    progress("sklearn LogisticRegression(lbfgs)")
    rows.append(lbfgs_row(data))
    return rows
