"""Staging folders: where a run is written before it is renamed into place, and who owns them.

A staging folder `.NAME-XXXXXXXX.partial` is created with `tempfile.mkdtemp` (O_EXCL: two
processes never share one) and records its owner (pid, host, start time) in `.owner.json`,
so cleanup removes only what this process created and `mlcc runs clean` can tell a folder
whose process is still writing from one left behind by a crash. Publishing renames it to a
final name that did not exist before: an earlier run is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mlcc_cli.errors import DataError
from mlcc_cli.rundir.storage import check_folder_writable, new_entry_mode, storage_error

STAGING_SUFFIX = ".partial"
OWNER_FILE = ".owner.json"


# `.NAME-XXXXXXXX.partial`: tempfile.mkdtemp's 8 characters between the prefix and suffix.
STAGING_NAME = re.compile(r"\..+-[a-z0-9_]{8}" + re.escape(STAGING_SUFFIX))


def is_staging(path: Path) -> bool:
    """True for a folder named as mlcc names staging folders (`.NAME-XXXXXXXX.partial`): a
    run (or lr-find) still being written, or a leftover of one that crashed. Never a finished
    run, nor another program's `.something.partial`."""
    return STAGING_NAME.fullmatch(path.name) is not None


def refuse_staging(path: Path) -> None:
    """DataError when `path`, given where a finished run is expected, is a staging folder."""
    if is_staging(path):
        raise DataError(
            f"{path}: is a staging folder, a run still being written or left behind by one "
            "that crashed, not a run; pass a run directory printed by `mlcc train` (list "
            "or remove leftovers with `mlcc runs clean`)."
        )


def create_staging(parent: Path, name: str, what: str = "--runs-dir") -> Path:
    """A new, empty staging folder for `name` under `parent` (created if needed), owned by us.

    Called before any work, so an unwritable `parent` is reported (exit 2, or 1 for a full
    disk) before training rather than after. `what` names the option in messages.
    """
    try:
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}-", suffix=STAGING_SUFFIX))
    except OSError as error:
        check_folder_writable(parent, what)  # says why, naming the folder the user gave
        raise storage_error(what, parent, error) from None
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "created": time.time()}
    try:
        (folder / OWNER_FILE).write_text(json.dumps(owner) + "\n", encoding="utf-8")
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise storage_error(what, parent, error) from None
    return folder


def discard_staging(folder: Path, parent_created: bool = False) -> None:
    """Remove a staging folder this process created (never anything else).

    `parent_created`: the runs folder did not exist before this run made it, so it goes too
    if it is empty again (a rejected experiment leaves nothing behind).
    """
    shutil.rmtree(folder, ignore_errors=True)
    if parent_created:
        with contextlib.suppress(OSError):  # fails, harmlessly, once anything else is in it
            folder.parent.rmdir()


def publish(staging: Path, final_name: Callable[[], str], replace: bool = False) -> Path:
    """Rename `staging` to `staging.parent / final_name()` and return the new path.

    The final folder is first reserved with mkdir, which fails if the name exists; a taken
    name draws another (`final_name` adds a random suffix), so nothing is overwritten. With
    `replace` (a sweep point's fixed folder) an existing folder of that name is moved aside
    first and removed only once the new one is in place.
    """
    (staging / OWNER_FILE).unlink(missing_ok=True)
    # mkdtemp made it 0o700; a finished run gets the mode any new folder gets (umask)
    staging.chmod(new_entry_mode(0o777))
    parent = staging.parent
    if replace:
        final = parent / final_name()
        aside = None
        if final.exists():
            aside = Path(
                tempfile.mkdtemp(dir=parent, prefix=f".{final.name}-old-", suffix=STAGING_SUFFIX)
            )
            os.replace(final, aside / final.name)
        os.replace(staging, final)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        return final
    for _ in range(100):
        final = parent / final_name()
        try:
            final.mkdir()  # the reservation: fails if another run already has this name
        except FileExistsError:
            continue
        # rename(2) may replace an empty folder, and this one is ours and empty.
        os.replace(staging, final)
        return final
    raise FileExistsError(f"{parent}: no free run-directory name after 100 tries")


@dataclass(frozen=True)
class StagingFolder:
    """A staging folder found on disk and whether its owner is still running."""

    path: Path
    pid: int | None  # None: no owner record (written by an older mlcc) or unreadable
    host: str | None
    age_s: float
    owner_running: bool | None  # None: cannot tell (no record, or another host)

    def is_stale(self, older_than_s: float) -> bool:
        """Stale when its owner is gone, or, if that cannot be told, older than the limit.

        A folder whose owner is still running on this host is never stale, however old.
        """
        if self.owner_running is None:
            return self.age_s > older_than_s
        return not self.owner_running


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _inspect(path: Path, now: float) -> StagingFolder:
    try:
        age = now - path.stat().st_mtime
    except OSError:
        age = 0.0
    try:
        owner = json.loads((path / OWNER_FILE).read_text(encoding="utf-8"))
        pid, host = int(owner["pid"]), str(owner["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return StagingFolder(path, None, None, age, None)
    running = _running(pid) if host == socket.gethostname() else None
    return StagingFolder(path, pid, host, age, running)


def find_staging(runs_dir: Path) -> Iterator[StagingFolder]:
    """Staging folders in `runs_dir` and in the folders of runs inside it (sweep folders)."""
    now = time.time()
    if not runs_dir.is_dir():
        return
    # A symbolic link is never mlcc's staging folder (mkdtemp makes real folders): removing
    # through one would reach whatever it points at.
    for child in sorted(runs_dir.iterdir()):
        if not child.is_dir() or child.is_symlink():
            continue
        if is_staging(child):
            yield _inspect(child, now)
        elif not child.name.startswith("."):
            for inner in sorted(child.iterdir()):
                if inner.is_dir() and not inner.is_symlink() and is_staging(inner):
                    yield _inspect(inner, now)
