"""`extends:`: a config merged over the files it names, each value remembering its file and line.

`read_composed(path)` reads `path` and, when its top level has `extends: base.yaml` (or a list
of files, merged in order), reads those first, recursively, and merges the file over them:

- mappings merge key by key; lists, numbers and strings replace (a child's `features:` is
  the whole feature list);
- a mapping whose `type:` differs from the base's replaces it whole, since the base's other
  keys belong to another variant (`optimizer: {type: adam}` over an `sgd` optimizer drops the
  sgd settings instead of leaving keys adam does not have);
- a path is relative to the folder of the file that names it; `~` and absolute paths work.

Every file passes the same guards as a lone config (`yaml_guards`). Each merged key and list
item keeps the `Origin` (file, line) it was written at, so a validation error in a value
inherited from base.yaml names base.yaml's line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from mlcc_cli.config.yaml_reading import KeyPath, read_yaml
from mlcc_cli.errors import ConfigError

MAX_EXTENDS_DEPTH = 10
"""Most files in one chain (a extends b extends c ...); a config needs two or three."""

MAX_EXTENDS_FILES = 32
"""Most files read for one config, counting a file reached twice, so lists of lists of bases
cannot multiply into thousands of reads."""

EXTENDS_KEY = "extends"


class Origin(NamedTuple):
    """Where a value was written: the file (as shown in messages) and its 1-based line."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class ComposedYaml:
    """A config's data after merging every file it extends."""

    data: dict[str, Any]
    origins: dict[KeyPath, Origin]  # the file and line of every key and list item
    files: tuple[Path, ...]  # every file read, in merge order: bases first, the config last


class _Absent:
    """Marks a key the upper file does not have (None is a value a file may give)."""


_ABSENT = _Absent()


def read_composed(path: Path) -> ComposedYaml:
    """Read the config at `path` merged over the files its `extends:` names (see module doc)."""
    return _Composer().read(path, ())


class _Composer:
    def __init__(self) -> None:
        self.files_read = 0

    def read(self, path: Path, chain: tuple[tuple[Path, Path], ...]) -> ComposedYaml:
        """`path` merged over its bases; `chain` holds (resolved, shown) of the files that
        extend it, outermost first, for cycle and depth checks."""
        self.files_read += 1
        data, lines = read_yaml(path)
        origins = {key: Origin(path, line) for key, line in lines.items()}
        if EXTENDS_KEY not in data:
            return ComposedYaml(data, origins, (path,))
        bases = _base_paths(data.pop(EXTENDS_KEY), path, lines)
        origins = {key: origin for key, origin in origins.items() if key[:1] != (EXTENDS_KEY,)}
        chain = (*chain, (path.resolve(), path))
        merged = ComposedYaml({}, {(): Origin(path, 1)}, ())
        for base, line in bases:
            self._check_base(base, Origin(path, line), chain)
            merged = _layered(merged, self.read(base, chain))
        return _layered(merged, ComposedYaml(data, origins, (path,)))

    def _check_base(
        self, base: Path, named_at: Origin, chain: tuple[tuple[Path, Path], ...]
    ) -> None:
        """ConfigError unless `base` is a file that keeps the chain finite and short."""
        resolved = base.resolve()
        shown = " → ".join(str(file) for _, file in chain)
        if any(resolved == earlier for earlier, _ in chain):
            raise ConfigError(
                f"{named_at}: extends: the files extend one another in a cycle: {shown} → "
                f"{base}; remove the `extends:` that leads back."
            )
        if len(chain) >= MAX_EXTENDS_DEPTH:
            raise ConfigError(
                f"{named_at}: extends: a chain of more than {MAX_EXTENDS_DEPTH} files "
                f"({shown} → {base} ...); a config needs two or three levels, so merge some "
                "of these files into one."
            )
        if self.files_read >= MAX_EXTENDS_FILES:
            raise ConfigError(
                f"{named_at}: extends: more than {MAX_EXTENDS_FILES} files to read for one "
                "config; merge some of the extended files into one."
            )
        if resolved.is_dir():
            raise ConfigError(f"{named_at}: extends: {base} is a folder; name a .yaml file in it.")
        if not resolved.exists():
            raise ConfigError(
                f"{named_at}: extends: {base} not found (looked for {resolved}); the path is "
                f"relative to the folder of {named_at.file.name}."
            )


def _base_paths(value: Any, path: Path, lines: dict[KeyPath, int]) -> list[tuple[Path, int]]:
    """The files `extends:` names in `path`, each with the line it is on."""
    items = value if isinstance(value, list) else [value]
    found = []
    for index, item in enumerate(items):
        key = (EXTENDS_KEY, index) if isinstance(value, list) else (EXTENDS_KEY,)
        line = lines.get(key, lines.get((EXTENDS_KEY,), 1))
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(
                f"{path}:{line}: extends: must be the path of another config file, or a list "
                f"of them (merged in order), got {item!r}; e.g. extends: base.yaml."
            )
        named = Path(item).expanduser()
        if not named.is_absolute():
            named = Path(os.path.normpath(path.parent / named))
        found.append((named, line))
    return found


def _merged(lower: Any, upper: Any) -> Any:
    """`upper` over `lower`: mappings of the same `type` merge key by key, anything else is
    replaced. New dicts are built, so a mapping shared through a YAML alias is never edited."""
    if not (isinstance(lower, dict) and isinstance(upper, dict)):
        return upper
    if "type" in lower and "type" in upper and lower["type"] != upper["type"]:
        return upper
    out = dict(lower)
    for key, value in upper.items():
        out[key] = _merged(lower[key], value) if key in lower else value
    return out


def _layered(lower: ComposedYaml, upper: ComposedYaml) -> ComposedYaml:
    """`upper` merged over `lower`, each key's origin taken from the side its value came from."""
    data = _merged(lower.data, upper.data)
    origins: dict[KeyPath, Origin] = {}
    _trace(data, upper.data, (), upper.origins, lower.origins, origins)
    return ComposedYaml(data, origins, (*lower.files, *upper.files))


def _trace(
    value: Any,
    upper: Any,
    at: KeyPath,
    upper_origins: dict[KeyPath, Origin],
    lower_origins: dict[KeyPath, Origin],
    out: dict[KeyPath, Origin],
) -> None:
    """Record in `out` the origin of `value` (the merged value at `at`) and everything below.

    `upper` is the upper file's value at `at`, or _ABSENT: where the upper file has a value,
    the merged one is its own (replaced) or a merge of its mapping, so it owns the key.
    """
    origin = (lower_origins if upper is _ABSENT else upper_origins).get(at)
    if origin is not None:
        out[at] = origin
    if isinstance(value, dict):
        for key, item in value.items():
            below = upper.get(key, _ABSENT) if isinstance(upper, dict) else _ABSENT
            _trace(item, below, (*at, key), upper_origins, lower_origins, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            below = upper[index] if isinstance(upper, list) else _ABSENT
            _trace(item, below, (*at, index), upper_origins, lower_origins, out)
