"""The rows `mlcc evaluate` scored: labels, predictions, the worst rows' source, slice values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.errors import ConfigError, did_you_mean
from mlcc_cli.evaluation import (
    DEFAULT_SLICE_BUCKETS,
    EvaluationReport,
    build_report,
    evaluate_slices,
    example_loss,
    worst_examples,
    worst_positions,
)
from mlcc_cli.rundir.saved import SavedRun


def _slice_values(column: str, rows: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """The `--slice-by` column of scored rows: from the source rows, else from the feature
    steps' output `out` (same rows, same order); ConfigError listing the columns if neither."""
    if column in rows.columns:
        return rows[column].reset_index(drop=True)
    if column in out.columns:
        return out[column].reset_index(drop=True)
    names = [*map(str, rows.columns), *(str(c) for c in out.columns if c not in rows.columns)]
    raise ConfigError(
        f"--slice-by: no column {column!r} in the evaluated rows.{did_you_mean(column, names)} "
        f"Choose a source column or one the run's feature steps create: {', '.join(names)}."
    )


class ScoredRows:
    """Scored rows, gathered in one go or chunk by chunk (streaming).

    Keeps every label and prediction (16 bytes a row) but only the source rows of the
    `worst` highest-loss rows of each chunk: the overall worst are among them, so a split
    larger than memory never has its raw rows held at once. With `slice_by`, each row's
    value of that column is kept too.
    """

    def __init__(
        self,
        run: SavedRun,
        worst: int,
        slice_by: str | None = None,
        slice_buckets: int = DEFAULT_SLICE_BUCKETS,
    ) -> None:
        self.run = run
        # Worst examples rank rows by one label's loss; multilabel reports per label instead.
        self.worst = 0 if run.task == "multilabel" else worst
        self.slice_by = slice_by
        self.slice_buckets = slice_buckets
        self.labels: list[np.ndarray] = []
        self.predictions: list[np.ndarray] = []
        self.slice_values: list[pd.Series] = []
        self.candidates: list[tuple[pd.DataFrame, np.ndarray, np.ndarray]] = []

    def add(
        self, rows: pd.DataFrame, y: np.ndarray, prediction: np.ndarray, out: pd.DataFrame
    ) -> None:
        """Fold in source rows (index row_id) with their encoded labels and predictions;
        `out` is the feature steps' output for the same rows."""
        if self.slice_by is not None:
            self.slice_values.append(_slice_values(self.slice_by, rows, out))
        self.labels.append(y)
        self.predictions.append(prediction)
        if self.worst:
            keep = worst_positions(self.example_losses(y, prediction), self.worst)
            self.candidates.append((rows.iloc[keep], y[keep], prediction[keep]))

    def example_losses(self, y: np.ndarray, prediction: np.ndarray) -> np.ndarray:
        """Each row's loss as the model trained on it (squared error, log loss, deviance)."""
        losses = self.run.model.metric_losses(y, prediction)
        return example_loss(self.run.task, y, prediction) if losses is None else losses

    def report(
        self, rows_from: str, name: str, threshold: float | None, warnings: list[str]
    ) -> EvaluationReport:
        """The evaluation of every row added (at least one)."""
        run = self.run
        threshold = run.threshold if threshold is None else threshold
        worst = []
        if self.candidates:
            rows = pd.concat([c[0] for c in self.candidates])
            y, prediction = (np.concatenate([c[i] for c in self.candidates]) for i in (1, 2))
            worst = worst_examples(
                run.task,
                rows,
                y,
                prediction,
                self.worst,
                label=run.label,
                classes=run.classes,
                threshold=threshold,
                losses=run.model.metric_losses(y, prediction),
            )
        labels, predictions = np.concatenate(self.labels), np.concatenate(self.predictions)
        report = build_report(
            run_dir=run.run_dir,
            rows_from=rows_from,
            name=name,
            task=run.task,
            y=labels,
            prediction=predictions,
            threshold=threshold,
            classes=run.labels if run.task == "multilabel" else run.classes,
            worst=worst,
            warnings=warnings,
            losses=run.model.metric_losses(labels, predictions),
        )
        if self.slice_by is not None:
            values = pd.concat(self.slice_values, ignore_index=True)
            report.slices = evaluate_slices(
                self.slice_by,
                values,
                run.task,
                report.labels,
                report.predictions,
                threshold,
                self.slice_buckets,
            )
            report.warnings.extend(report.slices.warnings)
        return report
