"""The feature pipeline: config steps in order, the tag → class registry, the design matrix.

`features:` steps are fitted one after another on the training split, each on the output of
the ones before, and then replayed unchanged on validation, test and new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter

from mlcc_cli.config import FeatureStep
from mlcc_cli.errors import DataError, NotFittedError, did_you_mean
from mlcc_cli.features.base import (
    ONE_HOT_LATER,
    Transform,
    is_numeric,
    numeric_columns,
    require_columns,
    require_numeric,
)
from mlcc_cli.features.expressions import column_names, parse_expression
from mlcc_cli.features.imputation import STRATEGIES, Impute
from mlcc_cli.features.scaling import Clip, Log, MinMax, ZScore
from mlcc_cli.features.synthetic import Expression, Ratio

TRANSFORMS: dict[str, type[Transform]] = {
    cls.tag: cls for cls in (Ratio, Expression, Clip, ZScore, MinMax, Log)
}
# Classes a saved pipeline may contain: the config tags plus the internal imputer.
_SAVED: dict[str, type[Transform]] = {**TRANSFORMS, Impute.tag: Impute}
_STEP = TypeAdapter(FeatureStep)


def build_transform(step_config: FeatureStep, index: int, label: str) -> Transform:
    """The unfitted transform for `features.<index>`; its arguments are the config's fields."""
    cls = TRANSFORMS[step_config.type]
    params = step_config.model_dump(exclude={"type"})
    return cls(**params, key=f"features.{index}", label=label)


def columns_read(steps: Sequence[FeatureStep]) -> list[str]:
    """Source columns the steps name (not those an earlier step creates), in first-use order.

    Steps with no `columns` list act on every numeric column and add nothing here; the
    caller decides what "every column" means for them.
    """
    read: list[str] = []
    created: set[str] = set()
    for index, step in enumerate(steps):
        named: list[str] = []
        if step.type == "ratio":
            named = [step.numerator, step.denominator]
        elif step.type == "expression":
            named = column_names(parse_expression(step.expression, f"features.{index}.expression"))
        else:
            named = list(step.columns or [])
        read += [column for column in named if column not in created and column not in read]
        if step.type in ("ratio", "expression"):
            created.add(step.name)
    return read


class FeaturePipeline:
    """Configured feature steps applied in order, every statistic learned from training rows.

    With `missing` = "mean" or "median", an `Impute` over every numeric non-label column is
    put first, so later steps see filled values. ("error" and "drop" are handled when the
    data is loaded.)

    Attributes
    ----------
    transforms_ : list[Transform]
        The fitted transforms, imputer first when there is one.
    feature_names_out_ : list[str]
        Columns of the transformed training frame (label included).
    warnings_ : list[str]
        Every step's recoverable oddities, in step order.
    """

    def __init__(self, steps: Sequence[FeatureStep], label: str, missing: str = "error") -> None:
        self.steps = list(steps)
        self.label = label
        self.missing = missing

    def fit(self, frame: pd.DataFrame) -> FeaturePipeline:
        """Fit each step on the training split as transformed by the steps before it."""
        self.fit_transform(frame)
        return self

    def fit_transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Fit on the training split and return it transformed."""
        transforms: list[Transform] = []
        if self.missing in STRATEGIES:
            # Every numeric column, not only those missing values in training: validation,
            # test and new rows can have gaps where the training rows had none.
            columns = [c for c in numeric_columns(frame, self.label) if frame[c].notna().any()]
            if columns:
                transforms.append(Impute(columns, self.missing, label=self.label))
        transforms += [build_transform(step, i, self.label) for i, step in enumerate(self.steps)]
        out = frame  # every transform returns a new frame, so the input is never touched
        for transform in transforms:
            out = transform.fit(out).transform(out)
        self.transforms_ = transforms
        self.feature_names_out_ = [str(column) for column in out.columns]
        self.warnings_ = [warning for transform in transforms for warning in transform.warnings_]
        return out

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply the fitted steps to any split (validation, test, new rows); input untouched."""
        if not hasattr(self, "transforms_"):
            raise NotFittedError(self)
        out = frame  # every transform returns a new frame, so the input is never touched
        for transform in self.transforms_:
            out = transform.transform(out)
        return out

    def get_state(self) -> dict[str, Any]:
        """The configured steps and every fitted transform's state, as JSON-able values."""
        if not hasattr(self, "transforms_"):
            raise NotFittedError(self)
        return {
            "label": self.label,
            "missing": self.missing,
            "steps": [step.model_dump(mode="json") for step in self.steps],
            "transforms": [transform.get_state() for transform in self.transforms_],
            "feature_names_out_": self.feature_names_out_,
            "warnings_": self.warnings_,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> FeaturePipeline:
        """Rebuild a fitted pipeline from `get_state()` output; no code is ever unpickled."""
        steps = [_STEP.validate_python(step) for step in state["steps"]]
        pipeline = cls(steps, state["label"], state["missing"])
        transforms = []
        for saved in state["transforms"]:
            if saved.get("type") not in _SAVED:
                raise DataError(
                    f"saved feature pipeline has an unknown step type {saved.get('type')!r}; "
                    "the run was written by a newer mlcc or the file is damaged."
                )
            transforms.append(_SAVED[saved["type"]].from_state(saved))
        pipeline.transforms_ = transforms
        pipeline.feature_names_out_ = list(state["feature_names_out_"])
        pipeline.warnings_ = list(state["warnings_"])
        return pipeline

    @classmethod
    def from_fitted(
        cls,
        steps: Sequence[FeatureStep],
        label: str,
        missing: str,
        transforms: list[Transform],
        feature_names_out: list[str],
    ) -> FeaturePipeline:
        """A pipeline around transforms fitted elsewhere (chunk by chunk, when streaming)."""
        pipeline = cls(steps, label, missing)
        pipeline.transforms_ = transforms
        pipeline.feature_names_out_ = [str(column) for column in feature_names_out]
        pipeline.warnings_ = [
            warning for transform in transforms for warning in transform.warnings_
        ]
        return pipeline

    def __repr__(self) -> str:
        shown = f"steps={self.steps!r}, label={self.label!r}, missing={self.missing!r}"
        return f"FeaturePipeline({shown})"


def select_inputs(
    frame: pd.DataFrame, inputs: list[str] | None, label: str
) -> tuple[list[str], list[str]]:
    """The columns the model sees, and warnings about columns left out.

    `inputs` None means every numeric (int, float, bool) column except the label; text
    columns are left out with a warning. Given `inputs` are checked: present, numeric, not
    the label, not repeated.
    """
    if inputs is None:
        chosen = numeric_columns(frame, label)
        text = [str(c) for c in frame.columns if c != label and not is_numeric(frame[c])]
        warnings = []
        if text:
            warnings.append(
                f"inputs: left out non-numeric column(s) {', '.join(map(repr, text))} "
                f"({ONE_HOT_LATER}); list the columns you want in `inputs` to silence this."
            )
        if not chosen:
            raise DataError(
                f"inputs: no numeric columns besides the label {label!r} to train on; add a "
                "numeric column or a feature step (e.g. ratio) that makes one."
            )
        return chosen, warnings
    available = [str(c) for c in frame.columns if c != label]
    seen: set[str] = set()
    for column in inputs:
        if column == label:
            raise DataError(
                f"inputs: lists the label {label!r}, which would leak the answer into the "
                "model's inputs; remove it from `inputs`."
            )
        if column in seen:
            raise DataError(f"inputs: {column!r} is listed twice; list each column once.")
        seen.add(column)
        if column not in frame.columns:
            raise DataError(
                f"inputs: column {column!r} not found.{did_you_mean(column, available)} "
                f"Available columns: {', '.join(available)}."
            )
        if not is_numeric(frame[column]):
            raise DataError(
                f"inputs: column {column!r} holds {frame[column].dtype} values, not numbers "
                f"({ONE_HOT_LATER}); remove it from `inputs` for now."
            )
    if not inputs:
        raise DataError("inputs: is empty; list at least one column or leave `inputs` out.")
    return list(inputs), []


def design_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The model's X: C-contiguous float64 of shape (n_rows, n_features), all values finite."""
    require_columns(frame, columns, "inputs")
    require_numeric(frame, columns, "inputs")
    X = np.ascontiguousarray(  # (n_rows, n_features)
        frame[columns].to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
    )
    missing = np.isnan(X).sum(axis=0)
    infinite = np.isinf(X).sum(axis=0)
    if missing.any() or infinite.any():
        problems = []
        for column, n_missing, n_infinite in zip(columns, missing, infinite, strict=True):
            if n_missing:
                problems.append(f"{column!r} {n_missing} missing")
            if n_infinite:
                problems.append(f"{column!r} {n_infinite} infinite")
        raise DataError(
            f"the model inputs have missing or infinite values ({', '.join(problems)} of "
            f"{len(frame)} rows). For missing values set data.missing to mean, median or drop; "
            "for infinite ones fix the feature step that makes them (e.g. a ratio's on_zero, "
            "or a clip step)."
        )
    return X
