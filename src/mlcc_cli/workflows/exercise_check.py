"""`mlcc exercise check`: train an exercise and hold its metrics against the shipped goals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlcc_cli.config.exercise import GoalConfig
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import load_config
from mlcc_cli.errors import ConfigError
from mlcc_cli.training.plan import TrainingObserver
from mlcc_cli.workflows.exercises import Exercise, load_exercise
from mlcc_cli.workflows.train import RunResult, run_experiment


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
    check_same_problem(exercise, loaded.config, str(config_file) if config_file else "--set")
    goals = exercise.info.goals
    evaluate_test = any(goal.metric.startswith("test.") for goal in goals)
    result = run_experiment(
        loaded, runs_dir=runs_dir, evaluate_test=evaluate_test, observer=observer
    )
    return ExerciseCheck(exercise=exercise, result=result, goals=check_goals(goals, result))


# What poses the exercise's problem: its goals are only met fairly on the same data, label
# (and its units: RMSE is in thousands of dollars) and split.
PROBLEM_KEYS = ("label", "labels", "label_above", "label_scale", "synthetic", "split")


def check_same_problem(exercise: Exercise, config: ExperimentConfig, where: str) -> None:
    """ConfigError when the learner's config changes what the exercise asks about: its data
    (`PROBLEM_KEYS`, the source by builtin name or file name) or, unless the exercise's
    solution changes it, its model type."""
    shipped = exercise.loaded.config
    mine, theirs = config.data.source, shipped.data.source
    changed = [("data.source", mine, theirs)] if Path(mine).name != Path(theirs).name else []
    for key in PROBLEM_KEYS:
        mine, theirs = getattr(config.data, key), getattr(shipped.data, key)
        if mine != theirs:
            changed.append((f"data.{key}", mine, theirs))
    solved_keys = {assignment.partition("=")[0].strip() for assignment in exercise.info.solution}
    if not solved_keys & {"model", "model.type"} and config.model.type != shipped.model.type:
        changed.append(("model.type", config.model.type, shipped.model.type))
    if changed:
        key, mine, theirs = changed[0]
        raise ConfigError(
            f"{where}: {key} is {_shown(mine)}, but exercise {exercise.name} asks its question "
            f"with {_shown(theirs)}; its goals are only met on the exercise's own problem, so "
            f"keep {key} as shipped (`mlcc exercise show {exercise.name}`)"
        )


def _shown(value: object) -> str:
    return repr(value.model_dump(mode="json") if hasattr(value, "model_dump") else value)
