"""Read an experiment file: YAML with line numbers, `extends:`, `--set` overrides, friendly
validation errors.

Every problem becomes a `ConfigError` whose lines start with `file:line: dotted.key:` so a
person can jump straight to it. The steps live in `yaml_reading`, `composition` (merging the
files a config extends), `overrides` and `validation_messages`; this module puts them together
and checks run names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mlcc_cli.config.composition import Origin, read_composed
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.limits import check_config_memory
from mlcc_cli.config.overrides import apply_override
from mlcc_cli.config.sweep_values import check_sweep_values
from mlcc_cli.config.validation_messages import validation_problems
from mlcc_cli.config.yaml_reading import KeyPath
from mlcc_cli.errors import ConfigError


@dataclass(frozen=True)
class LoadedConfig:
    """A validated experiment plus where it came from (for resolving relative data paths)."""

    config: ExperimentConfig
    path: Path
    overrides: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    files: tuple[Path, ...] = ()  # the files merged through `extends:`, the config last
    data_folder: Path | None = None  # the folder of the base file that wrote data.source

    @property
    def folder(self) -> Path:
        """Where a relative data.source is looked for first: next to the file that wrote it."""
        return self.data_folder or self.path.parent


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> LoadedConfig:
    """Read, merge (`extends:`), override and validate an experiment file, or raise a
    `ConfigError` listing problems."""
    source = Path(path)
    composed = read_composed(source)
    written = _data_source(composed.data)  # read before --set edits the data in place
    config = override_and_validate(composed.data, overrides, source, composed.origins)
    origin = composed.origins.get(("data", "source"))
    inherited = origin is not None and origin.file != source and config.data.source == written
    return LoadedConfig(
        config=config,
        path=source.resolve(),
        overrides=tuple(overrides),
        files=composed.files,
        # A relative data.source inherited from a base file means what it meant there.
        data_folder=origin.file.resolve().parent if origin and inherited else None,
    )


def _data_source(data: dict[str, Any]) -> Any:
    section = data.get("data")
    return section.get("source") if isinstance(section, dict) else None


def override_and_validate(
    data: dict[str, Any],
    overrides: Sequence[str],
    source: Path,
    origins: dict[KeyPath, Origin] | None = None,
) -> ExperimentConfig:
    """Apply `--set` overrides to the parsed config `data` (in place) and validate it; a
    `ConfigError` lists every problem as `file:line: dotted.key: ...` (`origins`: the file
    and line of each key, when `data` came from files; `source` names the config)."""
    overridden = {apply_override(data, assignment) for assignment in overrides}
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(data, error, source, origins or {}, overridden)
        count = len(problems)
        raise ConfigError(
            f"{source}: {count} problem{'s' if count > 1 else ''} in the config "
            "(`mlcc schema` lists every key):",
            problems,
        ) from None
    check_sweep_values(data, config.sweep, source, origins or {})
    # Sizes the config fixes (hash buckets, layer widths) are checked before anything is
    # allocated, so a typo is an error naming the key rather than a killed process.
    check_config_memory(config)
    return config


def resolved_yaml(config: ExperimentConfig) -> str:
    """The fully resolved config (defaults filled) as YAML, in declaration order."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_run_name(name: str | None) -> None:
    """Reject a `--name` that could not be a folder-name prefix."""
    if name is not None and not RUN_NAME.match(name):
        raise ConfigError(
            f"--name {name!r}: use ASCII letters (a-z, A-Z), digits, '.', '_' or '-' (starting "
            "with a letter or digit), e.g. --name lr-0.01."
        )
