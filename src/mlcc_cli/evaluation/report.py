"""`mlcc evaluate`'s result: the metric set plus the task's curves, tables and worst examples.

`build_report` joins the pieces for one set of scored rows; `rundir.evaluation_plots` draws
its PNGs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.evaluation.buckets import RegressionEvaluation, evaluate_regression
from mlcc_cli.evaluation.classification import BinaryEvaluation, evaluate_binary
from mlcc_cli.evaluation.examples import WorstExample
from mlcc_cli.evaluation.metrics import json_safe, task_metrics
from mlcc_cli.evaluation.multiclass import MulticlassEvaluation, evaluate_multiclass
from mlcc_cli.evaluation.multilabel import MultilabelEvaluation, evaluate_multilabel
from mlcc_cli.evaluation.slices import SliceReport


@dataclass
class EvaluationReport:
    """What `mlcc evaluate` found on one set of labelled rows.

    `details` is the task's variant (BinaryEvaluation, RegressionEvaluation,
    MulticlassEvaluation or MultilabelEvaluation). `name` is the folder under RUN/evaluate/
    for the plots: the split's name, or data-<file stem>. `labels` (encoded: 0/1, class code,
    or the scaled number; multilabel: (rows, n_labels) 0/1) and `predictions` (P(class 1) or
    ŷ, shape (rows,); multiclass: (rows, n_classes); multilabel: (rows, n_labels)) feed the
    plots and stay out of the JSON. `slices` holds the metrics per slice of a column
    (`mlcc evaluate --slice-by`), None unless asked for.
    """

    run_dir: str
    rows_from: str  # "validation split", "test split", or the data file
    name: str
    task: str
    threshold: float
    metrics: dict[str, float]
    details: BinaryEvaluation | RegressionEvaluation | MulticlassEvaluation | MultilabelEvaluation
    worst: list[WorstExample]
    labels: np.ndarray = field(repr=False)
    predictions: np.ndarray = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    plots_dir: str | None = None  # set by save_plots
    plot_files: list[str] = field(default_factory=list)
    slices: SliceReport | None = None

    @property
    def rows(self) -> int:
        """How many rows were scored."""
        return len(self.labels)

    def to_json(self) -> dict[str, Any]:
        """Every number of the report as JSON-able values (NaN and inf become null)."""
        return {
            "run_dir": self.run_dir,
            "rows_from": self.rows_from,
            "rows": self.rows,
            "task": self.task,
            "threshold": self.threshold,
            "metrics": json_safe(self.metrics),
            **({"slices": self.slices.to_json()} if self.slices is not None else {}),
            **self.details.to_json(),
            "worst_examples": [example.to_json() for example in self.worst],
            "plots_dir": self.plots_dir,
            "plot_files": self.plot_files,
            "warnings": self.warnings,
        }


def build_report(
    *,
    run_dir: Path,
    rows_from: str,
    name: str,
    task: str,
    y: np.ndarray,
    prediction: np.ndarray,
    threshold: float,
    classes: Sequence[Any] | None,
    worst: list[WorstExample],
    warnings: list[str],
    losses: np.ndarray | None = None,
) -> EvaluationReport:
    """The report on rows with labels `y` (n,) and predictions `prediction` ((n,), or
    (n, n_classes) for multiclass). Multilabel: y and prediction are (n, n_labels) and
    `classes` names the label columns. `losses`: the model's own per-example loss, when it is
    not the task's usual one (see `metrics.regression_metrics`)."""
    details: BinaryEvaluation | RegressionEvaluation | MulticlassEvaluation | MultilabelEvaluation
    labels = None
    if task == "binary":
        details, more = evaluate_binary(y, prediction, threshold, classes or [0, 1])
    elif task == "multiclass":
        details, more = evaluate_multiclass(y, prediction, classes or [])
    elif task == "multilabel":
        labels = [str(c) for c in classes or []]
        details, more = evaluate_multilabel(y, prediction, threshold, labels)
    else:
        details, more = evaluate_regression(y, prediction), []
    return EvaluationReport(
        run_dir=str(run_dir),
        rows_from=rows_from,
        name=name,
        task=task,
        threshold=threshold,
        metrics=task_metrics(task, y, prediction, threshold, labels=labels, losses=losses),
        details=details,
        worst=worst,
        labels=y,
        predictions=prediction,
        warnings=[*warnings, *more],
    )
