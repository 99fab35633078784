"""Read an experiment file's YAML, keeping the line of every key and list item.

`read_yaml` returns the data and a `KeyPath` -> line map, so every problem found later (a bad
`--set`, a validation error) can point at `file:line:`. `yaml_guards` bounds what it reads.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import yaml

from mlcc_cli.config.yaml_guards import MAX_CONFIG_BYTES, GuardedLoader
from mlcc_cli.errors import ConfigError

KeyPath = tuple[str | int, ...]


def _positions(node: yaml.Node, at: KeyPath, out: dict[KeyPath, int]) -> None:
    """Record the 1-based line of every key and list item below `node`."""
    out.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            out[(*at, key)] = key_node.start_mark.line + 1
            _positions(value_node, (*at, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*at, index)] = item.start_mark.line + 1
            _positions(item, (*at, index), out)


def read_yaml(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML file; return the data and the line of every key path."""
    try:
        with path.open("rb") as file:
            # Read at most one byte past the limit, so /dev/zero or a huge file cannot hang us.
            raw = file.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{path}: the config file is larger than {MAX_CONFIG_BYTES // 1_000_000} MB; "
                "an experiment file is a few KB, so check the path (data belongs in a CSV "
                "named by data.source)."
            )
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; check the path.") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file.") from None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex()
        raise ConfigError(
            f"{path}:{line}: cannot be read as text (byte 0x{byte} is not UTF-8; the file was "
            "probably saved as Latin-1 or Windows-1252); save it as UTF-8 (e.g. iconv -f "
            f"cp1252 -t utf-8 {path.name} > utf8.yaml)."
        ) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ConfigError(
                f"{path}: is a symbolic link loop (following its links leads back to itself); "
                "point it at the real config file, or pass that file."
            ) from None
        reason = error.strerror or str(error)
        raise ConfigError(f"{path}: cannot read the config file ({reason}).") from None
    try:
        # One parse: the node tree gives line numbers, constructing it gives the data; the
        # guarded loader refuses alias bombs and duplicate keys before anything expands.
        loader = GuardedLoader(text, str(path))
        try:
            node = loader.checked_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        fix = "Check indentation, colons and quotes on that line."
        if "'\\t'" in problem:  # PyYAML's words for a tab where indentation is read
            fix = "YAML indents with spaces only: replace the tab on that line with spaces."
        raise ConfigError(f"{where}: YAML syntax error: {problem}{context}. {fix}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: YAML error: {error}") from None
    positions: dict[KeyPath, int] = {}
    if node is not None:
        _positions(node, (), positions)
    if data is None:
        raise ConfigError(
            f"{path}: the config file is empty; it needs at least data, model and optimizer."
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}:1: the config must be a mapping of keys (data:, model:, ...), "
            f"got a {type(data).__name__}."
        )
    return data, positions
