"""Read an experiment file: YAML with line numbers, `--set` overrides, friendly validation errors.

Every problem becomes a `ConfigError` whose lines start with `file:line: dotted.key:` so a
person can jump straight to it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.errors import ConfigError

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedConfig:
    """A validated experiment plus where it came from (for resolving relative data paths)."""

    config: ExperimentConfig
    path: Path
    overrides: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def folder(self) -> Path:
        return self.path.parent


# ------------------------------------------------------------------------- YAML


def _positions(node: yaml.Node, at: Path_, out: dict[Path_, int]) -> None:
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


def read_yaml(path: Path) -> tuple[Any, dict[Path_, int]]:
    """Parse a YAML file; return the data and the line of every key path."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; check the path.") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the config file ({error}).") from None
    try:
        # One parse: the node tree gives line numbers, constructing it gives the data.
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context else ""
        raise ConfigError(
            f"{where}: YAML syntax error: {problem}{context}. Check indentation, colons and "
            "quotes on that line."
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: YAML error: {error}") from None
    positions: dict[Path_, int] = {}
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


# ------------------------------------------------------------------------ --set


def _parse_scalar(text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


def apply_override(data: dict[str, Any], assignment: str) -> Path_:
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
    value = _parse_scalar(raw_value)
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
                    f"--set {key}: '{'.'.join(map(str, walked))}' has {len(node)} items "
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


# ------------------------------------------------------------------ validation


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_in(annotation: Any, value: Any) -> type[BaseModel] | None:
    """The pydantic model `annotation` uses for `value` (picking a union member by its tag)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for candidate in get_args(annotation):
        found = _model_in(candidate, value)
        if found is None:
            continue
        tag_field = found.model_fields.get("type")
        if tag_field is None:
            return found
        if isinstance(value, dict) and value.get("type") in get_args(tag_field.annotation):
            return found
    return None


def _item_annotation(annotation: Any) -> Any:
    """The element type of a (possibly optional) list annotation."""
    for candidate in (annotation, *get_args(annotation)):
        if getattr(candidate, "__origin__", None) is list:
            return get_args(candidate)[0]
    return None


def _value_annotation(annotation: Any) -> Any:
    """The value type of a (possibly optional) mapping annotation, e.g. `sweep.grid`."""
    for candidate in (annotation, *get_args(annotation)):
        if getattr(candidate, "__origin__", None) is dict:
            return get_args(candidate)[1]
    return None


def _walk(data: Any, loc: Sequence[str | int]) -> tuple[Path_, type[BaseModel] | None]:
    """Map a pydantic error location onto the user's keys and the model found there.

    Pydantic inserts union tags (`model.logistic.l2`) and function names into `loc`; keeping
    only the parts that exist in the user's data (or are fields of the model reached so far)
    gives the dotted path they wrote.
    """
    path: list[str | int] = []
    node: Any = data
    annotation: Any = ExperimentConfig
    for part in loc:
        model = _model_in(annotation, node)
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            annotation = _item_annotation(annotation)
            node = node[part]
            path.append(part)
        elif (
            isinstance(node, dict)
            and part in node
            and (value_annotation := _value_annotation(annotation)) is not None
        ):
            # A user-named key of a mapping field (`sweep.grid.model.l2`).
            annotation = value_annotation
            node = node[part]
            path.append(part)
        elif isinstance(part, str) and model is not None and part in model.model_fields:
            annotation = model.model_fields[part].annotation
            node = node.get(part) if isinstance(node, dict) else None
            path.append(part)
    return tuple(path), _model_in(annotation, node)


def _dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def _describe(error: dict[str, Any], model: type[BaseModel] | None, extra_key: str | None) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "extra_forbidden" and extra_key is not None:
        choices = _field_names(model) if model is not None else []
        close = difflib.get_close_matches(extra_key, choices, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        allowed = f"; allowed keys: {', '.join(choices)}" if choices and not close else ""
        return f"unknown key '{extra_key}'{hint}{allowed}"
    if kind == "missing":
        return "is required but missing"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        symbol = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind]
        bound = next(iter(ctx.values()))
        return f"must be {symbol} {bound:g}, got {got!r}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, got {got!r}"
    if kind == "string_pattern_mismatch":
        # Only run names carry a pattern: say it in words rather than as a regex.
        return (
            "must start with a letter or digit and use only letters, digits, '.', '_' or '-', "
            f"got {got!r}"
        )
    if kind == "union_tag_invalid":
        return f"unknown type {ctx.get('tag')!r}; must be one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"needs a 'type' key, one of the allowed types (got {got!r})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{error['msg'].lower()}, got {got!r}"
    return f"{error['msg']}, got {got!r}" if got is not None else error["msg"]


def validation_problems(
    data: dict[str, Any],
    error: ValidationError,
    source: Path,
    positions: dict[Path_, int],
    overridden: set[Path_],
) -> list[str]:
    """One line per pydantic error: `file:line: dotted.key: what is wrong`."""
    problems: list[str] = []
    seen: set[str] = set()
    for item in error.errors(include_url=False):
        loc = list(item["loc"])
        extra_key = None
        if item["type"] == "extra_forbidden":
            extra_key = str(loc[-1])
            path, model = _walk(data, loc[:-1])
            path = (*path, extra_key)
        else:
            path, model = _walk(data, loc)
            if item["type"].startswith("union_tag"):
                path = (*path, "type")
        message = _describe(item, model, extra_key)
        where = _where(path, source, positions, overridden)
        line = f"{where}{_dotted(path)}: {message}"
        if line not in seen:
            seen.add(line)
            problems.append(line)
    return problems


def _where(path: Path_, source: Path, positions: dict[Path_, int], overridden: set[Path_]) -> str:
    if any(path[: len(o)] == o for o in overridden):
        return "--set: "
    probe = path
    while probe and probe not in positions:
        probe = probe[:-1]
    line = positions.get(probe)
    return f"{source}:{line}: " if line else f"{source}: "


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> LoadedConfig:
    """Read, override and validate an experiment file, or raise a `ConfigError` listing problems."""
    source = Path(path)
    data, positions = read_yaml(source)
    overridden: set[Path_] = set()
    for assignment in overrides:
        overridden.add(apply_override(data, assignment))
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(data, error, source, positions, overridden)
        count = len(problems)
        raise ConfigError(
            f"{source}: {count} problem{'s' if count > 1 else ''} in the config "
            "(`mlcc schema` lists every key):",
            problems,
        ) from None
    return LoadedConfig(config=config, path=source.resolve(), overrides=tuple(overrides))


def resolved_yaml(config: ExperimentConfig) -> str:
    """The fully resolved config (defaults filled) as YAML, in declaration order."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_run_name(name: str | None) -> None:
    """Reject a `--name` that could not be a folder-name prefix."""
    if name is not None and not RUN_NAME.match(name):
        raise ConfigError(
            f"--name {name!r}: use letters, digits, '.', '_' or '-' (starting with a letter "
            "or digit), e.g. --name lr-0.01."
        )
