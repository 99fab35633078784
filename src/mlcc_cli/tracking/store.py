"""The tracking URI, checked before any training, and the one error a logging failure becomes.

Accepted: a folder path (MLflow's file store, made a `file:` URI), `file:///...`,
`sqlite:///PATH.db` (and MLflow's other database stores), `http(s)://HOST` (a tracking
server) and `databricks`. The form is checked here, without importing mlflow, and a local
store's place (not under a file); whether the store can be written is learnt when the run is
logged, after it is safely on disk.
"""

from __future__ import annotations

import importlib.util
import shlex
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from mlcc_cli.errors import ConfigError, MlccError
from mlcc_cli.rundir.storage import check_folder_writable

# The distribution is named mlcc-cli (pyproject), so that is what pip needs.
INSTALL_HINT = "pip install 'mlcc-cli[mlflow]'"
# The schemes of MLflow's tracking stores; a database scheme may name its driver
# (`postgresql+psycopg2://`), which SQLAlchemy reads.
DATABASE_SCHEMES = ("sqlite", "postgresql", "mysql", "mssql")
SCHEMES = ("file", "http", "https", "databricks", *DATABASE_SCHEMES)


class TrackingError(MlccError):
    """A run or sweep is on disk but could not be logged to the tracking store (exit 1)."""

    exit_code = 1

    def __init__(self, option: str, uri: str, path: Path, reason: str) -> None:
        self.path = path
        later = shlex.join(["mlcc", "track", str(path), "--uri", uri])
        super().__init__(
            f"{option} {uri}: {path} could not be logged to MLflow ({reason}). It is "
            f"unchanged on disk; log it once the store works: {later}"
        )


def scheme_of(uri: str) -> str:
    """`sqlite` for `sqlite:///x.db`, `postgresql` for `postgresql+psycopg2://...`."""
    return urlsplit(uri).scheme.partition("+")[0].lower()


def tracking_uri(text: str, option: str) -> str:
    """The MLflow tracking URI for `--track`/`--uri` TEXT; ConfigError (exit 2) if unusable.

    A folder path becomes the absolute `file:` URI of MLflow's file store; other URIs are
    passed on as given once their scheme is one MLflow serves and its libraries are installed.
    """
    text = text.strip()
    if not text:
        raise ConfigError(f"{option}: give a tracking store, e.g. {option} mlruns.")
    try:
        scheme = scheme_of(text)
        if scheme in ("http", "https"):
            parts = urlsplit(text)
            parts.port  # noqa: B018 - reading it checks it (ValueError when out of range)
            if not parts.hostname:
                raise ValueError("no host")
    except ValueError as error:  # `https://[::1`, a port out of range or not a number
        raise ConfigError(
            f"{option} {text}: not a usable address ({error}); give http(s)://HOST:PORT, "
            "e.g. http://127.0.0.1:5000."
        ) from None
    if scheme == "sqlite" and text.rstrip("/") in ("sqlite:", "sqlite:/", "sqlite:/"):
        raise ConfigError(
            f"{option} {text}: an in-memory database, gone when mlcc exits; name a file, "
            "e.g. sqlite:///mlflow.db."
        )
    # One letter before `:` is a Windows drive (C:\...), so a folder path too.
    if len(scheme) <= 1:
        require_libraries(option, text, "mlflow")
        store = Path(text).expanduser().resolve()
        _check_local_store(option, text, store, folder=True)
        return store.as_uri()
    if scheme not in SCHEMES:
        raise ConfigError(
            f"{option} {text}: MLflow has no tracking store for `{scheme}:` URIs; give a "
            "folder (mlruns), file:///PATH, sqlite:///PATH.db or http(s)://HOST:PORT."
        )
    if scheme in DATABASE_SCHEMES:
        require_libraries(option, text, "mlflow", "sqlalchemy", "alembic")
    else:
        require_libraries(option, text, "mlflow")
    if scheme == "file":
        _check_local_store(option, text, Path(url2pathname(urlsplit(text).path)), folder=True)
    elif scheme == "sqlite" and text.startswith("sqlite:///"):
        # sqlite:///x.db is relative, sqlite:////abs/x.db absolute (SQLAlchemy's form)
        _check_local_store(option, text, Path(text[len("sqlite:///") :]), folder=False)
    return text


def _check_local_store(option: str, uri: str, store: Path, *, folder: bool) -> None:
    """ConfigError (exit 2) before any training when a local store cannot exist at `store`:
    a file where the store folder (or a folder above it) would be, caught now rather than
    after the run has trained, as is a folder that takes no writes (`check_folder_writable`)."""
    if folder and store.is_file():
        raise ConfigError(
            f"{option} {uri}: {store} is a file, but MLflow's file store is a folder; give a "
            "folder path (it is created if missing) or sqlite:///PATH.db."
        )
    above = store.parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise ConfigError(
            f"{option} {uri}: {above} is a file, not a folder, so the store cannot be made "
            f"below it; choose a path in a folder."
        )
    check_folder_writable(store if folder else store.parent, option)


def require_libraries(option: str, uri: str, *modules: str) -> None:
    """ConfigError (exit 2), before anything runs, naming the install command, unless every
    module is importable (found without importing it: mlflow alone takes ~2 s to import)."""
    missing = [module for module in modules if importlib.util.find_spec(module) is None]
    if missing:
        raise ConfigError(
            f"{option} {uri}: logging to MLflow needs {' and '.join(missing)}, not installed "
            f"here; install with {INSTALL_HINT}."
        )
