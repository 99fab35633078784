"""The crash course's programming exercises: find, list, load and check them.

Each exercise is an ordinary experiment config (`configs/exercises/NAME.yaml`, packaged in the
wheel as `mlcc_cli/exercises/`) whose `exercise:` section states the task, the goals on the
run's metrics, hints, and the `--set` overrides of a solution. Checking an exercise trains a
real run and compares its metrics with the shipped goals, never with goals from a learner's
own copy of the file, so editing the goals cannot pass an exercise.

numpy and pandas are imported only by `check_exercise`, so listing and showing stay fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from mlcc_cli.config.exercise import ExerciseConfig, GoalConfig
from mlcc_cli.config.loading import LoadedConfig, load_config
from mlcc_cli.errors import ConfigError, did_you_mean

if TYPE_CHECKING:
    from mlcc_cli.workflows.train import RunResult, TrainingObserver

REPO_FOLDER = Path(__file__).resolve().parents[3] / "configs" / "exercises"


def exercises_folder() -> Path:
    """Where the exercise configs live: packaged in the wheel, else the repository's copy."""
    packaged = resources.files("mlcc_cli") / "exercises"
    if packaged.is_dir():
        return Path(str(packaged))
    return REPO_FOLDER


@dataclass(frozen=True)
class Exercise:
    """One shipped exercise: its name (the file's stem), file and validated config."""

    name: str
    loaded: LoadedConfig

    @property
    def path(self) -> Path:
        return self.loaded.path

    @property
    def info(self) -> ExerciseConfig:
        assert self.loaded.config.exercise is not None  # load_exercise checked it
        return self.loaded.config.exercise


def exercise_names(folder: Path | None = None) -> list[str]:
    """The exercise names in course order (their files are numbered)."""
    folder = folder or exercises_folder()
    return sorted(path.stem for path in folder.glob("*.yaml"))


def load_exercise(name: str, folder: Path | None = None) -> Exercise:
    """The exercise called `name` (or the only one whose name starts with it, e.g. `07`).

    Raises `ConfigError` (exit 2) for an unknown or ambiguous name, naming the exercises.
    """
    folder = folder or exercises_folder()
    names = exercise_names(folder)
    wanted = name.removesuffix(".yaml")
    matches = [wanted] if wanted in names else [n for n in names if n.startswith(wanted)]
    if len(matches) != 1:
        if matches:
            problem = f"exercise {name!r} is ambiguous: {len(matches)} names begin with it."
        else:
            problem = f"there is no exercise {name!r}.{did_you_mean(wanted, names)}"
        listed = ", ".join(matches or names) or f"none found in {folder}"
        raise ConfigError(f"{problem} Exercises: {listed} (`mlcc exercise list`).")
    found = matches[0]
    loaded = load_config(folder / f"{found}.yaml")
    if loaded.config.exercise is None:
        raise ConfigError(f"{loaded.path}: has no `exercise:` section, so it is no exercise.")
    return Exercise(name=found, loaded=loaded)


def list_exercises(folder: Path | None = None) -> list[Exercise]:
    """Every shipped exercise, in course order."""
    folder = folder or exercises_folder()
    return [load_exercise(name, folder) for name in exercise_names(folder)]


def describe_goal(goal: GoalConfig) -> str:
    """A goal in words: `validation.rmse ≤ 180`, `validation.accuracy ≥ 0.9`."""
    if goal.min is not None and goal.max is not None:
        return f"{goal.min:g} ≤ {goal.metric} ≤ {goal.max:g}"
    if goal.max is not None:
        return f"{goal.metric} ≤ {goal.max:g}"
    return f"{goal.metric} ≥ {goal.min:g}"


def experiment_text(path: Path) -> str:
    """The exercise file without its `exercise:` section (which holds the solution)."""
    kept: list[str] = []
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        top_level = bool(line) and not line[0].isspace() and not line.startswith("#")
        if top_level:
            inside = line.startswith("exercise:")
        if not inside:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


# ------------------------------------------------------------------------ checking


@dataclass(frozen=True)
class GoalResult:
    """One goal measured on a run: the value found and whether it passed (and if not, why)."""

    goal: GoalConfig
    value: float | None
    passed: bool
    reason: str | None = None  # why it failed; None when it passed


@dataclass
class ExerciseCheck:
    """The outcome of `check_exercise`: the run, each goal's verdict, and the overall one."""

    exercise: Exercise
    result: RunResult
    goals: list[GoalResult]

    @property
    def passed(self) -> bool:
        return self.result.status == "complete" and all(goal.passed for goal in self.goals)


def check_goals(goals: Sequence[GoalConfig], result: RunResult) -> list[GoalResult]:
    """Compare each goal with `result.metrics[split][metric]`.

    A goal fails when the run did not complete (diverged or interrupted), when the run has
    no such split or metric, when the value is not a finite number, or when it is outside
    the goal's bounds.
    """
    verdicts: list[GoalResult] = []
    for goal in goals:
        split, metric = goal.metric.split(".", 1)
        scores = result.metrics.get(split)
        raw = None if scores is None else scores.get(metric)
        try:
            value = None if raw is None else float(raw)
        except (TypeError, ValueError):
            value = None
        reason: str | None = None
        if result.status != "complete":
            reason = f"the run {result.status}; only a complete run can pass"
        elif scores is None:
            reason = f"the run has no {split} split scores (is data.split.{split} 0?)"
        elif raw is None:
            have = ", ".join(sorted(scores)) or "none"
            reason = f"the run has no metric {goal.metric} (its {split} metrics: {have})"
        elif value is None or not math.isfinite(value):
            reason = f"{goal.metric} is {raw!r}, not a finite number"
        elif goal.max is not None and value > goal.max:
            reason = f"{value:.4g} is above the goal's maximum {goal.max:g}"
        elif goal.min is not None and value < goal.min:
            reason = f"{value:.4g} is below the goal's minimum {goal.min:g}"
        verdicts.append(GoalResult(goal=goal, value=value, passed=reason is None, reason=reason))
    return verdicts


def check_exercise(
    name: str,
    *,
    overrides: Sequence[str] = (),
    config_file: Path | None = None,
    solution: bool = False,
    runs_dir: Path = Path("runs"),
    observer: TrainingObserver | None = None,
    folder: Path | None = None,
) -> ExerciseCheck:
    """Train the exercise (or the learner's `config_file`) and check the shipped goals.

    Parameters
    ----------
    overrides : the learner's `--set KEY=VALUE` changes, applied last.
    config_file : the learner's edited copy of the exercise config; its own `exercise:`
        section is ignored: the goals always come from the shipped exercise.
    solution : apply the shipped solution's overrides first (before `overrides`).
    runs_dir : folder that receives the run directory.
    """
    exercise = load_exercise(name, folder)
    assignments = [*(exercise.info.solution if solution else ()), *overrides]
    loaded = load_config(config_file or exercise.path, assignments)
    from mlcc_cli.workflows.train import run_experiment

    goals = exercise.info.goals
    evaluate_test = any(goal.metric.startswith("test.") for goal in goals)
    result = run_experiment(
        loaded, runs_dir=runs_dir, evaluate_test=evaluate_test, observer=observer
    )
    return ExerciseCheck(exercise=exercise, result=result, goals=check_goals(goals, result))
