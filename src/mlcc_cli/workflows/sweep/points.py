"""Sweep points from the config's `sweep:` section and `--grid`: grid product × random trials.

The YAML grid and the command-line grid are merged (a `--grid` key replaces the YAML key of
the same name, in place; new keys follow), their cartesian product is taken, and each grid
combination is paired with every random trial (a `--grid` key also overrides a random
key of the same name; identical points run once). Random values are drawn from a numpy
Generator seeded from the experiment `seed` and a fixed spawn key, so the same config always
yields the same points. Values travel as YAML text that reads back exactly (`--set` parses
them the same way); folder names show random floats to 4 significant digits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import yaml

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.sweep import ChoiceParam, LogUniformParam, RandomSweepConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.workflows.sweep.result import SweepPoint

# Spawn key for the sweep's random draws: keeps them independent of every other stream that
# derives from the same seed (shuffle, split, initialisation).
RANDOM_SWEEP_SPAWN_KEY = 0x5EE9

# Most points one sweep may run: each is a whole training run, so more is never a plan.
MAX_SWEEP_POINTS = 10_000


def parse_grid(specs: Sequence[str]) -> list[tuple[str, list[str]]]:
    """`["a.b=1,2", "c=x"]` -> `[("a.b", ["1", "2"]), ("c", ["x"])]`, in the given order."""
    if not specs:
        raise ConfigError("--grid: give at least one KEY=V1,V2,... e.g. --grid model.l2=0,0.01.")
    grid: list[tuple[str, list[str]]] = []
    for spec in specs:
        key, sep, raw = spec.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(
                f"--grid {spec!r}: expected KEY=V1,V2,... e.g. optimizer.learning_rate=0.01,0.1."
            )
        values = _grid_values(key, raw)
        if not values or any(value == "" for value in values):
            raise ConfigError(f"--grid {key}: the value list is empty or has an empty item.")
        if len(set(values)) != len(values):
            raise ConfigError(f"--grid {key}: a value is repeated in {raw!r}.")
        if key in (existing for existing, _ in grid):
            raise ConfigError(f"--grid {key}: the key is given twice; list all values in one.")
        if key == "seed":
            raise ConfigError("--grid seed: use --seeds N to repeat each point over seeds.")
        grid.append((key, values))
    return grid


def _grid_values(key: str, raw: str) -> list[str]:
    """The values of `--grid KEY=RAW` as `--set` text: split at commas, or, when a value is
    a list or mapping (`[4, 8],[16]`), read as one YAML flow sequence so its own commas stay."""
    if not raw.strip():
        return []
    if not any(bracket in raw for bracket in "[{"):
        return [value.strip() for value in raw.split(",")]
    try:
        parsed = yaml.safe_load(f"[{raw}]")
    except yaml.YAMLError:
        raise ConfigError(
            f"--grid {key}: cannot read {raw!r} as values separated by commas (each list in "
            "[...] and each mapping in {...} balanced), e.g. model.hidden_units=[4, 8],[16]."
        ) from None
    return ["" if value is None else yaml_scalar(value) for value in parsed]


def expand(grid: list[tuple[str, list[str]]], seeds: list[int] | None) -> list[SweepPoint]:
    """The cartesian product of the grid (first key varies slowest), repeated per seed."""
    keys = [key for key, _ in grid]
    points = []
    for combination in itertools.product(*(values for _, values in grid)):
        params = dict(zip(keys, combination, strict=True))
        for seed in seeds or [None]:
            points.append(SweepPoint(params, seed))
    return points


def yaml_scalar(value: Any) -> str:
    """`value` as YAML text that `--set` reads back to the identical value (floats exact)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf)
    return text.removesuffix("\n...\n").strip()


def folder_label(value: Any) -> str:
    """A value as a folder name shows it: floats to 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else yaml_scalar(value)


def merged_grid(config: ExperimentConfig, grid_specs: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The YAML `sweep.grid` with `--grid` keys replacing or appended, checked like `--grid`."""
    cli = parse_grid(grid_specs) if grid_specs else []
    yaml_grid = (config.sweep.grid if config.sweep else None) or {}
    grid = {key: [yaml_scalar(v) for v in values] for key, values in yaml_grid.items()}
    # (a repeated value is refused when the config is read: config/sweep_values.py)
    if "seed" in grid:
        raise ConfigError("sweep.grid.seed: use --seeds N to repeat each point over seeds.")
    grid.update(cli)
    return list(grid.items())


def draw_trials(random: RandomSweepConfig, seed: int) -> list[dict[str, Any]]:
    """`random.trials` dicts of key -> value, reproducible from `seed`.

    uniform: low + (high - low)·u; log_uniform: exp(uniform(log low, log high)); choice: one
    of the values, each with probability 1/len(values). Keys are drawn in declaration order.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(RANDOM_SWEEP_SPAWN_KEY,)))
    trials = []
    for _ in range(random.trials):
        values: dict[str, Any] = {}
        for key, param in random.params.items():
            if isinstance(param, ChoiceParam):
                values[key] = param.values[int(rng.integers(len(param.values)))]
            elif isinstance(param, LogUniformParam):
                values[key] = float(np.exp(rng.uniform(np.log(param.low), np.log(param.high))))
                # exp(log high) can round up past high; keep the draw inside the bounds.
                values[key] = min(max(values[key], param.low), np.nextafter(param.high, 0.0))
            else:
                values[key] = float(rng.uniform(param.low, param.high))
        trials.append(values)
    return trials


def check_random_keys(config: ExperimentConfig, random: RandomSweepConfig) -> None:
    """ConfigError for a `sweep.random.params` key that is `seed` or also in `sweep.grid`."""
    for key in random.params:
        if key == "seed":
            raise ConfigError(
                "sweep.random.params.seed: use --seeds N to repeat each point over seeds."
            )
        if config.sweep is not None and key in (config.sweep.grid or {}):
            raise ConfigError(
                f"sweep.random.params.{key}: the key is also in sweep.grid; sweep it one way."
            )


def _refuse_too_many_points(
    grid: list[tuple[str, list[str]]], random: RandomSweepConfig | None, seeds: list[int] | None
) -> None:
    """ConfigError when grid product × random trials × seeds exceeds MAX_SWEEP_POINTS.

    Counted by multiplying list lengths, before anything is expanded: a 10^7-point grid
    would otherwise build gigabytes of points before the first run starts.
    """
    sizes = [(f"{key} ({len(values)} values)", len(values)) for key, values in grid]
    if random is not None:
        sizes.append((f"sweep.random.trials ({random.trials})", random.trials))
    if seeds:
        sizes.append((f"--seeds ({len(seeds)})", len(seeds)))
    count = math.prod(size for _, size in sizes)
    if count > MAX_SWEEP_POINTS:
        factors = " × ".join(name for name, _ in sizes)
        raise ConfigError(
            f"sweep: {factors} make {count:,} points, more than the {MAX_SWEEP_POINTS:,} a "
            "sweep may run; drop values from the largest list, or use sweep.random with "
            "fewer trials to sample the space."
        )


def plan_points(
    config: ExperimentConfig, grid_specs: Sequence[str], seeds: list[int] | None
) -> list[SweepPoint]:
    """Every point of the sweep: merged grid product × random trials, then × seeds."""
    random = config.sweep.random if config.sweep else None
    grid = merged_grid(config, grid_specs)
    if not grid and random is None:
        parse_grid([])  # raises the usual "give at least one --grid" message
    _refuse_too_many_points(grid, random, seeds)
    trials: list[dict[str, Any]] = [{}]
    if random is not None:
        check_random_keys(config, random)
        # A --grid key overrides a random key of the same name, as it does a YAML grid key.
        grid_keys = {key for key, _ in grid}
        trials = [
            {k: v for k, v in trial.items() if k not in grid_keys}
            for trial in draw_trials(random, config.seed)
        ]
    points = []
    for base in expand(grid, None):
        for trial in trials:
            params = {**base.params, **{k: yaml_scalar(v) for k, v in trial.items()}}
            label = {**base.params, **{k: folder_label(v) for k, v in trial.items()}}
            for seed in seeds or [None]:
                points.append(SweepPoint(params, seed, label if trial else None))
    # Identical draws (likely when every random key is a choice) run once: a repeat would
    # share the folder and add nothing that --seeds does not.
    unique: dict[tuple[tuple[tuple[str, str], ...], int | None], SweepPoint] = {}
    for point in points:
        unique.setdefault((tuple(point.params.items()), point.seed), point)
    points = list(unique.values())
    # Rounded labels must still give one folder per point; if two collide, exact values do.
    if len({p.name for p in points}) != len(points):
        points = [SweepPoint(p.params, p.seed) for p in points]
    return points
