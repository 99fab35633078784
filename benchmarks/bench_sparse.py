"""Sparse rows: hashed feature crosses (CSR) trained by mlcc next to scikit-learn's SGD.

The design matrix mimics hashed crosses: 2**18 buckets, 40 random bucket ids a row with
value 1.0 (a bucket hit twice in a row sums to 2.0), as a canonical float64 CSR matrix.
An mlcc epoch (logistic regression, batch 128, `EpochRunner.run_until` as in
bench_training) is compared with one `SGDClassifier(loss="log_loss")` epoch on the same CSR
matrix, the two timed in turns, without a penalty and with each penalty; peak memory of
`train` on it is measured in a fresh child process (as bench_memory) against the size of
the CSR arrays.

Run as a script it is that child: python bench_sparse.py ROWS.
"""

from __future__ import annotations

import gc
import json
import math
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from bench_memory import _peak_bytes, _reset_peak, _status_kb
from bench_table import MB, Row, best_of, progress
from bench_training import _engine_label, resolve_variant
from scipy import sparse

from mlcc_cli.models.linear import LogisticRegression
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import EpochRunner, matrix_bytes

FULL_ROWS, QUICK_ROWS = 1_000_000, 20_000
BUCKETS, PER_ROW, BATCH, LEARNING_RATE = 2**18, 40, 128, 0.01
TARGET = 0.5  # mlcc epoch / scikit-learn epoch
MEMORY_TARGET = 2.0  # peak RSS growth in train() / CSR bytes
# (label suffix, λ₁, λ₂, model.l1_method); scikit-learn's alpha and l1_ratio follow from λ₁, λ₂
# (`_sklearn_penalty`). scikit-learn applies L1 by the cumulative penalty: the `cumulative`
# rows are the same algorithm, the `exact` ones mlcc's default soft-threshold of every weight.
PENALTIES = (
    ("", 0.0, 0.0, "exact"),
    (" + L1", 1e-6, 0.0, "exact"),
    (" + L2", 0.0, 1e-6, "exact"),
    (" + L1+L2", 1e-6, 1e-6, "exact"),
    (" + L1 (cumulative)", 1e-6, 0.0, "cumulative"),
    (" + L1+L2 (cumulative)", 1e-6, 1e-6, "cumulative"),
)


@dataclass(frozen=True)
class SparseData:
    """The hashed-crosses CSR matrix and logistic labels drawn from σ(X·w)."""

    X: sparse.csr_array
    y: np.ndarray


def make_sparse_data(rows: int, seed: int = 0, buckets: int = BUCKETS) -> SparseData:
    """PER_ROW random buckets of `buckets` a row, values 1.0; labels ~ Bernoulli(σ(X·w))."""
    rng = np.random.default_rng(seed)
    columns = np.sort(rng.integers(0, buckets, size=(rows, PER_ROW), dtype=np.int32), axis=1)
    indptr = np.arange(0, rows * PER_ROW + 1, PER_ROW, dtype=np.int32)
    if indptr[-1] >= 2**31:  # scipy's own rule: int64 indices only when int32 overflows
        indptr = indptr.astype(np.int64)
    values = np.ones(rows * PER_ROW)
    X = sparse.csr_array((values, columns.ravel(), indptr), shape=(rows, buckets))
    X.sum_duplicates()  # canonical, as feature steps hand it over; duplicates sum to 2.0
    w = rng.standard_normal(buckets) * 0.3  # z = X·w has a spread of about 1.9
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-(X @ w)))).astype(np.float64)
    return SparseData(X, y)


def _mlcc_epochs(
    data: SparseData, variant: str, l1: float, l2: float, method: str = "exact"
) -> Callable[[], object]:
    """One mlcc SGD epoch per call, each continuing the last (steady state, as bench_training)."""
    engine, shuffle = resolve_variant(data.X, variant)
    model = LogisticRegression(l1=l1, l2=l2, l1_method=method).initialize(BUCKETS)
    optimizer = SGD(learning_rate=LEARNING_RATE)
    steps = math.ceil(data.X.shape[0] / BATCH)
    runner = EpochRunner(data.X, data.y, BATCH, steps, np.random.default_rng(0), engine, shuffle)

    def epoch() -> object:
        with np.errstate(over="ignore", invalid="ignore"):  # as train() does
            return runner.run_until(model, optimizer, runner.step + steps)

    return epoch


def _sklearn_penalty(l1: float, l2: float) -> dict[str, Any]:
    """scikit-learn's penalty for mean loss + λ₁‖w‖₁ + λ₂‖w‖² (its L2 term is alpha·½‖w‖²)."""
    if l1 and l2:
        alpha = l1 + 2 * l2
        return {"penalty": "elasticnet", "alpha": alpha, "l1_ratio": l1 / alpha}
    if l1:
        return {"penalty": "l1", "alpha": l1}
    return {"penalty": "l2", "alpha": 2 * l2}


def _sklearn_epochs(data: SparseData, l1: float, l2: float) -> Callable[[], object]:
    """One SGDClassifier(log_loss) epoch on the same CSR matrix per call."""
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier

    estimator = SGDClassifier(
        loss="log_loss", max_iter=1, tol=None, learning_rate="constant", eta0=LEARNING_RATE,
        shuffle=True, random_state=0, **_sklearn_penalty(l1, l2),
    )  # fmt: skip

    def epoch() -> object:
        with warnings.catch_warnings(), config_context(assume_finite=True):
            warnings.simplefilter("ignore", ConvergenceWarning)
            return estimator.fit(data.X, data.y)

    return epoch


def paired_epochs(
    data: SparseData, variant: str, l1: float, l2: float, method: str, repeat: int
) -> tuple[float, float]:
    """Best-of-`repeat` (mlcc epoch, scikit-learn epoch) in seconds, timed in turns.

    The machine is shared: a slow phase (another process on the second core or in the
    last-level cache) lasts seconds to a minute and made single rows about 1.8× slower
    (cumulative L1+L2: 711 ms, 390–410 ms when quiet) while scikit-learn's epoch, timed once
    per penalty seconds earlier, was not. Alternating puts such a phase on both sides.
    """
    mlcc, sklearn = _mlcc_epochs(data, variant, l1, l2, method), _sklearn_epochs(data, l1, l2)
    ours, theirs = [], []
    for _ in range(repeat):
        theirs.append(best_of(1, sklearn))
        ours.append(best_of(1, mlcc))
    return min(ours), min(theirs)


def epoch_rows(data: SparseData, repeat: int) -> list[Row]:
    """mlcc vs scikit-learn epochs (paired, `paired_epochs`): each penalty with the default
    shuffle, plus the other shuffle without a penalty."""
    rows = []
    plan = [(suffix, l1, l2, method, "compiled/auto") for suffix, l1, l2, method in PENALTIES]
    plan.insert(1, ("", 0.0, 0.0, "exact", "compiled/other"))
    for suffix, l1, l2, method, variant in plan:
        progress(f"sparse epoch{suffix}, {variant}, paired with sklearn SGDClassifier")
        seconds, reference = paired_epochs(data, variant, l1, l2, method, repeat)
        rows.append(
            Row(
                f"sparse epoch, logistic{suffix}, batch {BATCH}",
                seconds,
                engine=_engine_label("logistic", data.X, variant),
                reference=f"sklearn SGDClassifier{suffix.replace(' (cumulative)', '')} epoch",
                reference_value=reference,
                target=TARGET,
            )
        )
    return rows


def measure_memory(rows: int) -> dict[str, Any]:
    """Child process: build the CSR matrix, warm up, train one epoch; growth and peaks."""
    from mlcc_cli.config.training import TrainingConfig
    from mlcc_cli.training.loop import train

    data = make_sparse_data(rows)
    config = TrainingConfig(batch_size=BATCH, epochs=1, periods=1)

    def train_once(X: sparse.csr_array, y: np.ndarray, config: TrainingConfig) -> None:
        model, optimizer = LogisticRegression(l1=1e-6, l2=1e-6), SGD(LEARNING_RATE)
        train(model, optimizer, X, y, None, None, config, np.random.default_rng(0))

    # Imports and the numba kernel's load are not part of the peak. engine: compiled, since
    # `auto` trains 256 rows in numpy and would leave numba's import to the measured call.
    warm_up = TrainingConfig(batch_size=BATCH, epochs=1, periods=1, engine="compiled")
    train_once(data.X[:256], data.y[:256], warm_up)
    gc.collect()
    before = (_status_kb("VmRSS") or 0) * 1024
    reset = _reset_peak()
    tracemalloc.start()
    started = time.perf_counter()
    train_once(data.X, data.y, config)
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak, method = _peak_bytes(reset)
    return {
        "growth": peak - before,
        "tracemalloc_peak": traced_peak,
        "method": method,
        "csr_bytes": matrix_bytes(data.X),
        "train_seconds": seconds,
    }


def memory_row(rows: int) -> tuple[Row, str]:
    """Peak RSS growth of train() on the CSR matrix (measured in a child) vs the CSR size."""
    progress("peak memory, sparse")
    command = [sys.executable, __file__, str(rows)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"sparse memory child failed:\n{done.stderr}")
    child = json.loads(done.stdout)
    csr = child["csr_bytes"]
    row = Row(
        f"peak RSS growth in train(), sparse + L1+L2, batch {BATCH}",
        child["growth"],
        "compiled",
        f"CSR X ({csr / MB:,.0f} MB)",
        csr,
        MEMORY_TARGET,
        unit="MB",
    )
    traced = child["tracemalloc_peak"]
    note = (
        f"memory, sparse: RSS from {child['method']}; tracemalloc peak during train() "
        f"{traced / MB:,.0f} MB = {traced / csr:.2f}× the CSR arrays; whole footprint "
        f"(CSR + growth) {(csr + child['growth']) / csr:.2f}×; train() of one epoch with its "
        f"loss pass took {child['train_seconds']:.2f} s"
    )
    return row, note


def warm_up_sparse_kernel() -> str:
    """Run the CSR kernel once on tiny data (every regularisation path); say what it cost."""
    from mlcc_cli.training.kernels import sparse as kernels_sparse

    tiny = make_sparse_data(64)
    started = time.perf_counter()
    for _, l1, l2, method in PENALTIES:
        _mlcc_epochs(tiny, "compiled/auto", l1, l2, method)()
    seconds = time.perf_counter() - started
    stats = kernels_sparse.csr_linear_family_steps.stats
    hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
    served = "served by the on-disk cache" if hits and not misses else "compiled now"
    return (
        f"sparse numba kernel: first calls {seconds:.2f} s ({served}: hits {hits}, misses {misses})"
    )


def sparse_rows(rows: int, repeat: int) -> tuple[list[Row], list[str]]:
    """Every sparse row and the notes printed under the table."""
    kernel = warm_up_sparse_kernel()
    progress(f"sparse data: {rows:,} rows × {BUCKETS:,} buckets, {PER_ROW} per row")
    data = make_sparse_data(rows)
    csr = matrix_bytes(data.X)
    note = (
        f"sparse data: {rows:,} × {BUCKETS:,} CSR float64, {PER_ROW} random buckets a row "
        f"({data.X.nnz:,} non-zeros after summing repeats; {csr / MB:,.0f} MB of "
        f"data + indices + indptr, {data.X.indices.dtype} indices), seed 0"
    )
    table = epoch_rows(data, repeat)
    del data  # the memory child builds its own matrix
    memory, memory_note = memory_row(rows)
    return [*table, memory], [kernel, note, memory_note]


if __name__ == "__main__":
    print(json.dumps(measure_memory(int(sys.argv[1]))))
