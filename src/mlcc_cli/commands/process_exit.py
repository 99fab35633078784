"""Ending the `mlcc` process once its command has finished, without the interpreter's teardown.

A small `mlcc train` has loaded about 2,000 modules (numpy, pandas, scipy, scikit-learn) and
200,000 objects; at a normal exit Python then spends a fifth of a second of CPU clearing them
one by one, after every file of the run is written and closed. `end_process` does what a
normal exit does that matters — the atexit callbacks (logging's flush, multiprocessing's
clean-up, weakref finalizers), the last flush of stdout and stderr — and ends with `os._exit`.
It falls back to a normal exit whenever another thread is still running (Python would wait
for it) or the exit status is not a plain number (Python prints it).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def end_process(status: object) -> NoReturn:
    """Exit with `status` (a SystemExit code) now, skipping module teardown when that is safe."""
    code = 0 if status is None else status
    run_exit_callbacks = getattr(atexit, "_run_exitfuncs", None)  # CPython's own, in C
    if not isinstance(code, int) or threading.active_count() > 1 or run_exit_callbacks is None:
        sys.exit(status)
    run_exit_callbacks()
    for stream in (sys.stdout, sys.stderr):
        # a stream the command closed, or a pipe whose reader left: nothing more can be said
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)
