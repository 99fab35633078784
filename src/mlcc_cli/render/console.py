"""The terminal every command prints to, and the lines every command may print: errors, warnings."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from mlcc_cli.render.prose import hanging

# Narrower than this (COLUMNS=1, or 0) nothing lays out: tables and hanging indents need room.
MIN_WIDTH = 40


def terminal(stderr: bool = False, quiet: bool = False) -> Console:
    """A console on stdout (or stderr), without rich's guesswork colouring of numbers, at
    least MIN_WIDTH columns wide."""
    console = Console(stderr=stderr, quiet=quiet, highlight=False)
    if console.width < MIN_WIDTH:
        console = Console(stderr=stderr, quiet=quiet, highlight=False, width=MIN_WIDTH)
    return console


def stderr_console() -> Console:
    """Human output that must not mix with --json on stdout."""
    return terminal(stderr=True)


def render_warnings(console: Console, warnings: Sequence[str]) -> None:
    """Recoverable data oddities, one paragraph each, wrapped under its own text."""
    for warning in warnings:
        console.print(hanging(Text("warning: ", style="yellow"), Text(warning)))


def render_error(console: Console, message: str) -> None:
    """One short paragraph: what was wrong, where, and how to fix it."""
    # soft_wrap: the terminal wraps long lines itself, so copied messages stay whole.
    console.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
