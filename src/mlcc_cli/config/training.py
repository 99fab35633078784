"""The `training:` and `evaluation:` sections: batching, length, reporting and scoring.

`TrainingConfig` holds `training:` (with `EarlyStoppingConfig` for `training.early_stopping`);
`EvaluationConfig` holds `evaluation:`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from mlcc_cli.config.base import StrictModel

# Caps on a run's length: far beyond any useful run (a million epochs, a billion updates), yet
# small enough that the schedule's arithmetic and printed counts stay ordinary numbers.
MAX_EPOCHS = 1_000_000
MAX_STEPS = 1_000_000_000


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
        None,
        ge=1,
        le=MAX_EPOCHS,
        description="Passes over the training split (default 10 if steps is unset; at most "
        "1,000,000).",
    )
    steps: int | None = Field(
        None,
        ge=1,
        le=MAX_STEPS,
        description="Weight updates to make (one step = one batch = one update; at most "
        "1,000,000,000).",
    )
    periods: int = Field(
        10, ge=1, description="How many times train and validation loss are reported."
    )
    early_stopping: EarlyStoppingConfig | None = Field(
        None, description="Stop on a validation-loss plateau (needs a validation split)."
    )
    shuffle: Literal["auto", "rows", "windows", "blocks"] = Field(
        "auto",
        description=(
            "How each epoch reshuffles the training split: `rows` draws a fresh permutation "
            "of all rows; `windows` puts runs of 256 consecutive rows of the once-shuffled "
            "split in a random order and shuffles the rows within windows of about 1 MB "
            "(16 runs of 32 features), so batch-mates still change every epoch while memory "
            "is read in runs; `blocks` only permutes the runs (batches are the same runs every "
            "epoch; the fastest). `auto` uses `windows` when a dense training design matrix is "
            "16 MB or more (`blocks` for a sparse one of 128 MB or more) and data.shuffle is "
            "true, else `rows` (status.json records the choice). Streaming uses "
            "data.shuffle_buffer instead."
        ),
    )
    engine: Literal["auto", "compiled", "numpy"] = Field(
        "auto",
        description=(
            "How steps run: `compiled` (numba, a whole period per call; the fastest), `numpy` "
            "(the readable reference loop) or `auto` (compiled whenever the model and "
            "optimizer have a kernel and the run is long enough to repay loading numba, "
            "about half a second; short runs stay on numpy). Both give the same weights."
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
            raise ValueError(
                f"give either epochs or steps, not both (epochs {self.epochs}, steps "
                f"{self.steps}); "
                "set the other to null, e.g. --set training.epochs=null"
            )
        return self


def unreachable_patience(early: EarlyStoppingConfig | None, periods: int) -> list[str]:
    """A warning when early stopping can never stop a run of `periods` periods: the first
    period always sets the best validation loss, so at most periods − 1 can follow without
    improving, and stopping needs `patience` of them."""
    if early is None or early.patience < periods:
        return []
    return [
        f"training.early_stopping.patience {early.patience} can never be reached in "
        f"{periods} period{'s' if periods != 1 else ''}: the first sets the best validation "
        f"loss, so at most {periods - 1} can follow without improving and early stopping "
        f"never stops the run; lower the patience below {periods} or raise training.periods "
        f"above {early.patience}"
    ]


class EvaluationConfig(StrictModel):
    """How predictions are scored after training."""

    threshold: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Classification threshold: probability at or above it predicts class 1.",
    )
