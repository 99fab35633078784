"""Shell completion, driven through the entry point the way bash, zsh and fish call it.

A shell runs `mlcc` with `_MLCC_COMPLETE=complete_SHELL` and the words typed so far (bash:
COMP_WORDS/COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS), and reads the choices on stdout.
Most tests do that in process (typer's CliRunner); the ones about shells, start-up and the
installed script run real processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import experiment, mlcc, runner
from mlcc_cli.cli import app

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "configs" / "quickstart.yaml"
BIN = Path(sys.executable).parent  # where the `mlcc` console script is installed


def shell_env(words: tuple[str, ...], shell: str = "bash") -> dict[str, str]:
    """The variables a shell's completion script sets; the last word is being typed."""
    line = " ".join(["mlcc", *words])
    if shell == "bash":
        return {
            "_MLCC_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words)),
        }
    return {
        "_MLCC_COMPLETE": f"complete_{shell}",
        "_TYPER_COMPLETE_ARGS": line,
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }


def complete(*words: str | Path) -> list[str]:
    """bash's choices for `mlcc WORDS<TAB>`, in process."""
    result = runner.invoke(app, [], env=shell_env(tuple(map(str, words))), prog_name="mlcc")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def run(command: list[str | Path], **env: str) -> str:
    """stdout of a real process, with `mlcc` on its PATH and `env` added to the environment."""
    path = f"{BIN}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        command,
        env={**os.environ, "PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def complete_in_process(*words: str | Path, shell: str) -> str:
    """What `mlcc` prints for a zsh or fish completion request, in a real process."""
    return run([BIN / "mlcc"], **shell_env(tuple(map(str, words)), shell))


def test_commands_and_options_complete() -> None:
    assert {"train", "evaluate", "doctor", "compare", "sweep", "exercise"} <= set(complete(""))
    assert complete("vali") == ["validate"]
    assert complete("exercise", "") == ["list", "show", "check"]
    assert {"--set", "--json", "--runs-dir"} <= set(complete("train", QUICKSTART, "--"))


def test_set_keys_come_from_the_schema_and_list_items_from_the_config(tmp_path: Path) -> None:
    steps = [{"type": "zscore"}, {"type": "clip", "columns": ["mean radius"], "max": 20}]
    config = experiment(tmp_path, features=steps)
    assert {"optimizer.", "model.", "features.", "seed="} <= set(
        complete("train", config, "--set", "")
    )
    assert complete("train", config, "--set", "features.") == [
        "features.0.",
        "features.1.",
        "features.2=",
    ]
    assert "features.1.max=" in complete("train", config, "--set", "features.1.")
    assert "features.1.max=" in complete("validate", config, "--set", "features.1.m")
    assert "features.1.max=" in complete("inspect", config, "--set", "features.1.m")


def test_a_set_typed_earlier_chooses_the_union_variant() -> None:
    assert "model.hidden_units=" not in complete("train", QUICKSTART, "--set", "model.")
    chosen = complete("train", QUICKSTART, "--set", "model.type=mlp", "--set", "model.hid")
    assert chosen == ["model.hidden_units="]
    assert complete("train", QUICKSTART, "--set", "model.type=lo") == ["model.type=logistic"]


def test_a_config_that_extends_another_completes_the_merged_settings(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {QUICKSTART}\nmodel: {{type: mlp, hidden_units: [8]}}\n")
    assert complete("train", child, "--set", "features.") == ["features.0.", "features.1="]
    assert complete("train", child, "--set", "model.hid") == [
        "model.hidden_units=",  # the list [8] is no shell word, so only the key is offered
    ]


def test_grid_keys_on_sweep_and_lr_find_set_keys() -> None:
    assert complete("sweep", QUICKSTART, "--grid", "optimizer.learning_r") == [
        "optimizer.learning_rate=",
        "optimizer.learning_rate=0.1",
    ]
    assert "training.epochs=" in complete("lr-find", QUICKSTART, "--set", "training.")


def test_exercise_names_and_the_exercise_config_keys() -> None:
    names = complete("exercise", "check", "")
    assert names[0] == "01_first_steps" and len(names) >= 10
    assert complete("exercise", "show", "08") == ["08_intro_to_neural_nets"]
    # check's --set keys are the exercise config's: exercise 08 trains an mlp
    assert complete("exercise", "check", "08", "--set", "model.hid") == ["model.hidden_units="]


@pytest.fixture(scope="module")
def runs_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding runs/ with one real run and a sweep-like folder of two more runs."""
    folder = tmp_path_factory.mktemp("work")
    result = mlcc(
        "train", experiment(folder), "--runs-dir", folder / "runs", "--name", "lr", "--no-plots"
    )
    assert result.exit_code == 0, result.output
    (run,) = (folder / "runs").iterdir()
    for point in ("p1", "p2"):
        shutil.copytree(run, folder / "runs" / "sweep" / point)
    (folder / "notes").mkdir()  # a folder without runs is never offered
    return folder


@pytest.mark.parametrize(
    "command",
    ["evaluate", "doctor", "predict", "neighbors", "compare", "export", "report", "track"],
)
def test_run_folders_complete(
    command: str, runs_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(runs_folder)
    (run,) = [path.name for path in (runs_folder / "runs").iterdir() if path.name != "sweep"]
    # the lone folder of runs opens by itself, so the shell does not end the word at runs/
    assert complete(command, "") == [f"runs/{run}", "runs/sweep/"]
    assert complete(command, "runs/sw") == ["runs/sweep/p1", "runs/sweep/p2"]
    assert complete(command, "runs/lr") == [f"runs/{run}"]
    assert complete(command, str(runs_folder / "runs" / "sweep" / "p")) == [
        str(runs_folder / "runs" / "sweep" / "p1"),
        str(runs_folder / "runs" / "sweep" / "p2"),
    ]


def test_readme_examples_list_what_bash_offers() -> None:
    """The README's `$ mlcc ...<TAB><TAB>` lines are followed by exactly bash's choices."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Shell completion", 1)[1].split("```console\n", 1)[1].split("```")[0]
    examples: list[tuple[list[str], set[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ mlcc "):
            words = line.removeprefix("$ mlcc ").replace("<TAB>", "").split(" ")
            examples.append((words, set()))
        else:
            examples[-1][1].update(line.split())
    assert len(examples) == 3
    for words, listed in examples:
        offered = complete(*words)
        if listed:
            assert set(offered) == listed
        else:  # one TAB: every choice starts with what bash then puts on the line
            assert offered and all(choice.startswith("optimizer.") for choice in offered)


def test_zsh_and_fish_get_the_key_help(tmp_path: Path) -> None:
    zsh = complete_in_process("train", QUICKSTART, "--set", "optimizer.learning_r", shell="zsh")
    assert zsh.startswith("_arguments") and '"optimizer.learning_rate=":"Step size' in zsh
    fish = complete_in_process("train", QUICKSTART, "--set", "optimizer.l", shell="fish")
    assert fish.splitlines()[0] == (
        "optimizer.learning_rate=\tStep size of each update (the schedule's starting value)"
    )


def test_completing_imports_no_numpy_pandas_or_scikit_learn() -> None:
    wrapper = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'numpy', 'pandas', 'sklearn', 'scipy', 'matplotlib'})), file=sys.stderr))\n"
        "from mlcc_cli.cli import main\n"
        "main()\n"
    )
    words = ("train", str(QUICKSTART), "--set", "features.0.")
    done = subprocess.run(
        [sys.executable, "-c", wrapper],
        env={**os.environ, **shell_env(words)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == ["features.0.type=", "features.0.columns="]
    assert json.loads(done.stderr.splitlines()[-1]) == []  # the wrapper's list of heavy modules


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_install_completion_for_bash_and_use_it(tmp_path: Path) -> None:
    """--install-completion writes a script that a real bash sources and completes with."""
    # `; true` keeps bash as mlcc's parent, where typer looks for the current shell
    install = run(["bash", "-c", "mlcc --install-completion; true"], HOME=str(tmp_path))
    script = tmp_path / ".bash_completions" / "mlcc.sh"
    assert "bash completion installed" in install and script.is_file()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()
    session = (
        f"source ~/.bashrc; COMP_WORDS=(mlcc train {QUICKSTART} --set optimizer.learning_r); "
        'COMP_CWORD=4; _mlcc_completion mlcc; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    shown = run(["bash", "-c", session], HOME=str(tmp_path)).splitlines()
    assert shown == ["optimizer.learning_rate=", "optimizer.learning_rate=0.1"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_readme_show_completion_prints_the_script_for_the_shell() -> None:
    shown = run(["bash", "-c", "mlcc --show-completion; true"])
    assert "_MLCC_COMPLETE=complete_bash" in shown
    assert "complete -o default -F _mlcc_completion mlcc" in shown
    # the README's way to print another shell's script
    zsh = run([BIN / "mlcc"], _MLCC_COMPLETE="source_zsh")
    assert zsh.strip().startswith("#compdef mlcc") and "complete_zsh" in zsh
