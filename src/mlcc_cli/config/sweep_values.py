"""Checking a config's `sweep:` values when the config is read, not when the sweep runs.

Each `sweep.grid` value, each `choice` and each range's bounds is applied to the config as
its point would apply it, and validated; the first that does not give a valid config is
named by its line in the file and its `sweep.` key, so `mlcc validate` catches a misspelt
grid key and `mlcc sweep` blames the file, not a `--set` nobody typed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mlcc_cli.config.composition import Origin
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.overrides import apply_override
from mlcc_cli.config.sweep import ChoiceParam, SweepConfig
from mlcc_cli.config.validation_messages import validation_problems
from mlcc_cli.config.yaml_reading import KeyPath
from mlcc_cli.errors import ConfigError


def _swept_values(sweep: SweepConfig) -> Iterator[tuple[KeyPath, str, Any]]:
    """(where in the file, config key, value) for every value a sweep point can set."""
    for key, values in (sweep.grid or {}).items():
        for value in values:
            yield ("sweep", "grid", key), key, value
    if sweep.random is not None:
        for key, param in sweep.random.params.items():
            drawn = param.values if isinstance(param, ChoiceParam) else [param.low, param.high]
            for value in drawn:
                yield ("sweep", "random", "params", key), key, value


def check_sweep_values(
    data: dict[str, Any], sweep: SweepConfig | None, source: Path, origins: dict[KeyPath, Origin]
) -> None:
    """ConfigError naming the first sweep value that would make the config invalid."""
    if sweep is None:
        return
    for key, values in (sweep.grid or {}).items():
        if len({json.dumps(value) for value in values}) < len(values):
            origin = origins.get(("sweep", "grid", key))
            raise ConfigError(
                f"{origin or source}: sweep.grid.{key}: a value is repeated in {values}; list "
                "each once (use --seeds N to repeat points over seeds)"
            )
    for where, key, value in _swept_values(sweep):
        trial = copy.deepcopy(data)
        try:
            apply_override(trial, f"{key}={json.dumps(value)}")  # JSON scalars are YAML
            ExperimentConfig.model_validate(trial)
            continue
        except ConfigError as error:
            problem = str(error.args[0]).removeprefix(f"--set {key}: ")
        except ValidationError as error:
            first = validation_problems(trial, error, source, {}, set())[0]
            problem = first.removeprefix(f"{source}: ")
        origin = origins.get(where)
        raise ConfigError(
            f"{origin or source}: {'.'.join(where)}: the value {json.dumps(value)} would make "
            f"the config invalid ({problem}); fix the key or the value"
        )
