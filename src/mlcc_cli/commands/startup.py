"""Ctrl-C while `mlcc` starts: the word `interrupted` and exit 130, not a traceback.

The console script imports `mlcc_cli.cli`, and with it typer, pydantic and the config models:
about half a second before any command runs `user_errors`, which answers Ctrl-C afterwards.
`mlcc_cli.cli` imports this module first, and importing it installs `quiet_interruption` as
`sys.excepthook`, so an interruption that reaches the top of the process during those imports
(or while typer builds the command) reads as it does later. It imports nothing but the
standard library, so it is in place before anything slow is loaded.
"""

from __future__ import annotations

import json
import os
import sys
from types import TracebackType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def caused_by_interruption(error: BaseException | None) -> bool:
    """Whether `error`, or an exception it was raised from or while handling, is Ctrl-C or
    SIGTERM (a KeyboardInterrupt): e.g. the RuntimeError Python raises when an interruption
    lands in a class's `__set_name__`, as it can while pydantic builds a model."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def quiet_interruption(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    """sys.excepthook: an interruption prints `interrupted` (and with --json the error object
    on stdout) and exits 130; anything else is shown as Python shows it."""
    if not caused_by_interruption(error):
        sys.__excepthook__(kind, error, traceback)
        return
    if "--json" in sys.argv[1:]:
        message = {"error": {"message": "interrupted", "exit_code": EXIT_INTERRUPTED}}
        print(json.dumps(message), flush=True)
    print("interrupted", file=sys.stderr, flush=True)
    if isinstance(error, KeyboardInterrupt):
        return  # Python then exits as killed by SIGINT, which shells report as 130
    # A wrapped interruption would exit 1; nothing has been written that finalization closes.
    os._exit(EXIT_INTERRUPTED)


sys.excepthook = quiet_interruption
