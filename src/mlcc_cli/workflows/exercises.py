"""The crash course's programming exercises: find, list, load and check them.

Each exercise is an ordinary experiment config (`configs/exercises/NAME.yaml`, packaged in the
wheel as `mlcc_cli/exercises/`) whose `exercise:` section states the task, the goals on the
run's metrics, hints, and the `--set` overrides of a solution. Checking an exercise trains a
real run and compares its metrics with the shipped goals, never with goals from a learner's
own copy of the file, so editing the goals cannot pass an exercise.

Checking lives in `exercise_check.py`, so listing and showing never import numpy or pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mlcc_cli.config.exercise import ExerciseConfig, GoalConfig
from mlcc_cli.config.loading import LoadedConfig, load_config
from mlcc_cli.errors import ConfigError, did_you_mean

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
