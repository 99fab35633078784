"""Training steps over a stream of chunks, shuffled through a fixed-size buffer.

As the crash course's TensorFlow input pipeline (`dataset.shuffle(buffer_size)`), rows are
shuffled within a window rather than across the whole file: the buffer is filled with
training rows in file order, one permutation drawn from the seeded generator orders it, and
whole batches are taken from it; rows left over (fewer than a batch) stay for the next fill,
so every batch but an epoch's last has exactly `batch_size` rows. At an epoch's end the rest
is shuffled and used up, the last batch possibly smaller, as in memory. When the buffer holds
the whole training split this is exactly `engine.EpochRunner`: one permutation per epoch.
A file sorted by the label or by time needs a buffer large enough to mix it (or a shuffled
copy of the file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from mlcc_cli.training.engine import run_batches
from mlcc_cli.training.steps import StepStats

Rows = tuple[np.ndarray, np.ndarray]  # X (n, d) and y (n,) of some training rows


class StreamRunner:
    """Advances training step by step across epochs, each epoch one pass over the stream.

    Parameters
    ----------
    open_epoch : callable
        Returns a fresh iterator of (X, y) training rows in file order, once per epoch.
    n_features, batch_size, steps_per_epoch : int
        Shapes and the schedule (`schedule.plan_schedule`).
    buffer_rows : int
        Rows shuffled together; at least `batch_size`.
    rng : numpy.random.Generator
        Draws the permutations (the in-memory training generator, for equal results).
    engine : str
        "compiled" reads rows through the permutation; "numpy" gathers them first.
    n_train : int
        Training rows per epoch; a batch of all of them is never shuffled.
    """

    def __init__(
        self,
        open_epoch: Callable[[], Iterator[Rows]],
        n_features: int,
        batch_size: int,
        steps_per_epoch: int,
        buffer_rows: int,
        rng: np.random.Generator,
        engine: str,
        n_train: int,
    ) -> None:
        if buffer_rows < batch_size:
            raise ValueError(f"the buffer ({buffer_rows} rows) must hold a batch ({batch_size})")
        self.open_epoch, self.rng, self.engine = open_epoch, rng, engine
        self.batch_size, self.steps_per_epoch = batch_size, steps_per_epoch
        # Full batch: order cannot change the gradient, so no shuffle (as EpochRunner).
        self.shuffle = batch_size < n_train
        self.X = np.empty((buffer_rows, n_features))  # (buffer_rows, d) rows in file order
        self.y = np.empty(buffer_rows)
        gather = engine == "numpy"
        self.X_order = np.empty_like(self.X) if gather else self.X  # numpy: rows in batch order
        self.y_order = np.empty_like(self.y) if gather else self.y
        self.step = 0
        self.examples_seen = 0
        self._stream: Iterator[Rows] | None = None  # the current epoch's rows
        self._pending: Rows | None = None  # rows read but not yet in the buffer
        self._filled = 0  # rows in the buffer
        self._order = np.arange(0, dtype=np.int64)
        self._next_batch = 0
        self._n_batches = 0  # batches the current fill provides
        self._epoch_ends = True  # the current fill is its epoch's last

    def _count(self, stats: StepStats) -> None:
        self._next_batch += stats.steps
        self.step += stats.steps
        self.examples_seen += stats.examples

    def run_until(self, model: object, optimizer: object, target_step: int) -> StepStats:
        """Run steps until `target_step` steps are done (or a batch loss is not finite)."""
        total = StepStats()
        while self.step < target_step:
            if self._next_batch == self._n_batches:
                self._refill()
            batches = range(
                self._next_batch, min(self._n_batches, self._next_batch + target_step - self.step)
            )
            n = self._filled
            stats = run_batches(
                self.engine,
                model,
                optimizer,
                self.X[:n],
                self.y[:n],
                self._order,
                self.X_order[:n],
                self.y_order[:n],
                self.batch_size,
                batches,
                count=self._count,
            )
            total.add(stats)
            if stats.diverged:
                break
        return total

    def _refill(self) -> None:
        """Keep the unused rows, top the buffer up from the stream, and shuffle it."""
        if self._epoch_ends:  # the previous fill finished an epoch (or none was made yet)
            self._stream, self._pending, kept = self.open_epoch(), None, 0
        else:
            unused = self._order[self._n_batches * self.batch_size : self._filled]
            kept = len(unused)
            # Fancy indexing copies first, so overlapping source and target rows are safe.
            self.X[:kept], self.y[:kept] = self.X[unused], self.y[unused]
        self._filled = kept
        self._epoch_ends = not self._fill()
        n = self._filled
        self._order = self.rng.permutation(n) if self.shuffle else np.arange(n, dtype=np.int64)
        if self.engine == "numpy":
            np.take(self.X[:n], self._order, axis=0, out=self.X_order[:n])  # (n, d)
            np.take(self.y[:n], self._order, out=self.y_order[:n])
        # Only whole batches from a fill mid-epoch; the epoch's last fill uses every row.
        self._n_batches = -(-n // self.batch_size) if self._epoch_ends else n // self.batch_size
        self._next_batch = 0

    def _fill(self) -> bool:
        """Copy rows from the stream until the buffer is full; False when the epoch ran out."""
        assert self._stream is not None
        capacity = len(self.y)
        while True:
            if self._pending is None:
                self._pending = next(self._stream, None)
                if self._pending is None:
                    return False
            if self._filled == capacity:
                return True  # full, and the peeked rows prove the epoch goes on
            X, y = self._pending
            take = min(capacity - self._filled, len(y))
            self.X[self._filled : self._filled + take] = X[:take]
            self.y[self._filled : self._filled + take] = y[:take]
            self._filled += take
            self._pending = (X[take:], y[take:]) if take < len(y) else None

    def __repr__(self) -> str:
        return (
            f"StreamRunner(batch_size={self.batch_size}, buffer_rows={len(self.y)}, "
            f"engine={self.engine!r})"
        )
