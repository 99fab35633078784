"""Terminal rendering of `mlcc evaluate --slice-by`: the metrics per slice of a column."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mlcc_cli.render.layout import print_table
from mlcc_cli.render.text import format_cell

if TYPE_CHECKING:
    from mlcc_cli.evaluation import SliceReport

# The slice table's metric columns per task: (header, key of SliceRow.metrics); numbers in
# [0, 1] (and a classifier's bias) show 3 decimals, like the threshold table.
SLICE_COLUMNS = {
    "binary": [
        ("pos", "positives"),
        ("acc", "accuracy"),
        ("FPR", "fpr"),
        ("FNR", "fnr"),
        ("AUC", "auc"),
        ("mean P", "mean_prediction"),
        ("bias", "prediction_bias"),
    ],
    "regression": [("RMSE", "rmse"), ("MAE", "mae"), ("bias", "prediction_bias")],
    "multiclass": [("acc", "accuracy"), ("log loss", "log_loss")],
    "multilabel": [("label accuracy", "label_accuracy"), ("log loss", "log_loss")],
}
SLICE_RATES = {"accuracy", "fpr", "fnr", "auc", "mean_prediction", "label_accuracy"}


def _slice_cell(task: str, key: str, value: float) -> str:
    signed = key == "prediction_bias"
    fixed = key in SLICE_RATES or (signed and task == "binary")
    if fixed and not isinstance(value, int) and math.isfinite(value):
        return f"{value:+.3f}" if signed else f"{value:.3f}"
    return format_cell(value, signed=signed)


def slice_table(slices: SliceReport) -> Table:
    """The headline metrics per slice of a column, then all rows; ⚠ marks a much worse slice."""
    kind = "quantile bucket" if slices.bucketed else "value"
    table = Table(
        title=f"Per {kind} of {escape(slices.column)}",
        title_justify="left",
        caption=(
            f"⚠: {slices.flag_rule}; *: fewer than {slices.few_rows_below} rows (noisy); "
            "bias = mean prediction − mean label"
            + ("; pos: rows of class 1, acc: accuracy" if slices.task == "binary" else "")
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
    )
    table.add_column(escape(slices.column), no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    columns = SLICE_COLUMNS[slices.task]
    for header, _ in columns:
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("", min_width=6)
    for row in [*slices.rows, slices.total]:
        cells = [_slice_cell(slices.task, key, row.metrics[key]) for _, key in columns]
        table.add_row(
            escape(row.name),
            format_cell(row.count) + ("*" if row.few_rows else ""),
            *cells,
            f"[bold red]⚠ {' '.join(row.flags)}[/]" if row.flags else "",
            style="bold" if row is slices.total else None,
            end_section=row is slices.rows[-1],
        )
    return table


def render_slices(console: Console, slices: SliceReport) -> None:
    """The slice table, and the crash course's fairness point when a slice is flagged."""
    print_table(console, slice_table(slices))
    if any(row.flags for row in slices.rows):
        console.print(
            "[bold red]⚠[/] A model can be good on average and still bad for one group: check "
            "the flagged slices before trusting the overall numbers (crash course: Fairness).",
        )
