"""Which split each row of a streamed file belongs to, decided row by row without a shuffle.

In memory, rows are shuffled once and cut at exact counts. A file read chunk by chunk has no
global shuffle, so each row draws its own uniform number u from a generator seeded by the
experiment seed and the row's block of row ids: train if u < train, validation if
u < train + validation, else test. Every pass over the file, with any chunk size, gives each
row the same split. Split sizes are therefore binomial rather than exact (15% of 10 million
rows is 1,500,000 ± about 1,100), unlike in-memory training.

With `data.shuffle: false` the split is contiguous, as in memory: the first rows train, then
validation, the last rows test, at the in-memory counts of the file's row total (counted
before `data.missing: drop` removes any rows, so with drops the cut points can differ from
memory's by the rows dropped).
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.config.data import SplitConfig

TRAIN, VALIDATION, TEST = 0, 1, 2
CODES = {"train": TRAIN, "validation": VALIDATION, "test": TEST}
# Row ids per generator: small enough to compute a chunk's draws cheaply, large enough that
# seeding a generator per block costs nothing next to reading the rows.
SPLIT_BLOCK = 4096
# SeedSequence(seed).spawn(2) gives children (0,) and (1,) (in-memory split and training);
# streaming's other random choices take these further spawn keys of the same seed.
SPLIT_KEY, STATISTICS_KEY, SAMPLE_KEY = 2, 3, 4


class SplitAssigner:
    """Split codes (TRAIN, VALIDATION, TEST) of row ids, the same on every pass.

    Parameters
    ----------
    split : SplitConfig
        The fractions.
    seed : int
        The experiment seed; row r's draw comes from SeedSequence(seed, spawn_key=(2, r // 4096)).
    n_rows : int | None
        Rows in the file for a contiguous split (`data.shuffle: false`); None draws per row.
    """

    def __init__(self, split: SplitConfig, seed: int, n_rows: int | None = None) -> None:
        self.split = split
        self.seed = seed
        self.n_rows = n_rows
        self._cached: tuple[int, np.ndarray] | None = None

    def codes(self, row_ids: np.ndarray) -> np.ndarray:
        """Split code per row id (int8); row_ids ascending, as a chunk holds them."""
        row_ids = np.asarray(row_ids, dtype=np.int64)
        if row_ids.size == 0:
            return np.empty(0, dtype=np.int8)
        if self.n_rows is not None:
            return self._contiguous(row_ids)
        first = int(row_ids[0]) // SPLIT_BLOCK
        last = int(row_ids[-1]) // SPLIT_BLOCK
        draws = np.concatenate([self._block(block) for block in range(first, last + 1)])
        u = draws[row_ids - first * SPLIT_BLOCK]  # (n,) uniform on [0, 1)
        train_end = self.split.train
        # With no test split every row past train is validation, whatever the rounding of
        # train + validation (0.7 + 0.3 need not be exactly 1).
        validation_end = train_end + self.split.validation if self.split.test else np.inf
        return _codes(u, train_end, validation_end)

    def _block(self, block: int) -> np.ndarray:
        """The SPLIT_BLOCK uniform draws of one block of row ids (the last block is cached)."""
        if self._cached is not None and self._cached[0] == block:
            return self._cached[1]
        sequence = np.random.SeedSequence(self.seed, spawn_key=(SPLIT_KEY, block))
        draws = np.random.default_rng(sequence).random(SPLIT_BLOCK)
        self._cached = (block, draws)
        return draws

    def _contiguous(self, row_ids: np.ndarray) -> np.ndarray:
        """In-memory `split_rows(shuffle=False)` counts: train first, test last."""
        n = self.n_rows or 0
        n_validation, n_test = round(n * self.split.validation), round(n * self.split.test)
        n_train = n - n_validation - n_test
        return _codes(row_ids, n_train, n_train + n_validation)

    def __repr__(self) -> str:
        return f"SplitAssigner(split={self.split!r}, seed={self.seed}, n_rows={self.n_rows})"


def _codes(position: np.ndarray, train_end: float, validation_end: float) -> np.ndarray:
    """0 below train_end, 1 below validation_end, 2 from there on (int8)."""
    return (position >= train_end).astype(np.int8) + (position >= validation_end).astype(np.int8)
