"""Holding Ctrl-C and SIGTERM back for the instant a finished run is renamed into place, and
sending again an interruption Python dropped.

A signal that lands between "every file written" and "renamed into place" would otherwise
throw away a complete run. `signals_held` swaps the Python-level handlers for a recorder and,
once the block is done, hands any signal it recorded to the handler it replaced, so the
interruption still happens, only after the run is safe.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def signals_held() -> Iterator[None]:
    """Defer SIGINT/SIGTERM until the block ends (a no-op outside the main thread, where
    Python delivers no signals anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[tuple[int, Any]] = []
    previous = {number: signal.getsignal(number) for number in HELD_SIGNALS}

    def record(number: int, frame: Any) -> None:
        received.append((number, frame))

    for number in HELD_SIGNALS:
        signal.signal(number, record)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number, frame in received[:1]:  # one interruption is enough
            handler = previous[number]
            if callable(handler):
                handler(number, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(number)


# An exception raised where Python cannot propagate it — a weakref or GC callback, or code C
# calls back into (llvmlite's object-cache hook while numba loads a kernel) — is printed as
# "Exception ignored ... Traceback" and dropped, and the command would go on as if never
# stopped. Such a dropped interruption is delivered again a moment later, quietly.
RESEND_AFTER_SECONDS = 0.05


def resend_dropped_interruption(unraisable: Any) -> None:
    """sys.unraisablehook: re-send a dropped interruption (the signal its exception names as
    `signum`, else Ctrl-C's SIGINT); anything else as Python would."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        signum = getattr(unraisable.exc_value, "signum", signal.SIGINT)
        timer = threading.Timer(RESEND_AFTER_SECONDS, os.kill, (os.getpid(), signum))
        timer.daemon = True
        timer.start()
        return
    sys.__unraisablehook__(unraisable)
