"""The `--set` fixes a finding offers: one per config key, none that the run already had.

A fix that repeats what the config already says (clipping at norm 1 on a run that clips at
norm 1) would retrain the same run; the doctor drops it and offers the next one.
"""

from __future__ import annotations

import math
from typing import Any

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.overrides import parse_scalar
from mlcc_cli.doctor.findings import fix_overrides

MISSING = object()


def unique_keys(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """The fixes in order, each config key once (the first suggestion for a key wins)."""
    seen: set[str] = set()
    fixes = []
    for fix in (fix for group in groups for fix in group):
        key = fix.split("=", 1)[0]
        if key not in seen:
            seen.add(key)
            fixes.append(fix)
    return tuple(fixes)


def _current(config: dict[str, Any] | list[Any], key: str) -> Any:
    """The value at a dotted key of the dumped config, or MISSING."""
    node: Any = config
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def _same(wanted: Any, current: Any) -> bool:
    """Whether the config already holds `wanted` (a mapping: each of its keys as given)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            _same(value, current.get(name, MISSING)) for name, value in wanted.items()
        )
    if isinstance(wanted, bool) or isinstance(current, bool):
        return wanted is current
    if isinstance(wanted, int | float) and isinstance(current, int | float):
        return math.isclose(float(wanted), float(current), rel_tol=1e-9, abs_tol=0.0)
    return wanted == current


def already_set(config: ExperimentConfig, fix: str) -> bool:
    """Whether `--set fix` (each of its overrides) would leave the config as it is."""
    dumped = config.model_dump(mode="json")
    for override in fix_overrides(fix):
        key, _, value = override.partition("=")
        current = _current(dumped, key.strip())
        if current is MISSING or not _same(parse_scalar(value), current):
            return False
    return True


def new_fixes(config: ExperimentConfig, fixes: tuple[str, ...]) -> tuple[str, ...]:
    """The fixes that change something, each key once."""
    return unique_keys(tuple(fix for fix in fixes if not already_set(config, fix)))
