"""Where sweep points run besides this machine: `mlcc sweep --executor dask --scheduler URL`.

Each grid point becomes one task on an existing Dask distributed cluster; the task is the same
`sweep.point.run_point` the local executor calls, so a point's run directory, status and metrics are
identical. Results are gathered in submission order, so the rows match a serial sweep.

Shared storage: every worker writes its run directory straight into RUNS_DIR/SWEEP_NAME/, and the
client then reads them back and writes sweep.csv there. RUNS_DIR (and the config file and its
data) must therefore be at the same path on the client and on every worker, e.g. an NFS mount,
and the workers need mlcc installed in the same version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mlcc_cli.config.loading import load_config
from mlcc_cli.errors import ConfigError
from mlcc_cli.workflows.sweep.point import run_point
from mlcc_cli.workflows.sweep.result import SweepPoint, SweepRow

EXECUTORS = ("local", "dask")
CONNECT_TIMEOUT_S = 10.0  # how long to wait for --scheduler before giving up (exit 2)
# The distribution is named mlcc-cli (pyproject), so that is what pip needs.
INSTALL_HINT = "pip install 'mlcc-cli[cluster]'"


def check_executor(executor: str, scheduler: str | None, jobs: int) -> None:
    """Reject a bad --executor/--scheduler combination before anything runs (ConfigError)."""
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}.")
    if executor == "local":
        if scheduler is not None:
            raise ConfigError("--scheduler: only used with --executor dask.")
        return
    if not scheduler:
        raise ConfigError(
            "--executor dask: give the cluster's scheduler, e.g. --scheduler tcp://HOST:8786."
        )
    if jobs != 1:
        raise ConfigError("--jobs: not used with --executor dask (the cluster's workers decide).")
    _import_client()


def _import_client() -> Any:
    try:
        from distributed import Client  # deferred: the optional [cluster] extra
    except ImportError:
        raise ConfigError(
            f"--executor dask: needs Dask distributed, which is not installed ({INSTALL_HINT})."
        ) from None
    return Client


def _connect(scheduler: str) -> Any:
    Client = _import_client()
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(
            f"--scheduler {scheduler}: cannot reach the Dask scheduler within "
            f"{CONNECT_TIMEOUT_S:g} s ({reason}). Is the cluster running and the address "
            "right (tcp://HOST:PORT)?"
        ) from None


def run_tasks_on_dask(
    scheduler: str,
    function: Callable[..., SweepRow],
    arguments: Sequence[tuple[Any, ...]],
    failed_row: Callable[[int, str], SweepRow],
    interrupted_row: Callable[[int], SweepRow],
) -> list[SweepRow]:
    """`function(*args)` as one task per entry of `arguments` on the cluster at `scheduler`;
    its rows in submission order.

    A task that raises (a worker died, mlcc missing on a worker...) becomes
    `failed_row(index, message)`, as a failing local point does; the other tasks go on.
    Ctrl-C cancels the tasks not yet gathered, each then `interrupted_row(index)`.
    """
    client = _connect(scheduler)
    try:
        futures = [client.submit(function, *args, pure=False) for args in arguments]
        rows: list[SweepRow] = []
        try:
            for index, future in enumerate(futures):
                try:
                    rows.append(future.result())
                except Exception as error:
                    message = f"dask task failed: {type(error).__name__}: {error}"
                    rows.append(failed_row(index, message))
        except KeyboardInterrupt:
            client.cancel(futures)
            rows.extend(interrupted_row(index) for index in range(len(rows), len(futures)))
        return rows
    finally:
        client.close()


def run_on_dask(
    config_path: Path,
    points: list[SweepPoint],
    sweep_dir: Path,
    skip_existing: bool,
    scheduler: str,
    plots: bool = True,
) -> list[SweepRow]:
    """One task per point on the cluster at `scheduler`; rows in submission order.

    A task that raises (a worker died, mlcc missing on a worker...) becomes a `failed` row, as
    a failing local point does; the other points go on.
    """

    # Workers may have another working directory: hand them absolute paths.
    config_path = Path(config_path).resolve()
    sweep_dir = Path(sweep_dir).resolve()

    def failed(index: int, message: str) -> SweepRow:
        seed = load_config(config_path, points[index].overrides).config.seed
        return SweepRow(points[index], seed, "failed", None, message=message)

    def interrupted(index: int) -> SweepRow:
        return SweepRow(points[index], -1, "interrupted", None, message="interrupted")

    arguments = [(config_path, point, sweep_dir, skip_existing, plots) for point in points]
    return run_tasks_on_dask(scheduler, run_point, arguments, failed, interrupted)
