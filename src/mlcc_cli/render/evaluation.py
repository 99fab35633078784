"""Terminal rendering of `mlcc evaluate` with rich and plotext; it draws, never computes.

Order of the output: what was scored, the metric set, the metrics per slice (--slice-by),
then the task's sections
(classifier: ROC curve, baseline, confusion matrix, threshold table, calibration buckets;
multiclass: baseline, per-class table with averages and AUCs, N×N confusion matrix;
regression: residual buckets), the worst examples, where the plots went, warnings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mlcc_cli.render.training import metrics_table, render_warnings

if TYPE_CHECKING:
    from mlcc_cli.evaluation import (
        Baseline,
        BinaryEvaluation,
        Bucket,
        EvaluationReport,
        MulticlassEvaluation,
        MultilabelEvaluation,
        RegressionEvaluation,
        RocCurve,
        WorstExample,
    )

# ROC points drawn in the terminal: a few hundred characters wide cannot show more.
TERMINAL_CURVE_POINTS = 2_000
# Source columns shown per worst example in the terminal (--json carries them all).
TERMINAL_SOURCE_COLUMNS = 8
SHORT_REASONS = {"precision = recall": "P = R"}


def format_cell(value: float | int | None, signed: bool = False) -> str:
    """A number in a table cell: 4 significant digits, thousands separators for counts."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return "—" if math.isnan(value) else str(value)
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def roc_chart(roc: RocCurve, width: int = 72) -> Text:
    """The ROC curve as a terminal chart (plotext), with the random-guess diagonal."""
    import plotext

    shown = np.unique(np.linspace(0, len(roc.fpr) - 1, TERMINAL_CURVE_POINTS).astype(np.int64))
    plotext.clear_figure()
    fpr, tpr = roc.fpr[shown].tolist(), roc.tpr[shown].tolist()
    plotext.plot(fpr, tpr, label=f"model (AUC {roc.auc:.3f})", marker="braille")
    plotext.plot([0.0, 1.0], [0.0, 1.0], label="random guess", marker="braille")
    plotext.xlim(0, 1)
    plotext.ylim(0, 1)
    plotext.plotsize(width, 18)
    plotext.title("ROC curve")
    plotext.xlabel("false positive rate")
    plotext.ylabel("true positive rate")
    plotext.theme("clear")
    return Text.from_ansi(plotext.build())


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


def baseline_line(baseline: Baseline, where: str = "") -> str:
    """The model's accuracy (`where`: e.g. " at threshold 0.5") against always predicting the
    majority class, and whether it beats it."""
    verdict = "[green]beats[/]" if baseline.beaten else "[bold red]does not beat[/]"
    return (
        f"accuracy {format_cell(baseline.model_accuracy)}{where} {verdict} the majority-class "
        f"baseline {format_cell(baseline.accuracy)} (always predicting "
        f"{escape(repr(baseline.majority_class))})"
    )


def _render_binary(console: Console, report: EvaluationReport, details: BinaryEvaluation) -> None:
    if details.roc is not None:
        console.print(roc_chart(details.roc, min(console.width, 80)))
    console.print(baseline_line(details.baseline, f" at threshold {report.threshold:g}"))
    console.print(confusion_table(details))
    console.print(threshold_rows_table(details))
    title = (
        f"Calibration per quantile bucket of P (log loss {format_cell(details.log_loss)}, "
        f"prediction bias {format_cell(details.prediction_bias, signed=True)})"
    )
    console.print(bucket_table(details.calibration, title, "observed rate", errors=False))


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


def _render_multiclass(console: Console, details: MulticlassEvaluation) -> None:
    console.print(baseline_line(details.baseline))
    console.print(per_class_table(details))
    console.print(confusion_table(details))


def _render_multilabel(console: Console, details: MultilabelEvaluation) -> None:
    table = Table(title="Per label (at the threshold)", title_justify="left")
    for name in ("label", "precision", "recall", "F1", "support", "predicted on", "log loss"):
        table.add_column(name, justify="left" if name == "label" else "right")
    for row in details.labels:
        table.add_row(
            escape(row.label),
            format_cell(row.precision),
            format_cell(row.recall),
            format_cell(row.f1),
            f"{row.support:,}",
            format_cell(row.predicted_rate),
            format_cell(row.log_loss),
        )
    console.print(table)


def _render_regression(console: Console, details: RegressionEvaluation) -> None:
    title = (
        "Residuals per quantile bucket of the prediction (prediction bias "
        f"{format_cell(details.prediction_bias, signed=True)})"
    )
    console.print(bucket_table(details.residuals, title, "actual", errors=True))


def render_evaluation(console: Console, report: EvaluationReport) -> None:
    """`mlcc evaluate`: the scored rows, metric set, task sections, worst examples, plots."""
    from mlcc_cli.evaluation import BinaryEvaluation, MulticlassEvaluation, MultilabelEvaluation

    heading = f"[bold]{escape(report.rows_from)}[/]: {report.rows:,} rows"
    if report.task in ("binary", "multilabel"):
        heading += f", threshold {report.threshold:g}"
    console.print(heading, soft_wrap=True)
    console.print(metrics_table({escape(report.rows_from): report.metrics}, report.task))
    if report.slices is not None:
        from mlcc_cli.render.slices import (
            render_slices,  # it imports format_cell from here
        )

        render_slices(console, report.slices)
    if isinstance(report.details, BinaryEvaluation):
        _render_binary(console, report, report.details)
    elif isinstance(report.details, MulticlassEvaluation):
        _render_multiclass(console, report.details)
    elif isinstance(report.details, MultilabelEvaluation):
        _render_multilabel(console, report.details)
    else:
        _render_regression(console, report.details)
    if report.worst:
        details = report.details
        positive = details.confusion.labels[1] if isinstance(details, BinaryEvaluation) else None
        if isinstance(details, MulticlassEvaluation):
            positive = "label"
        console.print(worst_table(report.worst, positive))
    if report.plots_dir is not None:
        # soft_wrap keeps the path on one line so it can be copied.
        console.print(
            f"[bold]plots[/] {escape(report.plots_dir)}/ ({', '.join(report.plot_files)})",
            soft_wrap=True,
        )
    render_warnings(console, report.warnings)
