"""A data source's fingerprint: what a run records so later commands notice changed data.

`mlcc evaluate RUN` re-reads and re-splits the run's data source. If the file was edited,
reordered or replaced since training, the same seed no longer picks the same rows, and the
"validation" rows may include training rows. status.json keeps the source's resolved path,
size, row count and sha256 (read in chunks, so a large streaming file never sits in memory);
`changes` says, in words, what differs now.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mlcc_cli.data.sources import builtin_name, resolve_source_path
from mlcc_cli.errors import DataError


@dataclass(frozen=True)
class Fingerprint:
    """Where the data came from and what it held when a run was trained."""

    source: str  # builtin:NAME, or the file's resolved path
    size: int | None  # bytes (files only)
    sha256: str | None  # hex digest of the file's bytes (files only)
    rows: int | None  # data rows read, when known

    def to_json(self) -> dict[str, Any]:
        """status.json's `data` entry."""
        return asdict(self)

    @classmethod
    def from_json(cls, payload: Any) -> Fingerprint | None:
        """The recorded fingerprint, or None for runs from before it (or a damaged entry)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("source"), str):
            return None
        size, sha256, rows = payload.get("size"), payload.get("sha256"), payload.get("rows")
        return cls(
            source=payload["source"],
            size=size if isinstance(size, int) else None,
            sha256=sha256 if isinstance(sha256, str) else None,
            rows=rows if isinstance(rows, int) else None,
        )


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks (hashlib.file_digest)."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise DataError(f"{path}: cannot read it to fingerprint the data ({error}).") from None


def fingerprint(source: str, config_folder: Path, rows: int | None = None) -> Fingerprint:
    """The fingerprint of `source` as it is now (a builtin dataset is its name and rows)."""
    if builtin_name(source) is not None:
        return Fingerprint(source=source, size=None, sha256=None, rows=rows)
    path = resolve_source_path(source, config_folder)
    return Fingerprint(
        source=str(path), size=path.stat().st_size, sha256=file_sha256(path), rows=rows
    )


def changes(recorded: Fingerprint, current: Fingerprint) -> list[str]:
    """What differs between the fingerprint recorded at training and the current one, in
    words; empty when the data is the same (a builtin dataset: same name and rows)."""
    found = []
    if recorded.source != current.source:
        found.append(f"the source is now {current.source}, not {recorded.source}")
    if recorded.size is not None and current.size is not None and recorded.size != current.size:
        found.append(f"its size is {current.size:,} bytes, not {recorded.size:,}")
    if recorded.rows is not None and current.rows is not None and recorded.rows != current.rows:
        found.append(f"it has {current.rows:,} rows, not {recorded.rows:,}")
    if recorded.sha256 and current.sha256 and recorded.sha256 != current.sha256:
        found.append("its content differs (sha256)")
    return found
