"""Terminal rendering with rich: it draws what the core returns and never computes numbers.

Only this module and the CLI import rich.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from mlcc_cli.training.loop import PeriodRecord
    from mlcc_cli.workflows.train import RunPlan, RunResult

METRIC_ORDER = {
    "regression": ("rmse", "mae", "r2", "loss", "prediction_bias"),
    "binary": (
        "log_loss",
        "accuracy",
        "baseline_accuracy",
        "precision",
        "recall",
        "f1",
        "auc",
        "average_precision",
        "prediction_bias",
    ),
    "multiclass": ("log_loss", "accuracy", "baseline_accuracy", "macro_f1", "weighted_f1"),
    "multilabel": ("log_loss", "subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"),
}
LOSS_NAME = {
    "regression": "MSE",
    "binary": "log loss",
    "multiclass": "log loss",
    "multilabel": "log loss (sum over labels)",
}


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


class TrainingDisplay:
    """Live view of training: a table growing one row per period, and a progress bar.

    On a terminal the table updates in place; elsewhere (pipes, CI logs) it is printed once
    training ends so logs stay readable.
    """

    def __init__(self, console: Console) -> None:
        self.console = console
        self._table: Table | None = None
        self._progress: Progress | None = None
        self._task_id: Any = None
        self._live: Live | None = None

    def started(self, plan: RunPlan) -> None:
        schedule = plan.schedule
        rows = ", ".join(f"{name} {count:,}" for name, count in plan.rows.items() if count)
        self.console.print(
            f"[bold]data[/] {plan.source} — {rows} rows; "
            f"{len(plan.inputs)} input feature{'s' if len(plan.inputs) != 1 else ''}"
        )
        self.console.print(
            f"[bold]schedule[/] {schedule.total_steps:,} steps of batch {schedule.batch_size:,} "
            f"({schedule.steps_per_epoch:,} steps per epoch), reported over "
            f"{len(schedule.period_ends)} periods"
        )
        from mlcc_cli.render.doctor import render_split_checks

        render_split_checks(self.console, [check.to_json() for check in plan.split_checks])
        loss = LOSS_NAME[plan.task]
        table = Table(title="Training", title_justify="left")
        for header in ("period", "step", "epoch", "examples seen"):
            table.add_column(header, justify="right")
        table.add_column(f"train {loss}", justify="right", style="cyan")
        table.add_column(f"validation {loss}", justify="right", style="magenta")
        self._table = table
        self._progress = Progress(
            TextColumn("training"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} steps"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self._task_id = self._progress.add_task("train", total=schedule.total_steps)
        if self.console.is_terminal:
            self._live = Live(
                Group(table, self._progress), console=self.console, refresh_per_second=8
            )
            self._live.start()

    def period(self, record: PeriodRecord) -> None:
        assert self._table is not None and self._progress is not None
        self._table.add_row(
            str(record.period),
            f"{record.step:,}",
            f"{record.epoch:.2f}",
            f"{record.examples_seen:,}",
            _number(record.train_loss),
            _number(record.validation_loss),
        )
        self._progress.update(self._task_id, completed=record.step)

    def close(self) -> None:
        """Stop the live view (or print the table when there was none)."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        elif self._table is not None and self._table.row_count:
            self.console.print(self._table)


def loss_curve(history: Sequence[PeriodRecord], task: str, width: int = 72) -> Text:
    """Training vs validation loss per period as a terminal chart (plotext)."""
    import plotext

    periods = [record.period for record in history]
    plotext.clear_figure()
    plotext.plot(periods, [r.train_loss for r in history], label="training", marker="braille")
    validation = [r.validation_loss for r in history]
    if all(v is not None for v in validation):
        plotext.plot(periods, validation, label="validation", marker="braille")
    step = max(1, len(periods) // 10)
    plotext.xticks(periods[::step])  # whole periods, not fractions
    plotext.plotsize(width, 14)
    plotext.title(f"{LOSS_NAME[task]} per period")
    plotext.xlabel("period")
    plotext.theme("clear")
    return Text.from_ansi(plotext.build())


def metrics_table(metrics: dict[str, dict[str, Any]], task: str) -> Table:
    """One row per metric, one column per split."""
    table = Table(title="Metrics", title_justify="left")
    table.add_column("metric")
    splits = list(metrics)
    for split in splits:
        table.add_column(split, justify="right")
    for key in (*METRIC_ORDER[task], "nonzero_weights"):
        if any(key in metrics[s] for s in splits):
            table.add_row(key, *(_number(metrics[s].get(key)) for s in splits))
    return table


def render_result(console: Console, result: RunResult, command: str = "mlcc train CONFIG") -> None:
    """Everything shown after training: curve, metrics, warnings, the doctor's findings (fixes
    written as `command --set ...`), where the run is."""
    from mlcc_cli.render.doctor import render_findings
    from mlcc_cli.training.diagnostics import summarize

    if len(result.history) >= 2:
        console.print(loss_curve(result.history, result.task, min(console.width, 80)))
    if result.metrics:
        console.print(metrics_table(result.metrics, result.task))
        render_headline(console, result.metrics, result.task)
    if result.stopped_early:
        console.print(
            f"[yellow]early stopping[/]: validation loss stopped improving; "
            f"weights from period {result.best_period} kept."
        )
    for note in result.notes:
        console.print(f"[cyan]note[/]: {note}", highlight=False)
    # The doctor reports what the training diagnostics found, with evidence and a fix.
    covered = set(summarize(result.history))
    render_warnings(console, [w for w in result.warnings if w not in covered])
    if result.status != "complete":
        console.print(f"[bold red]{result.status}[/]: {result.message}")
    render_findings(console, result.findings, command)
    timings = ", ".join(f"{k.removesuffix('_s')} {v:.2f}s" for k, v in result.timings.items())
    console.print(f"[dim]time: {timings}[/]")
    # soft_wrap keeps the path on one line so it can be copied (and parsed by scripts).
    console.print(f"[bold]run directory[/] {result.run_dir}", soft_wrap=True)


def render_headline(console: Console, metrics: dict[str, dict[str, Any]], task: str) -> None:
    """A classifier's headline on its held-out split: AUC, log loss, accuracy at the run's
    threshold next to the majority-class baseline (warning when it does not beat it), and
    prediction bias."""
    split = next((s for s in ("validation", "test", "train") if s in metrics), None)
    if split is None:
        return
    scores = metrics[split]
    if task != "binary":
        return  # the metrics table already is the regression headline
    accuracy, baseline = scores.get("accuracy"), scores.get("baseline_accuracy")
    line = (
        f"[bold]{split}[/]: AUC {_number(scores.get('auc'))}, log loss "
        f"{_number(scores.get('log_loss'))}, accuracy at evaluation.threshold "
        f"{_number(accuracy)}"
    )
    if baseline is not None:
        line += f" (majority-class baseline {_number(baseline)})"
    # The doctor names an accuracy that does not beat the baseline (no_better_than_majority).
    console.print(f"{line}, prediction bias {_number(scores.get('prediction_bias'))}")


def render_warnings(console: Console, warnings: Sequence[str]) -> None:
    """Recoverable data oddities, one line each."""
    for warning in warnings:
        console.print(f"[yellow]warning[/]: {warning}", highlight=False)


def render_error(console: Console, message: str) -> None:
    """One short paragraph: what was wrong, where, and how to fix it."""
    # soft_wrap: the terminal wraps long lines itself, so copied messages stay whole.
    console.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)


def datasets_table(rows: Sequence[Any]) -> Table:
    """Built-in datasets with their size and task."""
    table = Table(
        title="Built-in datasets (use as data.source: builtin:NAME)", title_justify="left"
    )
    for header, justify in (("name", "left"), ("rows", "right"), ("columns", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    table.add_column("task")
    table.add_column("description")
    for row in rows:
        table.add_row(row.name, f"{row.rows:,}", str(row.columns), row.task, row.description)
    return table
