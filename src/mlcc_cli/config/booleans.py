"""Refusing a boolean where a config key takes a number, and a number where it takes a boolean.

Pydantic's lax mode reads `true` as 1 for an int or float field, and YAML 1.1 reads yes/no,
on/off and true/false as booleans, so `learning_rate: yes` would train at rate 1.0 without a
word. Before pydantic converts a section, `StrictModel` replaces each boolean that stands
where a number belongs with a `MisplacedBoolean` (`mark_misplaced_booleans`), which no number
type accepts: the error then sits at the exact key (and list item), and carries its own
wording. Every numeric key of every section is covered, including keys added later.

The other way round, lax mode reads 1, 0.0, "1", "t" or "n" as a boolean, so `stratify: 1`
would pass as true; a boolean key takes YAML's booleans (true/false, yes/no, on/off, also
quoted) and nothing else: any other value becomes a `NotABoolean` carrying its refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo

from mlcc_cli.config.annotations import union_members

# Said after the refusal wherever the value came from YAML (a config file, --set, --grid).
YAML_BOOLEANS = "YAML reads yes/no, on/off and true/false as booleans"
# Shown as "such as ..." when the key has no number for a default: the first the key's bounds
# allow.
_WHOLE_EXAMPLES = (10, 100, 1, 2, 1000)
_REAL_EXAMPLES = (0.01, 0.1, 0.5, 1.0, 10.0, 100.0)


@dataclass(frozen=True)
class MisplacedBoolean:
    """A boolean found where a number belongs, with the message that refuses it."""

    value: bool
    message: str

    def __repr__(self) -> str:
        return str(self.value).lower()  # as YAML writes it, in pydantic's own messages


@dataclass(frozen=True)
class NotABoolean:
    """A number or word found where only true or false belongs, with the message refusing it."""

    value: Any
    message: str

    def __repr__(self) -> str:
        return repr(self.value)


# The words YAML reads as booleans: also taken in quotes ("yes"), since they say what is meant.
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off"})


def mark_misplaced_booleans(fields: dict[str, FieldInfo], data: Any) -> Any:
    """`data` (a section's raw mapping) with every boolean that stands in place of a number
    replaced by a `MisplacedBoolean`, and every other value in place of a boolean by a
    `NotABoolean`; `data` itself is left as it is."""
    if not isinstance(data, dict):
        return data
    marked = data
    for name, value in data.items():
        field = fields.get(name) if isinstance(name, str) else None
        where = misplaced_boolean(field.annotation, value) if field is not None else None
        if field is not None and where is not None:
            marked = dict(marked) if marked is data else marked  # copied only when changed
            marked[name] = _replaced(value, where, field)
    return marked


def _replaced(value: Any, where: tuple[int | str, ...], field: FieldInfo) -> Any:
    """`value` with the boolean at `where` (list positions, mapping keys) replaced by its
    marker; `value` itself is left as it is."""
    if not where and isinstance(value, bool):
        return MisplacedBoolean(value, boolean_refusal(field, value))
    if not where:
        return NotABoolean(value, not_a_boolean(value))
    copied = list(value) if isinstance(value, list) else dict(value)
    copied[where[0]] = _replaced(value[where[0]], where[1:], field)  # type: ignore[index]
    return copied


@dataclass(frozen=True)
class _Kinds:
    """What an annotation takes, as far as booleans are concerned."""

    numbers_only: bool  # a number but not a boolean
    booleans_only: bool  # a boolean but not a number or text
    items: tuple[Any, ...]  # the item annotations of its list members
    values: tuple[Any, ...]  # the value annotations of its mapping members


# Every value of every section is asked about on every load (a sweep loads each point), so
# each annotation is read once; keyed by id, holding the annotation so the id stays its own.
_KINDS: dict[int, tuple[Any, _Kinds]] = {}


def _kinds(annotation: Any) -> _Kinds:
    """What `annotation` takes (read once per annotation, see _KINDS)."""
    known = _KINDS.get(id(annotation))
    if known is None:
        members = union_members(annotation)
        kinds = _Kinds(
            numbers_only=bool not in members and (int in members or float in members),
            booleans_only=bool in members and not {int, float, str} & set(members),
            items=tuple(get_args(m)[-1] for m in members if get_origin(m) is list),
            values=tuple(get_args(m)[-1] for m in members if get_origin(m) is dict),
        )
        known = _KINDS[id(annotation)] = (annotation, kinds)
    return known[1]


def misplaced_boolean(annotation: Any, value: Any) -> tuple[int | str, ...] | None:
    """Where in `value` a boolean stands in place of a number `annotation` takes, or another
    value in place of a boolean: () for the value itself, (2,) for the third item of a list,
    ("city",) for a mapping's entry; None when there is none."""
    if isinstance(value, bool):
        return () if _kinds(annotation).numbers_only else None
    if _kinds(annotation).booleans_only and _passes_for_a_boolean(value):
        return ()
    if isinstance(value, list):
        inner, entries = _kinds(annotation).items, list(enumerate(value))
    elif isinstance(value, dict):
        inner, entries = _kinds(annotation).values, list(value.items())
    else:
        return None
    for inner_annotation in inner:
        for key, item in entries:
            found = misplaced_boolean(inner_annotation, item)
            if found is not None:
                return (key, *found)
    return None


def _leaf_members(annotation: Any) -> list[Any]:
    """The types a value's numbers may have, looking inside lists and mappings."""
    inner = (*_kinds(annotation).items, *_kinds(annotation).values)
    return union_members(annotation) + [leaf for item in inner for leaf in _leaf_members(item)]


def _allowed(example: float, field: FieldInfo) -> bool:
    """Whether `example` is within the key's bounds (ge, gt, le, lt)."""
    for bound in field.metadata:
        if isinstance(bound, annotated_types.Ge) and not example >= bound.ge:
            return False
        if isinstance(bound, annotated_types.Gt) and not example > bound.gt:
            return False
        if isinstance(bound, annotated_types.Le) and not example <= bound.le:
            return False
        if isinstance(bound, annotated_types.Lt) and not example < bound.lt:
            return False
    return True


def _example(field: FieldInfo, whole: bool) -> str:
    """A valid value for the key: its default when that is a number other than 0 (which shows
    little), else one its bounds allow."""
    default = field.default
    if isinstance(default, int | float) and not isinstance(default, bool) and default != 0:
        return f"{default:g}"
    candidates = _WHOLE_EXAMPLES if whole else _REAL_EXAMPLES
    return f"{next((c for c in candidates if _allowed(c, field)), candidates[0]):g}"


def boolean_refusal(field: FieldInfo, found: bool) -> str:
    """The message refusing the boolean `found` in the numeric key `field` (without the
    YAML note, which the Python API has no use for)."""
    leaves = _leaf_members(field.annotation)
    whole = float not in leaves
    kind = "a whole number" if whole else "a number"
    text = ' or "text" in quotes' if str in leaves else ""  # impute's fill_value
    return (
        f"must be {kind} such as {_example(field, whole)}{text}, not the boolean "
        f"{str(found).lower()}"
    )


def _passes_for_a_boolean(value: Any) -> bool:
    """Whether lax mode would read `value` (not itself a boolean) as one, or `value` is text:
    1, 0.0, "1", "t", "n" ... but not YAML's own words in quotes ("yes")."""
    if isinstance(value, str):
        return value.strip().lower() not in _BOOLEAN_WORDS
    return isinstance(value, int | float)


def not_a_boolean(found: Any) -> str:
    """The message refusing `found` (a number or text) in a key that takes true or false."""
    if isinstance(found, str):
        return f"must be true or false, got {found!r}"
    meant = {1: "; write true", 0: "; write false"}.get(found, "")  # what lax mode read it as
    return f"must be true or false, not the number {found:g}{meant}"
