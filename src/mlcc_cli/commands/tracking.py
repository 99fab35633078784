"""`mlcc track` and the `--track URI` of `train`, `sweep` and `exercise check`: MLflow logging.

A run is logged only once it is safely written, so a tracking failure never costs it: the
command reports the failure in one paragraph (with the `mlcc track` command that logs it
later) and exits 1. mlflow is imported only when something is logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from mlcc_cli.commands.common import JsonOption, path_text, user_errors
from mlcc_cli.commands.completion import complete_run
from mlcc_cli.errors import MlccError
from mlcc_cli.render.console import render_error, stderr_console, terminal

STORES = "a folder (MLflow's file store), file:///PATH, sqlite:///PATH.db or http(s)://HOST:PORT"
TrackOption = Annotated[
    str | None,
    typer.Option(
        "--track",
        metavar="URI",
        help=f"Also log the run to this MLflow tracking store: {STORES} "
        "(pip install 'mlcc-cli[mlflow]').",
        show_default=False,
    ),
]


@dataclass
class Tracking:
    """What `--track` did with a run or sweep just written: where it was logged, or why not."""

    uri: str
    tracked: Any = None  # tracking.session.TrackedRun once logged
    error: str | None = None  # the failure, one paragraph

    def to_json(self) -> dict[str, Any]:
        """`--json`'s `mlflow` object: uri, experiment_id, run_id (+ `runs`: a sweep's points),
        or uri and error."""
        if self.tracked is None:
            return {"uri": self.uri, "error": self.error}
        return {"uri": self.uri, **tracked_json(self.tracked)}


def tracked_json(tracked: Any) -> dict[str, Any]:
    """A TrackedRun's ids: experiment_id, run_id and, for a sweep, `runs`: run dir -> run id."""
    children = {str(path): run_id for path, run_id in tracked.children.items()}
    return {
        "experiment_id": tracked.experiment_id,
        "run_id": tracked.run_id,
        **({"runs": children} if children else {}),
    }


def check_track(track: str | None) -> str | None:
    """`--track`'s URI, checked before any training (ConfigError, exit 2); None without it."""
    if track is None:
        return None
    # deferred: the tracking package is only needed with --track
    from mlcc_cli.tracking.store import tracking_uri

    return tracking_uri(track, "--track")


def track_written(path: Path, uri: str | None) -> Tracking | None:
    """Log the run or sweep just written at `path` to `uri` (None: not tracking); a failure
    is kept in the result, not raised, since the run itself is safe."""
    if uri is None:
        return None
    # deferred: mlflow (~2 s to import) loads only when a run is logged
    from mlcc_cli.tracking.records import read_target
    from mlcc_cli.tracking.session import TrackingSession

    try:
        tracked = TrackingSession(uri, "--track").log(read_target(path))
    except MlccError as error:
        return Tracking(uri, error=str(error))
    return Tracking(uri, tracked=tracked)


def report_tracking(console: Any, tracking: Tracking | None) -> None:
    """One line where the run went (on `console`), or the failure paragraph on stderr."""
    if tracking is None:
        return
    if tracking.error is not None:
        render_error(stderr_console(), tracking.error)
        return
    # deferred: render loads with the command that prints
    from mlcc_cli.render.tracking import render_tracked

    render_tracked(console, tracking.tracked, tracking.uri)


def exit_if_untracked(tracking: Tracking | None) -> None:
    """Exit 1 when `--track` failed (after everything else was printed)."""
    if tracking is not None and tracking.error is not None:
        raise typer.Exit(1)


def track(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="RUN_OR_SWEEP",
            help="Run directories (from `mlcc train`) and sweep folders (from `mlcc sweep`).",
            show_default=False,
            autocompletion=complete_run,
            parser=path_text,
        ),
    ],
    uri: Annotated[
        str,
        typer.Option("--uri", metavar="URI", help=f"The MLflow tracking store: {STORES}."),
    ],
    json_output: JsonOption = False,
) -> None:
    """Log runs and sweeps written earlier to an MLflow tracking store.

    Each run becomes an MLflow run in the experiment named after its config's `name`: the
    resolved config as params, every history row as step metrics, the final metrics per
    split, the doctor's findings as tags and the run's files as artifacts. A sweep becomes a
    parent run with its points as children. Run directories are only read. Exit 2 if a path
    is no run or sweep (nothing is logged), 1 if the store fails.
    """
    with user_errors(json_output):
        # deferred: mlflow (~2 s to import) loads only when a run is logged
        from mlcc_cli.render.tracking import render_tracked
        from mlcc_cli.tracking.records import read_targets
        from mlcc_cli.tracking.session import TrackingSession
        from mlcc_cli.tracking.store import tracking_uri

        resolved = tracking_uri(uri, "--uri")
        records = read_targets(paths)  # all checked before any is logged
        session = TrackingSession(resolved, "--uri")
        logged = []
        for record in records:
            logged.append(session.log(record))
            if not json_output:
                render_tracked(terminal(), logged[-1], resolved)
        if json_output:
            runs = [{"path": str(tracked.path), **tracked_json(tracked)} for tracked in logged]
            typer.echo(json.dumps({"uri": resolved, "runs": runs}))
