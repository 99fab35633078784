"""The version facts a run's status.json records."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "mlcc-cli"  # the name pyproject.toml gives the package on PyPI


def mlcc_version() -> str:
    """The installed mlcc version (pyproject's, read from the package metadata)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return "0+unknown"
