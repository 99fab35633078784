"""One thread for the scikit-learn fits the doctor runs as references.

Gradient-boosted trees split nodes in OpenMP loops of a few microseconds each; when another
process holds one of the cores (a second `mlcc sweep -j 2` worker, a test suite), every loop
waits for its descheduled thread, and a 1,600-row fit measured 82 s instead of 0.5 s on this
2-core machine. The reference fits are small (the doctor caps their size), so one thread
costs them little and never stalls.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def one_thread() -> Iterator[None]:
    """OpenMP and BLAS limited to one thread inside the block (threadpoolctl), then restored."""
    # deferred: threadpoolctl scans the loaded native libraries; only the doctor's refits use it
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
