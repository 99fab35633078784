"""Multiclass rows: softmax / one-vs-all epochs and an MLP epoch next to scikit-learn.

One dense X (standard normal, 64 columns) with 10 classes drawn from softmax(X·W) (Gumbel-max,
fixed seed). mlcc epochs are timed on `EpochRunner.run_until` alone, consecutive epochs of
one runner (steady state, shuffle included), as in `bench_training.py`. The scikit-learn
references are one `fit` each: SGDClassifier(log_loss) with max_iter=1 trains its 10
one-vs-all classifiers for one epoch each; MLPClassifier with max_iter=1 is one epoch of
mini-batch SGD (its fit time, input checks and label binarising included).
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
from bench_table import Row, best_of, progress
from bench_training import resolve_variant

from mlcc_cli.models.multiclass import OneVsAll, Softmax
from mlcc_cli.models.nn import Mlp
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import EpochRunner, choose_engine

FULL_ROWS, QUICK_ROWS = 500_000, 20_000
FEATURES, CLASSES, BATCH, HIDDEN = 64, 10, 128, (64, 32)
LEARNING_RATE = 0.01
SEED = 0
SGD_PEER = "sklearn SGDClassifier(log_loss) epoch"
MLP_PEER = "sklearn MLPClassifier fit, 1 epoch"
# (model, engine/shuffle variants to show, target ratio); "/auto" is the default
# `training.shuffle: auto` (blocks from 128 MB on), "/other" the other shuffle.
LINEAR_PLAN = (
    ("softmax", ("compiled/auto", "compiled/other", "numpy/auto"), 0.15),
    ("one_vs_all", ("compiled/auto",), 0.15),
)
MLP_TARGET = 0.25  # issue 17 (was 1×): at batch 128 and at batch 16
MLP_BATCHES = (128, 16)  # batch 16: per-step overhead, not the matrix products, dominates


@dataclass(frozen=True)
class Data:
    """Design matrix X (n, 64) and class codes y (n,) in 0..9."""

    X: np.ndarray
    y: np.ndarray


def make_data(rows: int, seed: int = SEED) -> Data:
    """Standard-normal X; y drawn from softmax(X·W) by the Gumbel-max trick."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES))
    W = rng.standard_normal((FEATURES, CLASSES)) / math.sqrt(FEATURES)  # (d, K)
    y = np.argmax(X @ W + rng.gumbel(size=(rows, CLASSES)), axis=1).astype(np.float64)
    return Data(X, y)


def _model(kind: str, n_features: int) -> Softmax | OneVsAll | Mlp:
    """A fresh, initialized model of `kind` for 10 classes."""
    if kind == "mlp":
        return Mlp(hidden_units=HIDDEN, activation="relu", task="multiclass").initialize(
            n_features, CLASSES
        )
    model = Softmax() if kind == "softmax" else OneVsAll()
    return model.initialize(n_features, CLASSES)


def runner_epoch(
    data: Data, kind: str, variant: str, repeat: int, batch: int = BATCH
) -> tuple[float, str]:
    """Best-of-`repeat` epoch time of mlcc SGD, and the engine label of the table."""
    engine, shuffle = resolve_variant(data.X, variant)
    model = _model(kind, data.X.shape[1])
    optimizer = SGD(learning_rate=LEARNING_RATE)
    steps = math.ceil(data.X.shape[0] / batch)
    runner = EpochRunner(data.X, data.y, batch, steps, np.random.default_rng(0), engine, shuffle)
    with np.errstate(over="ignore", invalid="ignore"):  # as train() does
        seconds = best_of(repeat, lambda: runner.run_until(model, optimizer, runner.step + steps))
    default = choose_engine("auto", _model(kind, 1), optimizer, data.X)
    label = f"{engine}, {shuffle}"
    if default == engine and variant.endswith("/auto"):
        label += " (default)"
    return seconds, label


def sklearn_sgd_epoch(data: Data, repeat: int) -> float:
    """Best time of SGDClassifier(log_loss).fit: one epoch of each of its 10 one-vs-all."""
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier

    estimator = SGDClassifier(
        loss="log_loss", max_iter=1, tol=None, learning_rate="constant", eta0=LEARNING_RATE,
        alpha=0.0, shuffle=True, random_state=0,
    )  # fmt: skip
    # assume_finite skips the NaN scan of X, so the reference is the epoch itself.
    with warnings.catch_warnings(), config_context(assume_finite=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return best_of(repeat, lambda: estimator.fit(data.X, data.y))


def sklearn_mlp_epoch(data: Data, repeat: int, batch: int = BATCH) -> float:
    """Best time of MLPClassifier((64, 32), sgd, no momentum).fit for 1 epoch at `batch`."""
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    estimator = MLPClassifier(
        hidden_layer_sizes=HIDDEN, activation="relu", solver="sgd", batch_size=batch,
        learning_rate="constant", learning_rate_init=LEARNING_RATE, momentum=0.0,
        nesterovs_momentum=False, max_iter=1, alpha=0.0, shuffle=True, random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings(), config_context(assume_finite=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return best_of(repeat, lambda: estimator.fit(data.X, data.y))


def matrix_product_floor_epoch(data: Data, repeat: int, batch: int = BATCH) -> float:
    """Best time of the matrix products alone of one MLP epoch at `batch`: per step the
    three forward products and the five backward ones of a (64, 32) ReLU net (nothing
    else: no activations, softmax, shuffle or update), written into preallocated arrays.
    Any float64 MLP step, ours or scikit-learn's, does at least this work."""
    rng = np.random.default_rng(SEED)
    widths = (FEATURES, *HIDDEN, CLASSES)
    weights = [rng.standard_normal((a, b)) for a, b in itertools.pairwise(widths)]
    outputs = [np.empty((batch, width)) for width in widths[1:]]  # H1, H2, logits (b, w)
    deltas = [np.empty((batch, width)) for width in widths[1:]]  # D1, D2, D3 (b, w)
    grads = [np.empty_like(W) for W in weights]

    def epoch() -> None:
        for start in range(0, data.X.shape[0] - batch + 1, batch):
            inputs = [data.X[start : start + batch], *outputs[:-1]]
            for layer, W in enumerate(weights):
                np.matmul(inputs[layer], W, out=outputs[layer])
            for layer in range(len(weights) - 1, -1, -1):
                np.matmul(inputs[layer].T, deltas[layer], out=grads[layer])
                if layer:
                    np.matmul(deltas[layer], weights[layer].T, out=deltas[layer - 1])

    return best_of(repeat, epoch)


def warm_up_kernel() -> str:
    """Run the multiclass kernel once on tiny data; say what its first call cost."""
    from mlcc_cli.training.kernels import multiclass as kernels_multiclass

    tiny = Data(np.zeros((4, 2)), np.arange(4, dtype=np.float64) % 2)
    start = time.perf_counter()
    runner_epoch(tiny, "softmax", "compiled/auto", repeat=1)
    seconds = time.perf_counter() - start
    stats = kernels_multiclass.multiclass_steps.stats
    hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
    served = "served by the on-disk cache" if hits and not misses else "compiled now"
    return (
        f"multiclass numba kernel: first call {seconds:.2f} s ({served}: hits {hits}, "
        f"misses {misses})"
    )


def multiclass_rows(rows: int, repeat: int) -> tuple[list[Row], list[str]]:
    """Softmax and one-vs-all epochs against SGDClassifier; the MLP epoch against
    MLPClassifier. Returns the rows and the notes under the table."""
    notes = [warm_up_kernel()]
    data = make_data(rows)
    size = f"{rows:,} × {FEATURES}"
    progress(f"reference: {SGD_PEER}")
    peer = sklearn_sgd_epoch(data, repeat)
    table: list[Row] = []
    for kind, variants, target in LINEAR_PLAN:
        for variant in variants:
            progress(f"multiclass epoch, {kind}, {variant}")
            seconds, engine = runner_epoch(data, kind, variant, repeat)
            what = f"epoch, {kind}, {CLASSES} classes, batch {BATCH}"
            table.append(Row(what, seconds, engine, SGD_PEER, peer, target))
    for batch in MLP_BATCHES:
        progress(f"reference: {MLP_PEER}, batch {batch}")
        mlp_peer = sklearn_mlp_epoch(data, repeat, batch)
        what = f"epoch, mlp {list(HIDDEN)} relu, {CLASSES} classes, batch {batch}"
        for variant in ("compiled/auto", "numpy/auto"):
            progress(f"MLP epoch, batch {batch}, {variant}")
            seconds, engine = runner_epoch(data, "mlp", variant, repeat, batch)
            if variant == "compiled/auto":
                table.append(Row(what, seconds, engine, MLP_PEER, mlp_peer, MLP_TARGET))
            else:  # the reference loop, for comparison: its own label, no target
                table.append(Row(f"{what} (numpy loop)", seconds, engine, MLP_PEER, mlp_peer))
        floor = matrix_product_floor_epoch(data, repeat, batch)
        what = f"epoch, the MLP's 8 matrix products alone, batch {batch}"
        table.append(Row(what, floor, "numpy BLAS (floor)", MLP_PEER, mlp_peer))
    notes.append(
        f"multiclass data: {size} float64 ({data.X.nbytes / 1e6:,.0f} MB), {CLASSES} classes "
        f"drawn from softmax(X·W), seed {SEED}; learning rate {LEARNING_RATE}"
    )
    return table, notes
