"""Choosing the engine and running epochs: the numpy reference path or the compiled one.

Both run the same batches in the same order and give the same weights (tested to 1e-10):
each epoch draws one permutation of the training rows from the seeded generator; batch k is
rows order[k·B : (k+1)·B]. The numpy path (`steps.py`) gathers the epoch's rows into a reused
contiguous buffer and slices it; the compiled path (`compiled.py`) reads rows through the
permutation, so it needs no second copy of X and runs a whole period of steps per call.

A scipy.sparse CSR X is never densified: the numpy path gathers the epoch's rows as a new
CSR matrix (X[order]) and its model computes X @ w and X.T @ r; the compiled path
(`kernels/sparse.py`) reads rows through the permutation via indptr, never copying X, with
work per step proportional to the batch's non-zeros.

Softmax and one-vs-all (full softmax, not `sampled_softmax`) have a compiled kernel of their
own (`kernels/multiclass.py`) for dense X, as do networks of plain dense layers (`kernels/mlp.py`:
no batch norm, dropout or embeddings); a sparse X trains them on the numpy path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from mlcc_cli.errors import ConfigError
from mlcc_cli.models.linear_base import as_csr, is_sparse
from mlcc_cli.training.compiled import compiled_kernel_supports, compiled_steps, kernel_cache_error
from mlcc_cli.training.signal_gate import STEP_GATE
from mlcc_cli.training.steps import StepStats, numpy_steps
from mlcc_cli.training.window_orders import (  # noqa: F401 - tests import them from here
    SHUFFLE_BLOCK_ROWS,
    Window,
    WindowOrders,
    window_epoch_order,
)
from mlcc_cli.training.window_pipeline import PIPELINE_MIN_BYTES

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix

Engine = Literal["auto", "compiled", "numpy"]


def run_batches(
    engine: str,
    model: Any,
    optimizer: Any,
    X: Matrix,
    y: np.ndarray,
    order: np.ndarray,
    X_ordered: Matrix,
    y_ordered: np.ndarray,
    batch_size: int,
    batches: range,
    window: Window | None = None,
    count: Callable[[StepStats], None] = lambda stats: None,
) -> StepStats:
    """Run `batches` with the chosen engine over the same rows in the same order, and
    `count(stats)` their steps even when Ctrl-C or SIGTERM stops them midway: a runner's
    step count never lags behind its weights.

    The compiled kernel reads X, y through `order` (or, given the epoch's `window` layout,
    through its staged windows); the numpy path slices X_ordered, y_ordered (the rows already
    gathered into that order, or X, y themselves when order is identity).
    """
    if engine == "compiled":
        with STEP_GATE:  # a kernel cannot stop midway; a signal acts once its steps count
            try:
                stats = compiled_steps(model, optimizer, X, y, order, batch_size, batches, window)
            except OSError as error:  # the kernels' only file access: numba's on-disk cache
                raise kernel_cache_error(error) from None
            count(stats)
        return stats
    stats = StepStats()
    try:
        return numpy_steps(model, optimizer, X_ordered, y_ordered, batch_size, batches, stats)
    finally:
        count(stats)  # the steps before an interruption too


# The compiled engine costs a fixed price per process — importing numba and loading its
# cached kernels, about half a second on the benchmark machine (RESULTS.md, start-up) — and
# then runs each step in about a microsecond. The numpy loop pays no fixed price but a few
# dozen array calls a step. `auto` keeps numpy while its whole run would cost less than that
# fixed price, so a small run never waits for numba.
COMPILED_FIXED_SECONDS = 0.5
NUMPY_VALUE_SECONDS = 2e-9  # plus this per value of the batch, read forward and back


def numpy_run_seconds(
    total_steps: int, batch_size: int, n_features: int, step_seconds: float
) -> float:
    """Estimated time of the numpy loop: steps · (the model's call overhead per step
    (`model.numpy_step_seconds`) + batch values · per value)."""
    per_step = step_seconds + NUMPY_VALUE_SECONDS * batch_size * n_features
    return total_steps * per_step


def choose_engine(
    engine: Engine,
    model: Any,
    optimizer: Any,
    X: Matrix | None = None,
    work: tuple[int, int] | None = None,
) -> str:
    """Resolve `training.engine`: `auto` is the compiled kernel whenever it supports the model
    and optimizer on the training matrix X (it is the faster engine at every batch size
    measured; see benchmarks/RESULTS.md) and the run is long enough to repay loading it —
    `work` = (total steps, batch size) with X: the numpy loop's estimate (`numpy_run_seconds`)
    at least COMPILED_FIXED_SECONDS — else the numpy loop. Without X, a dense X is assumed
    (it only matters for softmax and one-vs-all, whose kernel is dense-only)."""
    if engine == "numpy":
        return "numpy"
    supported = compiled_kernel_supports(model, optimizer, X)
    if engine == "compiled" and not supported:
        on = " on a sparse X" if X is not None and is_sparse(X) else ""
        raise ConfigError(
            f"training.engine: compiled has no kernel for {model!r} with {optimizer!r}{on}; "
            "use engine: auto or numpy"
        )
    if engine == "auto" and supported and work is not None and X is not None:
        total_steps, batch_size = work
        estimate = numpy_run_seconds(total_steps, batch_size, X.shape[1], model.numpy_step_seconds)
        if estimate < COMPILED_FIXED_SECONDS:
            return "numpy"
    return "compiled" if supported else "numpy"


# From this size on a dense X fills much of the last-level cache (32 MB on the benchmark
# machine, shared by its 2 cores): a fresh permutation of all rows plus reading X in that
# order costs more than the epoch's arithmetic, so `shuffle: auto` shuffles rows within
# windows of blocks instead (measured faster from 100,000 × 32 = 25.6 MB on; RESULTS.md).
AUTO_WINDOWS_MIN_BYTES = 16 * 2**20
# A CSR X is read through its permutation by the sparse kernel either way; from this size on
# `auto` reads it in blocks.
AUTO_BLOCKS_MIN_BYTES = 128 * 2**20


def matrix_bytes(X: Matrix) -> int:
    """Bytes X occupies: X.nbytes, or for CSR its data + indices + indptr arrays."""
    if is_sparse(X):
        X = as_csr(X)
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def resolve_shuffle(requested: str, X: Matrix, rows_in_random_order: bool) -> str:
    """The epoch shuffle to use for `training.shuffle: requested` on training matrix X.

    `auto` is `rows` unless X's rows are already in random order (runs of a file's own order
    would make poor batches) and X is large: then `windows` for a dense X of
    AUTO_WINDOWS_MIN_BYTES or more, `blocks` for a CSR X of AUTO_BLOCKS_MIN_BYTES or more
    (`matrix_bytes`).
    """
    if requested != "auto":
        return requested
    if not rows_in_random_order:
        return "rows"
    if is_sparse(X):
        return "blocks" if matrix_bytes(X) >= AUTO_BLOCKS_MIN_BYTES else "rows"
    return "windows" if matrix_bytes(X) >= AUTO_WINDOWS_MIN_BYTES else "rows"


def epoch_order(n_rows: int, rng: np.random.Generator, shuffle: str) -> np.ndarray:
    """The row order of one epoch: a permutation of 0..n_rows−1 drawn from `rng`.

    `rows`: every row anywhere (np.random.Generator.permutation). `blocks`: the rows stay in
    runs of SHUFFLE_BLOCK_ROWS consecutive rows of the (already shuffled) training split and
    only the runs are permuted — batches then read memory sequentially, about as fast as an
    unshuffled pass, at the price of batches mixing less between epochs.
    """
    if shuffle == "rows":
        return rng.permutation(n_rows)
    n_blocks = -(-n_rows // SHUFFLE_BLOCK_ROWS)
    starts = rng.permutation(n_blocks) * SHUFFLE_BLOCK_ROWS  # (n_blocks,)
    order = (starts[:, None] + np.arange(SHUFFLE_BLOCK_ROWS)).ravel()  # (n_blocks·S,)
    return order[order < n_rows]  # the last block may be short


class EpochRunner:
    """Advances training step by step across epochs, reshuffling at each epoch start."""

    def __init__(
        self,
        X: Matrix,
        y: np.ndarray,
        batch_size: int,
        steps_per_epoch: int,
        rng: np.random.Generator,
        engine: str,
        shuffle: str = "rows",
    ) -> None:
        self.X, self.y, self.rng, self.engine, self.shuffle_kind = X, y, rng, engine, shuffle
        self.batch_size, self.steps_per_epoch = batch_size, steps_per_epoch
        n = X.shape[0]
        # Full batch: order cannot change the gradient, so no shuffle and no copy.
        self.shuffle = batch_size < n
        self.identity = np.arange(n, dtype=np.int64)
        self.order = self.identity  # the epoch's permutation of rows
        self.kernel_order = self.identity  # the order the kernel reads X_epoch in
        self.window: Window | None = None  # a `windows` epoch's layout, for the kernel
        self.window_orders: WindowOrders | None = None  # draws them, reusing its arrays
        # Rows shuffled anew each epoch are gathered once into a reused buffer (np.take streams
        # them far faster than per-row reads inside the steps), for both engines; the kernel
        # then reads that buffer in order. Block-shuffled runs are read in place by the kernel.
        # A sparse X is gathered only for the numpy path, as a new CSR matrix each epoch; the
        # sparse kernel reads rows through the permutation (a row is one contiguous run of
        # indptr[r]..indptr[r+1], so there is no strided access to save). `windows` epochs
        # are staged window by window inside the kernel (a cached copy, not a second X).
        self.sparse = is_sparse(X)
        self.gather = self.shuffle and (
            engine == "numpy" or (shuffle == "rows" and not self.sparse)
        )
        self.X_epoch = np.empty_like(X) if self.gather and not self.sparse else X
        self.y_epoch = np.empty_like(y) if self.gather else y  # y: (n,) or (n, n_labels)
        self.step = 0
        self.examples_seen = 0

    def _new_epoch(self) -> None:
        n = self.X.shape[0]
        if self.shuffle_kind == "windows":
            if self.window_orders is None:
                row_bytes = max(1, matrix_bytes(self.X) // max(1, n))
                # The staging pipeline leaves the second core idle below its size: there
                # the next epoch's order is drawn on it while this epoch trains.
                ahead = self.engine == "compiled" and self.X.nbytes < PIPELINE_MIN_BYTES
                self.window_orders = WindowOrders(n, self.rng, self.batch_size, row_bytes, ahead)
            self.order, window = self.window_orders.next()
            # The staged kernel takes dense linear-family X; others read through `order`.
            self.window = None if self.gather or self.sparse else window
        else:
            self.order = epoch_order(n, self.rng, self.shuffle_kind)
        if self.gather and self.sparse:
            self.X_epoch = None  # release last epoch's copy before building this one
            self.X_epoch = self.X[self.order]  # CSR rows in epoch order, (n, d)
            np.take(self.y, self.order, axis=0, out=self.y_epoch, mode="clip")
        elif self.gather:
            # mode="clip" skips the bounds-checking copy np.take makes with out= (the
            # permutation is in range by construction): no hidden second X per epoch.
            np.take(self.X, self.order, axis=0, out=self.X_epoch, mode="clip")  # (n, d)
            np.take(self.y, self.order, axis=0, out=self.y_epoch, mode="clip")
        else:
            self.kernel_order = self.order  # X_epoch is X itself: read it in epoch order

    def _count(self, stats: StepStats) -> None:
        self.step += stats.steps
        self.examples_seen += stats.examples

    def close(self) -> None:
        """Release what the runner keeps between epochs that holds a thread (`WindowOrders`)."""
        if self.window_orders is not None:
            self.window_orders.close()

    def run_until(self, model: Any, optimizer: Any, target_step: int) -> StepStats:
        """Run steps until `target_step` steps are done (or a batch loss is not finite)."""
        total = StepStats()
        while self.step < target_step:
            first = self.step % self.steps_per_epoch
            if first == 0 and self.shuffle:
                self._new_epoch()
            batches = range(first, min(self.steps_per_epoch, first + target_step - self.step))
            stats = run_batches(
                self.engine,
                model,
                optimizer,
                self.X_epoch,  # X itself when nothing is gathered
                self.y_epoch,
                self.kernel_order,
                self.X_epoch,
                self.y_epoch,
                self.batch_size,
                batches,
                self.window,
                self._count,
            )
            total.add(stats)
            if stats.diverged:
                break
        return total
