"""Terminal rendering of `mlcc runs clean`: the staging folders removed and those kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from mlcc_cli.rundir.staging import StagingFolder
    from mlcc_cli.workflows.clean_runs import CleanResult


def _owner(folder: StagingFolder) -> str:
    if folder.pid is None:
        return "no owner record"
    if folder.owner_running is None:
        return f"pid {folder.pid} on {folder.host}"
    return f"pid {folder.pid} " + ("running" if folder.owner_running else "gone")


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min old"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h old"
    return f"{seconds / 86400:.1f} days old"


def render_clean(console: Console, result: CleanResult) -> None:
    """One line per staging folder; a summary line last."""
    verb = "would remove" if result.dry_run else "removed"
    for folder in result.removed:
        console.print(f"{verb} {folder.path} ({_owner(folder)}, {_age(folder.age_s)})")
    for folder in result.kept:
        console.print(f"kept {folder.path} ({_owner(folder)}, {_age(folder.age_s)})")
    outcome = "would be removed" if result.dry_run else "removed"
    console.print(
        f"{len(result.removed)} stale staging folder(s) {outcome}, {len(result.kept)} kept, "
        f"in {result.runs_dir}"
    )
