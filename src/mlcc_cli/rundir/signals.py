"""Holding Ctrl-C and SIGTERM back for the instant a finished run is renamed into place.

A signal that lands between "every file written" and "renamed into place" would otherwise
throw away a complete run. `signals_held` swaps the Python-level handlers for a recorder and,
once the block is done, hands any signal it recorded to the handler it replaced, so the
interruption still happens, only after the run is safe.
"""

from __future__ import annotations

import signal
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
