"""Pydantic validation errors as friendly lines: `file:line: dotted.key: what is wrong`.

Pydantic's error locations carry union tags and validator names; these helpers map them back
onto the keys the person wrote, find the line, and word each problem (with a "did you mean"
for misspelt keys).
"""

from __future__ import annotations

import datetime
import difflib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from mlcc_cli.config.booleans import YAML_BOOLEANS, MisplacedBoolean, NotABoolean
from mlcc_cli.config.composition import EXTENDS_KEY, Origin
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.yaml_reading import KeyPath


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


def _walk(data: Any, loc: Sequence[str | int]) -> tuple[KeyPath, type[BaseModel] | None]:
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


def _dotted(path: KeyPath) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def _shown(value: Any, limit: int = 80) -> str:
    """`repr(value)` cut to about `limit` characters, so a huge value cannot flood the message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " ..."


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "date" if isinstance(value, datetime.date) else "number"


def _number_text(text: str) -> float | None:
    """The finite number `text` spells (`1e3`), or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _describe(error: dict[str, Any], model: type[BaseModel] | None, extra_key: str | None) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if isinstance(got, MisplacedBoolean):  # whatever type refused it, say why (booleans.py)
        return f"{got.message} ({YAML_BOOLEANS})"
    if isinstance(got, NotABoolean):
        return got.message
    if kind == "extra_forbidden" and extra_key is not None:
        choices = _field_names(model) if model is not None else []
        if model is ExperimentConfig:  # read (and removed) by composition, before the model
            choices.append(EXTENDS_KEY)
        close = difflib.get_close_matches(extra_key, choices, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        allowed = f"; allowed keys: {', '.join(choices)}" if choices and not close else ""
        return f"unknown key '{extra_key}'{hint}{allowed}"
    if kind == "missing":
        return "is required but missing"
    if kind == "finite_number":
        return (
            f"must be a finite number, got {_shown(got)}; write an ordinary number such as "
            "0.01 or 1e-3 (to leave a limit open, leave the key out)"
        )
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        symbol = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }[kind]
        bound = next(iter(ctx.values()))
        shown = f"{bound:,}" if isinstance(bound, int) else f"{bound:g}"
        return f"must be {symbol} {shown}, got {_shown(got)}"
    if kind == "int_from_float":
        return f"must be a whole number, got {_shown(got)}"
    if kind == "int_parsing" and isinstance(got, str) and _number_text(got) is not None:
        # YAML 1.1 reads 1e3 as text, which a whole-number key cannot parse: say what it meant
        number = _number_text(got)
        exact = number is not None and number.is_integer() and abs(number) < 1e15
        written = f" (write {number:.0f})" if exact else ""
        return f"must be a whole number written in digits, got {_shown(got)}{written}"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        most = "at least" if kind == "too_short" else "at most"
        return f"needs {most} {bound} item{'s' if bound != 1 else ''}, got {_shown(got)}"
    if kind == "string_too_short":
        return f"must not be empty, got {_shown(got)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, got {_shown(got)}"
    if kind == "string_pattern_mismatch":
        # Only run names carry a pattern: say it in words rather than as a regex; "ASCII",
        # since a folder name travels to other systems (é and ß are letters to a reader).
        return (
            "must start with a letter or digit and use only ASCII letters (a-z, A-Z), digits, "
            f"'.', '_' or '-', got {_shown(got)}"
        )
    if kind == "union_tag_invalid":
        return f"unknown type {ctx.get('tag')!r}; must be one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"needs a 'type' key, one of the allowed types (got {_shown(got)})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        # pydantic would name the class ("instance of SplitConfig"), which the user never wrote
        if model is not None:
            keys = f" with keys from: {', '.join(_field_names(model))}"
        elif kind == "model_attributes_type":  # a tagged union: model, optimizer, schedule …
            # a bare word is most likely the type itself: show it in place
            example = f"{{type: {got}}}" if isinstance(got, str) and got.isidentifier() else ""
            keys = " with a 'type' key and that type's settings" + (
                f", e.g. {example}" if example else ""
            )
        else:
            keys = ""
        return f"must be a mapping (key: value){keys}; got {_shown(got)}"
    if kind == "string_type" and isinstance(got, bool | int | float | datetime.date):
        # YAML reads 1.0, yes and 2020-01-01 as a number, a boolean and a date
        shown = str(got) if isinstance(got, datetime.date) else _shown(got)
        return (
            f"must be text, got {shown}, which YAML reads as a {_yaml_kind(got)}; put the "
            'value in quotes to keep it as written (in the file: "..."; with --set: '
            "'KEY=\"...\"')"
        )
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, got {_shown(got)}"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{error['msg'].lower()}, got {_shown(got)}"
    return f"{error['msg']}, got {_shown(got)}" if got is not None else error["msg"]


def validation_problems(
    data: dict[str, Any],
    error: ValidationError,
    source: Path,
    origins: dict[KeyPath, Origin],
    overridden: set[KeyPath],
) -> list[str]:
    """One line per pydantic error: `file:line: dotted.key: what is wrong`, the file being
    the one the key was written in (`origins`; `source` for keys written nowhere)."""
    located = [(item, *_located(data, item)) for item in error.errors(include_url=False)]
    # NaN or infinity in a key taking several kinds (a sweep value): every other kind refuses
    # it too, in words ("must be text") that would only mislead.
    not_finite = {path for item, path, _, _ in located if item["type"] == "finite_number"}
    problems: list[str] = []
    seen: set[str] = set()
    for item, path, model, extra_key in located:
        if path in not_finite and item["type"] != "finite_number":
            continue
        message = _describe(item, model, extra_key)
        line = f"{_where(path, source, origins, overridden)}: {message}"
        if line not in seen:
            seen.add(line)
            problems.append(line)
    return problems


def _located(data: dict[str, Any], item: Any) -> tuple[KeyPath, type[BaseModel] | None, str | None]:
    """Where a pydantic error is in the user's keys: (dotted path, the model there, the
    unknown key for an `extra_forbidden` error)."""
    loc = list(item["loc"])
    if item["type"] == "extra_forbidden":
        extra_key = str(loc[-1])
        path, model = _walk(data, loc[:-1])
        return (*path, extra_key), model, extra_key
    path, model = _walk(data, loc)
    if item["type"].startswith("union_tag"):
        path = (*path, "type")
    return path, model, None


def _where(
    path: KeyPath, source: Path, origins: dict[KeyPath, Origin], overridden: set[KeyPath]
) -> str:
    """Where a problem at `path` comes from, followed by the dotted key.

    A key set by `--set` is blamed on that option, not on a line of the file; a problem that
    involves both (a rule across two keys, or keys left over after `--set ...type=`) names
    the file line and the option.
    """
    # Longest first, so `--set features.1.max` wins over `--set features.1={...}`.
    for override in sorted(overridden, key=lambda key: (-len(key), _dotted(key))):
        if path[: len(override)] == override:
            shown = "" if path == override else f": {_dotted(path)}"
            return f"--set {_dotted(override)}{shown}"
    probe = path
    while probe and probe not in origins:
        probe = probe[:-1]
    origin = origins.get(probe)
    place = str(origin) if origin else str(source)
    for override in sorted(overridden, key=_dotted):
        changed_type = override[-1:] == ("type",) and override[:-1] == path[:-1]
        if path and override[: len(path)] == path and path not in origins:
            # the key exists only because --set wrote it (`--set modl.l2=1`): no file line
            return f"--set {_dotted(override)}: {_dotted(path)}"
        if (path and override[: len(path)] == path) or changed_type:
            return f"{place} with --set {_dotted(override)}: {_dotted(path)}"
    return f"{place}: {_dotted(path)}"
