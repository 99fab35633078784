"""Terminal rendering of a sweep: points ranked by the primary metric, failures with reasons.

It draws what `mlcc_cli.workflows.sweep.run` returns and never computes numbers itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlcc_cli.render.layout import print_table
from mlcc_cli.render.prose import hanging
from mlcc_cli.render.text import metric_text
from mlcc_cli.workflows.sweep.files import swept_keys
from mlcc_cli.workflows.sweep.result import STUDY_JOURNAL, ranked_name

if TYPE_CHECKING:
    from mlcc_cli.workflows.sweep.result import SeedStatistics, SweepResult


def _ranked(result: SweepResult) -> list[SeedStatistics]:
    """Summaries with a value, best first; points without one (all runs failed) last."""
    scored = [s for s in result.point_statistics if s.mean is not None]
    scored.sort(key=lambda s: s.mean, reverse=result.higher_is_better)  # type: ignore[arg-type,return-value]
    return scored + [s for s in result.point_statistics if s.mean is None]


def sweep_table(result: SweepResult) -> Table:
    """One row per grid point, sorted by validation METRIC (mean ± std over seeds)."""
    direction = "higher" if result.higher_is_better else "lower"
    ranked = ranked_name(result.metric)  # |prediction_bias|: ranked by distance to 0
    table = Table(
        title=f"Sweep {result.sweep_dir.name}: validation {ranked} ({direction} is better)",
        title_justify="left",
    )
    keys = swept_keys(result)
    for key in keys:
        table.add_column(key)
    repeated = any(s.runs > 1 for s in result.point_statistics)
    table.add_column(f"validation {ranked}", justify="right")
    if repeated:
        table.add_column("runs ok", justify="right")
    table.add_column("doctor")
    for rank, point in enumerate(_ranked(result)):
        value = metric_text(point.mean) if point.mean is not None else _unranked(result, point)
        if repeated and point.mean is not None:
            value += f" ± {metric_text(point.std)}"
        cells = [_param_text(point.params.get(key, "")) for key in keys] + [value]
        if repeated:
            cells.append(f"{point.complete}/{point.runs}")
        cells.append(_doctor_cell(result, point))
        style = "bold green" if rank == 0 and point.mean is not None else None
        table.add_row(*cells, style=style)
    return table


def _param_text(value: object) -> str:
    """A swept value in the table: random and TPE floats to 4 significant digits (sweep.csv
    keeps them exact)."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _unranked(result: SweepResult, point: SeedStatistics) -> str:
    """The metric cell of a point with no complete run: "pruned" when its trial was pruned."""
    statuses = {row.status for row in result.rows if row.params == point.params}
    return "pruned" if statuses == {"pruned"} else metric_text(None)


def _doctor_cell(result: SweepResult, point: SeedStatistics) -> str:
    """The doctor's warning kinds over the point's runs, in words ("learning rate too high")."""
    kinds: list[str] = []
    for row in result.rows:
        if row.params == point.params:
            kinds.extend(kind for kind in row.doctor if kind not in kinds)
    return ", ".join(kind.replace("_", " ") for kind in kinds) or "—"


def render_sweep(console: Console, result: SweepResult) -> None:
    """The ranked table, then each run that did not complete with its reason (pruned trials,
    which are not failures, in one line)."""
    table = sweep_table(result)
    # Split for a narrow terminal, every part keeps the swept values that name its rows.
    headers = [column.header for column in table.columns]
    print_table(console, table, keys=headers.index(f"validation {ranked_name(result.metric)}"))
    for row in result.rows:
        if row.status in ("complete", "pruned"):
            continue
        # A TPE trial that failed before it was given values has none to show.
        where = ", ".join(f"{k}={v}" for k, v in row.point.params.items()) or "a trial"
        seed = f" seed={row.seed}" if row.point.seed is not None else ""
        reason = row.message.strip().splitlines()[0] if row.message.strip() else row.status
        lead = Text(f"{row.status}: ", style="bold red")
        console.print(hanging(lead, Text(f"{where}{seed}: {reason}")))
    pruned = sum(row.status == "pruned" for row in result.rows)
    if pruned:
        console.print(
            f"pruned {pruned} of {len(result.rows)} trials early (their validation loss was "
            "worse than the median of earlier trials at the same period); listed in sweep.csv, "
            "not ranked: their metrics come from shorter runs",
            highlight=False,
        )
    if result.study_name is not None:
        journal = result.sweep_dir / STUDY_JOURNAL
        console.print(f"Optuna study {result.study_name} in {journal}", highlight=False)
    reused = sum(row.reused for row in result.rows)
    if reused:
        console.print(f"reused {reused} complete run(s) from earlier (--skip-existing)")
    console.print(f"results: {result.sweep_dir / 'sweep.csv'}", highlight=False)
