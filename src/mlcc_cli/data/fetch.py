"""Download the crash course's public datasets, verify them, and write them atomically.

Every file is checked three ways before anything touches the destination folder: its header
line, its number of data rows and the sha256 of its content with line endings normalised to
LF (so a CRLF copy of the same data verifies too). Without network access, a mirror (a local
folder, a file:// URL or another http(s) base) can stand in for the official URL.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from mlcc_cli.data.public_datasets import FETCHABLE, RemoteFile
from mlcc_cli.errors import DataError, DownloadError

OFFICIAL_BASE_URL = "https://download.mlcc.google.com/mledu-datasets/"
MIRROR_ENV = "MLCC_DATASET_MIRROR"
_URL_SCHEMES = ("http", "https", "file")


def fetch_dataset(
    name: str, dest: Path, mirror: str | None = None, timeout: float = 30
) -> list[Path]:
    """Download dataset `name` into `dest` (from `mirror` if given), verify, write atomically.

    Returns the written paths. Every file is downloaded and verified before any is written,
    so a failure leaves `dest` exactly as it was.
    """
    if name not in FETCHABLE:
        from mlcc_cli.data.builtin import builtin_catalog  # deferred: only on this mistake

        if name in {info.name for info in builtin_catalog()}:
            raise DataError(
                f"'{name}' is built in, nothing to fetch: use data.source: builtin:{name} "
                f"(datasets that can be fetched: {', '.join(FETCHABLE)})"
            )
        raise DataError(
            f"unknown dataset '{name}'; datasets that can be fetched: {', '.join(FETCHABLE)}"
        )
    _check_destination(dest)
    dataset = FETCHABLE[name]
    files = " and ".join(remote.name for remote in dataset.files)
    offline_fix = (
        f"Without network access, use a mirror: `{MIRROR_ENV}=/path/to/folder mlcc datasets "
        f"fetch {name}` (a folder holding {files}), or copy those files into {dest} by hand"
    )
    contents = {}
    for remote in dataset.files:
        location = _location(remote.name, mirror)
        try:
            raw = _read(location, timeout)
        except OSError as error:  # URLError, HTTPError, timeouts and file errors alike
            reason = getattr(error, "reason", None) or error
            verb = "reach" if _is_url(location) else "read"
            raise DownloadError(f"could not {verb} {location}: {reason}. {offline_fix}") from None
        contents[remote.name] = verify(raw, remote, location)
    return _write_all(contents, dest)


def _check_destination(dest: Path) -> None:
    """DataError (before any download) when `dest` cannot become the folder the files go to:
    it, or a folder it would be created in, exists as something else (a file in the way), or
    the nearest existing folder takes no new entries."""
    folder = dest
    while not folder.is_dir():
        if os.path.lexists(folder):  # a file, or a broken or looping symbolic link
            what = "is" if folder == dest else f"would be created in {folder}, which is"
            raise DataError(
                f"--dest {dest}: {what} not a folder; give a folder (it is created if "
                "missing), e.g. --dest datasets."
            )
        if folder.parent == folder:
            return
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(
            f"--dest {dest}: cannot write in {folder} (permission denied); choose a folder you "
            "can write to."
        )


def verify(raw: bytes, remote: RemoteFile, location: str) -> bytes:
    """The content with CRLF -> LF, after checking header, data row count and sha256."""
    content = raw.replace(b"\r\n", b"\n")
    header = content.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    # Lines = newlines, plus one for a last line without its newline; minus the header.
    n_lines = content.count(b"\n") + (not content.endswith(b"\n"))
    checks = (
        ("header", remote.header, header[:200]),
        ("data row count", remote.rows, max(n_lines - 1, 0)),
        ("sha256", remote.sha256, hashlib.sha256(content).hexdigest()),
    )
    for check, expected, got in checks:
        if expected != got:
            raise DownloadError(
                f"{location}: {check} check failed: expected {expected!r}, got {got!r}; "
                "nothing was written. The source holds a different file from the crash "
                "course's (a changed or damaged copy, or a proxy's error page)"
            )
    return content


def _location(file_name: str, mirror: str | None) -> str:
    """Where to get `file_name`: the official URL, or the same name under the mirror."""
    if not mirror:  # None, or MLCC_DATASET_MIRROR set to an empty string
        return OFFICIAL_BASE_URL + file_name
    if _is_url(mirror):
        return mirror.rstrip("/") + "/" + urllib.parse.quote(file_name)
    return str(Path(mirror).expanduser() / file_name)


def _is_url(location: str) -> bool:
    """True for http(s):// and file:// addresses, false for plain paths."""
    return urllib.parse.urlparse(location).scheme in _URL_SCHEMES


def _read(location: str, timeout: float) -> bytes:
    """The bytes at a URL (urllib) or a local path; OSError when they cannot be had."""
    if _is_url(location):
        with urllib.request.urlopen(location, timeout=timeout) as response:
            return response.read()
    return Path(location).read_bytes()


# A full disk or quota: the user frees space or writes elsewhere (a runtime failure, exit 1).
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def _write_part(handle: int, content: bytes) -> None:
    """Write `content` to the open file `handle` and flush it to disk (then close it)."""
    with os.fdopen(handle, "wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


def _write_all(contents: dict[str, bytes], dest: Path) -> list[Path]:
    """Write each file to a temporary file in `dest`, then rename them all into place; on a
    failure, remove the temporary files and the folders this call created (DownloadError)."""
    created = [folder for folder in (dest, *dest.parents) if not folder.exists()]
    temporary: list[Path] = []
    written: list[Path] = []
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for file_name, content in contents.items():
            # Same folder as the target, so os.replace is an atomic rename, never a copy.
            handle, name = tempfile.mkstemp(dir=dest, prefix=f".{file_name}.", suffix=".part")
            temporary.append(Path(name))
            _write_part(handle, content)
            # mkstemp creates 0600 files; a dataset should get the usual umask-based mode.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(name, 0o666 & ~umask)
        for part, file_name in zip(temporary, contents, strict=True):
            os.replace(part, dest / file_name)
            written.append(dest / file_name)
        return written
    except OSError as error:
        for part in temporary:
            part.unlink(missing_ok=True)
        for folder in created:  # deepest first; one holding something else stays
            try:
                folder.rmdir()
            except OSError:
                break
        raise _write_error(dest, error, written) from None
    finally:
        for part in temporary:
            part.unlink(missing_ok=True)


def _write_error(dest: Path, error: OSError, written: list[Path]) -> DownloadError:
    """One paragraph for a write into `dest` that failed after the download verified
    (`written`: files already renamed into place, if the failure came among the renames)."""
    reason = error.strerror or str(error)
    kept = (
        f"only {' and '.join(path.name for path in written)} had been written"
        if written
        else f"nothing in {dest} changed"
    )
    fix = (
        "Free some space or give --dest a folder on another disk"
        if error.errno in _DISK_FULL
        else "Give --dest a folder you can write to"
    )
    return DownloadError(
        f"--dest {dest}: writing the verified files failed ({reason}); the half-written files "
        f"were removed and {kept}. {fix}, then fetch again."
    )
