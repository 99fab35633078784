"""Which columns each configured feature step reads, creates, and fills.

Read from the config alone (and, for "every numeric column", the frame's columns): what
`data.missing` must check, which source columns a scaling step reaches, and which gaps an
`impute` step takes over from the missing-value policy.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mlcc_cli.config.features import FeatureStep
from mlcc_cli.features.columns import numeric_columns
from mlcc_cli.features.expressions import column_names, parse_expression
from mlcc_cli.features.polynomial import polynomial_names


def named_columns(step: FeatureStep, index: int) -> list[str]:
    """Columns a step names as its inputs."""
    if step.type == "ratio":
        return [step.numerator, step.denominator]
    if step.type == "expression":
        return column_names(parse_expression(step.expression, f"features.{index}.expression"))
    if step.type == "time_bucket":
        return [step.column]
    return list(getattr(step, "columns", None) or [])


def created_columns(step: FeatureStep) -> list[str]:
    """New columns a step adds to the frame (in-place steps add none)."""
    if step.type in ("ratio", "expression"):
        return [step.name]
    if step.type == "time_bucket":
        return [step.name or f"{step.column}_{step.unit}"]
    if step.type == "cross":
        return [step.name or "_x_".join(step.columns)]
    if step.type == "pca":
        return [f"{step.prefix}{k + 1}" for k in range(step.components)]
    if step.type == "polynomial":
        return polynomial_names(step.columns, step.degree, step.interaction_only)
    return []


def columns_read(steps: Sequence[FeatureStep]) -> list[str]:
    """Source columns the steps name (not those an earlier step creates), in first-use order.

    Steps with no `columns` list act on every numeric column and add nothing here; the
    caller decides what "every column" means for them.
    """
    read: list[str] = []
    created: set[str] = set()
    for index, step in enumerate(steps):
        named = named_columns(step, index)
        read += [column for column in named if column not in created and column not in read]
        created.update(created_columns(step))
    return read


def imputed_columns(
    steps: Sequence[FeatureStep], frame: pd.DataFrame, label: str | None
) -> list[str]:
    """Source columns of `frame` that an `impute` step fills before any other step reads them.

    Their gaps are the step's to fill, with its own strategy, so `data.missing` leaves them
    alone: `error` does not refuse them, `drop` keeps their rows, and the mean/median imputer
    put in front of the steps skips them (it would otherwise fill them first, and the step's
    median or constant would never apply). An impute step without `columns` fills every
    numeric column. A column read by an earlier step, or any column once a step has read
    every one, stays the policy's: that step must not see a gap.
    """
    numeric = numeric_columns(frame, label)
    filled: list[str] = []
    read: set[str] = set()
    for index, step in enumerate(steps):
        if step.type == "impute":
            columns = numeric if step.columns is None else step.columns
            filled += [
                c
                for c in columns
                if c in frame.columns and c != label and c not in read and c not in filled
            ]
        elif getattr(step, "columns", ()) is None:
            break  # this step reads every column: an impute after it comes too late
        # A created column shadowing a source column is no longer that source column.
        read.update([*named_columns(step, index), *created_columns(step)])
    return filled


def policy_imputer_columns(
    steps: Sequence[FeatureStep], frame: pd.DataFrame, label: str
) -> list[str]:
    """The numeric columns `data.missing: mean|median` fills: those no impute step fills."""
    stepped = set(imputed_columns(steps, frame, label))
    return [c for c in numeric_columns(frame, label) if c not in stepped]
