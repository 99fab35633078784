"""Where `--track` and `mlcc track` logged a run or sweep: one line each."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from mlcc_cli.tracking.session import TrackedRun


def render_tracked(console: Console, tracked: TrackedRun, uri: str) -> None:
    """`logged RUN to MLflow: run ID in experiment NAME at URI` (+ a sweep's child count)."""
    children = f", its {len(tracked.children)} points as child runs" if tracked.children else ""
    console.print(
        f"logged {escape(str(tracked.path))} to MLflow: run {tracked.run_id} in experiment "
        f"{escape(tracked.experiment)!r}{children} at {escape(uri)}",
        soft_wrap=True,  # paths and ids stay whole, for copying
    )
