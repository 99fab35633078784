"""Running steps: the readable numpy reference path and the compiled (numba) path.

Both run the same batches in the same order and give the same weights (tested to 1e-10):
each epoch draws one permutation of the training rows from the seeded generator; batch k is
rows order[k·B : (k+1)·B]. The numpy path gathers the epoch's rows into a reused contiguous
buffer and slices it; the compiled path reads rows through the permutation, so it needs no
second copy of X and runs a whole period of steps per call.

A scipy.sparse CSR X is never densified: the numpy path gathers the epoch's rows as a new
CSR matrix (X[order]) and its model computes X @ w and X.T @ r; the compiled path
(`kernels_sparse.py`) reads rows through the permutation via indptr, never copying X, with
work per step proportional to the batch's non-zeros.

Softmax and one-vs-all (full softmax, not `sampled_softmax`) have a compiled kernel of their
own (`kernels_multiclass.py`) for dense X; a sparse X trains them on the numpy path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from mlcc_cli.errors import ConfigError
from mlcc_cli.models.base import TrainableModel
from mlcc_cli.models.linear_base import as_csr, is_sparse
from mlcc_cli.optim.optimizers import Optimizer

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix

Engine = Literal["auto", "compiled", "numpy"]


@dataclass
class StepStats:
    """Outcome of running consecutive steps: counts, summed gradient norms, divergence."""

    steps: int = 0
    examples: int = 0
    grad_norm_sum: float = 0.0
    diverged: bool = False
    bad_loss: float = math.nan  # the non-finite batch loss that stopped the run

    def add(self, other: StepStats) -> None:
        """Accumulate another run of steps into this one."""
        self.steps += other.steps
        self.examples += other.examples
        self.grad_norm_sum += other.grad_norm_sum
        if other.diverged:
            self.diverged, self.bad_loss = True, other.bad_loss


def numpy_steps(
    model: TrainableModel,
    optimizer: Optimizer,
    X: Matrix,
    y: np.ndarray,
    batch_size: int,
    batches: range,
) -> StepStats:
    """Run batches `batches` over contiguous, already shuffled arrays X, y (reference path).

    A CSR X is sliced the same way (each batch's rows become a small CSR copy).

    Stops before updating if a batch loss is not finite (reported as `diverged`).
    """
    stats = StepStats()
    params = model.params
    n = X.shape[0]
    l1 = model.l1
    for index in batches:
        start = index * batch_size
        stop = min(start + batch_size, n)  # the last batch of an epoch may be smaller
        loss, grads = model.loss_and_gradients(X[start:stop], y[start:stop])  # views, no copy
        if not math.isfinite(loss):
            stats.diverged, stats.bad_loss = True, loss
            return stats
        stats.grad_norm_sum += optimizer.step(params, grads)
        if l1 > 0:
            optimizer.proximal_l1(params, model.l1_names, l1)
        stats.steps += 1
        stats.examples += stop - start
    return stats


def compiled_kernel_supports(model: Any, optimizer: Any, X: Matrix | None = None) -> bool:
    """Whether a numba kernel implements this model and optimizer (on X, when given).

    The kernels run plain SGD with one fixed learning rate: momentum (a velocity state), the
    adaptive optimizers and non-constant schedules (η changes per step) run in numpy.
    Softmax and one-vs-all have a dense kernel only (`kernels_multiclass.py`): a sparse X and
    sampled softmax (random negatives per step) train on the numpy path.
    """
    from mlcc_cli.training.kernels import dense as kernels
    from mlcc_cli.training.kernels import multiclass as kernels_multiclass

    schedule = getattr(getattr(optimizer, "schedule", None), "type", "constant")
    model_type = getattr(model, "type", None)
    if model_type in kernels_multiclass.MODEL_KINDS:
        dense = X is None or not is_sparse(X)
        model_ok = dense and getattr(model, "sampled_softmax", None) is None
    else:
        model_ok = model_type in kernels.MODEL_KINDS
    return (
        model_ok
        and getattr(optimizer, "type", None) in kernels.OPTIMIZER_KINDS
        and getattr(optimizer, "momentum", 0.0) == 0.0
        and schedule == "constant"
    )


def compiled_steps(
    model: Any,
    optimizer: Any,
    X: Matrix,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    batches: range,
) -> StepStats:
    """Run batches `batches` of the epoch whose row order is `order`, in compiled code.

    Dispatches by model type: softmax and one-vs-all run
    `kernels_multiclass.multiclass_steps` (dense X only); the linear family runs
    `kernels.linear_family_steps`, or `kernels_sparse.csr_linear_family_steps` on a sparse
    X's CSR arrays.
    """
    from mlcc_cli.training.kernels import dense as kernels
    from mlcc_cli.training.kernels import multiclass as kernels_multiclass

    params = model.params
    if model.type in kernels_multiclass.MODEL_KINDS:
        if is_sparse(X):  # choose_engine(..., X) never picks this: a caller's mistake
            raise ConfigError(
                f"training.engine: the compiled {model.type} kernel takes dense X only; "
                "use engine: numpy"
            )
        outcome = kernels_multiclass.multiclass_steps(
            X,
            y,
            order,
            params["coef_"],
            params["intercept_"],
            int(batch_size),
            int(batches.start),
            int(batches.stop),
            kernels_multiclass.MODEL_KINDS[model.type],
            float(optimizer.learning_rate),
            float(model.l1),
            float(model.l2),
            float(optimizer.clip_norm or 0.0),
        )
        return _step_stats(optimizer, outcome)
    # Fixed argument types: one compiled signature, cached across runs (ints or floats
    # from YAML would otherwise each trigger a fresh compilation).
    settings = (
        params["coef_"],
        params["intercept_"],
        int(batch_size),
        int(batches.start),
        int(batches.stop),
        kernels.MODEL_KINDS[model.type],
        kernels.OPTIMIZER_KINDS[optimizer.type],
        float(optimizer.learning_rate),
        float(model.l1),
        float(model.l2),
        float(optimizer.clip_norm or 0.0),
    )
    if is_sparse(X):
        from mlcc_cli.training.kernels import sparse as kernels_sparse

        X = as_csr(X)
        if X.shape[1] >= 2**31:  # the kernel's column lists are int32
            raise ConfigError(
                f"training.engine: the compiled kernel takes fewer than 2**31 columns, got "
                f"{X.shape[1]}; use engine: numpy"
            )
        run = kernels_sparse.csr_linear_family_steps
        outcome = run(X.data, X.indices, X.indptr, y, order, *settings)
    else:
        outcome = kernels.linear_family_steps(X, y, order, *settings)
    return _step_stats(optimizer, outcome)


def _step_stats(optimizer: Any, outcome: tuple[int, int, float, bool, float]) -> StepStats:
    """A kernel's (steps, examples, norm sum, diverged, bad loss), counted on the optimizer."""
    steps, examples, norm_sum, diverged, bad_loss = outcome
    optimizer.iterations_ += steps
    return StepStats(steps, examples, norm_sum, diverged, bad_loss)


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
) -> StepStats:
    """Run `batches` with the chosen engine over the same rows in the same order.

    The compiled kernel reads X, y through `order`; the numpy path slices X_ordered, y_ordered
    (the rows already gathered into that order, or X, y themselves when order is identity).
    """
    if engine == "compiled":
        return compiled_steps(model, optimizer, X, y, order, batch_size, batches)
    return numpy_steps(model, optimizer, X_ordered, y_ordered, batch_size, batches)


def choose_engine(engine: Engine, model: Any, optimizer: Any, X: Matrix | None = None) -> str:
    """Resolve `training.engine`: `auto` is the compiled kernel whenever it supports the model
    and optimizer on the training matrix X (it is the faster engine at every batch size
    measured; see benchmarks/RESULTS.md), else the numpy loop. Without X, a dense X is
    assumed (it only matters for softmax and one-vs-all, whose kernel is dense-only)."""
    if engine == "numpy":
        return "numpy"
    supported = compiled_kernel_supports(model, optimizer, X)
    if engine == "compiled" and not supported:
        on = " on a sparse X" if X is not None and is_sparse(X) else ""
        raise ConfigError(
            f"training.engine: compiled has no kernel for {model!r} with {optimizer!r}{on}; "
            "use engine: auto or numpy"
        )
    return "compiled" if supported else "numpy"


SHUFFLE_BLOCK_ROWS = 256
# From this size on a fresh row permutation plus the gather of X in that order costs more
# than the epoch's arithmetic (X no longer fits any cache), so `shuffle: auto` reads blocks.
AUTO_BLOCKS_MIN_BYTES = 128 * 2**20


def matrix_bytes(X: Matrix) -> int:
    """Bytes X occupies: X.nbytes, or for CSR its data + indices + indptr arrays."""
    if is_sparse(X):
        X = as_csr(X)
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def resolve_shuffle(requested: str, X: Matrix, rows_in_random_order: bool) -> str:
    """The epoch shuffle to use for `training.shuffle: requested` on training matrix X.

    `auto` is `blocks` when X holds AUTO_BLOCKS_MIN_BYTES or more (`matrix_bytes`) and its
    rows are already in random order (runs of a file's own order would make poor batches),
    else `rows`.
    """
    if requested != "auto":
        return requested
    if rows_in_random_order and matrix_bytes(X) >= AUTO_BLOCKS_MIN_BYTES:
        return "blocks"
    return "rows"


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
        # Rows shuffled anew each epoch are gathered once into a reused buffer (np.take streams
        # them far faster than per-row reads inside the steps), for both engines; the kernel
        # then reads that buffer in order. Block-shuffled runs are read in place by the kernel.
        # A sparse X is gathered only for the numpy path, as a new CSR matrix each epoch; the
        # sparse kernel reads rows through the permutation (a row is one contiguous run of
        # indptr[r]..indptr[r+1], so there is no strided access to save).
        self.sparse = is_sparse(X)
        self.gather = self.shuffle and (
            engine == "numpy" or (shuffle == "rows" and not self.sparse)
        )
        self.X_epoch = np.empty_like(X) if self.gather and not self.sparse else X
        self.y_epoch = np.empty_like(y) if self.gather else y  # y: (n,) or (n, n_labels)
        self.step = 0
        self.examples_seen = 0

    def _new_epoch(self) -> None:
        self.order = epoch_order(self.X.shape[0], self.rng, self.shuffle_kind)
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
            )
            self.step += stats.steps
            self.examples_seen += stats.examples
            total.add(stats)
            if stats.diverged:
                break
        return total
