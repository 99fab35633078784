"""MLflow's names for mlcc's keys: the resolved config as flat params, names in its alphabet.

MLflow accepts param, metric and tag names made of letters, digits, `_ - . /` and spaces, and
refuses names that change when read as a path (`a//b`, `./a`, `a/`). mlcc's own names
(history.csv columns, `validation/rmse`, dotted config keys) already fit; a user's column or
class name inside a key may not, so every other character becomes `_`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import yaml

# mlflow.utils.validation: `\w`, `-`, `.`, space and `/` (colons only off Windows, so mapped).
_REFUSED = re.compile(r"[^\w\-. /]")
# MLflow's limits (mlflow.utils.validation: MAX_ENTITY_KEY_LENGTH, MAX_PARAM_VAL_LENGTH,
# MAX_TAG_VAL_LENGTH); its client refuses a longer key or value outright.
KEY_LIMIT = 250
PARAM_VALUE_LIMIT = 6000
TAG_VALUE_LIMIT = 8000
# Marks a value cut to its limit; config.yaml, always an artifact, holds the value whole.
CUT_MARK = "…"


def mlflow_name(name: str) -> str:
    """`name` with each character MLflow refuses as `_`, and empty, `.` or `..` path segments
    as `_` (e.g. `f1@class/a` -> `f1_class/a`, `a//b` -> `a/_/b`)."""
    segments = _REFUSED.sub("_", name).split("/")
    return "/".join("_" if segment in ("", ".", "..") else segment for segment in segments)


def unique_names(names: Iterable[str], limit: int = KEY_LIMIT) -> dict[str, str]:
    """Each name -> its MLflow name, at most `limit` characters, two names never merged: a
    name that maps onto one already taken gets `_2`, `_3`, ... appended."""
    mapped: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = mlflow_name(name)[:limit]
        candidate, count = base, 1
        while candidate in taken:
            count += 1
            suffix = f"_{count}"
            candidate = base[: limit - len(suffix)] + suffix
        mapped[name] = candidate
        taken.add(candidate)
    return mapped


def clip(text: str, limit: int) -> str:
    """`text` itself if it has at most `limit` characters, else its start ending in `…`."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


def yaml_text(value: Any) -> str:
    """A config value as `--set` writes it (YAML flow style: `0.1`, `null`, `[32, 16]`)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf, sort_keys=False)
    return text.removesuffix("\n...\n").strip()


def flatten_config(value: Any, prefix: str = "") -> dict[str, str]:
    """Dotted key -> YAML text for every leaf of the resolved config.

    Mappings and lists of mappings (the feature steps) are walked, list items by index
    (`features.0.type`); a list of plain values (`hidden_units`) stays one value, `[32, 16]`.
    """
    if isinstance(value, dict) and value:
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        items = enumerate(value)
    else:
        return {prefix: yaml_text(value)}
    flat: dict[str, str] = {}
    for key, item in items:
        flat.update(flatten_config(item, f"{prefix}.{key}" if prefix else str(key)))
    return flat
