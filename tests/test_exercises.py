"""The crash-course exercises: shipped configs, `mlcc exercise list | show | check`."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.exercise import GoalConfig
from mlcc_cli.config.loading import load_config
from mlcc_cli.workflows.exercise_check import check_goals
from mlcc_cli.workflows.exercises import exercise_names, exercises_folder, load_exercise
from mlcc_cli.workflows.train import RunResult

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted((ROOT / "configs" / "exercises").glob("*.yaml"))
NAMES = [path.stem for path in EXERCISES]
SHARED_MIRROR = Path("/work/shared/datasets")
runner = CliRunner()


def _needs_california(name: str) -> bool:
    return "california_housing" in (ROOT / "configs" / "exercises" / f"{name}.yaml").read_text()


@pytest.fixture(scope="module")
def california(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding datasets/california_housing_*.csv, fetched once from a mirror."""
    mirror = os.environ.get("MLCC_DATASET_MIRROR") or (
        str(SHARED_MIRROR) if SHARED_MIRROR.is_dir() else None
    )
    if not mirror:
        pytest.skip("needs the California CSVs: set MLCC_DATASET_MIRROR (make test does)")
    folder = tmp_path_factory.mktemp("california")
    fetched = runner.invoke(
        app,
        ["datasets", "fetch", "california_housing", "--dest", str(folder / "datasets")],
        env={"MLCC_DATASET_MIRROR": mirror},
    )
    assert fetched.exit_code == 0, fetched.output
    return folder


@pytest.fixture
def workdir(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The current directory for a check: holds datasets/ when the exercise needs it."""
    name = request.node.callspec.params["name"]
    folder = request.getfixturevalue("california") if _needs_california(name) else tmp_path
    monkeypatch.chdir(folder)
    return tmp_path


# ------------------------------------------------------------------ the shipped configs


def test_there_are_exercises_in_course_order() -> None:
    assert len(NAMES) >= 11
    assert exercise_names() == NAMES
    assert exercises_folder() == ROOT / "configs" / "exercises"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_config_validates_with_goals_and_solution(path: Path) -> None:
    loaded = load_config(path)
    info = loaded.config.exercise
    assert info is not None, f"{path.name} has no exercise: section"
    assert info.goals and info.hints and info.solution
    solved = load_config(path, info.solution)  # the solution's overrides are valid too
    assert solved.config != loaded.config


def test_pyproject_packages_the_exercises_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"] == {"configs/exercises": "mlcc_cli/exercises"}


# --------------------------------------------------------------------------- list, show


def test_list_shows_every_exercise_in_order() -> None:
    result = runner.invoke(app, ["exercise", "list"])
    assert result.exit_code == 0, result.output
    positions = [result.stdout.index(name) for name in NAMES]
    assert positions == sorted(positions)
    assert "goal (validation)" in result.stdout and "rmse ≤ 180" in result.stdout
    assert "nonzero_weights ≤ 600" in result.stdout


def test_list_json() -> None:
    result = runner.invoke(app, ["exercise", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["exercises"]
    assert [row["name"] for row in rows] == NAMES
    sparsity = next(row for row in rows if row["name"] == "07_sparsity_and_l1")
    assert sparsity["goals"] == [
        {"metric": "validation.log_loss", "max": 0.35, "min": None},
        {"metric": "validation.nonzero_weights", "max": 600, "min": None},
    ]
    assert {"title", "lesson", "config"} <= set(sparsity)


def test_show_prints_task_goals_hints_and_config_but_not_the_solution() -> None:
    result = runner.invoke(app, ["exercise", "show", "07_sparsity_and_l1"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Find an L1 strength" in out
    assert "validation.nonzero_weights ≤ 600" in out
    assert "hints" in out and "Too little L1" in out
    assert "07_sparsity_and_l1.yaml" in out and "hash_buckets: 1024" in out
    assert "model.l1=0.001" not in out and "solution" not in out
    solved = runner.invoke(app, ["exercise", "show", "07", "--solution"])
    assert solved.exit_code == 0, solved.output
    assert "--set 'model.l1=0.001'" in solved.stdout


@pytest.mark.parametrize("command", ["show", "check"])
def test_unknown_exercise_is_a_usage_error(command: str) -> None:
    result = runner.invoke(app, ["exercise", command, "first_step"])
    assert result.exit_code == 2
    assert "no exercise 'first_step'" in result.stderr
    assert "Did you mean '01_first_steps'?" in result.stderr
    assert "Traceback" not in result.output


# -------------------------------------------------------------------------------- check


@pytest.mark.parametrize("name", NAMES)
def test_solution_passes(name: str, workdir: Path) -> None:
    args = ["exercise", "check", name, "--solution", "--runs-dir", str(workdir / "runs")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout and "FAIL" not in result.stdout


@pytest.mark.parametrize("name", ["07_sparsity_and_l1"])  # the workdir fixture reads it
def test_sparsity_hint_quotes_what_the_cumulative_penalty_keeps(name: str, workdir: Path) -> None:
    runs = ["--runs-dir", str(workdir / "runs"), "--json"]
    counts = []
    for method in ("exact", "cumulative"):
        sets = ["--set", f"model.l1_method={method}"]
        result = runner.invoke(app, ["exercise", "check", name, "--solution", *sets, *runs])
        assert result.exit_code == 0, result.output  # both pass the goals
        run_dir = Path(json.loads(result.stdout)["run_dir"])
        metrics = json.loads((run_dir / "metrics.json").read_text())["validation"]
        counts.append(metrics["nonzero_weights"])
    hint = load_exercise(name).info.hints[-1]
    assert f"keeps {counts[1]} weights instead of {counts[0]}" in hint


@pytest.mark.parametrize(
    "name", ["01_first_steps", "07_sparsity_and_l1", "10_multiclass_linear", "13_embeddings"]
)
def test_starting_config_fails_with_hints(name: str, workdir: Path) -> None:
    result = runner.invoke(app, ["exercise", "check", name, "--runs-dir", str(workdir / "runs")])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.stdout
    assert load_exercise(name).info.hints[0][:30] in result.stdout.replace("\n", " ")


@pytest.mark.parametrize("name", ["10_multiclass_linear"])
def test_own_config_file_is_trained_but_goals_stay_shipped(name: str, workdir: Path) -> None:
    shipped = yaml.safe_load((ROOT / "configs" / "exercises" / f"{name}.yaml").read_text())
    cheat = {**shipped, "exercise": {**shipped["exercise"]}}
    cheat["exercise"]["goals"] = [{"metric": "validation.accuracy", "min": 0.1}]
    (workdir / "cheat.yaml").write_text(yaml.safe_dump(cheat))
    fixed = {**shipped, "features": [{"type": "minmax"}]}
    del fixed["exercise"]  # a learner's copy may drop the section: goals come from mlcc
    (workdir / "fixed.yaml").write_text(yaml.safe_dump(fixed))
    runs = ["--runs-dir", str(workdir / "runs"), "--json"]

    cheated = runner.invoke(app, ["exercise", "check", name, "--config", "cheat.yaml", *runs])
    assert cheated.exit_code == 1, cheated.output
    assert json.loads(cheated.stdout)["goals"][0]["min"] == 0.9

    solved = runner.invoke(app, ["exercise", "check", name, "--config", "fixed.yaml", *runs])
    assert solved.exit_code == 0, solved.output
    run_dir = Path(json.loads(solved.stdout)["run_dir"])
    assert "minmax" in (run_dir / "config.yaml").read_text()


@pytest.mark.parametrize("name", ["11_multiclass_network"])
def test_check_json_shape(name: str, workdir: Path) -> None:
    args = ["exercise", "check", name, "--solution", "--set", "training.epochs=1"]
    result = runner.invoke(app, [*args, "--runs-dir", str(workdir / "runs"), "--json"])
    assert result.exit_code == 1  # one epoch is not enough: the learner's --set comes last
    payload = json.loads(result.stdout)
    assert set(payload) >= {"exercise", "run_dir", "passed", "goals"}
    assert payload["exercise"] == name and payload["passed"] is False
    assert Path(payload["run_dir"]).is_dir()
    (goal,) = payload["goals"]
    assert set(goal) >= {"metric", "max", "min", "value", "passed"}
    assert goal["metric"] == "validation.accuracy" and goal["min"] == 0.95
    assert 0 <= goal["value"] < 0.95 and goal["passed"] is False
    assert "FAIL" in result.stderr  # the human output moved to stderr
    stored = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert payload["doctor"] == stored["findings"]  # the doctor's advice, for scripts too


# ------------------------------------------------------------------------ check_goals


def _result(status: str, metrics: dict) -> RunResult:
    return RunResult(
        run_dir=Path("runs/x"),
        status=status,
        task="regression",
        metrics=metrics,
        history=[],
        warnings=[],
        timings={},
        message="training diverged to NaN at step 3",
    )


@pytest.mark.parametrize(
    ("goal", "metrics", "status", "passed", "reason"),
    [
        ({"max": 100.0}, {"validation": {"rmse": 99.0}}, "complete", True, None),
        ({"max": 100.0}, {"validation": {"rmse": 101.0}}, "complete", False, "above"),
        ({"min": 100.0}, {"validation": {"rmse": 99.0}}, "complete", False, "below"),
        ({"max": 100.0}, {"validation": {"mae": 1.0}}, "complete", False, "no metric"),
        ({"max": 100.0}, {"train": {"rmse": 1.0}}, "complete", False, "no validation split"),
        ({"max": 100.0}, {"validation": {"rmse": float("nan")}}, "complete", False, "finite"),
        ({"max": 100.0}, {"validation": {"rmse": 99.0}}, "diverged", False, "diverged"),
    ],
)
def test_check_goals(
    goal: dict, metrics: dict, status: str, passed: bool, reason: str | None
) -> None:
    (verdict,) = check_goals(
        [GoalConfig(metric="validation.rmse", **goal)], _result(status, metrics)
    )
    assert verdict.passed is passed
    assert (verdict.reason is None) if reason is None else (reason in verdict.reason)


@pytest.mark.parametrize("name", ["10_multiclass_linear"])
def test_a_check_on_another_problem_is_refused(name: str, workdir: Path) -> None:
    """The goals mean something only on the exercise's data and split and, where its solution
    keeps it, its model type: swapping those would pass without solving anything."""
    runs = ["--runs-dir", str(workdir / "runs")]
    quickstart = ROOT / "configs" / "quickstart.yaml"
    other = runner.invoke(app, ["exercise", "check", name, "--config", str(quickstart), *runs])
    assert other.exit_code == 2, other.output
    assert "data.source is 'builtin:breast_cancer'" in other.stderr
    split = ["exercise", "check", name, "--set", "data.split={train: 0.8, validation: 0.2}", *runs]
    assert "data.split is {'train': 0.8, 'validation': 0.2" in runner.invoke(app, split).stderr
    swapped = ["exercise", "check", name, "--set", "model.type=one_vs_all", *runs]
    result = runner.invoke(app, swapped)
    assert result.exit_code == 2 and "model.type is 'one_vs_all'" in result.stderr
    assert not (workdir / "runs").exists()


@pytest.mark.parametrize("name", ["07_sparsity_and_l1"])
def test_the_doctor_keeps_the_sparsity_an_exercise_asks_for(name: str, workdir: Path) -> None:
    """Exercise 07 caps non-zero weights: weakening L1 there would fail the goal it passed."""
    args = ["exercise", "check", name, "--set", "model.l1=0.001", "--json"]
    result = runner.invoke(app, [*args, "--runs-dir", str(workdir / "runs")])
    assert result.exit_code == 0, result.output  # passes its goals
    run_dir = Path(json.loads(result.stdout)["run_dir"])
    findings = json.loads((run_dir / "doctor.json").read_text())["findings"]
    [l1] = [f for f in findings if f["kind"] == "l1_sparsity"]
    assert l1["severity"] == "info" and l1["fix"] == []
    assert "asks for at most 600 non-zero weights" in l1["advice"]
