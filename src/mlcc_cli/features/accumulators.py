"""Statistics learned one chunk at a time, so a transform can be fitted on a file of any size.

`Moments` (count, mean, spread) and `Extremes` (min, max) are exact: merging chunks gives the
numbers of one pass over all rows, up to rounding. `Reservoir` keeps a fixed-size uniform
random sample from which quantiles and medians are estimated: exact while the stream holds no
more values than the sample (every value is kept), approximate beyond. Every accumulator is
fed NaN-free 1-D arrays and counts what it has seen in `count`.
"""

from __future__ import annotations

import math

import numpy as np


class Moments:
    """Count n, mean μ and M2 = Σ(x − μ)² of a stream, merged chunk by chunk.

    Chan et al.'s parallel update for the statistics so far (a) and a new chunk (b):
    n = n_a + n_b, δ = μ_b − μ_a, μ = μ_a + δ·n_b/n, M2 = M2_a + M2_b + δ²·n_a·n_b/n.
    A chunk's own μ_b and M2_b use the two-pass formula with its rounding-error correction
    (as StandardScaler), so a single chunk gives exactly StandardScaler's numbers.
    """

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, x: np.ndarray) -> None:
        """Merge the values `x` (no NaN) into the running statistics."""
        n_b = x.size
        if n_b == 0:
            return
        mean_b = x.sum() / n_b
        centred = x - mean_b
        m2_b = float(np.dot(centred, centred) - centred.sum() ** 2 / n_b)
        if self.count == 0:
            self.count, self.mean, self.m2 = n_b, float(mean_b), m2_b
            return
        n = self.count + n_b
        delta = float(mean_b) - self.mean
        self.mean += delta * n_b / n
        self.m2 += m2_b + delta * delta * self.count * n_b / n
        self.count = n

    @property
    def variance(self) -> float:
        """Population variance M2 / n (ddof = 0); NaN before any value."""
        return self.m2 / self.count if self.count else math.nan

    def __repr__(self) -> str:
        return f"Moments(count={self.count}, mean={self.mean!r}, m2={self.m2!r})"


class Extremes:
    """Running minimum and maximum of a stream (exact)."""

    def __init__(self) -> None:
        self.count = 0
        self.min = math.inf
        self.max = -math.inf

    def add(self, x: np.ndarray) -> None:
        """Fold the values `x` (no NaN) into the minimum and maximum."""
        if x.size:
            self.count += x.size
            self.min = min(self.min, float(x.min()))
            self.max = max(self.max, float(x.max()))

    def __repr__(self) -> str:
        return f"Extremes(count={self.count}, min={self.min!r}, max={self.max!r})"


class Reservoir:
    """A uniform random sample of at most `capacity` rows of a stream (Vitter's Algorithm R).

    The first `capacity` rows are kept in order; row i (0-based) after that replaces a
    uniformly chosen kept row with probability capacity/(i + 1), which leaves every row seen
    in the sample with the same probability. `capacity` None keeps every row (exact); 0 only
    counts. Rows are the first axis, so a sample of (prediction, label) pairs works too.

    Attributes
    ----------
    count : int
        Rows offered so far.
    sample : np.ndarray
        The kept rows, at most `capacity` of them.
    """

    def __init__(self, capacity: int | None, rng: np.random.Generator | None) -> None:
        self.capacity = capacity
        self.rng = rng
        self.count = 0
        self._sample: np.ndarray | None = None

    @property
    def sample(self) -> np.ndarray:
        """The kept rows (an empty array before any row was offered)."""
        return np.empty(0) if self._sample is None else self._sample

    def add(self, rows: np.ndarray) -> None:
        """Offer `rows` (along the first axis) to the sample."""
        room = len(rows) if self.capacity is None else max(self.capacity - self.count, 0)
        head, rest = rows[:room], rows[room:]
        if self._sample is None:
            self._sample = head.copy()
        elif len(head):
            self._sample = np.concatenate([self._sample, head])
        if len(rest) and self.capacity:
            if self.rng is None:
                raise ValueError("a bounded Reservoir needs a random generator")
            first = self.count + len(head)
            position = np.arange(first, first + len(rest))  # 0-based index i of each row
            slot = self.rng.integers(0, position + 1)  # uniform on [0, i]
            kept = slot < self.capacity
            # NumPy assigns in order, so a slot drawn twice ends with the later row, exactly
            # as the one-row-at-a-time algorithm would leave it.
            self._sample[slot[kept]] = rest[kept]
        self.count += len(rows)

    def __repr__(self) -> str:
        return f"Reservoir(capacity={self.capacity!r}, count={self.count})"
