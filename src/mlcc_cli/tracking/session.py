"""One MLflow client logging run and sweep records; each store failure becomes a TrackingError.

A run becomes one MLflow run in the experiment named after its config's `name`, called like
its folder; a sweep becomes a parent run with one child per point (tag `mlflow.parentRunId`).
Only files are read, so a failure (an unreachable server, an unwritable folder) leaves the
run directory exactly as it was; the MLflow run it had begun is marked FAILED where the
store still answers.
"""

from __future__ import annotations

import http.client
import logging
import os
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mlcc_cli.tracking.names import clip
from mlcc_cli.tracking.records import RunRecord, SweepRecord
from mlcc_cli.tracking.store import TrackingError, scheme_of

# mlcc's run statuses as MLflow's; a pruned trial stopped as planned, so it finished.
MLFLOW_STATUS = {
    "complete": "FINISHED",
    "pruned": "FINISHED",
    "diverged": "FAILED",
    "failed": "FAILED",
    "interrupted": "KILLED",
}
# MLflow 3 refuses its file store (in maintenance) unless this is set; a folder or file: URI
# given to mlcc asks for exactly that store, so it is set while mlcc logs to one.
ALLOW_FILE_STORE = "MLFLOW_ALLOW_FILE_STORE"
SERVER_TIMEOUT_S = 10  # seconds to wait for a tracking server to accept a connection
REASON_LIMIT = 300  # characters of the store's own error kept in mlcc's message


@dataclass
class TrackedRun:
    """Where a run or sweep was logged: its MLflow run id and, for a sweep, each point's."""

    path: Path
    run_id: str
    experiment: str
    experiment_id: str
    children: dict[Path, str] = field(default_factory=dict)  # point's run dir -> run id


@contextmanager
def _quiet(uri: str) -> Iterator[None]:
    """MLflow's and its database's log lines and warnings held back (mlcc reports the outcome
    itself), and its file store allowed for a file: URI; both restored afterwards."""
    previous_disable = logging.root.manager.disable
    previous_allow = os.environ.get(ALLOW_FILE_STORE)
    if scheme_of(uri) == "file":
        os.environ[ALLOW_FILE_STORE] = "true"
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous_disable)
        if previous_allow is None:
            os.environ.pop(ALLOW_FILE_STORE, None)
        else:
            os.environ[ALLOW_FILE_STORE] = previous_allow


def _sqlite_file(uri: str) -> Path | None:
    """The database file of a `sqlite:///rel.db` or `sqlite:////abs.db` URI (None in memory)."""
    if scheme_of(uri) != "sqlite":
        return None
    database = urlsplit(uri).path[1:]
    return Path(database) if database not in ("", ":memory:") else None


def _open_sqlite(uri: str) -> None:
    """Open a sqlite store's file once: MLflow retries a database it cannot open (a folder, no
    permission) for ~100 s before giving up, while sqlite3 says so at once."""
    database = _sqlite_file(uri)
    if database is None:
        return
    database.parent.mkdir(parents=True, exist_ok=True)  # as MLflow does
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("pragma schema_version")


def _reach_server(uri: str) -> None:
    """Connect once to an http(s) tracking server: MLflow retries a server that does not
    answer 7 times with growing back-off (~4 minutes) before giving up, meant for a live server
    that rate-limits, while a refused or unknown host is known in a moment. OSError if so."""
    if scheme_of(uri) not in ("http", "https"):
        return
    parts = urlsplit(uri)
    host = parts.hostname or ""
    port = parts.port or (443 if scheme_of(uri) == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=SERVER_TIMEOUT_S):
            pass
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise OSError(f"no tracking server answers at {host}:{port}: {reason}") from None
    # A socket that accepts but never answers would hold MLflow for its 120 s timeout times 7
    # retries: ask MLflow's health endpoint once; any HTTP answer, even an error, is a server.
    try:
        urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=SERVER_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        pass
    except (OSError, http.client.HTTPException) as error:
        raise OSError(
            f"the tracking server at {host}:{port} accepted the connection but sent no HTTP "
            f"answer within {SERVER_TIMEOUT_S:g} s ({error})"
        ) from None


def _is_store_failure(error: Exception) -> bool:
    """An error of the store or the way to it (MLflow's, the OS's, the database's, a library
    missing for it), rather than a bug; looked up only among modules already loaded."""
    kinds: list[type[BaseException]] = [OSError, ImportError, sqlite3.Error]
    for module, name in (
        ("mlflow.exceptions", "MlflowException"),
        ("sqlalchemy.exc", "SQLAlchemyError"),
    ):
        if module in sys.modules:
            kinds.append(getattr(sys.modules[module], name))
    return isinstance(error, tuple(kinds))


def _reason(error: Exception) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return clip(lines[0].strip(), REASON_LIMIT) if lines else type(error).__name__


class TrackingSession:
    """Logs records to the tracking store at `uri`; `option` (`--track`/`--uri`) names it in
    errors. The client is made, and mlflow imported, when the first record is logged."""

    def __init__(self, uri: str, option: str) -> None:
        self.uri = uri
        self.option = option
        self._client: Any = None
        self._experiments: dict[str, str] = {}

    def log(self, record: RunRecord | SweepRecord) -> TrackedRun:
        """Log one run or sweep; TrackingError (exit 1) naming the URI if the store fails."""
        path = record.sweep_dir if isinstance(record, SweepRecord) else record.run_dir
        try:
            with _quiet(self.uri):
                client = self._open()
                experiment_id = self._experiment(client, record.experiment)
                if isinstance(record, SweepRecord):
                    return self._log_sweep(client, record, experiment_id)
                run_id = self._log_run(client, record, experiment_id)
                return TrackedRun(path, run_id, record.experiment, experiment_id)
        except Exception as error:
            if not _is_store_failure(error):
                raise
            raise TrackingError(self.option, self.uri, path, _reason(error)) from None

    def _open(self) -> Any:
        if self._client is None:
            # deferred: mlflow takes ~2 s to import; only --track and `mlcc track` need it
            from mlflow.tracking import MlflowClient

            _open_sqlite(self.uri)
            _reach_server(self.uri)
            self._client = MlflowClient(tracking_uri=self.uri)
        return self._client

    def _experiment(self, client: Any, name: str) -> str:
        """The id of experiment `name`, created if new; a sqlite store's artifacts then go to
        mlartifacts/ beside its database, not MLflow's ./mlruns of whatever folder mlcc runs
        in (where a file store may already live)."""
        if name not in self._experiments:
            # deferred: mlflow takes ~2 s to import; only --track and `mlcc track` need it
            from mlflow.exceptions import MlflowException

            found = client.get_experiment_by_name(name)
            if found is not None:
                self._experiments[name] = found.experiment_id
                return found.experiment_id
            database = _sqlite_file(self.uri)
            location = (database.resolve().parent / "mlartifacts").as_uri() if database else None
            try:
                self._experiments[name] = client.create_experiment(name, location)
            except MlflowException:  # made meanwhile by a parallel mlcc, else the real failure
                found = client.get_experiment_by_name(name)
                if found is None:
                    raise
                self._experiments[name] = found.experiment_id
        return self._experiments[name]

    def _log_run(
        self, client: Any, record: RunRecord, experiment_id: str, parent_id: str | None = None
    ) -> str:
        """Log one run (a sweep's point under `parent_id`); its MLflow run id."""
        # deferred: mlflow takes ~2 s to import; only --track and `mlcc track` need it
        from mlflow.entities import Metric, Param

        tags = {**record.tags, **({"mlflow.parentRunId": parent_id} if parent_id else {})}
        run = client.create_run(
            experiment_id, start_time=record.started_ms, tags=tags, run_name=record.run_dir.name
        )
        run_id = run.info.run_id
        at = record.finished_ms or int(time.time() * 1000)
        metrics = [Metric(key, value, at, step) for key, step, value in record.history]
        metrics += [Metric(key, value, at, 0) for key, value in record.metrics.items()]
        params = [Param(key, value) for key, value in record.params.items()]

        def log() -> None:
            client.log_batch(run_id, metrics=metrics, params=params)
            client.log_artifacts(run_id, str(record.run_dir))

        _finish(client, run_id, log, MLFLOW_STATUS.get(record.status, "FAILED"), at)
        return run_id

    def _log_sweep(self, client: Any, record: SweepRecord, experiment_id: str) -> TrackedRun:
        """Log the sweep as a parent run spanning its points' times, then each point."""
        # deferred: mlflow takes ~2 s to import; only --track and `mlcc track` need it
        from mlflow.entities import Metric, Param

        starts = [run.started_ms for run in record.runs if run.started_ms is not None]
        ends = [run.finished_ms for run in record.runs if run.finished_ms is not None]
        parent = client.create_run(
            experiment_id,
            start_time=min(starts) if starts else None,
            tags=record.tags,
            run_name=record.sweep_dir.name,
        )
        parent_id = parent.info.run_id
        at = max(ends) if ends else int(time.time() * 1000)
        children: dict[Path, str] = {}

        def log() -> None:
            metrics = [Metric(key, value, at, 0) for key, value in record.metrics.items()]
            params = [Param(key, value) for key, value in record.params.items()]
            client.log_batch(parent_id, metrics=metrics, params=params)
            for path in record.files:
                client.log_artifact(parent_id, str(path))
            for run in record.runs:
                children[run.run_dir] = self._log_run(client, run, experiment_id, parent_id)

        _finish(client, parent_id, log, MLFLOW_STATUS[record.status], at)
        return TrackedRun(record.sweep_dir, parent_id, record.experiment, experiment_id, children)


def _finish(client: Any, run_id: str, log: Callable[[], None], status: str, end_ms: int) -> None:
    """Run `log`, then end the MLflow run with `status`; if `log` fails, end it FAILED where
    the store still answers (else it would show as running forever) and re-raise."""
    try:
        log()
    except Exception:
        with suppress(Exception):  # the store's first error is the one worth reporting
            client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, status, end_time=end_ms)
