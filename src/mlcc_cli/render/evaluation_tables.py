"""The tables of `mlcc evaluate`: confusion matrix, thresholds, buckets, classes, worst rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table

from mlcc_cli.evaluation import (
    BinaryEvaluation,
    Bucket,
    MulticlassEvaluation,
    WorstExample,
)
from mlcc_cli.render.text import format_cell

# Source columns shown per worst example in the terminal (--json carries them all).
TERMINAL_SOURCE_COLUMNS = 8
SHORT_REASONS = {"precision = recall": "P = R"}


def confusion_table(details: BinaryEvaluation | MulticlassEvaluation) -> Table:
    """The confusion matrix: one row per actual class, one column per predicted class."""
    matrix = details.confusion
    title = "Confusion matrix (most probable class)"
    if matrix.threshold is not None:
        title = f"Confusion matrix at threshold {matrix.threshold:g}"
    table = Table(title=title, title_justify="left", min_width=len(title))
    table.add_column("actual \\ predicted")
    for label in matrix.labels:
        table.add_column(escape(label), justify="right")
    for label, counts in zip(matrix.labels, matrix.counts.tolist(), strict=True):
        table.add_row(escape(label), *(f"{count:,}" for count in counts))
    return table


def threshold_rows_table(details: BinaryEvaluation) -> Table:
    """The threshold table: raising the threshold trades recall for precision.

    Compact (no vertical rules) so its eleven columns fit an 80-column terminal.
    """
    table = Table(
        title="Thresholds: class 1 predicted when P ≥ threshold",
        title_justify="left",
        caption=(
            "P = R: the threshold where precision and recall meet"
            if any("precision = recall" in row.reasons for row in details.thresholds)
            else None
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
    )
    for header in ("threshold", "TP", "FP", "TN", "FN", "accuracy", "precision", "recall"):
        table.add_column(header, justify="right")
    table.add_column("FPR", justify="right")
    table.add_column("F1", justify="right")
    table.add_column("", no_wrap=True)
    for row in details.thresholds:
        rates = (row.accuracy, row.precision, row.recall, row.fpr, row.f1)
        table.add_row(
            f"{row.threshold:.4g}",
            *(f"{n:,}" for n in (row.tp, row.fp, row.tn, row.fn)),
            *("—" if math.isnan(v) else f"{v:.3f}" for v in rates),
            ", ".join(SHORT_REASONS.get(reason, reason) for reason in row.reasons),
            style="bold" if "chosen" in row.reasons else None,
        )
    return table


def bucket_table(buckets: Sequence[Bucket], title: str, label_name: str, errors: bool) -> Table:
    """Quantile buckets of the prediction: mean prediction vs mean label, bias (+ errors)."""
    table = Table(
        title=title,
        title_justify="left",
        caption=f"bucket means; bias = predicted − {label_name}",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    table.add_column("prediction range", justify="right", no_wrap=True)
    for header in ("rows", "predicted", label_name, "bias"):
        table.add_column(header, justify="right")
    if errors:
        table.add_column("RMSE", justify="right")
        table.add_column("MAE", justify="right")
    for bucket in buckets:
        cells = [
            f"{bucket.lower:.3g} – {bucket.upper:.3g}",
            f"{bucket.count:,}",
            format_cell(bucket.mean_prediction),
            format_cell(bucket.mean_label),
            format_cell(bucket.prediction_bias, signed=True),
        ]
        if errors:
            cells += [format_cell(bucket.rmse), format_cell(bucket.mae)]
        table.add_row(*cells)
    return table


def _cell(value: Any) -> str:
    """A data value for a table cell; text is escaped, since rich would read "[x]" as markup."""
    if isinstance(value, float):
        return format_cell(value)
    return "—" if value is None else escape(str(value))


def worst_table(worst: Sequence[WorstExample], positive: str | None) -> Table:
    """The examples of highest loss with their source columns, label and prediction.

    `positive` names class 1 of a binary classifier, "label" for multiclass (the probability
    shown is the label's class), None for regression.
    """
    table = Table(
        title="Highest-loss examples (look here for bad labels and bad feature values)",
        title_justify="left",
    )
    table.add_column("row_id", justify="right")
    table.add_column("label", justify="right")
    header = "prediction" if positive is None else f"P({escape(positive)})"
    table.add_column(header, justify="right")
    table.add_column("loss", justify="right")
    table.add_column("source columns", ratio=1)
    for example in worst:
        prediction = format_cell(example.prediction)
        if example.predicted_class is not None:
            prediction += f" → {escape(example.predicted_class)}"
        items = list(example.features.items())
        shown = items[:TERMINAL_SOURCE_COLUMNS]
        columns = ", ".join(f"{escape(k)}={_cell(v)}" for k, v in shown)
        if len(items) > TERMINAL_SOURCE_COLUMNS:
            columns += f", … ({len(items) - TERMINAL_SOURCE_COLUMNS} more in --json)"
        table.add_row(
            str(example.row_id),
            _cell(example.label),
            prediction,
            format_cell(example.loss),
            columns,
        )
    return table


def per_class_table(details: MulticlassEvaluation) -> Table:
    """Precision, recall, F1, support and one-vs-rest AUC per class, then the averages."""
    table = Table(
        title=f"Per class (macro AUC {format_cell(details.macro_auc)}, one-vs-rest)",
        title_justify="left",
        caption="macro: every class counts the same; weighted: by support",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    table.add_column("class")
    for header in ("precision", "recall", "F1", "support", "AUC"):
        table.add_column(header, justify="right")
    for row in details.classes:
        table.add_row(
            escape(row.label),
            *(format_cell(v) for v in (row.precision, row.recall, row.f1, row.support, row.auc)),
        )
    total = sum(row.support for row in details.classes)
    for name, scores in details.averages.items():
        cells = (scores["precision"], scores["recall"], scores["f1"])
        table.add_row(
            f"{name} avg",
            *(format_cell(v) for v in cells),
            format_cell(total),
            format_cell(details.macro_auc) if name == "macro" else "",
            style="bold",
        )
    return table
