"""The README's config reference, generated from the pydantic models' field descriptions.

`mlcc schema --markdown` prints it and a test checks the README carries exactly this text, so
the documentation can never drift from the schema.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from mlcc_cli.config.annotations import unwrap
from mlcc_cli.config.experiment import EXTENDS_DESCRIPTION, ExperimentConfig


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    annotation = unwrap(annotation)
    if get_origin(annotation) is list:
        return _models_in(get_args(annotation)[0])
    if get_origin(annotation) is dict:
        return _models_in(get_args(annotation)[1])
    found = []
    for member in _members(annotation):
        member = unwrap(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            found.append(member)
        elif get_origin(member) in (Union, types.UnionType):
            found.extend(_models_in(member))
    return found


def _type_name(annotation: Any) -> str:
    annotation = unwrap(annotation)
    names = []
    for member in _members(annotation):
        member = unwrap(member)
        if member is type(None):
            continue
        if get_origin(member) is Literal:
            names.append(" \\| ".join(f"`{v}`" for v in get_args(member)))
        elif get_origin(member) is list:
            names.append(f"list of {_type_name(get_args(member)[0])}")
        elif get_origin(member) is dict:
            names.append(f"mapping of KEY to {_type_name(get_args(member)[1])}")
        elif isinstance(member, type) and issubclass(member, BaseModel):
            names.append("mapping")
        elif get_origin(member) in (Union, types.UnionType):
            names.append(_type_name(member))
        else:
            names.append(
                {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}.get(
                    getattr(member, "__name__", str(member)),
                    getattr(member, "__name__", str(member)),
                )
            )
    return " or ".join(dict.fromkeys(names))


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        return "see below" if isinstance(value, BaseModel) else f"`{value!r}`"
    if field.default is PydanticUndefined or field.default is None:
        return "—"
    value = field.default
    return f"`{str(value).lower()}`" if isinstance(value, bool) else f"`{value}`"


def _rows(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, str, str]]:
    if model is ExperimentConfig:  # read by the loader, so not a field of the model
        yield ("`extends`", "string or list of string", "—", EXTENDS_DESCRIPTION)
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        yield (f"`{key}`", _type_name(field.annotation), _default(field), description)


def _sections() -> Iterator[tuple[str, str, type[BaseModel], str]]:
    """(title, intro, model, key prefix) for every section, depth first."""
    yield ("Top level", "", ExperimentConfig, "")
    queue: list[tuple[str, type[BaseModel]]] = [("", ExperimentConfig)]
    while queue:
        prefix, model = queue.pop(0)
        for name, field in model.model_fields.items():
            variants = _models_in(field.annotation)
            is_list = get_origin(unwrap(field.annotation)) is list or any(
                get_origin(unwrap(m)) is list for m in _members(unwrap(field.annotation))
            )
            is_dict = any(get_origin(unwrap(m)) is dict for m in _members(unwrap(field.annotation)))
            key = f"{prefix}{name}" + ("[]" if is_list else "") + (".KEY" if is_dict else "")
            for variant in variants:
                tag = variant.model_fields.get("type")
                title = f"`{key}`"
                if tag is not None:
                    title += f" — `type: {get_args(tag.annotation)[0]}`"
                intro = (variant.__doc__ or "").strip().splitlines()[0]
                yield (title, intro, variant, f"{key}.")
                queue.append((f"{key}.", variant))


def config_reference_markdown() -> str:
    """Every config key with its type, default and description, as Markdown tables."""
    lines: list[str] = []
    seen: set[str] = set()
    for title, intro, model, prefix in _sections():
        if title in seen:
            continue
        seen.add(title)
        lines += [f"#### {title}", ""]
        if intro:
            lines += [intro, ""]
        lines += ["| key | type | default | description |", "|---|---|---|---|"]
        lines += [f"| {k} | {t} | {d} | {desc} |" for k, t, d, desc in _rows(model, prefix)]
        lines.append("")
    return "\n".join(lines)
