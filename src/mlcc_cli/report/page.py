"""The report page: the paths given as sections, several runs compared, the HTML written.

Each path is a run directory (damaged ones too), a sweep folder (sweep.json), or a folder
of runs; anything else is refused before any work. The page is rendered from the jinja2
templates in `templates/` with autoescaping on, every image and script inlined, and
written atomically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlcc_cli.errors import ConfigError, DataError, MlccError, cut_lists
from mlcc_cli.report.run_section import RunSection, is_run_dir, read_run_section
from mlcc_cli.report.sweep_section import SweepSection, is_sweep_dir, read_sweep_section
from mlcc_cli.rundir.staging import is_staging, refuse_staging
from mlcc_cli.rundir.status import mlcc_version
from mlcc_cli.rundir.storage import check_file_writable, write_text_atomically
from mlcc_cli.workflows.compare import Comparison, compare_runs

REPORT_FILE = "report.html"
SHOWN_CHECKS = 50  # split-check findings listed per run, as `mlcc inspect` lists columns


@dataclass
class Report:
    """Every section of the page, and the comparison of its runs when it shows several."""

    sections: list[RunSection | SweepSection]
    comparison: Comparison | None
    anchors: list[str]  # the run section of each comparison row
    generated_at: str
    version: str

    @property
    def runs(self) -> list[RunSection]:
        """Every run shown in full: the runs given, and each sweep's best point."""
        runs = []
        for section in self.sections:
            run = section.best_run if isinstance(section, SweepSection) else section
            if run is not None:
                runs.append(run)
        return runs

    @property
    def missing(self) -> list[str]:
        """What each sweep and run shown lacks, one line each, led by its folder's name."""
        shown = [s for s in self.sections if s.kind == "sweep"] + self.runs
        return [f"{section.name}: {line}" for section in shown for line in section.missing]


def default_output(paths: list[Path]) -> Path:
    """Where the page goes without -o: inside the one run or sweep, else ./report.html."""
    return paths[0] / REPORT_FILE if len(paths) == 1 else Path(REPORT_FILE)


def report_target(paths: list[Path], output: Path | None) -> Path:
    """Where the page goes (`-o`, else `default_output`), checked before any work: writable,
    no file of a run's record, an HTML name (a file of another kind is never replaced)."""
    target = output if output is not None else default_output(paths)
    check_file_writable(
        target, "--output", replaceable=frozenset({REPORT_FILE}), example=REPORT_FILE
    )
    if target.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(
            f"--output {target}: the report is an HTML page; name it .html, e.g. "
            f"{target.with_suffix('.html')} (a file of another kind is never replaced by it)"
        )
    return target


def _holds_runs(path: Path) -> bool:
    return any(is_run_dir(child) and not is_staging(child) for child in path.iterdir())


def check_paths(paths: list[Path]) -> None:
    """DataError naming the first path that is no run, sweep or folder of runs."""
    for path in paths:
        refuse_staging(path)
        if not path.is_dir():
            what = "is a file" if path.exists() else "does not exist"
            raise DataError(
                f"{path}: {what}, not a run or sweep directory; pass a folder printed by "
                "`mlcc train` or `mlcc sweep`."
            )
        if not (is_sweep_dir(path) or is_run_dir(path) or _holds_runs(path)):
            raise DataError(
                f"{path}: not a run directory (no config.yaml, status.json or metrics.json), "
                "not a sweep (no sweep.json) and holds no runs; pass a folder printed by "
                "`mlcc train` or `mlcc sweep`."
            )


def _compare(runs: list[RunSection]) -> tuple[Comparison | None, list[str]]:
    """`mlcc compare` of the runs whose config.yaml and metrics.json could be read, with each
    one's anchor; None when fewer than two could."""
    comparable = [run for run in runs if run.metrics and run.config_text is not None]
    if len(comparable) < 2:
        return None, []
    try:
        return compare_runs([run.run_dir for run in comparable]), [r.anchor for r in comparable]
    except MlccError:  # a damaged file; each run's own section says which
        return None, []


def gather_report(paths: list[Path], now: datetime) -> Report:
    """Read every path into its section (the caller has run `check_paths`)."""
    sections: list[RunSection | SweepSection] = []
    for number, path in enumerate(paths, start=1):
        anchor = f"section-{number}"
        if is_run_dir(path) and not is_sweep_dir(path):
            sections.append(read_run_section(path, anchor))
        else:
            sections.append(read_sweep_section(path, anchor))
    report = Report(sections, None, [], f"{now:%Y-%m-%d %H:%M:%S}", mlcc_version())
    report.comparison, report.anchors = _compare(report.runs)
    return report


def format_number(value: Any) -> str:
    """A metric as the page shows it: 4 significant digits, integers whole, none as —."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.4g}"


def sort_key(value: Any) -> str:
    """The data-sort attribute of a table cell: the exact number, or "" (sorted last)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return repr(float(value)) if math.isfinite(value) else ""


def render_html(report: Report) -> str:
    """The page, from templates/report.html.j2 (autoescaped: no run text becomes markup)."""
    import jinja2  # deferred: only `mlcc report` renders templates

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("mlcc_cli.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["number"] = format_number
    environment.filters["sort_key"] = sort_key
    environment.filters["cut_lists"] = lambda text: cut_lists(str(text))[0]
    environment.globals["shown_checks"] = SHOWN_CHECKS
    template = environment.get_template("report.html.j2")
    return template.render(report=report)


def write_report(paths: list[Path], output: Path, now: datetime) -> Report:
    """Report on `paths` (passed by `check_paths`) into the HTML file `output`, replaced only
    once fully written."""
    report = gather_report(paths, now)
    write_text_atomically(output, render_html(report), "--output")
    return report
