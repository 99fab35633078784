"""With --json, a failing command prints exactly one `{"error": {...}}` object on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_helpers import mlcc

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "configs" / "quickstart.yaml"


def json_error(result: Any) -> dict[str, Any]:
    """The error object, checking stdout holds that one object and nothing else."""
    assert result.stdout.count("\n") == 1, result.stdout  # one line: one object
    payload = json.loads(result.stdout)
    assert list(payload) == ["error"] and set(payload["error"]) == {"message", "exit_code"}
    assert payload["error"]["exit_code"] == result.exit_code
    return payload["error"]


@pytest.fixture
def not_a_run(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    return folder


# Every command with --json, failing the way a user makes it fail: (arguments, exit, phrase).
FAILURES = [
    (["train", "missing.yaml"], 2, "missing.yaml: config file not found"),
    (["validate", QUICKSTART, "--set", "optimizer.nope=1"], 2, "unknown key 'nope'"),
    (["lr-find", QUICKSTART, "--min-lr", "1", "--max-lr", "0.1"], 2, "--max-lr"),
    (["lr-find", QUICKSTART, "--max-lr", "nan"], 2, "--max-lr: nan is not a finite number"),
    (["lr-find", QUICKSTART, "--steps", "100000000"], 2, "more than a range test needs"),
    (["sweep", QUICKSTART, "--grid", "nope=1,2"], 2, "unknown key 'nope'"),
    (["inspect", "missing.csv"], 2, "missing.csv: file not found"),
    (["evaluate", "NOT_A_RUN"], 2, "not a finished mlcc run"),
    (["doctor", "NOT_A_RUN"], 2, "not a finished mlcc run"),
    (["compare", "NOT_A_RUN"], 2, "holds no runs"),
    (["neighbors", "NOT_A_RUN", "word"], 2, "NOT_A_RUN"),
    (["runs", "clean", "NOT_A_RUN", "--older-than", "soon"], 2, "--older-than 'soon'"),
    (["exercise", "check", "nope"], 2, "there is no exercise 'nope'"),
    (["export", "NOT_A_RUN", "--format", "sklearn"], 2, "not a finished mlcc run"),
    # usage errors, found before the command runs
    (["train"], 2, "mlcc train: Missing argument"),
    (["evaluate", "NOT_A_RUN", "--worst", "many"], 2, "Invalid value for '--worst'"),
    (["exercise", "list", "--bogus"], 2, "No such option: --bogus"),
    (["datasets", "--bogus"], 2, "No such option: --bogus"),
    ([], 2, "mlcc: No such option: --json"),  # the root's own options fail before any command
    (["--bogus"], 2, "mlcc: No such option: --bogus"),
    # --json right after --set/--grid would be their value, and the JSON object lost
    (["train", QUICKSTART, "--set"], 2, "got the option '--json' where KEY=VALUE belongs"),
    (["sweep", QUICKSTART, "--grid"], 2, "Invalid value for '--grid': got the option"),
    # an empty path (an unset variable) is not the current folder
    (["doctor", ""], 2, "Invalid value for 'RUN': is empty"),
    (["compare", "NOT_A_RUN", ""], 2, "Invalid value for 'RUN_OR_SWEEP': is empty"),
    (["evaluate", "NOT_A_RUN", "--data", " "], 2, "Invalid value for '--data': is empty"),
]


@pytest.mark.parametrize(
    ("arguments", "exit_code", "phrase"), FAILURES, ids=[" ".join(map(str, f[0])) for f in FAILURES]
)
def test_failing_command_prints_one_json_error(
    arguments: list[Any], exit_code: int, phrase: str, not_a_run: Path
) -> None:
    arguments = [not_a_run if argument == "NOT_A_RUN" else argument for argument in arguments]
    result = mlcc(*arguments, "--json")
    assert result.exit_code == exit_code, result.output
    error = json_error(result)
    assert phrase.replace("NOT_A_RUN", str(not_a_run)) in error["message"]
    assert "Traceback" not in result.output
    assert result.stderr.strip()  # the human paragraph (or typer's usage message) is kept


def test_without_json_stdout_stays_empty(not_a_run: Path) -> None:
    result = mlcc("doctor", not_a_run)
    assert result.exit_code == 2 and result.stdout == ""
    assert "error: run" in result.stderr


def test_a_json_value_after_double_dash_is_an_argument_not_the_option(tmp_path: Path) -> None:
    result = mlcc("train", "--", "--json")  # a config file called --json
    assert result.exit_code == 2 and result.stdout == ""


@pytest.mark.parametrize(
    ("raised", "exit_code", "phrase"),
    [
        (KeyboardInterrupt(), 130, "interrupted"),
        (MemoryError(), 1, "ran out of memory"),
        (RuntimeError("boom"), 1, "internal error, a bug in mlcc (RuntimeError: boom)"),
    ],
)
def test_interruptions_and_bugs_are_json_errors_too(
    raised: BaseException,
    exit_code: int,
    phrase: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mlcc_cli.workflows.doctor

    def stopped(run_dir: Path) -> None:
        raise raised

    monkeypatch.setattr(mlcc_cli.workflows.doctor, "diagnose_run", stopped)
    result = mlcc("doctor", tmp_path, "--json")
    assert result.exit_code == exit_code
    assert (
        phrase in json_error(result)["message"].lower() or phrase in json_error(result)["message"]
    )
    if isinstance(raised, RuntimeError):  # a bug keeps its traceback (for the report)
        assert result.exception is raised


def test_an_empty_runs_dir_writes_nothing_into_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # Path("") is ".": the run would land here
    result = mlcc("train", QUICKSTART, "--runs-dir", "", "--no-plots", "--json")
    assert result.exit_code == 2
    assert "Invalid value for '--runs-dir': is empty" in json_error(result)["message"]
    assert list(tmp_path.iterdir()) == []
