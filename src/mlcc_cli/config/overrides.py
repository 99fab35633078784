"""`--set dotted.key=value` overrides: parsing a value and writing it into the loaded YAML."""

from __future__ import annotations

from typing import Any

import yaml

from mlcc_cli.config.composition import EXTENDS_KEY
from mlcc_cli.config.yaml_guards import GuardedLoader
from mlcc_cli.config.yaml_reading import KeyPath
from mlcc_cli.errors import ConfigError


def parse_scalar(text: str, source: str = "--set") -> Any:
    """A `--set` value read as YAML (`0.01`, `true`, `[a, b]`), or the text itself if it is not.

    The same limits as a config file apply (`yaml_guards`), naming `source` in the message.
    """
    if not text.strip():
        return ""
    try:  # the reader refuses control characters as soon as it is made
        loader = GuardedLoader(text, source, with_lines=False)
    except yaml.YAMLError:
        return text
    try:
        node = loader.checked_node()
        return loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        return text
    finally:
        loader.dispose()


def apply_override(data: dict[str, Any], assignment: str) -> KeyPath:
    """Apply one `--set dotted.key=value` to `data` in place; return the path it set.

    Missing mapping keys are created (validation then checks they exist in the schema);
    list items must exist, except that index len(list) appends one (`features.3={...}` adds
    a fourth step), so a fix such as the doctor's "add a zscore step" is one `--set`.
    """
    key, sep, raw_value = assignment.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE, e.g. model.l2=0.001.")
    parts = key.split(".")
    if any(not part for part in parts):
        raise ConfigError(f"--set {assignment!r}: '{key}' has an empty part between dots.")
    if parts[0] == EXTENDS_KEY:
        raise ConfigError(
            f"--set {key}: `{EXTENDS_KEY}:` is read from the config file, and --set applies to "
            f"the merged result; write `{EXTENDS_KEY}:` in the file, or --set the keys you "
            "wanted from the base."
        )
    value = parse_scalar(raw_value, f"--set {key}")
    node: Any = data
    walked: list[str | int] = []
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(node, list):
            if not part.lstrip("-").isdigit():
                raise ConfigError(
                    f"--set {key}: '{'.'.join(map(str, walked))}' is a list; "
                    f"use an item number such as {'.'.join(map(str, walked))}.0, not '{part}'."
                )
            index = int(part)
            if last and index == len(node):  # the next item: append, e.g. one more step
                node.append(value)
                walked.append(index)
                continue
            if not 0 <= index < len(node):
                raise ConfigError(
                    f"--set {key}: '{'.'.join(map(str, walked))}' has {len(node)} "
                    f"item{'' if len(node) == 1 else 's'} "
                    f"(0 to {len(node) - 1}, or {len(node)} to add one at the end); there is "
                    f"no item {index}."
                )
            walked.append(index)
            if last:
                node[index] = value
            else:
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise ConfigError(
                f"--set {key}: '{'.'.join(map(str, walked))}' is a value, not a section, "
                f"so it has no key '{part}'."
            )
        walked.append(part)
        if last:
            node[part] = value
        else:
            if part not in node or node[part] is None:
                # A missing list (features: left out) starts empty, so `features.0=...` adds
                # its first item.
                node[part] = [] if parts[position + 1].isdigit() else {}
            node = node[part]
    return tuple(walked)
