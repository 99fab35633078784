"""Terminal rendering of `mlcc compare` and `mlcc lr-find`: tables and plotext charts.

Numbers come from `mlcc_cli.workflows.compare` / `mlcc_cli.workflows.lr_find`; nothing is
computed here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlcc_cli.render.charts import label_axes, label_periods
from mlcc_cli.render.layout import print_table
from mlcc_cli.render.text import metric_text

if TYPE_CHECKING:
    from mlcc_cli.workflows.compare import Comparison
    from mlcc_cli.workflows.lr_find import LrFindResult


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return metric_text(value)


def comparison_table(comparison: Comparison) -> Table:
    """One column per run, headed #1, #2, … (`runs_legend` names them): differing config keys,
    then metrics (best in bold green), status."""
    table = Table(title="Runs compared", title_justify="left", show_lines=False)
    table.add_column("", style="bold", no_wrap=True)
    for index in range(len(comparison.runs)):
        table.add_column(f"#{index + 1}", overflow="fold")
    for key in comparison.differing_keys:
        table.add_row(key, *(_cell(run.config.get(key)) for run in comparison.runs))
    if not comparison.differing_keys:
        table.add_row(Text("(configs identical)", style="dim"), *([""] * len(comparison.runs)))
    for split, names in comparison.metric_names.items():
        table.add_section()
        for name in names:
            best = comparison.best.get(split, {}).get(name)
            cells = []
            for index, run in enumerate(comparison.runs):
                text = _cell(run.metrics.get(split, {}).get(name))
                cells.append(Text(text, style="bold green" if index == best else ""))
            table.add_row(f"{split}_{name}", *cells)
    table.add_section()
    table.add_row("status", *(run.status for run in comparison.runs))
    table.add_row(
        "doctor",
        *(", ".join(k.replace("_", " ") for k in run.doctor) or "—" for run in comparison.runs),
    )
    return table


def compared_loss_chart(comparison: Comparison, width: int = 72) -> Text | None:
    """Validation loss per period of every run, overlaid (plotext); None if no run has one."""
    import plotext  # deferred: plotext costs start-up time and only draws charts

    curves = [
        (index, [(i + 1, v) for i, v in enumerate(run.validation_loss) if v is not None])
        for index, run in enumerate(comparison.runs)
    ]
    curves = [(index, points) for index, points in curves if points]
    if not curves:
        return None
    plotext.clear_figure()
    for index, points in curves:
        xs, ys = zip(*points, strict=True)
        plotext.plot(list(xs), list(ys), label=f"#{index + 1}", marker="braille")
    periods = [period for _, points in curves for period, _ in points]
    label_periods(plotext, periods, [loss for _, points in curves for _, loss in points])
    plotext.plotsize(width, 14)
    plotext.title("validation loss per period")
    plotext.xlabel("period")
    plotext.theme("clear")
    return Text.from_ansi(plotext.build())


def runs_legend(comparison: Comparison) -> Text:
    """Which run each column number is: "#1 runs/quickstart-…", one line each."""
    return Text("\n").join(
        Text(f"#{index + 1} ", style="bold") + Text(str(run.run_dir))
        for index, run in enumerate(comparison.runs)
    )


def render_comparison(console: Console, comparison: Comparison) -> None:
    """The runs by number, the comparison table (split by runs when it is too wide, each part
    repeating the key column), then the overlaid validation-loss curves."""
    # soft_wrap: run paths stay whole, for copying.
    console.print(runs_legend(comparison), soft_wrap=True)
    print_table(console, comparison_table(comparison))
    chart = compared_loss_chart(comparison)
    if chart is not None:
        console.print(chart)


def lr_find_chart(result: LrFindResult, width: int = 72) -> Text | None:
    """Smoothed training loss vs learning rate, x on a log scale (plotext); None when fewer
    than two points are finite (a test stopped by a blow-up at its first steps)."""
    import plotext  # deferred: plotext costs start-up time and only draws charts

    # The blow-up that stopped the test is infinite, and plotext cannot scale an axis to it.
    points = [
        (rate, loss)
        for rate, loss in zip(result.learning_rates, result.smoothed_losses, strict=True)
        if math.isfinite(loss)
    ]
    if len(points) < 2:
        return None
    rates, losses = [rate for rate, _ in points], [loss for _, loss in points]
    plotext.clear_figure()
    plotext.plot(rates, losses, marker="braille")
    plotext.xscale("log")
    label_axes(plotext, rates, losses, xlog=True)
    plotext.plotsize(width, 14)
    plotext.title("smoothed training loss vs learning rate")
    plotext.xlabel("learning rate (log)")
    plotext.theme("clear")
    return Text.from_ansi(plotext.build())


def render_lr_find(console: Console, result: LrFindResult) -> None:
    """Chart, why the test stopped, and the suggested learning rate as a --set fix."""
    chart = lr_find_chart(result)
    if chart is not None:
        console.print(chart)
    console.print(f"{len(result.learning_rates)} steps; stopped: {result.stop_reason}")
    if result.suggestion is None:
        console.print("[yellow]no suggestion[/]: the loss never fell; widen --min-lr/--max-lr")
    else:
        console.print(
            f"suggested learning rate: [bold]{result.suggestion:.3g}[/] (steepest descent of "
            f"the smoothed loss); try --set optimizer.learning_rate={result.suggestion:.3g}"
        )
    console.print(f"plot: {result.plot_path}")
