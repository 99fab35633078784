"""The console script builds only the command a process runs (`cli.app_for`), and a user
sees the same commands, help and errors as from the whole app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlcc_cli.cli import app, app_for

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "configs" / "quickstart.yaml"


def _names(typer_app: object) -> list[str]:
    commands = [
        info.name or info.callback.__name__.replace("_", "-")
        for info in typer_app.registered_commands  # type: ignore[attr-defined]
    ]
    groups = [info.name for info in typer_app.registered_groups]  # type: ignore[attr-defined]
    return commands + groups


def _mlcc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlcc_cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate", "x.yaml"], ["validate"]),
        (["lr-find", "x.yaml"], ["lr-find"]),
        (["datasets"], ["datasets"]),
        (["runs", "clean"], ["runs"]),
    ],
)
def test_a_named_command_is_built_alone(argv: list[str], expected: list[str]) -> None:
    pruned = app_for(argv)
    assert _names(pruned) == expected
    assert pruned.registered_callback is app.registered_callback  # --version stays
    assert len(_names(app)) > 10  # the module's app itself is untouched


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["valdate"]])
def test_anything_else_gets_the_whole_app(argv: list[str]) -> None:
    assert app_for(argv) is app


def test_completion_always_gets_the_whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_MLCC_COMPLETE", "bash_complete")
    assert app_for(["validate"]) is app


def test_console_script_runs_commands_and_keeps_help_and_typos() -> None:
    done = _mlcc("validate", QUICKSTART)
    assert done.returncode == 0 and "valid" in done.stdout
    listing = _mlcc("--help")
    assert listing.returncode == 0
    for name in ("train", "validate", "datasets", "exercise", "lr-find", "report"):
        assert name in listing.stdout
    typo = _mlcc("valdate", QUICKSTART)
    assert typo.returncode == 2 and "Did you mean 'validate'" in typo.stderr
    bad_option = _mlcc("validate", QUICKSTART, "--no-such-option")
    assert bad_option.returncode == 2 and "No such option" in bad_option.stderr
    group = _mlcc("datasets")
    assert group.returncode == 0 and "breast_cancer" in group.stdout


@pytest.mark.parametrize(("preset", "expected"), [(None, "22"), ("10", "10")])
def test_console_script_frees_idle_blas_threads_before_numpy_loads(
    preset: str | None, expected: str
) -> None:
    code = (
        "import os, sys\n"
        "import mlcc_cli.cli as cli\n"
        "assert 'numpy' not in sys.modules  # else OpenBLAS would have read its settings\n"
        f"sys.argv = ['mlcc', 'validate', {str(QUICKSTART)!r}]\n"
        "import atexit\n"  # main() ends the process: read the setting on the way out
        "atexit.register(lambda: print(os.environ['OPENBLAS_THREAD_TIMEOUT']))\n"
        "cli.main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    if preset is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = preset  # a user's own setting wins
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == expected
