"""The experiment file: pydantic models for every key, with bounds and descriptions.

The field descriptions are the JSON Schema (`mlcc schema`) and the README's config reference.
Loading YAML, applying `--set` overrides and turning validation errors into friendly messages
live in `config_loading.py`; this module only declares what a valid experiment is.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, field_validator, model_validator

from mlcc_cli.config.base import StrictModel
from mlcc_cli.config.exercise import ExerciseConfig
from mlcc_cli.config.features import FeatureStep
from mlcc_cli.config.models import ModelConfig
from mlcc_cli.config.optimizers import OptimizerConfig
from mlcc_cli.config.sweep import SweepConfig

# --------------------------------------------------------------------------- data


class SplitConfig(StrictModel):
    """Fractions of the (shuffled) rows that go to each split; they must sum to 1."""

    train: float = Field(0.8, gt=0, le=1, description="Fraction of rows used to fit weights.")
    validation: float = Field(
        0.2,
        ge=0,
        lt=1,
        description="Fraction of rows used to watch generalisation while training (may be 0).",
    )
    test: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="Fraction of rows held back until `mlcc train --test` (may be 0).",
    )

    @model_validator(mode="after")
    def _fractions_sum_to_one(self) -> SplitConfig:
        total = self.train + self.validation + self.test
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"train + validation + test must sum to 1, got {total:g} "
                f"({self.train:g} + {self.validation:g} + {self.test:g})"
            )
        return self


class SyntheticConfig(StrictModel):
    """Size and noise of a generated `builtin:` dataset (xor, circles, spiral, gaussian, linear)."""

    samples: int = Field(1000, ge=10, le=10_000_000, description="Number of rows to generate.")
    noise: float = Field(
        0.1, ge=0, description="Standard deviation of the Gaussian noise added to the data."
    )
    features: int = Field(
        2,
        ge=1,
        le=10_000,
        description="Number of input columns (`linear` and `gaussian` only; the others are 2-D).",
    )


class DataConfig(StrictModel):
    """Where the examples come from and how they are split."""

    source: str = Field(
        description=(
            "A .csv or .parquet path (relative paths resolve against the config file's folder, "
            "then the current directory) or `builtin:NAME` (see `mlcc datasets`)."
        )
    )
    label: str | None = Field(
        None,
        description="Column the model predicts. Defaults to `target` for builtin datasets.",
    )
    labels: list[str] | None = Field(
        None,
        min_length=2,
        description="multi_label models only: the 0/1 label columns, one output each.",
    )
    label_above: float | None = Field(
        None,
        description=(
            "Make a binary label from a numeric one: 1 where the label column is above this "
            "value (in the file's units), else 0, e.g. 265000 for the course's "
            "`median_house_value` above its 75th percentile."
        ),
    )
    label_scale: float = Field(
        1.0,
        gt=0,
        description="Multiplier applied to a numeric label, e.g. 0.001 to predict thousands.",
    )
    shuffle: bool = Field(
        True, description="Shuffle rows (seeded) before splitting; false keeps the file order."
    )
    split: SplitConfig = Field(
        default_factory=SplitConfig, description="Fractions for train / validation / test."
    )
    stratify: bool = Field(
        False,
        description="Classification only: keep each class's share of rows the same in every split.",
    )
    missing: Literal["error", "drop", "mean", "median"] = Field(
        "error",
        description=(
            "What to do with missing values in the columns the experiment uses: `error` names "
            "them, `drop` removes those rows, `mean`/`median` fill them with the training "
            "split's statistic."
        ),
    )
    synthetic: SyntheticConfig = Field(
        default_factory=SyntheticConfig,
        description="Generator settings for synthetic builtin datasets (ignored otherwise).",
    )
    streaming: bool = Field(
        False,
        description=(
            "Train out of core: read the .csv/.parquet file chunk by chunk on every pass instead "
            "of loading it, so files larger than memory work. Splits are drawn per row (sizes "
            "vary slightly), quantile statistics are estimated from a sample, and `stratify` is "
            "not available."
        ),
    )
    chunk_rows: int = Field(
        65536,
        ge=1,
        description="Streaming only: rows read from the file at a time (bounds the memory used).",
    )
    shuffle_buffer: int = Field(
        100_000,
        ge=1,
        description=(
            "Streaming only: training rows held and shuffled together before batches are drawn "
            "(as the crash course's TensorFlow input pipeline); must hold at least one batch."
        ),
    )

    @model_validator(mode="after")
    def _streaming_reads_a_file(self) -> DataConfig:
        if not self.streaming:
            return self
        if self.source.startswith("builtin:"):
            raise ValueError(
                f"data.streaming reads a .csv or .parquet file chunk by chunk, but data.source "
                f"is {self.source!r}, which is generated in memory; set data.streaming: false"
            )
        if self.stratify:
            raise ValueError(
                "data.stratify is not supported with data.streaming (streaming draws each row's "
                "split on its own, without seeing the class counts); set data.stratify: false"
            )
        return self


# ------------------------------------------------------------------------- models


# --------------------------------------------------------------------- optimizers


# The variants and their schedules live in config_optimizers.py (OptimizerConfig, imported
# above); SGDConfig is re-exported for callers that build one directly.

# ----------------------------------------------------------------------- training


class EarlyStoppingConfig(StrictModel):
    """Stop when validation loss stops improving, then restore the best weights."""

    patience: int = Field(
        3, ge=1, description="Periods without improvement tolerated before stopping."
    )
    min_delta: float = Field(
        0.0, ge=0, description="Smallest decrease of validation loss that counts as improvement."
    )
    restore_best: bool = Field(
        True, description="Put back the weights from the period with the lowest validation loss."
    )


class TrainingConfig(StrictModel):
    """How long to train and how often to report."""

    batch_size: int | Literal["full"] = Field(
        32,
        description=(
            "Examples per step: 1 = stochastic gradient descent, N = mini-batch, "
            "`full` = batch gradient descent over the whole training split."
        ),
    )
    epochs: int | None = Field(
        None, ge=1, description="Passes over the training split (default 10 if steps is unset)."
    )
    steps: int | None = Field(
        None, ge=1, description="Weight updates to make (one step = one batch = one update)."
    )
    periods: int = Field(
        10, ge=1, description="How many times train and validation loss are reported."
    )
    early_stopping: EarlyStoppingConfig | None = Field(
        None, description="Stop on a validation-loss plateau (needs a validation split)."
    )
    shuffle: Literal["auto", "rows", "blocks"] = Field(
        "auto",
        description=(
            "How each epoch reshuffles the training split: `rows` draws a fresh permutation "
            "of all rows; `blocks` permutes runs of 256 consecutive rows of the once-shuffled "
            "split, which reads memory sequentially (several times faster for large data) but "
            "mixes batches less between epochs; `auto` uses `blocks` when the training design "
            "matrix is 128 MB or more and data.shuffle is true, else `rows` (status.json "
            "records the choice). Streaming uses data.shuffle_buffer instead."
        ),
    )
    engine: Literal["auto", "compiled", "numpy"] = Field(
        "auto",
        description=(
            "How steps run: `compiled` (numba, a whole period per call; the fastest), `numpy` "
            "(the readable reference loop) or `auto` (compiled whenever the model and "
            "optimizer have a kernel). Both give the same weights."
        ),
    )

    @field_validator("batch_size", mode="before")
    @classmethod
    def _whole_number_or_full(cls, value: object) -> object:
        # One clear message instead of pydantic's two (one per union member).
        if value == "full" or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
        ):
            return value
        raise ValueError(f"must be a whole number >= 1 or 'full', got {value!r}")

    @model_validator(mode="after")
    def _epochs_or_steps(self) -> TrainingConfig:
        if self.epochs is not None and self.steps is not None:
            raise ValueError("give either epochs or steps, not both")
        return self


class EvaluationConfig(StrictModel):
    """How predictions are scored after training."""

    threshold: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Classification threshold: probability at or above it predicts class 1.",
    )


# --------------------------------------------------------------------- experiment

# Feature steps streaming cannot run, and why (each needs the whole split at once, or changes
# the row counts the training schedule is planned from before the stream is read).
STREAMING_UNSUPPORTED = {
    "drop_duplicates": "compares every row with all earlier rows",
    "filter": "changes the row counts the schedule is planned from",
    "pca": "needs the whole training split at once",
}


class ExperimentConfig(StrictModel):
    """One experiment: data, features, model, optimizer and training schedule."""

    name: str = Field(
        "experiment",
        min_length=1,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Run-name prefix (letters, digits, `.`, `_`, `-`).",
    )
    seed: int = Field(42, ge=0, description="Every random choice (shuffle, split) derives from it.")
    data: DataConfig = Field(description="Data source, label and split.")
    features: list[FeatureStep] = Field(
        default_factory=list,
        description="Transforms applied in order, fitted on the training split only.",
    )
    inputs: list[str] | None = Field(
        None,
        min_length=1,
        description="Columns the model sees (default: every numeric non-label column).",
    )
    model: ModelConfig = Field(description="The model to train.")
    optimizer: OptimizerConfig = Field(description="How weights are updated.")
    training: TrainingConfig = Field(
        default_factory=TrainingConfig, description="Batching, length and reporting."
    )
    evaluation: EvaluationConfig = Field(
        default_factory=EvaluationConfig, description="Scoring settings."
    )
    sweep: SweepConfig | None = Field(
        None, description="Points for `mlcc sweep` (grid and random search); training ignores it."
    )
    exercise: ExerciseConfig | None = Field(
        None,
        description="A crash-course exercise's goal and hints (`mlcc exercise`); training "
        "ignores it.",
    )

    @model_validator(mode="after")
    def _early_stopping_needs_validation(self) -> ExperimentConfig:
        if self.training.early_stopping is not None and self.data.split.validation == 0:
            raise ValueError(
                "training.early_stopping watches validation loss, but data.split.validation is 0"
            )
        if self.data.streaming and self.training.shuffle == "blocks":
            raise ValueError(
                "training.shuffle: blocks applies to in-memory training; with data.streaming "
                "rows are shuffled in data.shuffle_buffer, so leave training.shuffle at auto"
            )
        if self.data.streaming:
            for index, step in enumerate(self.features):
                if step.type in STREAMING_UNSUPPORTED:
                    raise ValueError(
                        f"features.{index} ({step.type}) {STREAMING_UNSUPPORTED[step.type]}, "
                        "which a stream read chunk by chunk cannot do; set data.streaming: "
                        "false (in-memory training) or remove the step"
                    )
        if self.model.type == "multi_label" and self.data.labels is None:
            raise ValueError(
                "model.type multi_label predicts several 0/1 columns; list them in data.labels"
            )
        if self.model.type != "multi_label" and self.data.labels is not None:
            raise ValueError(
                "data.labels is for model.type multi_label; use data.label for one label column"
            )
        if self.data.label_above is not None and self.model.type != "logistic":
            raise ValueError(
                "data.label_above makes a 0/1 label for logistic regression, but model.type is "
                f"{self.model.type}; set model.type: logistic or remove data.label_above"
            )
        if self.data.stratify and self.model.type == "linear":
            raise ValueError(
                "data.stratify keeps class ratios equal across splits, which needs a "
                "classification model; set data.stratify: false for linear regression"
            )
        return self


def union_tags(union: object) -> tuple[str, ...]:
    """The `type:` tags of a discriminated union alias, in declaration order.

    Registries are checked against these so a config variant never lacks an implementation.
    """
    members = get_args(get_args(union)[0]) or (get_args(union)[0],)
    return tuple(get_args(member.model_fields["type"].annotation)[0] for member in members)
