"""Reading the config models' type annotations: unions flattened, Annotated wrappers stripped.

Shared by the checks that look at what a field takes (`booleans`), `--set` completion (`keys`)
and the README reference (`reference`).
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin


def unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] wrappers down to the type."""
    while hasattr(annotation, "__metadata__"):
        annotation = get_args(annotation)[0]
    return annotation


def union_members(annotation: Any) -> list[Any]:
    """The members of a (possibly nested, possibly Annotated) union, each unwrapped."""
    annotation = unwrap(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in union_members(arg)]
    return [annotation]
