"""The feature pipeline: config steps in order, the tag → class registry, the design matrix.

`features:` steps are fitted one after another on the training split, each on the output of
the ones before, and then replayed unchanged on validation, test and new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import TypeAdapter

from mlcc_cli.config.features import FeatureStep
from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.binning import Bucketize
from mlcc_cli.features.categorical import Hash, OneHot
from mlcc_cli.features.cleaning import DropDuplicates, Filter
from mlcc_cli.features.crosses import Cross
from mlcc_cli.features.imputation import STRATEGIES, Impute
from mlcc_cli.features.polynomial import Polynomial
from mlcc_cli.features.projection import Pca
from mlcc_cli.features.scaling import Clip, Log, MinMax, ZScore
from mlcc_cli.features.step_columns import columns_read, policy_imputer_columns
from mlcc_cli.features.synthetic import Expression, Ratio
from mlcc_cli.features.text import Text
from mlcc_cli.features.time_buckets import TimeBucket

TRANSFORMS: dict[str, type[Transform]] = {
    cls.tag: cls
    for cls in (
        Ratio,
        Expression,
        Clip,
        ZScore,
        MinMax,
        Log,
        Bucketize,
        TimeBucket,
        OneHot,
        Hash,
        Cross,
        Polynomial,
        DropDuplicates,
        Filter,
        Impute,
        Pca,
        Text,
    )
}
_STEP = TypeAdapter(FeatureStep)


# Steps whose default (no `columns`) is "every numeric feature": narrowed by `model_reach`.
SCALING_STEPS = ("clip", "zscore", "minmax")
# Steps that read every column without feeding any of them to the model.
_ROW_STEPS = ("drop_duplicates", "filter")


def build_transform(
    step_config: FeatureStep, index: int, label: str, within: Sequence[str] | None = None
) -> Transform:
    """The unfitted transform for `features.<index>`; its arguments are the config's fields.

    `within` (from `model_reach`) narrows a scaling step without `columns`.
    """
    cls = TRANSFORMS[step_config.type]
    params = step_config.model_dump(exclude={"type"})
    if within is not None:
        params["within"] = list(within)
    return cls(**params, key=f"features.{index}", label=label)


def model_reach(
    steps: Sequence[FeatureStep], index: int, inputs: Sequence[str] | None
) -> list[str] | None:
    """Columns a scaling step without `columns` should act on, or None for every one.

    "Every numeric feature" means every column that reaches the model: the listed `inputs`
    and the columns later steps read. Without `inputs` (every column is one), for steps
    with `columns`, or when a later feature step reads every column, it stays None.
    """
    step = steps[index]
    if inputs is None or step.type not in SCALING_STEPS or getattr(step, "columns", 1) is not None:
        return None
    later = list(steps[index + 1 :])
    if any(
        getattr(s, "columns", ()) is None and s.type not in (*SCALING_STEPS, *_ROW_STEPS)
        for s in later
    ):
        return None
    return list(dict.fromkeys([*inputs, *columns_read(later)]))


class FeaturePipeline:
    """Configured feature steps applied in order, every statistic learned from training rows.

    With `missing` = "mean" or "median", an `Impute` over every numeric non-label column is
    put first, so later steps see filled values (except the columns an `impute` step fills,
    see `imputed_columns`). ("error" and "drop" are handled when the
    data is loaded.) With `inputs` (the config's list), a clip, zscore or minmax step without
    `columns` acts only on the numeric columns that reach the model (`model_reach`).

    Attributes
    ----------
    transforms_ : list[Transform]
        The fitted transforms, imputer first when there is one.
    feature_names_out_ : list[str]
        Columns of the transformed training frame (label included).
    warnings_ : list[str]
        Every step's recoverable oddities, in step order.
    """

    def __init__(
        self,
        steps: Sequence[FeatureStep],
        label: str,
        missing: str = "error",
        inputs: Sequence[str] | None = None,
    ) -> None:
        self.steps = list(steps)
        self.label = label
        self.missing = missing
        self.inputs = inputs

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
            columns = [
                c
                for c in policy_imputer_columns(self.steps, frame, self.label)
                if frame[c].notna().any()
            ]
            if columns:
                transforms.append(Impute(columns, self.missing, label=self.label))
        transforms += [
            build_transform(step, i, self.label, model_reach(self.steps, i, self.inputs))
            for i, step in enumerate(self.steps)
        ]
        out = frame  # every transform returns a new frame, so the input is never touched
        for transform in transforms:
            out = transform.fit(out).transform(out)
            if out.empty:
                raise DataError(
                    f"{transform.where}: no training rows are left after this step; loosen "
                    "its bounds or check the data."
                )
        self.transforms_ = transforms
        self.feature_names_out_ = [str(column) for column in out.columns]
        self.warnings_ = [warning for transform in transforms for warning in transform.warnings_]
        return out

    def transform(self, frame: pd.DataFrame, predicting: bool = False) -> pd.DataFrame:
        """Apply the fitted steps to any split (validation, test, new rows); input untouched.

        Row-dropping cleaning steps (filter, drop_duplicates) apply to labelled splits; with
        `predicting` they are skipped, since every new row asks for a prediction. Rows keep
        their index, so callers align labels with `out.index`.
        """
        if not hasattr(self, "transforms_"):
            raise NotFittedError(self)
        out = frame  # every transform returns a new frame, so the input is never touched
        for transform in self.transforms_:
            if predicting and transform.drops_rows:
                continue
            out = transform.transform(out)
        return out

    def notes(self) -> list[str]:
        """Every fitted step's informational notes (explained variance, rows dropped, ...)."""
        if not hasattr(self, "transforms_"):
            raise NotFittedError(self)
        return [note for transform in self.transforms_ for note in transform.notes()]

    @property
    def drops_rows(self) -> bool:
        """True when a step may remove rows (labels must then follow the frame's index)."""
        return any(transform.drops_rows for transform in getattr(self, "transforms_", []))

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
            if saved.get("type") not in TRANSFORMS:
                raise DataError(
                    f"saved feature pipeline has an unknown step type {saved.get('type')!r}; "
                    "the run was written by a newer mlcc or the file is damaged."
                )
            transforms.append(TRANSFORMS[saved["type"]].from_state(saved))
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
        shown = (
            f"steps={self.steps!r}, label={self.label!r}, missing={self.missing!r}, "
            f"inputs={self.inputs!r}"
        )
        return f"FeaturePipeline({shown})"
