"""A `windows` epoch on two cores: the next windows are staged while the kernel trains on
the current ones.

Staging (copying a window's rows from X, in runs of 256, into a buffer that stays in cache)
and the SGD arithmetic each cost about half of a large epoch (2,000,000 × 32: ~32 ms and
~55 ms on the benchmark machine). They touch different memory, so a second thread copies
chunk k+1 into one buffer while the kernel runs chunk k's batches from the other. The kernel
runs the same batches over the same rows in the same order as the one-core
`kernels/windows.windowed_linear_family_steps`, so the weights are identical (tested); only
the copying moves to another core. Both numba functions release the GIL.
"""

from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

# Rows per staged chunk: about this many bytes, so the two buffers (16 MB) stay in the
# last-level cache (32 MB on the benchmark machine) while the handoffs between the threads
# (one per chunk, ~50 µs each) stay a small part of the epoch.
CHUNK_BYTES = 4 * 2**20
# Below this size X stays in the last-level cache between epochs, staging costs little, and a
# second thread only adds its handoffs (100,000 × 32, 26 MB: 5.0 ms an epoch on one core,
# 7.8 ms on two; 400,000 × 32, 102 MB: 20.1 → 15.4 ms).
PIPELINE_MIN_BYTES = 64 * 2**20


# Each training thread keeps its two staging buffers between calls (a period is one call):
# fresh 8 MB of pages every call cost page faults worth ~40% of a 100,000-row epoch. Per
# thread, so that runs training side by side in one process never share a buffer.
_kept = threading.local()


def staging_buffers(
    rows: int, n_features: int, label_shape: tuple[int, ...]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two (X, y) buffers of `rows` rows for this thread, reused while the shapes match."""
    key = (rows, n_features, label_shape)
    if getattr(_kept, "key", None) != key:
        _kept.buffers = [
            (np.empty((rows, n_features)), np.empty((rows, *label_shape))) for _ in range(2)
        ]
        _kept.key = key
    return _kept.buffers


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


def chunks_of_windows(
    first_batch: int, last_batch: int, per_window: int, windows_per_chunk: int
) -> list[tuple[int, int]]:
    """The [first, end) window ranges to stage, in order, covering batches
    [first_batch, last_batch): windows_per_chunk windows each, the last one shorter."""
    first_window = first_batch // per_window
    end_window = -(-last_batch // per_window)
    return [
        (window, min(window + windows_per_chunk, end_window))
        for window in range(first_window, end_window, windows_per_chunk)
    ]


def pipelined_linear_family_steps(
    X: np.ndarray,
    y: np.ndarray,
    base: np.ndarray,
    local: np.ndarray,
    window_rows: int,
    settings: tuple[Any, ...],
) -> tuple[int, int, float, bool, float]:
    """`windowed_linear_family_steps(X, y, base, local, window_rows, *settings)`, with the
    staging on a second thread when this process has two CPUs, X is PIPELINE_MIN_BYTES or
    more and the period spans two chunks or more (else the one-core kernel itself). Same
    return value."""
    # deferred: numba (the kernels compile on import); only compiled `windows` epochs get here
    from mlcc_cli.training.kernels import windows

    coef, intercept, batch_size, first_batch, last_batch, *rest = settings
    per_window = window_rows // batch_size
    row_bytes = max(1, X.shape[1] * X.itemsize)
    windows_per_chunk = max(1, CHUNK_BYTES // (window_rows * row_bytes))
    chunks = chunks_of_windows(first_batch, last_batch, per_window, windows_per_chunk)
    if len(chunks) < 2 or X.nbytes < PIPELINE_MIN_BYTES or usable_cpus() < 2:
        return windows.windowed_linear_family_steps(X, y, base, local, window_rows, *settings)

    n_rows = X.shape[0]
    chunk_rows = windows_per_chunk * window_rows
    buffers = staging_buffers(chunk_rows, X.shape[1], y.shape[1:])

    def stage(index: int) -> int:
        """Copy chunk `index`'s rows into buffer index % 2; returns how many rows."""
        first_window, end_window = chunks[index]
        start = first_window * window_rows
        rows = min(end_window * window_rows, n_rows) - start
        X_buffer, y_buffer = buffers[index % 2]
        windows.stage_window(X, y, base, start, rows, X_buffer, y_buffer)
        return rows

    steps, examples, norm_sum = 0, 0, 0.0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlcc-staging") as stager:
        pending = stager.submit(stage, 0)
        for index, (first_window, end_window) in enumerate(chunks):
            rows = pending.result()
            if index + 1 < len(chunks):
                pending = stager.submit(stage, index + 1)
            X_buffer, y_buffer = buffers[index % 2]
            done, seen, norm_sum, diverged, bad_loss = windows.staged_linear_family_steps(
                X_buffer[:rows],
                y_buffer[:rows],
                local,
                first_window,
                window_rows,
                coef,
                intercept,
                batch_size,
                max(first_batch, first_window * per_window),
                min(last_batch, end_window * per_window),
                *rest,
                norm_sum,
            )
            steps, examples = steps + done, examples + seen
            if diverged:
                return steps, examples, norm_sum, True, bad_loss
    return steps, examples, norm_sum, False, math.nan
