"""The memory budget, and the memory a config's own sizes will need, checked before allocating.

A typo such as `buckets: 1000000000` or `hidden_units: [100000, 100000]` should be a
one-paragraph error naming the key, not a process killed at 24 GB. The estimates count
only what the config alone fixes (weights, optimizer state, per-column arrays, a batch's
activations), so they are lower bounds: data-dependent sizes are not known yet. The budget is
half the machine's physical memory, or `MLCC_MEMORY_BUDGET` (e.g. `64G`, or `none`).
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterator
from typing import Any

from mlcc_cli.errors import ConfigError

MEMORY_BUDGET_ENV = "MLCC_MEMORY_BUDGET"

FLOAT_BYTES = 8
# Copies of every weight alive at once: the weights, their gradient, two optimizer moments
# (Adam) and the best weights kept for early stopping.
WEIGHT_COPIES = 5
# Arrays of one value per indicator column: its weight copies plus the column's count.
COLUMN_COPIES = WEIGHT_COPIES + 1
# A batch's activations are kept forward and backward (value, gradient, pre-activation).
ACTIVATION_COPIES = 3

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the platform does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def memory_budget() -> int | None:
    """Bytes a run may plan to use: `MLCC_MEMORY_BUDGET`, else half of physical memory.

    None means no limit (`MLCC_MEMORY_BUDGET=none`, or an unknown machine size).
    """
    text = os.environ.get(MEMORY_BUDGET_ENV, "").strip()
    if not text:
        total = physical_memory()
        return total // 2 if total else None
    if text.lower() in ("none", "off", "unlimited"):
        return None
    match = _SIZE.match(text)
    if match is None:
        raise ConfigError(
            f"{MEMORY_BUDGET_ENV}={text!r}: expected a size such as 16G, 512M or 2000000000 "
            "(bytes), or 'none' for no limit."
        )
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def format_bytes(size: float) -> str:
    """`size` bytes in binary units, e.g. 7.5 GiB (at most 1024.0 PiB)."""
    size = min(size, 2**60)  # a lower bound, and floats cannot hold every huge integer
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} PiB"


def check_memory(key: str, what: str, estimate: float) -> None:
    """ConfigError if `estimate` bytes (for `what`, set by config `key`) exceed the budget."""
    budget = memory_budget()
    if budget is None or estimate <= budget:
        return
    if MEMORY_BUDGET_ENV in os.environ:
        limit = f"{MEMORY_BUDGET_ENV}={os.environ[MEMORY_BUDGET_ENV]} ({format_bytes(budget)})"
        override = f"raise {MEMORY_BUDGET_ENV}"
    else:
        limit = f"the budget of {format_bytes(budget)} (half this machine's memory)"
        override = f"if you mean it, set e.g. {MEMORY_BUDGET_ENV}=64G (or =none)"
    raise ConfigError(
        f"{key}: {what} needs at least {format_bytes(estimate)} of memory, more than {limit}; "
        f"lower {key}, or {override}."
    )


def _batch(config: Any) -> int:
    """Rows per batch for activation estimates (1 when it is the whole, unknown, split)."""
    size = config.training.batch_size
    return size if isinstance(size, int) else 1


def _feature_sizes(config: Any) -> Iterator[tuple[str, str, float]]:
    """(key, what, bytes) of every feature step whose width the config fixes."""
    for index, step in enumerate(config.features):
        degree = getattr(step, "degree", None)
        if degree:
            width = _polynomial_width(len(step.columns), degree, step.interaction_only)
            yield (
                f"features.{index}.degree",
                f"{width:,} polynomial columns",
                width * COLUMN_COPIES * FLOAT_BYTES,
            )
        for name in ("buckets", "hash_buckets"):
            width = getattr(step, name, None)
            if width:
                yield (
                    f"features.{index}.{name}",
                    f"{width:,} indicator columns",
                    width * COLUMN_COPIES * FLOAT_BYTES,
                )


def _polynomial_width(columns: int, degree: int, interaction_only: bool) -> int:
    """Products of `columns` numbers up to `degree` (without the constant): the number of
    monomials, or of subsets of distinct columns when `interaction_only`."""
    if interaction_only:
        return sum(math.comb(columns, k) for k in range(1, min(degree, columns) + 1))
    return math.comb(columns + degree, degree) - 1


def _dense_sizes(config: Any, key: str, units: list[int], first: int) -> Iterator[tuple]:
    """(key, what, bytes) of dense layers `first` → units[0] → units[1] …: weights and the
    batch's activations."""
    widths = [first, *units]
    weights = sum(a * b for a, b in itertools.pairwise(widths))
    activations = _batch(config) * sum(units)
    total = weights * WEIGHT_COPIES + activations * ACTIVATION_COPIES
    yield key, f"dense layers of {units} units ({weights:,} weights)", total * FLOAT_BYTES


def _cnn_sizes(model: Any, config: Any) -> Iterator[tuple[str, str, float]]:
    """(key, what, bytes) of each conv block (kernels, im2col patches, activations), then the
    dense layers after flattening."""
    height, width, channels = model.image_shape
    batch = _batch(config)
    for index, block in enumerate(model.conv):
        height, width = max(1, block.convolved(height)), max(1, block.convolved(width))
        patches = batch * height * width * block.kernel**2 * channels
        outputs = batch * height * width * block.filters
        kernels = block.kernel**2 * channels * block.filters
        total = kernels * WEIGHT_COPIES + patches + outputs * ACTIVATION_COPIES
        what = f"conv block {index} ({block.filters} filters on {height}×{width})"
        yield f"model.conv.{index}.filters", what, total * FLOAT_BYTES
        channels = block.filters
        height, width = max(1, block.pooled(height)), max(1, block.pooled(width))
    if model.hidden_units:
        yield from _dense_sizes(
            config, "model.hidden_units", model.hidden_units, height * width * channels
        )


def config_sizes(config: Any) -> Iterator[tuple[str, str, float]]:
    """(config key, what, bytes) for every size the config alone fixes."""
    yield from _feature_sizes(config)
    model = config.model
    if getattr(model, "image_shape", None) is not None:
        yield from _cnn_sizes(model, config)
    elif getattr(model, "hidden_units", None):
        # The input width is known only after the features are fitted: count it as one.
        yield from _dense_sizes(config, "model.hidden_units", model.hidden_units, 1)
    for column, entry in (getattr(model, "embeddings", None) or {}).items():
        dimensions = entry if isinstance(entry, int) else entry.dimensions
        vocabulary = _hashed_width(config, column)
        if vocabulary:
            yield (
                f"model.embeddings.{column}",
                f"a {vocabulary:,} × {dimensions} embedding table",
                vocabulary * dimensions * WEIGHT_COPIES * FLOAT_BYTES,
            )


def _hashed_width(config: Any, column: str) -> int:
    """The number of categories of `column` when a hash or hashed cross fixes it, else 0."""
    for step in config.features:
        columns = getattr(step, "columns", None) or []  # None: a step on every column
        if getattr(step, "buckets", None) and column in columns:
            return step.buckets
        name = getattr(step, "name", None) or "_x_".join(columns)
        if getattr(step, "hash_buckets", None) and name == column:
            return step.hash_buckets
    return 0


def check_config_memory(config: Any) -> None:
    """ConfigError naming the first config size whose memory exceeds the budget."""
    memory_budget()  # a malformed MLCC_MEMORY_BUDGET is reported even with nothing to check
    for key, what, estimate in config_sizes(config):
        check_memory(key, what, estimate)


def check_network_memory(config: Any, n_features: int) -> None:
    """Once the features are fitted: ConfigError if a dense network's layers, now that its
    input width `n_features` is known, exceed the budget (a modest hidden_units on a very
    wide one-hot or hashed input)."""
    units = getattr(config.model, "hidden_units", None)
    if not units or getattr(config.model, "image_shape", None) is not None:
        return
    for key, what, estimate in _dense_sizes(config, "model.hidden_units", units, n_features):
        check_memory(key, f"{what} on {n_features:,} input columns", estimate)


def out_of_memory_message(error: MemoryError) -> str:
    """One paragraph for a MemoryError that escaped the checks: what ran out and what to try."""
    detail = f" ({error})" if str(error) else ""
    return (
        f"ran out of memory{detail}; use less data (a sample of the rows, or data.streaming: true "
        "for a CSV), fewer or narrower features (hash buckets, crosses, one-hot "
        "categories) or a smaller model, then run the command again."
    )
