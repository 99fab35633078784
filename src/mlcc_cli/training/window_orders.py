"""The row order of each `windows` epoch (`kernels/windows.py`), drawn one epoch ahead on a
second thread while the current epoch trains, where the caller asks for it.

An epoch's order costs about a fifth of a small epoch's time (100,000 × 32 at batch 1024:
≈ 0.7 of ≈ 3.5 ms, most of it writing and reading the three (n,) arrays: 32-bit draws,
Fisher–Yates within each window, block bases). It depends only on the generator, which
nothing else draws from while the runner trains, so the next epoch's order can be drawn as
soon as this epoch's is: the same draws in the same sequence, so the same orders and the
same weights to the bit, wherever they run (tested). Drawing ahead keeps two sets of the
arrays and draws one epoch that may never train: the runner asks for it only where the
staging pipeline leaves the second core idle (X below `window_pipeline.PIPELINE_MIN_BYTES`).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

# Rows per block of the `blocks` and `windows` shuffles (`engine.epoch_order`).
SHUFFLE_BLOCK_ROWS = 256
# A `windows` epoch's layout: (base (n,), local (n,), rows per window); see kernels/windows.py.
Window = tuple[np.ndarray, np.ndarray, int]


def window_epoch_order(
    n_rows: int,
    rng: np.random.Generator,
    batch_size: int,
    row_bytes: int,
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, Window]:
    """The row order of one `windows` epoch and its window layout (`kernels/windows.py`).

    Blocks in a random order (`epoch_order(..., "blocks")`), cut into windows of a whole
    number of batches, each window's rows permuted with one uniform 32-bit draw per row.
    Returns (order, (base, local, window_rows)) with order = base[window start + local],
    written into `out` (3, n_rows) int64 when given: reusing it saves the page faults of
    fresh arrays each epoch, which cost as much as the shuffle itself.
    """
    # deferred: numba (the kernels compile on import); only `windows` epochs need it.
    from mlcc_cli.training.kernels import windows

    n_blocks = -(-n_rows // SHUFFLE_BLOCK_ROWS)
    starts = rng.permutation(n_blocks) * SHUFFLE_BLOCK_ROWS  # as epoch_order(..., "blocks")
    base, local, order = np.empty((3, n_rows), np.int64) if out is None else out  # (n,) each
    windows.blocks_base(starts, n_rows, SHUFFLE_BLOCK_ROWS, base)
    rows = windows.window_rows(batch_size, row_bytes)
    bits = rng.integers(0, 2**32, size=n_rows, dtype=np.uint32)  # (n,)
    windows.shuffle_windows(base, bits, rows, local, order)
    return order, (base, local, rows)


class WindowOrders:
    """Each `windows` epoch's (order, window layout) in turn, from `rng`; with `ahead`, the
    next epoch's is drawn on a thread of its own as soon as one is handed out (into a
    second set of arrays, so the epoch training reads arrays nobody writes)."""

    def __init__(
        self, n_rows: int, rng: np.random.Generator, batch_size: int, row_bytes: int, ahead: bool
    ) -> None:
        self.draw = (n_rows, rng, batch_size, row_bytes)
        self.buffers = [np.empty((3, n_rows), np.int64) for _ in range(2 if ahead else 1)]
        self.executor = ThreadPoolExecutor(1, "mlcc-order") if ahead else None
        self.pending: Future[tuple[np.ndarray, Window]] | None = None
        self.turn = 0  # which buffers the next order is (being) written into

    def next(self) -> tuple[np.ndarray, Window]:
        """The next epoch's (order, (base, local, window rows))."""
        if self.pending is None:
            drawn = window_epoch_order(*self.draw, self.buffers[self.turn])
        else:
            drawn = self.pending.result()
        if self.executor is not None:
            self.turn = 1 - self.turn
            self.pending = self.executor.submit(
                window_epoch_order, *self.draw, self.buffers[self.turn]
            )
        return drawn

    def close(self) -> None:
        """Stop the drawing thread once the run is done (waiting for an order it is drawing):
        a finished run leaves no thread behind, which would keep `mlcc` from its fast exit."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor, self.pending = None, None
