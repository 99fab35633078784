"""Terminal rendering of `mlcc evaluate` with rich and plotext; it draws, never computes.

Order of the output: what was scored, the metric set, the metrics per slice (--slice-by),
then the task's sections
(classifier: ROC curve, baseline, confusion matrix, threshold table, calibration buckets;
multiclass: baseline, per-class table with averages and AUCs, N×N confusion matrix;
regression: residual buckets), the worst examples, where the plots went, warnings.
"""

from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mlcc_cli.evaluation import (
    Baseline,
    BinaryEvaluation,
    EvaluationReport,
    MulticlassEvaluation,
    MultilabelEvaluation,
    RegressionEvaluation,
    RocCurve,
)
from mlcc_cli.render.console import render_warnings
from mlcc_cli.render.evaluation_tables import (
    bucket_table,
    confusion_table,
    per_class_table,
    threshold_rows_table,
    worst_table,
)
from mlcc_cli.render.layout import print_table
from mlcc_cli.render.prose import print_path
from mlcc_cli.render.slices import render_slices
from mlcc_cli.render.text import format_cell
from mlcc_cli.render.training import metrics_table

# ROC points drawn in the terminal: a few hundred characters wide cannot show more.
TERMINAL_CURVE_POINTS = 2_000


def roc_chart(roc: RocCurve, width: int = 72) -> Text:
    """The ROC curve as a terminal chart (plotext), with the random-guess diagonal."""
    import plotext  # deferred: plotext costs start-up time and only draws charts

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
    print_table(console, confusion_table(details))
    print_table(console, threshold_rows_table(details))
    title = (
        f"Calibration per quantile bucket of P (log loss {format_cell(details.log_loss)}, "
        f"prediction bias {format_cell(details.prediction_bias, signed=True)})"
    )
    print_table(console, bucket_table(details.calibration, title, "observed rate", errors=False))


def _render_multiclass(console: Console, details: MulticlassEvaluation) -> None:
    console.print(baseline_line(details.baseline))
    print_table(console, per_class_table(details))
    print_table(console, confusion_table(details))


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
    print_table(console, table)


def _render_regression(console: Console, details: RegressionEvaluation) -> None:
    title = (
        "Residuals per quantile bucket of the prediction (prediction bias "
        f"{format_cell(details.prediction_bias, signed=True)})"
    )
    print_table(console, bucket_table(details.residuals, title, "actual", errors=True))


def render_evaluation(console: Console, report: EvaluationReport) -> None:
    """`mlcc evaluate`: the scored rows, metric set, task sections, worst examples, plots."""
    heading = f"[bold]{escape(report.rows_from)}[/]: {report.rows:,} rows"
    if report.task in ("binary", "multilabel"):
        heading += f", threshold {report.threshold:g}"
    console.print(heading, soft_wrap=True)
    print_table(console, metrics_table({escape(report.rows_from): report.metrics}, report.task))
    if report.slices is not None:
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
        print_table(console, worst_table(report.worst, positive))
    if report.plots_dir is not None:
        print_path(console, "plots", f"{report.plots_dir}/", f"({', '.join(report.plot_files)})")
    render_warnings(console, report.warnings)
