"""What every `mlcc` command shares: option types, exit codes, and turning errors into exits.

Every module of `mlcc_cli.commands` imports these, so the commands stay alike.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from mlcc_cli.commands.completion import complete_config_key, complete_run
from mlcc_cli.commands.startup import EXIT_INTERRUPTED, caused_by_interruption
from mlcc_cli.config.limits import out_of_memory_message
from mlcc_cli.errors import MlccError
from mlcc_cli.render.console import render_error, stderr_console
from mlcc_cli.rundir.signals import resend_dropped_interruption

EXIT_TERMINATED = 143  # 128 + SIGTERM


def path_text(value: str | Path) -> Path:
    """A path option's or argument's text as a Path; an empty one is a usage error.

    `Path("")` is the current folder, so `--runs-dir "$OUT"` with OUT unset would write into
    whatever folder the command runs in, and `mlcc doctor ""` would blame `.`.
    """
    if isinstance(value, str) and not value.strip():
        raise typer.BadParameter("is empty (an unset shell variable?); give a file or folder name.")
    return Path(value)


def assignment_text(value: str) -> str:
    """A `--set`/`--grid` value as given; an option in its place is a usage error.

    `--set --json` makes `--json` the value of --set, so the command would neither get
    --json nor say why: refused here, where typer still reports it as JSON.
    """
    if value.startswith("-") and "=" not in value:
        raise typer.BadParameter(
            f"got the option {value!r} where KEY=VALUE belongs; give each --set or --grid its "
            "KEY=VALUE, e.g. --set model.l2=0.001."
        )
    return value


ConfigArg = Annotated[
    Path,
    typer.Argument(
        metavar="CONFIG", help="Experiment YAML file.", show_default=False, parser=path_text
    ),
]
RunArg = Annotated[
    Path,
    typer.Argument(
        metavar="RUN",
        help="Run directory printed by `mlcc train`.",
        show_default=False,
        autocompletion=complete_run,
        parser=path_text,
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a config value by dotted path, e.g. optimizer.learning_rate=0.01 "
        "or features.2.max=4 (repeatable; values parsed as YAML).",
        autocompletion=complete_config_key,
        parser=assignment_text,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")
]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would raise KeyboardInterrupt.

    A subclass, so every place that keeps a partial run on Ctrl-C (the training loop, the
    run writer, sweeps) keeps it on SIGTERM too, with no code of its own.
    """

    signum = signal.SIGTERM  # what `resend_dropped_interruption` sends again


class _Interruption:
    """Which signal stopped the current command (SIGTERM or Ctrl-C)."""

    terminated = False


_INTERRUPTION = _Interruption()


def interrupted_exit_code() -> int:
    """143 (128 + SIGTERM) if SIGTERM stopped the command, else 130 (Ctrl-C)."""
    return EXIT_TERMINATED if _INTERRUPTION.terminated else EXIT_INTERRUPTED


def interruption_word() -> str:
    """How the message names the interruption: `terminated (SIGTERM)` or `interrupted`."""
    return "terminated (SIGTERM)" if _INTERRUPTION.terminated else "interrupted"


def on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM handler: raise `Terminated`, which the command handles as Ctrl-C."""
    _INTERRUPTION.terminated = True
    raise Terminated()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """For the command's duration, SIGTERM behaves as Ctrl-C (then the old handler returns).

    Only the main thread may install handlers; elsewhere (a test runner's thread) SIGTERM
    keeps its default.
    """
    _INTERRUPTION.terminated = False
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, on_sigterm)
    previous_hook, sys.unraisablehook = sys.unraisablehook, resend_dropped_interruption
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = previous_hook


def print_json_error(message: str, exit_code: int) -> None:
    """What `--json` prints when a command fails: one object, {"error": {...}}, on stdout."""
    typer.echo(json.dumps({"error": {"message": message, "exit_code": exit_code}}))


def _fail(message: str, exit_code: int, json_output: bool) -> NoReturn:
    """Say what went wrong on stderr (and as JSON on stdout with --json); exit."""
    render_error(stderr_console(), message)
    if json_output:
        print_json_error(message, exit_code)
    raise typer.Exit(exit_code)


def _exit_interrupted(json_output: bool) -> NoReturn:
    """Say `interrupted` (or `terminated (SIGTERM)`) and exit 130 (143)."""
    stderr_console().print(interruption_word())
    if json_output:
        print_json_error(interruption_word(), interrupted_exit_code())
    raise typer.Exit(interrupted_exit_code()) from None


@contextmanager
def user_errors(json_output: bool = False) -> Iterator[None]:
    """Turn mlcc's own errors into one paragraph on stderr and the right exit code.

    Ctrl-C exits 130 and SIGTERM 143; whatever the command had finished is kept (a run
    trained so far is written by the core, marked interrupted). With `json_output` (the
    command's --json) each failure is also one JSON error object on stdout, a bug included
    (exit 1; its traceback still goes to stderr).
    """
    with _sigterm_as_interrupt():
        try:
            yield
        except MlccError as error:
            _fail(str(error), error.exit_code, json_output)
        except KeyboardInterrupt:
            _exit_interrupted(json_output)
        except MemoryError as error:
            # The config's own sizes are checked before allocating (config/limits.py); this is
            # the data being larger than memory, a runtime failure, not a bug in mlcc.
            _fail(out_of_memory_message(error), 1, json_output)
        except Exception as error:
            if caused_by_interruption(error):  # e.g. pydantic wraps one in a RuntimeError
                _exit_interrupted(json_output)
            # typer's own exits and usage errors pass through (JsonErrorsGroup answers those)
            if json_output and not isinstance(error, typer.Exit | typer.TyperException):
                name = type(error).__name__
                print_json_error(f"internal error, a bug in mlcc ({name}: {error}); see stderr", 1)
            raise


class JsonErrorsGroup(TyperGroup):
    """The `mlcc` command group: with --json, a usage error (a missing argument, an unknown
    option or a bad value, found before the command runs) is also answered on stdout with
    the JSON error object; typer prints the usual message on stderr and exits 2."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        # The root's own options (`mlcc --json`, `mlcc --bogus --json`) fail here, before
        # any command is invoked.
        json_output = _asks_for_json(args)
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as error:
            if json_output:
                _print_usage_error(error)
            raise

    def invoke(self, ctx: typer.Context) -> Any:
        json_output = _asks_for_json(ctx.args)
        try:
            return super().invoke(ctx)
        except typer.TyperException as error:
            if json_output:
                _print_usage_error(error)
            raise


def _asks_for_json(arguments: list[str]) -> bool:
    """--json among the command line's words before a `--` (after it, a value)."""
    return "--json" in (arguments[: arguments.index("--")] if "--" in arguments else arguments)


def _print_usage_error(error: Any) -> None:
    """The JSON error object for typer's usage error, naming the (sub)command it is about."""
    failed = getattr(error, "ctx", None)  # usage errors name their (sub)command
    where = failed.command_path if failed is not None else "mlcc"
    problem = error.format_message().rstrip(".")
    print_json_error(f"{where}: {problem}; see `{where} --help`.", error.exit_code)
