"""A closed stdout or stderr (`mlcc train exp.yaml | head -1`) silences mlcc, never stops it.

Python ignores SIGPIPE, so once a pipe's reader has gone every write to it raises
BrokenPipeError (EPIPE): click would turn the first one into exit 1 in the middle of a run,
and the interpreter's last flush would print "Exception ignored ... BrokenPipeError".
Restoring SIGPIPE's default action would kill mlcc mid-run instead, and would reach the
sockets of Dask's client too. So the CLI wraps both standard streams: at the first EPIPE
the stream's file descriptor is pointed at os.devnull (the recipe of Python's signal
module documentation, "Note on SIGPIPE"), and that output and all later output is dropped
while the command finishes its work and exits as it would have.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO


class PipeSafeStream:
    """A text stream that drops its output, instead of raising, once its reader has gone."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write `text`; once the pipe is closed, pretend it was written."""
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_devnull()
            return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each line (as `write`)."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush; once the pipe is closed, the buffered text goes to os.devnull."""
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_devnull()

    def _to_devnull(self) -> None:
        # dup2 onto the same descriptor: the stream, its buffer and any child process started
        # from now on write to os.devnull, so no later write or flush (at exit too) fails.
        with contextlib.suppress(OSError, ValueError):  # ValueError: a stream with no fileno
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())
            finally:
                os.close(devnull)
            self._stream.flush()  # what the closed pipe refused, now into os.devnull

    def __getattr__(self, name: str) -> Any:
        # encoding, isatty, fileno, buffer...: the wrapped stream's own
        return getattr(self._stream, name)


def survive_closed_pipes() -> None:
    """Wrap sys.stdout and sys.stderr in `PipeSafeStream` (once; a missing stream is left)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, PipeSafeStream):
            setattr(sys, name, PipeSafeStream(stream))
