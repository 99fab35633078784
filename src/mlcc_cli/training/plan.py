"""What a training route (in memory or streaming) is given and hands back.

`RunPlan` is shown to the user before the first step; `Trained` goes to the run-directory
writer; `TrainingObserver` receives progress (the CLI renders it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from mlcc_cli.data.split_checks import SplitCheck
from mlcc_cli.features import FeaturePipeline
from mlcc_cli.training.loop import PeriodRecord, Schedule, TrainingResult

SPLITS = ("train", "validation", "test")


def scored_splits(evaluate_test: bool) -> tuple[str, ...]:
    """Splits scored after training: the test split only when asked for (`--test`)."""
    return SPLITS if evaluate_test else SPLITS[:2]


@dataclass(frozen=True)
class RunPlan:
    """What is about to be trained, shown to the user before the first step."""

    source: str
    rows: dict[str, int]
    inputs: list[str]
    schedule: Schedule
    task: str
    split_checks: list[SplitCheck] = field(default_factory=list)
    loss_label: str = field(kw_only=True)  # the model's loss as the table heads it ("MSE", ...)
    # The model's layer table, (layer, output shape, parameters) per layer; None: no table.
    layers: list[tuple[str, str, int]] | None = field(default=None, kw_only=True)


class TrainingObserver(Protocol):
    """Receives progress while an experiment runs (the CLI renders it)."""

    def started(self, plan: RunPlan) -> None: ...

    def period(self, record: PeriodRecord) -> str | None:
        """Called at each period end; a returned reason stops training (status "pruned")."""


@dataclass
class Trained:
    """What a training route (in memory or streaming) hands to the run-directory writer."""

    model: Any
    outcome: TrainingResult
    metrics: dict[str, dict[str, Any]]
    predictions: dict[str, np.ndarray] | None
    pipeline: FeaturePipeline
    inputs: list[str]
    feature_names: list[str] | None  # one per weight; None when there are too many to list
    label: str
    classes: list[Any] | None
    warnings: list[str]
    task: str  # regression | binary | multiclass | multilabel
    labels: list[str] | None = None  # multilabel: data.labels, one model output each
    # model.embeddings: indicator columns (start, stop) in X and category names per input.
    embedding_columns: dict[str, tuple[int, int]] | None = None
    embedding_categories: dict[str, list[str]] | None = None
    # Text columns among them: each token's occurrences in the training split.
    embedding_counts: dict[str, list[int]] | None = None
    # Numeric inputs' statistics on the training split (doctor.input_statistics); streaming
    # measures them on its first chunk of training rows.
    input_statistics: dict[str, dict[str, float]] | None = None
    split_checks: list[SplitCheck] = field(default_factory=list)
    data_rows: int | None = None  # rows split into train/validation/test (in memory)
    # The first few validation rows of X (the model's `image_views` draws them); None
    # without a validation split.
    validation_sample: Any = None
