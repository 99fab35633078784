"""The dotted keys that `--set` and `--grid` accept, read from the config models for completion.

`keys_below("optimizer.", data)` lists what may come next: each field of the section, as
`optimizer.learning_rate=` (a value, to be typed after the `=`) or `data.split.` (a section,
to go on into); the items that the config file `data` has (`features.0.`, `features.1.`) and
the next one, which `--set` appends (`features.2=`). A tagged union offers the fields of the
variant the config chose with `type:` (or its default), or of every variant when none is
chosen. Only the models' declared fields are read, never a JSON Schema (which would build every
validator), so a completion costs little more than importing this package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mlcc_cli.config.annotations import union_members
from mlcc_cli.config.experiment import ExperimentConfig

HELP_CHARACTERS = 80  # shells show the help beside each key, on one line
SHELL_WORD = re.compile(r"[\w.:/@+-]+")  # needs no quoting on a command line


@dataclass(frozen=True)
class KeyChoice:
    """One completion: the text to put on the command line, and what it means."""

    text: str
    help: str


@dataclass(frozen=True)
class _Node:
    """Where a dotted path has got to: what the schema allows there and what the file has.

    `kind` is `section` (a mapping of fields: one of `models`), `list` or `mapping` (items or
    named entries that are `models`; a mapping only when the file has entries), or `value`
    (anything else: a number, a list of numbers).
    """

    kind: Literal["section", "list", "mapping", "value"]
    models: tuple[type[BaseModel], ...] = ()
    data: Any = None  # the config file's value here; None when the file leaves it out
    field: FieldInfo | None = None  # the field this node is, for its default (variant)
    choices: tuple[str, ...] = ()  # a value's allowed words: a Literal's, true/false, tags


def _models(annotation: Any) -> tuple[type[BaseModel], ...]:
    return tuple(
        member
        for member in union_members(annotation)
        if isinstance(member, type) and issubclass(member, BaseModel)
    )


def _node(field: FieldInfo, data: Any) -> _Node:
    """What a field holds: a section, a list or mapping of sections, or a plain value."""
    models = _models(field.annotation)
    if models:
        return _Node("section", models, data, field)
    for member in union_members(field.annotation):
        if get_origin(member) is list and (items := _models(get_args(member)[0])):
            return _Node("list", items, data, field)
        entries = _models(get_args(member)[1]) if get_origin(member) is dict else ()
        if entries and isinstance(data, dict) and data:
            # Entries the file names are gone into; an empty mapping is set whole (`={a: 8}`).
            return _Node("mapping", entries, data, field)
    return _Node("value", data=data, field=field, choices=_words(field.annotation))


def _words(annotation: Any) -> tuple[str, ...]:
    """The values a field allows, when it names them: a Literal's words, or true and false."""
    members = union_members(annotation)
    words = [
        str(value).lower() if isinstance(value, bool) else str(value)
        for member in members
        if get_origin(member) is Literal
        for value in get_args(member)
    ]
    if bool in members:
        words += ["true", "false"]
    return tuple(dict.fromkeys(words))


def _tag(model: type[BaseModel]) -> str | None:
    """A union variant's `type:` tag (`Literal["adam"]` gives `adam`)."""
    field = model.model_fields.get("type")
    if field is None or get_origin(field.annotation) is not Literal:
        return None
    return str(get_args(field.annotation)[0])


def _variants(node: _Node) -> tuple[type[BaseModel], ...]:
    """The models a section may be: the variant its `type:` names, else all of them."""
    if len(node.models) == 1:
        return node.models
    if isinstance(node.data, dict):
        tag = node.data.get("type")
    elif node.field is not None and not node.field.is_required():
        # Left out of the file: the default's variant (a factory builds no validator here).
        tag = getattr(node.field.get_default(call_default_factory=True), "type", None)
    else:
        tag = None
    chosen = tuple(model for model in node.models if _tag(model) == tag)
    return chosen or node.models


def _short(description: str | None) -> str:
    """A description's first sentence, cut to one line of help."""
    text = " ".join((description or "").split())
    sentence = text.split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= HELP_CHARACTERS else sentence[: HELP_CHARACTERS - 1] + "…"


def _children(node: _Node) -> Iterator[tuple[str, _Node, str]]:
    """(name, node, help) of everything one dot below `node`."""
    if node.kind == "section":
        variants = _variants(node)
        seen: set[str] = set()
        for model in variants:
            for name, field in model.model_fields.items():
                if name in seen:
                    continue
                seen.add(name)
                data = node.data.get(name) if isinstance(node.data, dict) else None
                if name == "type" and len(node.models) > 1:
                    tags = tuple(tag for tag in map(_tag, node.models) if tag)
                    yield name, _Node("value", data=data, choices=tags), f"one of {', '.join(tags)}"
                else:
                    yield name, _node(field, data), _short(field.description)
    elif node.kind == "list":
        items = node.data if isinstance(node.data, list) else []
        for index, item in enumerate(items):
            tag = item.get("type") if isinstance(item, dict) else None
            described = f"item {index}" + (f": {tag}" if tag else "")
            yield str(index), _Node("section", node.models, item), described
        yield str(len(items)), _Node("value"), "a new item at the end (a YAML mapping)"
    elif node.kind == "mapping":
        for key, entry in node.data.items():
            yield str(key), _Node("section", node.models, entry), f"entry {key}"


def _word(value: Any) -> str | None:
    """A value as a YAML word a shell can take unquoted, or None (lists, spaces, quotes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and SHELL_WORD.fullmatch(value):
        return value
    return None


def _values(node: _Node) -> list[tuple[str, str]]:
    """(text, help) of what may follow `key=`: the allowed words and the value now set."""
    if node.data is not None:
        now, help = _word(node.data), "the config's"
    elif node.field is not None and not node.field.is_required():
        now, help = _word(node.field.get_default(call_default_factory=False)), "the default"
    else:
        now, help = None, ""
    values = [(word, help if word == now else "") for word in node.choices]
    if now is not None and now not in node.choices:
        values.insert(0, (now, help))
    return values


def _find(path: str, data: dict[str, Any] | None) -> _Node | None:
    """The node at a dotted path (`features.0`), or None where the schema has none."""
    node: _Node | None = _Node("section", (ExperimentConfig,), data)
    for part in path.split(".") if path else []:
        assert node is not None
        node = next((child for name, child, _ in _children(node) if name == part), None)
        if node is None:
            return None
    return node


def keys_below(typed: str, data: dict[str, Any] | None = None) -> list[KeyChoice]:
    """The dotted keys that continue `typed` (a key being typed: `optim`, `features.0.t`),
    or after `key=` its values (the allowed words, else the config's value or the default).

    Sections end in `.` and values in `=`. A lone section is replaced by its own keys and a
    lone value by `key=` and its values, so a shell puts the common part on the command line
    and shows what may follow, rather than ending the word with a space. `data` is the
    parsed config file (list items and current values come from it).
    """
    key, equals, value_typed = typed.partition("=")
    if equals:
        node = _find(key, data)
        if node is None or node.kind != "value":
            return []
        return [
            KeyChoice(f"{key}={word}", help)
            for word, help in _values(node)
            if word.startswith(value_typed)
        ]
    head, _, partial = typed.rpartition(".")
    node = _find(head, data)
    if node is None or node.kind == "value":
        return []
    prefix = f"{head}." if head else ""
    choices = [
        KeyChoice(f"{prefix}{name}{'=' if child.kind == 'value' else '.'}", help)
        for name, child, help in _children(node)
        if name.startswith(partial)
    ]
    if len(choices) == 1:
        (alone,) = choices
        if alone.text.endswith("."):
            return keys_below(alone.text, data) or choices
        return [alone, *keys_below(alone.text, data)]
    return choices
