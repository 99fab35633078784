"""The statistics passes of a stream: the feature pipeline fitted on the training rows.

`fit_features` learns the pipeline from the training rows: each step that learns statistics
(zscore, minmax, a quantile clip, the imputer) needs the output of the steps before it, so it
gets one pass of its own, in order; steps that learn nothing are fitted on the first chunk and
checked on every later one. The first pass also counts rows per split and surveys the label,
so a plain pipeline costs one pass before training starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlcc_cli.config.data import DataConfig
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.column_stats import input_statistics
from mlcc_cli.data.files import list_columns
from mlcc_cli.data.loading import (
    binary_classes,
    class_balance_warnings,
    two_valued_label_warnings,
)
from mlcc_cli.data.splitting import require_classes_in_train, require_nonempty_splits
from mlcc_cli.errors import DataError
from mlcc_cli.features import (
    FeaturePipeline,
    Impute,
    Transform,
    build_transform,
    policy_imputer_columns,
    select_inputs,
)
from mlcc_cli.features.base import StatisticsTransform
from mlcc_cli.features.imputation import STRATEGIES
from mlcc_cli.features.indicators import expands
from mlcc_cli.features.pipeline import model_reach
from mlcc_cli.training.streaming.source import RawChunk, StreamingData
from mlcc_cli.training.streaming.splits import CODES, TRAIN

# Distinct label values remembered while surveying: enough to name a multi-valued label.
LABEL_VALUES_KEPT = 1000


@dataclass
class FittedFeatures:
    """What the statistics passes learn: the pipeline, inputs, row counts, label classes."""

    pipeline: FeaturePipeline
    inputs: list[str]
    rows: dict[str, int]
    classes: list | None
    passes: int
    warnings: list[str] = field(default_factory=list)
    # The run doctor's input statistics, measured on the one transformed chunk of training
    # rows the statistics passes keep (not the whole file).
    input_statistics: dict[str, dict[str, float]] = field(default_factory=dict)


class _Survey:
    """Row counts and the label's distinct values, gathered on the first pass."""

    def __init__(self, data: StreamingData, settings: DataConfig) -> None:
        self.data, self.settings = data, settings
        self.rows_read = 0
        self.rows = np.zeros(len(CODES), dtype=np.int64)
        self.label_counts: dict[object, int] = {}
        self.train_values: set[object] = set()  # binary: up to two label values seen in training

    def add(self, chunk: RawChunk) -> None:
        """Count one chunk's rows per split and note its label values."""
        self.rows_read += chunk.rows_read
        self.rows += np.bincount(chunk.split, minlength=len(CODES))
        values = chunk.frame[self.data.label]
        if self.data.task == "regression":
            self.data.encode(values)  # a text label fails here, naming an example
        elif len(self.train_values) < 2:
            self.train_values.update(values[chunk.split == TRAIN].unique().tolist())
        # Regression only needs to know whether there are exactly two values.
        limit = 3 if self.data.task == "regression" else LABEL_VALUES_KEPT
        if len(self.label_counts) < limit:
            for value, count in values.value_counts(sort=False).items():
                if value in self.label_counts or len(self.label_counts) < limit:
                    self.label_counts[value] = self.label_counts.get(value, 0) + int(count)

    def finish(self) -> tuple[dict[str, int], list | None, list[str]]:
        """Rows per split, the classes (binary) and warnings; DataError for unusable data."""
        data, kept = self.data, int(self.rows.sum())
        rows = {name: int(self.rows[code]) for name, code in CODES.items()}
        if self.rows_read == 0:
            raise DataError(
                f"{data.source}: has columns ({list_columns(data.reader.column_names)}) but "
                "no data rows; add rows or point data.source at another file"
            )
        if kept == 0:  # each chunk was checked alone, so only the whole pass can say this
            missed = f"its label '{data.label}'"
            if data.policy == "drop":
                missed += " or a value in a column the experiment uses"
            raise DataError(
                f"{data.source}: every one of its {self.rows_read} rows misses {missed}, so "
                f"data.missing={data.policy} leaves no rows; fill the gaps in the file, or point "
                "data.label / inputs at columns that hold values"
            )
        if rows["train"] == 0:
            raise DataError(
                f"data.split leaves no rows for training: {kept} rows, {rows['validation']} to "
                f"validation and {rows['test']} to test; use more rows or lower "
                "data.split.validation / data.split.test"
            )
        require_nonempty_splits(rows, data.splits.split)
        warnings = []
        if self.rows_read > kept:
            what = "missing values" if data.policy == "drop" else "a missing label"
            warnings.append(
                f"dropped {self.rows_read - kept} of {self.rows_read} rows with {what} "
                f"(data.missing={data.policy})"
            )
        distinct = list(self.label_counts)
        if data.task == "regression":
            return rows, None, warnings + two_valued_label_warnings(distinct, data.label)
        classes, more = binary_classes(distinct, data.label)
        codes = np.array([classes.index(value) for value in self.train_values])
        require_classes_in_train(codes, rows["train"], classes, data.label, self.settings)
        share = self.label_counts[classes[1]] / kept
        return rows, classes, warnings + more + class_balance_warnings(share, classes, data.label)


def fit_features(
    data: StreamingData, config: ExperimentConfig, rng: np.random.Generator
) -> FittedFeatures:
    """Fit the feature pipeline on the training rows, one pass per statistics-learning step.

    The first pass also counts rows and surveys the label (and sets `data.classes`); `rng`
    draws the samples quantiles are estimated from.
    """
    survey = _Survey(data, config.data)
    fitting = _Fitting(config, data.label, rng)
    fitting.run_pass(data, survey)
    rows, classes, warnings = survey.finish()
    data.classes = classes
    while not fitting.done:
        fitting.run_pass(data, None)
    transforms, sample = fitting.transforms, fitting.sample
    assert transforms is not None and sample is not None  # survey.finish found training rows
    pipeline = FeaturePipeline.from_fitted(
        config.features, data.label, config.data.missing, transforms, list(sample.columns)
    )
    inputs, more = select_inputs(sample, config.inputs, data.label)
    categorical = [column for column in inputs if expands(sample[column])]
    if categorical:
        raise DataError(
            f"inputs: {', '.join(map(repr, categorical))} are categorical (one-hot, hashed, "
            "bucketized or crossed) or text: their sparse indicators or token counts train "
            "in memory only for now. "
            "Set data.streaming: false, or use bucketize with output: index."
        )
    return FittedFeatures(
        pipeline,
        inputs,
        rows,
        classes,
        fitting.passes,
        warnings + pipeline.warnings_ + more,
        input_statistics(sample, inputs, config.seed),
    )


class _Fitting:
    """Transforms being fitted pass by pass; `sample` keeps one fully transformed chunk."""

    def __init__(self, config: ExperimentConfig, label: str, rng: np.random.Generator) -> None:
        self.config, self.label, self.rng = config, label, rng
        self.transforms: list[Transform] | None = None  # built from the first training chunk
        self.sample: pd.DataFrame | None = None
        self.passes = 0

    @property
    def done(self) -> bool:
        """Every transform fitted, and one training chunk seen through all of them."""
        return self.sample is not None

    def run_pass(self, data: StreamingData, survey: _Survey | None) -> None:
        """One pass: fit what can be fitted, feeding the first unfitted statistics step."""
        self.passes += 1
        learning: StatisticsTransform | None = None
        for chunk in data.raw_chunks():
            if survey is not None:
                survey.add(chunk)
            train = chunk.frame[chunk.split == TRAIN]
            if train.empty:
                continue
            if self.transforms is None:
                self.transforms = _new_transforms(self.config, self.label, train)
            out: pd.DataFrame | None = train
            for transform in self.transforms:
                if transform.is_fitted:
                    out = transform.transform(out)
                elif isinstance(transform, StatisticsTransform) and transform.learns_from_data:
                    learning = transform.partial_fit(out, self.rng)
                    out = None
                    break
                elif transform.learns_from_data:  # no chunk-by-chunk fit: one chunk would lie
                    raise DataError(
                        f"{transform.where} learns from the whole training split and cannot "
                        "be fitted chunk by chunk; set data.streaming: false or remove the step."
                    )
                else:  # learns nothing: fitted on one chunk, checked by transform on the rest
                    out = transform.fit(out).transform(out)
            if out is not None and self.sample is None:
                self.sample = out
            if out is not None and survey is None:
                break  # everything is fitted and nothing is being counted: one chunk sufficed
        if learning is not None:
            learning.finish_fit()


def _new_transforms(config: ExperimentConfig, label: str, train: pd.DataFrame) -> list[Transform]:
    """The unfitted transforms, imputer first, as FeaturePipeline.fit_transform builds them.

    The imputer covers every numeric column of the first training chunk that no impute step
    fills (`policy_imputer_columns`); in memory it skips columns with no training value at
    all, which a stream only knows after a pass (such a column is an error here, naming it).
    """
    transforms: list[Transform] = []
    if config.data.missing in STRATEGIES:
        columns = policy_imputer_columns(config.features, train, label)
        if columns:
            transforms.append(Impute(columns, config.data.missing, label=label))
    steps, inputs = config.features, config.inputs
    transforms += [
        build_transform(step, i, label, model_reach(steps, i, inputs))
        for i, step in enumerate(steps)
    ]
    return transforms
