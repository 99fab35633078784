"""Terminal rendering with rich: it draws what the core returns and never computes numbers.

Only this module and the CLI import rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from mlcc_cli.evaluation.metric_names import EVERY_SPLIT, METRIC_NAMES
from mlcc_cli.render.charts import label_periods
from mlcc_cli.render.console import render_warnings
from mlcc_cli.render.doctor import render_findings, render_split_checks
from mlcc_cli.render.layout import print_table
from mlcc_cli.render.prose import hanging
from mlcc_cli.render.text import metric_text

if TYPE_CHECKING:
    from mlcc_cli.training.loop import PeriodRecord
    from mlcc_cli.training.plan import RunPlan
    from mlcc_cli.workflows.train import RunResult


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
            f"({schedule.steps_per_epoch:,} step{'s' if schedule.steps_per_epoch != 1 else ''} "
            "per epoch), reported over "
            f"{len(schedule.period_ends)} periods"
        )
        if plan.layers:
            print_table(self.console, layer_table(plan.layers))
        render_split_checks(self.console, [check.to_json() for check in plan.split_checks])
        loss = plan.loss_label
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
            metric_text(record.train_loss),
            metric_text(record.validation_loss),
        )
        self._progress.update(self._task_id, completed=record.step)

    def close(self) -> None:
        """Stop the live view (or print the table when there was none)."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        elif self._table is not None and self._table.row_count:
            print_table(self.console, self._table)


def loss_curve(history: Sequence[PeriodRecord], loss_label: str, width: int = 72) -> Text:
    """Training vs validation loss per period as a terminal chart (plotext)."""
    import plotext  # deferred: plotext costs start-up time and only draws charts

    periods = [record.period for record in history]
    plotext.clear_figure()
    plotext.plot(periods, [r.train_loss for r in history], label="training", marker="braille")
    validation = [r.validation_loss for r in history]
    if all(v is not None for v in validation):
        plotext.plot(periods, validation, label="validation", marker="braille")
    label_periods(plotext, periods, [r.train_loss for r in history] + validation)
    plotext.plotsize(width, 14)
    plotext.title(f"{loss_label} per period")
    plotext.xlabel("period")
    plotext.theme("clear")
    return Text.from_ansi(plotext.build())


def layer_table(layers: Sequence[tuple[str, str, int]]) -> Table:
    """The model's layers: each one's output shape and parameter count, then the total."""
    table = Table(title="Layers", title_justify="left")
    table.add_column("layer")
    table.add_column("output shape", justify="right")
    table.add_column("parameters", justify="right")
    for name, shape, count in layers:
        table.add_row(name, shape, f"{count:,}")
    table.add_section()
    table.add_row("total", "", f"{sum(count for _, _, count in layers):,}", style="bold")
    return table


def metrics_table(metrics: dict[str, dict[str, Any]], task: str) -> Table:
    """One row per metric, one column per split."""
    table = Table(title="Metrics", title_justify="left")
    table.add_column("metric")
    splits = list(metrics)
    for split in splits:
        table.add_column(split, justify="right")
    for key in (*METRIC_NAMES[task], EVERY_SPLIT):
        if any(key in metrics[s] for s in splits):
            table.add_row(key, *(metric_text(metrics[s].get(key)) for s in splits))
    return table


def render_result(
    console: Console,
    result: RunResult,
    command: str = "mlcc train CONFIG",
    overrides: Sequence[str] = (),
) -> None:
    """Everything shown after training: curve, metrics, warnings, the doctor's findings (fixes
    written as `command` with the run's `overrides` and the fix's `--set`), where the run is."""
    if len(result.history) >= 2:
        console.print(loss_curve(result.history, result.loss_label, min(console.width, 80)))
    if result.metrics:
        print_table(console, metrics_table(result.metrics, result.task))
        render_headline(console, result.metrics, result.task)
    if result.stopped_early:
        console.print(
            f"[yellow]early stopping[/]: validation loss stopped improving; "
            f"weights from period {result.best_period} kept."
        )
    for note in result.notes:
        console.print(hanging(Text("note: ", style="cyan"), Text(note)))
    render_warnings(console, result.warnings_beyond_doctor)
    if result.status != "complete":
        console.print(f"[bold red]{result.status}[/]: {result.message}")
    render_findings(console, result.findings, command, overrides=overrides)
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
        f"[bold]{split}[/]: AUC {metric_text(scores.get('auc'))}, log loss "
        f"{metric_text(scores.get('log_loss'))}, accuracy at evaluation.threshold "
        f"{metric_text(accuracy)}"
    )
    if baseline is not None:
        line += f" (majority-class baseline {metric_text(baseline)})"
    # The doctor names an accuracy that does not beat the baseline (no_better_than_majority).
    console.print(f"{line}, prediction bias {metric_text(scores.get('prediction_bias'))}")
