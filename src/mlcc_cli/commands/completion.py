"""Shell completion of what mlcc's arguments name: config keys, run folders and exercises.

Typer calls these while the shell waits on a TAB, so they import no numpy or pandas, and a
file that cannot be read only means fewer choices (never an error on the command line).
Each returns (text, help) pairs; typer keeps those starting with what was typed, and zsh and
fish show the help beside each.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from mlcc_cli.config.composition import read_composed
from mlcc_cli.config.keys import keys_below
from mlcc_cli.config.overrides import apply_override
from mlcc_cli.config.yaml_reading import read_yaml
from mlcc_cli.errors import ConfigError

Choices = list[tuple[str, str]]
CONFIG_SUFFIXES = (".yaml", ".yml")


def _config_file(ctx: typer.Context) -> Path | None:
    """The experiment file named earlier on the command line (an exercise's, for `check`)."""
    # While an option's value is completed, click leaves the positional arguments before it
    # unassigned, in ctx.args.
    named = [ctx.params.get(name) for name in ("config", "target")]  # check --config; inspect
    for value in [*named, *ctx.args]:
        if value is not None and str(value).endswith(CONFIG_SUFFIXES):
            return Path(value)
    exercise = ctx.params.get("name") or next(iter(ctx.args), None)
    if ctx.parent is not None and ctx.parent.info_name == "exercise" and exercise:
        # deferred: the exercise files are looked up only when an exercise is completed
        from mlcc_cli.workflows.exercises import load_exercise

        try:
            return load_exercise(str(exercise)).path
        except ConfigError:
            return None
    return None


def _config_data(ctx: typer.Context) -> dict[str, Any] | None:
    """That file's settings (merged over the files it extends) with the `--set` overrides
    typed before this one applied."""
    path = _config_file(ctx)
    if path is None:
        return None
    try:
        data = read_composed(path).data
    except ConfigError:
        return None
    for assignment in ctx.params.get("set_") or []:
        try:
            apply_override(data, assignment)
        except ConfigError:
            continue  # a half-typed override changes nothing
    return data


def complete_config_key(ctx: typer.Context, incomplete: str) -> Choices:
    """`--set`/`--grid` keys: dotted paths of the schema, list items from the config file."""
    return [(choice.text, choice.help) for choice in keys_below(incomplete, _config_data(ctx))]


def _run_status(folder: Path) -> str | None:
    """A run directory's status (`complete`, `diverged`, ...), or None if it is no run."""
    status_file = folder / "status.json"
    if not status_file.is_file():
        return None
    try:
        status = json.loads(status_file.read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError, AttributeError):
        return "run"
    return f"run, {status}" if isinstance(status, str) else "run"


def _subfolders(folder: Path) -> Iterator[Path]:
    """Visible subfolders, by name (hidden ones are staging folders and tool caches)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(".") and entry.is_dir():
            yield Path(entry.path)


def _holds_runs(folder: Path) -> bool:
    """Whether runs sit in `folder` or one level further down (a runs folder of sweeps)."""
    return any(
        _run_status(child) is not None or any(_run_status(grand) for grand in _subfolders(child))
        for child in _subfolders(folder)
    )


def complete_run(incomplete: str) -> Choices:
    """Run directories (folders with a status.json) in the folder being typed, and the
    folders on the way to them (`runs/`, a sweep folder)."""
    head, stem = os.path.split(incomplete)
    choices: Choices = []
    for folder in _subfolders(Path(head or ".")):
        if not folder.name.startswith(stem):
            continue
        text = os.path.join(head, folder.name)
        status = _run_status(folder)
        if status is not None:
            choices.append((text, status))
        elif _holds_runs(folder):
            choices.append((text + os.sep, "folder of runs"))
    if len(choices) == 1 and choices[0][0].endswith(os.sep):
        # One folder on the way: show its runs, so the shell does not end the word there.
        return complete_run(choices[0][0]) or choices
    return choices


def complete_exercise(incomplete: str) -> Choices:
    """The shipped exercises' names, each with its title."""
    # deferred: the exercise files are read only when an exercise name is completed
    from mlcc_cli.workflows.exercises import exercise_names, exercises_folder

    folder = exercises_folder()
    choices: Choices = []
    for name in exercise_names(folder):
        if not name.startswith(incomplete):
            continue
        try:
            data, _ = read_yaml(folder / f"{name}.yaml")
            title = str((data.get("exercise") or {}).get("title", ""))
        except (ConfigError, AttributeError):
            title = ""
        choices.append((name, title))
    return choices
