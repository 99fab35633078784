"""A saved run as one scikit-learn Pipeline: a ColumnTransformer over the input columns, then
the model.

The ColumnTransformer has one entry per model input, in the run's `inputs` order, computing
that input from the columns of the data file (see `columns`); its output is our design
matrix (without one-hot's `<other>` indicators, which the model absorbs). The Pipeline reads
a pandas DataFrame with those columns: numbers as floats, one-hot columns as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mlcc_cli.errors import ConfigError
from mlcc_cli.export.columns import Column, SourceKind, input_column, side_by_side
from mlcc_cli.export.estimators import frozen, frozen_estimator
from mlcc_cli.export.models import Block, export_model, model_refusal
from mlcc_cli.export.steps import Frame, apply_step
from mlcc_cli.features.step_columns import created_columns
from mlcc_cli.rundir.saved import SavedRun


@dataclass(frozen=True)
class Signature:
    """What an exported run reads and returns.

    Attributes
    ----------
    inputs : each input column it reads, in order, and what it holds (number or text).
    task : regression | binary | multiclass, as the run's.
    classes : the class names, in predict_proba's column order (classifiers), else None.
    threshold : the run's evaluation.threshold (binary runs choose the class with it).
    """

    inputs: dict[str, SourceKind]
    task: str
    classes: list[Any] | None
    threshold: float


@dataclass(frozen=True)
class ExportedPipeline:
    """A run's fitted Pipeline (steps "features" and "model") and its `Signature`."""

    pipeline: Any
    signature: Signature


def _frame_columns(run: SavedRun) -> Frame:
    """Every frame column the run's fitted steps make, as the steps that compute it."""
    steps = list(run.config.features)
    transforms = run.pipeline.transforms_
    # data.missing: mean|median puts an imputer without a config step first
    configured = [None] * (len(transforms) - len(steps)) + steps
    frame: Frame = {}
    for transform, step in zip(transforms, configured, strict=True):
        apply_step(transform, created_columns(step) if step is not None else [], frame)
    return frame


def _input_kinds(inputs: list[str], columns: list[Column], problems: list[str]) -> dict[str, Any]:
    """What each input column of the data must hold; a problem when two steps disagree."""
    kinds: dict[str, SourceKind] = {}
    for name, column in zip(inputs, columns, strict=True):
        for source in column.sources:
            kind = kinds.setdefault(source, column.source_kind)
            if kind != column.source_kind:
                problems.append(
                    f"inputs: {name!r} reads column {source!r} as {column.source_kind}, another "
                    f"input reads it as {kind}; the exported Pipeline takes each column one way."
                )
    return kinds


def _unfrozen(estimator: Any) -> Any:
    """`estimator` with every FrozenEstimator inside replaced by the estimator it wraps, so
    the Pipeline holds only ordinary scikit-learn objects (which skl2onnx converts)."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, frozen_estimator()):
        return estimator.estimator
    if isinstance(estimator, Pipeline):
        estimator.steps = [(name, _unfrozen(step)) for name, step in estimator.steps]
    if isinstance(estimator, ColumnTransformer):
        estimator.transformers = _unfrozen_entries(estimator.transformers)
        if hasattr(estimator, "transformers_"):
            estimator.transformers_ = _unfrozen_entries(estimator.transformers_)
    return estimator


def _unfrozen_entries(entries: Iterable[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    return [(name, _unfrozen(transformer), where) for name, transformer, where in entries]


def _placeholder_rows(kinds: dict[str, SourceKind]) -> pd.DataFrame:
    """Two rows of every input column, which the Pipeline's structure is fitted on."""
    return pd.DataFrame(
        {
            name: pd.Series(["a", "b"], dtype=object) if kind == "text" else [1.0, 2.0]
            for name, kind in kinds.items()
        }
    )


def build_pipeline(run: SavedRun) -> ExportedPipeline:
    """The run's feature steps and model as a fitted scikit-learn Pipeline.

    ConfigError listing, by config key, every step and the model that have no faithful
    scikit-learn equivalent (only steps whose columns reach the model count).
    """
    if run.task not in ("regression", "binary", "multiclass"):
        raise ConfigError(
            f"run {run.run_dir}: a {run.task} model cannot be exported; scikit-learn's "
            "multi-output estimators are not supported by mlcc export."
        )
    frame = _frame_columns(run)
    columns = [frame.get(name) or input_column(name) for name in run.inputs]
    problems = list(dict.fromkeys(column.refused for column in columns if column.refused))
    kinds = _input_kinds(run.inputs, columns, problems)
    refusal = model_refusal(run.model)
    if refusal is not None:
        problems.append(refusal)
    if problems:
        raise ConfigError(
            f"run {run.run_dir}: cannot be exported, since these have no faithful "
            "scikit-learn equivalent:",
            problems,
        )
    blocks = [Block(column.width, column.other, column.missing) for column in columns]
    model = export_model(run.model, run.classes, blocks)
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.pipeline import Pipeline

    features = side_by_side(run.inputs, columns)
    pipeline = Pipeline([("features", features), ("model", frozen(model))])
    pipeline.fit(_placeholder_rows(kinds))  # fits the structure; every number stays ours
    classes = None if run.task == "regression" else pipeline.classes_.tolist()
    signature = Signature(kinds, run.task, classes, run.threshold)
    return ExportedPipeline(_unfrozen(pipeline), signature)
