"""Claiming a folder that one command writes into for a long time (a sweep folder).

Two `mlcc sweep` of the same config started together derive the same folder name, and a check
that it is free followed by writing into it lets both in. A claim is atomic instead: an
exclusive `flock` on the folder's CLAIM_FILE, which the kernel grants to one process only and
releases when that process ends, however it ends (a crash or SIGKILL leaves no stale claim).
The loser takes the next name, as a second run of a config takes another run-directory name.
The holder removes the claim file when it is done, so a finished sweep leaves no trace of it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

from mlcc_cli.rundir.storage import check_folder_writable, new_entry_mode, storage_error

CLAIM_FILE = ".claim"  # hidden: a sweep's table and `mlcc runs clean` never list it


class FolderClaim:
    """This process's claim on a folder: held until `release()` (or the process ends)."""

    def __init__(self, folder: Path, descriptor: int) -> None:
        self.folder = folder
        self._descriptor = descriptor

    def release(self) -> None:
        """Remove the claim file, then let another process claim the folder."""
        if self._descriptor >= 0:
            # Removed while still locked: a process that opened it meanwhile finds, once it
            # gets the lock, that the path no longer leads to it (`claim_folder`) and retries.
            with contextlib.suppress(OSError):
                (self.folder / CLAIM_FILE).unlink()
            os.close(self._descriptor)  # closing the descriptor drops the lock
            self._descriptor = -1


def claim_folder(folder: Path, what: str = "--runs-dir") -> FolderClaim | None:
    """Create `folder` (and its parents) if needed and claim it; None when a running process
    holds it. A folder that cannot be written is an MlccError naming `what` (the option)."""
    path = folder / CLAIM_FILE
    for _ in range(100):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, new_entry_mode())
        except OSError as error:
            check_folder_writable(folder.parent, what)  # says why, naming the user's folder
            raise storage_error(what, folder.parent, error) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        if _same_file(descriptor, path):
            with contextlib.suppress(OSError):  # who holds it, for the other process's message
                os.ftruncate(descriptor, 0)
                os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
            return FolderClaim(folder, descriptor)
        os.close(descriptor)  # locked a claim file its holder removed on release: again
    raise storage_error(what, folder, OSError(errno.EAGAIN, "the claim file keeps changing"))


def _same_file(descriptor: int, path: Path) -> bool:
    """Whether `path` still names the file open as `descriptor`."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def claim_holder(folder: Path) -> str:
    """'process PID' of the folder's claim, or 'another process' when it cannot be read."""
    with contextlib.suppress(OSError, ValueError):
        return f"process {int((folder / CLAIM_FILE).read_text().strip())}"
    return "another process"
