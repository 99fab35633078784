"""`mlcc sweep --jobs N`: points in N worker processes, and a Ctrl-C that keeps what they did.

Ctrl-C at a terminal reaches every process of the group; SIGTERM (or `kill -INT`) may reach
only this one. So the workers ignore SIGINT except while they train a point (they start with
it blocked, so not even a Ctrl-C during their start-up reaches them), and when this process is
interrupted it sets `stopped` and sends SIGINT to its workers: a point being trained stops as
`mlcc train` does (the run so far kept, status `interrupted`) and returns its row, and a point
not started yet is not started. Every point then has a row, and sweep.csv records them as a
serial sweep's. No worker prints a traceback, and none is left running.

Workers inherit this process's stdout and stderr, but not what the CLI does to them: the
caller's `setup` (the CLI's closed-pipe guard) runs first in each worker, so output a worker
sends to a closed pipe (`mlcc sweep -j 2 | head -1`) is dropped rather than failing its point.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mlcc_cli.rundir.signals import resend_dropped_interruption
from mlcc_cli.workflows.sweep.result import SweepRow

MissingRow = Callable[[int, str, str], SweepRow]  # (task index, status, message) -> its row


class _Worker:
    """A worker's `stopped` event: set by the sweep once interrupted."""

    stopped: Any = None


_WORKER = _Worker()
_HELD = {signal.SIGINT, signal.SIGTERM}


def _start_worker(stopped: Any, setup: Callable[[], object] | None) -> None:
    """Worker initializer: `setup()` (see the module docstring); Ctrl-C is for the point
    being trained (`_interruptible`) only; a signal that came while the worker started
    (blocked until now) is dropped."""
    if setup is not None:
        setup()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sys.unraisablehook = _resend_dropped
    _WORKER.stopped = stopped


def _interrupt_once(signum: int, frame: Any) -> None:
    """SIGINT/SIGTERM handler: KeyboardInterrupt, then ignore the next ones. A terminal's
    Ctrl-C reaches a worker twice (from the terminal, and forwarded by the sweep); the second
    must not cut short the writing of the run trained so far."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _resend_dropped(unraisable: Any) -> None:
    """sys.unraisablehook in a worker: an interruption Python dropped (raised in code C calls
    back into, e.g. while numba loads a kernel) never stopped the point, so the handler is
    armed again and the signal sent again, as `mlcc train` does."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        signal.signal(signal.SIGINT, _interrupt_once)
        signal.signal(signal.SIGTERM, _interrupt_once)
    resend_dropped_interruption(unraisable)


def _interruptible(function: Callable[..., SweepRow], *args: Any) -> SweepRow:
    """`function(*args)` in a worker, with Ctrl-C and SIGTERM raising KeyboardInterrupt
    meanwhile; a task that starts once the sweep was interrupted is cancelled, not trained."""
    # The handlers first: the sweep sets `stopped` before it signals, so a Ctrl-C that came
    # while this worker still ignored it is seen as `stopped` below.
    signal.signal(signal.SIGINT, _interrupt_once)
    signal.signal(signal.SIGTERM, _interrupt_once)
    try:
        if _WORKER.stopped.is_set():
            raise CancelledError()
        return function(*args)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


# A worker killed outright (the out-of-memory killer, kill -9) breaks the whole pool.
WORKER_DIED = (
    "not trained: a worker process of the sweep died abruptly (killed, e.g. by the "
    "out-of-memory killer); `mlcc runs clean` removes what it left, and `mlcc sweep "
    "--skip-existing` trains only the points missing"
)


def _row_after(
    future: Future[SweepRow], missing_row: MissingRow, index: int, status: str, message: str
) -> SweepRow:
    """The row of task `index` once the pool was stopped: its own (finished, or interrupted
    as it trained), else `missing_row(index, status, message)` (`not started` if cancelled)."""
    try:
        return future.result()
    except CancelledError:
        return missing_row(index, "interrupted", "not started")
    except BaseException:  # stopped before its point could keep anything
        return missing_row(index, status, message)


def run_in_workers(
    function: Callable[..., SweepRow],
    arguments: Sequence[tuple[Any, ...]],
    jobs: int,
    missing_row: MissingRow,
    setup: Callable[[], object] | None = None,
) -> list[SweepRow]:
    """`function(*args)` for each entry of `arguments` in `jobs` processes; rows in order.

    `function` must be module-level (workers import it). Ctrl-C or SIGTERM ends the tasks as
    described above, a worker that dies ends the others too (`failed`, WORKER_DIED); a task
    with nothing to show gets `missing_row(index, status, message)`. `setup` runs first in
    each worker (module-level too).
    """
    # spawn: a fork of this process would copy numba's and BLAS's threads half-way through
    context = multiprocessing.get_context("spawn")
    stopped = context.Event()
    rows: list[SweepRow] = []
    futures: list[Future[SweepRow]] = []
    # Workers start in `submit`: with the signals blocked here, they are blocked in them.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_worker, initargs=(stopped, setup)
    ) as pool:
        try:
            try:
                futures = [pool.submit(_interruptible, function, *args) for args in arguments]
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a held signal lands here
            for future in futures:
                rows.append(future.result())
        except KeyboardInterrupt:
            # Not `cancel`: the tasks see `stopped` instead. (Python 3.11's pool, should a
            # worker die, fails on a cancelled task with a traceback of its own.)
            stopped.set()
            for worker in multiprocessing.active_children():
                os.kill(worker.pid, signal.SIGINT)  # type: ignore[arg-type]
            rows.extend(
                _row_after(futures[index], missing_row, index, "interrupted", "interrupted")
                for index in range(len(rows), len(futures))
            )
        except BrokenProcessPool:
            rows.extend(
                _row_after(futures[index], missing_row, index, "failed", WORKER_DIED)
                for index in range(len(rows), len(futures))
            )
        except BaseException:  # a bug in a worker: no point starting the other points
            stopped.set()
            raise
    return rows
