"""What the disk allows: folder-name lengths, and an `OSError` turned into a message with a fix.

Every writer of user-visible folders and files (run directories, sweep tables, `predict -o`)
reports a refused write through `storage_error`, so a full disk, a read-only mount or a missing
permission reads the same everywhere and never shows a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from mlcc_cli.errors import ConfigError, DataError, MlccError

# Longest file or folder name (bytes) on Linux, macOS and Windows file systems alike.
NAME_MAX = 255
# What `NAME-YYYYmmdd-HHMMSS-xxxx` adds to a run name.
RUN_SUFFIX_BYTES = len("-20260101-120000-abcd")
# What a staging folder `.NAME-XXXXXXXX.partial` adds (tempfile.mkdtemp draws 8 characters);
# the run suffix is the longer of the two, so it sets the limit.
STAGING_EXTRA_BYTES = len(".-12345678.partial")
LONGEST_RUN_NAME = NAME_MAX - max(RUN_SUFFIX_BYTES, STAGING_EXTRA_BYTES)
# Bytes kept for the hash that keeps shortened names apart: "-" + 8 hex digits.
HASH_BYTES = 9

# errno values a user fixes by choosing another place (exit 2); any other refusal is a failure
# while running (exit 1), e.g. a disk that filled up. ENOENT, also the user's, depends on
# whether the folder exists and is worded in `storage_error`.
_USER_FIXABLE = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.ENAMETOOLONG: "the name is too long for the file system",
}
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def name_bytes(name: str) -> int:
    """The length the file system counts: UTF-8 bytes, not characters."""
    return len(name.encode("utf-8"))


def check_run_name_fits(name: str, where: str) -> None:
    """ConfigError unless `NAME-YYYYmmdd-HHMMSS-xxxx` fits in one folder name (NAME_MAX bytes).

    `where` names the source of the name for the message (`--name` or the config key `name`).
    """
    size = name_bytes(name)
    if size > LONGEST_RUN_NAME:
        raise ConfigError(
            f"{where}: {name[:40]!r}... is {size} bytes long, but a run directory "
            f"(NAME-YYYYmmdd-HHMMSS-xxxx) must fit in {NAME_MAX} bytes; use a name of at most "
            f"{LONGEST_RUN_NAME} bytes."
        )


def fit_name(name: str, limit: int = LONGEST_RUN_NAME) -> str:
    """`name` itself when it fits in `limit` bytes, else its start plus a short hash.

    Deterministic (the same long name always gives the same short one), so a sweep point's
    folder is found again by `--skip-existing`.
    """
    if name_bytes(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[: HASH_BYTES - 1]
    head = name.encode("utf-8")[: limit - HASH_BYTES].decode("utf-8", errors="ignore")
    return f"{head}-{digest}"


def not_a_folder(path: Path, missing: str = "no such folder") -> str:
    """Why `path` is no folder, for a message: a symbolic link that leads nowhere, a file, or
    (when nothing is there) `missing`."""
    if path.is_symlink() and not path.exists():
        return "is a symbolic link that leads nowhere: a link loop, or a link to a missing path"
    return "is a file, not a folder" if path.exists() else missing


def storage_error(
    what: str, path: Path, error: OSError, created_in: Path | None = None
) -> MlccError:
    """The MlccError for a refused write of `path`; `what` names the option or file, and
    `created_in` the existing folder the new entry was to be made in, when that is not simply
    `path.parent` (`check_folder_writable`: `path` itself, or a folder further up).

    The one wording of every errno, wherever the write was refused: read-only, permission and
    missing-folder problems are the user's to fix by pointing elsewhere (DataError, exit 2); a
    full disk or quota, or any other refusal, is a failure while running (exit 1).
    """
    reason = error.strerror or str(error)
    folder = created_in or path.parent
    if error.errno in _DISK_FULL:
        return MlccError(
            f"{what} {path}: the disk is full ({reason}); anything half-written was removed "
            "and earlier runs and outputs are untouched. Free some space (e.g. delete old runs "
            "or run `mlcc runs clean`) or write to another disk, then try again."
        )
    if error.errno == errno.ENOENT and not folder.is_dir():
        return DataError(
            f"{what} {path}: cannot write there (the folder {folder} does not exist, "
            f"and mlcc creates no folders for an output file); create it first "
            f"(mkdir -p {folder}) or choose another folder."
        )
    if path.is_symlink() and not path.exists():
        problem = not_a_folder(path).removeprefix("is ")
    elif error.errno == errno.ENOENT:
        # the folder is there but refuses new entries (a kernel file system like /proc)
        problem = f"the folder {folder} takes no new files"
    elif error.errno in _USER_FIXABLE:
        problem = _USER_FIXABLE[error.errno]
        problem += (
            "" if created_in in (None, path) else f" in {created_in}, where it would be created"
        )
    else:
        return MlccError(f"{what} {path}: cannot write there ({reason}).")
    return DataError(
        f"{what} {path}: cannot write there ({problem}); choose a folder you can write to."
    )


def check_folder_writable(folder: Path, what: str) -> None:
    """MlccError unless files can be made in `folder` or, when it does not exist yet, in the
    nearest folder above it (where it would be created). Checked before the work whose
    results go there, by making and removing a hidden folder, so it holds as root too, where
    permission bits stop nothing but a read-only mount or a kernel file system (/sys, /proc)
    still refuses; it leaves nothing behind. Worded by `storage_error`, as a refusal met
    while writing would be."""
    above = folder
    while not above.is_dir():
        if os.path.lexists(above) or above.parent == above:  # a file (or dead link) in the way
            raise DataError(
                f"{what} {folder}: cannot write there ({above} {not_a_folder(above)}); choose "
                "a folder you can write to."
            )
        above = above.parent
    try:
        Path(tempfile.mkdtemp(dir=above, prefix=".mlcc-write-check-")).rmdir()
    except OSError as error:
        raise storage_error(what, folder, error, created_in=above) from None


def _sibling(path: Path) -> Path:
    """A new hidden file beside `path` (O_EXCL: never one another process is writing)."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    return Path(name)


def check_file_writable(
    path: Path, what: str, replaceable: frozenset[str] = frozenset(), example: str = "out.csv"
) -> None:
    """MlccError unless a file can be written at `path` (checked before the work that
    produces it, by creating and removing a hidden sibling) without replacing a file that a
    run or sweep folder holds (`_record_owning`), other than one named in `replaceable` (a
    command's own output there, e.g. export's model.onnx); `example` names a file for the
    message when `path` is a folder."""
    if path.is_dir():
        raise DataError(f"{what} {path}: is a folder; give a file name, e.g. {path / example}.")
    target = written_through(path)
    if target.exists() and not target.is_file():
        kind = "a named pipe (FIFO)" if target.is_fifo() else "a device or socket"
        raise DataError(
            f"{what} {path}: is {kind}, not a regular file; mlcc writes its output as a whole "
            f"new file, which would take its place, so give a file name, e.g. {example}."
        )
    owner = None if path.name in replaceable else _record_owning(target)
    if owner is not None:
        other = path.parent / ("my-" + example)
        raise DataError(
            f"{what} {path}: is a file of {owner}, which would be replaced (what mlcc wrote "
            "there is the record evaluate, doctor, compare and sweep --skip-existing read); "
            f"write to another name, e.g. {other}."
        )
    try:
        _sibling(target).unlink()
    except OSError as error:
        raise storage_error(what, path, error) from None


def written_through(path: Path) -> Path:
    """Where writing `path` lands: the file a symbolic link leads to, so that replacing that
    file keeps the link (as the shell's `>` does), else `path` itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


# A run folder holds status.json, a sweep folder sweep.json; their subfolders (plots,
# evaluate/<split>, a sweep's point runs) are theirs too, down to this depth.
RECORD_DEPTH = 3


def _record_owning(path: Path) -> str | None:
    """'the run FOLDER' / 'the sweep FOLDER' whose existing file `path` is, else None."""
    if not path.is_file():
        return None
    folder = path.resolve().parent
    for _ in range(RECORD_DEPTH):
        if (folder / "status.json").is_file():
            return f"the run {folder}"
        if (folder / "sweep.json").is_file():
            return f"the sweep {folder}"
        folder = folder.parent
    return None


def new_entry_mode(full: int = 0o666) -> int:
    """The permissions open() (`full` 0o666) or mkdir() (0o777) gives a new entry: `full` less
    the process's umask. mkstemp's and mkdtemp's private 0o600 / 0o700 would make a report or
    a whole run directory unreadable to the teammates or web server meant to share it."""
    umask = os.umask(0)  # reading the umask means setting it; put straight back
    os.umask(umask)
    return full & ~umask


def _write_atomically(path: Path, write: Callable[[Path], object], what: str) -> None:
    """Replace `path` only once `write(partial)` has completely written a sibling file; a
    failure (full disk) leaves any earlier file untouched and raises an MlccError naming
    `what`."""
    partial: Path | None = None
    try:
        partial = _sibling(written_through(path))
        write(partial)
        partial.chmod(new_entry_mode())
        os.replace(partial, written_through(path))
    except OSError as error:
        raise storage_error(what, path, error) from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)  # after os.replace it no longer exists


def write_text_atomically(path: Path, text: str, what: str) -> None:
    """Replace `path` only once the new text is completely written; a failure (full disk)
    leaves any earlier file untouched and raises an MlccError naming `what`."""
    _write_atomically(path, lambda partial: partial.write_text(text, encoding="utf-8"), what)


def write_bytes_atomically(path: Path, data: bytes, what: str) -> None:
    """`write_text_atomically` for bytes (e.g. an exported model)."""
    _write_atomically(path, lambda partial: partial.write_bytes(data), what)
