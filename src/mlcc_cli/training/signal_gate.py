"""Ctrl-C and SIGTERM held back while a step updates the weights and is counted, so an
interrupted run records exactly the steps its weights took (status.json's steps_done).

Stopped between its first and last in-place update, a numpy step would leave some weights
updated and others not, and stopped just after them, a step the count misses. A numba
kernel cannot be stopped midway at all: a signal that arrives while it runs acts at the first
Python instruction after it returns, dropping the result that says how many steps it took.
`rundir.signals.signals_held` swaps the handlers (a few system calls, ~16 µs), too slow for
a section entered every step. So while a run trains, `gate_installed` puts one handler in
front of the ones in place, and entering `STEP_GATE` only sets a flag that handler reads
(~0.4 µs): a signal met while it is set is recorded and handed on as the section ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

GATED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Gate:
    """While entered, a gated signal is recorded; on leaving, the first one is handed to the
    handler it replaced (raising KeyboardInterrupt there, after the section's work)."""

    def __init__(self) -> None:
        self.held = False
        self.received: list[tuple[int, Any]] = []
        self.handlers: dict[int, Any] = {}

    def __enter__(self) -> None:
        self.held = True

    def __exit__(self, *exc_info: object) -> None:
        self.held = False
        if self.received:
            (number, frame), self.received = self.received[0], []
            self._deliver(number, frame)

    def on_signal(self, number: int, frame: Any) -> None:
        if self.held:
            self.received.append((number, frame))
        else:
            self._deliver(number, frame)

    def _deliver(self, number: int, frame: Any) -> None:
        handler = self.handlers.get(number, signal.default_int_handler)
        if callable(handler):  # SIG_IGN (not callable either) drops the signal, as before
            handler(number, frame)
        elif handler == signal.SIG_DFL:  # what the process would have done without the gate
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)


STEP_GATE = _Gate()


@contextmanager
def gate_installed() -> Iterator[None]:
    """For the block's duration, SIGINT and SIGTERM pass through STEP_GATE (then the
    handlers in place before return). A no-op outside the main thread, where Python delivers
    no signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # None: a handler not set from Python, which Python cannot put back; left alone then
    previous = {number: signal.getsignal(number) for number in GATED_SIGNALS}
    if None in previous.values():
        yield
        return
    STEP_GATE.handlers = previous
    for number in GATED_SIGNALS:
        signal.signal(number, STEP_GATE.on_signal)
    try:
        yield
    finally:
        for number, handler in previous.items():
            # A handler the gate delivered to may have changed its own signal's disposition
            # (a sweep worker ignores the second Ctrl-C while it writes the run so far): kept.
            if signal.getsignal(number) == STEP_GATE.on_signal:
                signal.signal(number, handler)
