"""The PNG files of `mlcc evaluate`: drawn into RUN/evaluate/<name>/, never half-written."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from mlcc_cli.evaluation.buckets import RegressionEvaluation
from mlcc_cli.evaluation.multiclass import MulticlassEvaluation
from mlcc_cli.evaluation.multilabel import MultilabelEvaluation
from mlcc_cli.evaluation.report import EvaluationReport
from mlcc_cli.rundir import plots
from mlcc_cli.rundir.plots import write_plot_folder


def evaluation_plots(report: EvaluationReport) -> dict[str, Callable[[Path], None]]:
    """The report's PNG files, each a function drawing it into the path it is given.

    Binary: roc.png and pr.png (when both classes are present) and calibration.png;
    regression: residuals.png; multiclass and multilabel: none yet (the terminal and JSON
    carry the tables).
    """
    where, details = report.rows_from, report.details
    if isinstance(details, MulticlassEvaluation | MultilabelEvaluation):
        return {}
    if isinstance(details, RegressionEvaluation):
        return {
            "residuals.png": partial(
                plots.draw_residuals,
                y=report.labels,
                prediction=report.predictions,
                buckets=details.residuals,
                where=where,
            )
        }
    drawings: dict[str, Callable[[Path], None]] = {}
    if details.roc is not None:
        drawings["roc.png"] = partial(plots.draw_roc, roc=details.roc, where=where)
    if details.precision_recall is not None:
        drawings["pr.png"] = partial(
            plots.draw_precision_recall,
            curve=details.precision_recall,
            positive_rate=float(np.mean(report.labels)),
            where=where,
        )
    drawings["calibration.png"] = partial(
        plots.draw_calibration, buckets=details.calibration, log_loss=details.log_loss, where=where
    )
    return drawings


def save_plots(report: EvaluationReport) -> None:
    """Draw the report's plots into RUN/evaluate/<name>/, replacing an earlier evaluation's.

    Sets `plots_dir` and `plot_files`. A folder that cannot be written (read-only run, full
    disk) becomes a warning instead: the numbers are complete without the pictures.
    """
    folder = Path(report.run_dir) / "evaluate" / report.name
    drawings = evaluation_plots(report)
    if not drawings:  # multiclass, multilabel: no empty folder, no "plots …/ ()" line
        return
    try:
        write_plot_folder(folder, drawings)
    except OSError as error:
        report.warnings.append(
            f"plots: cannot write {folder} ({error}); the numbers above are complete, "
            "pass --no-plots to skip the plots"
        )
        return
    report.plots_dir = str(folder)
    report.plot_files = list(drawings)
