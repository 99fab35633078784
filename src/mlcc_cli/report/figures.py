"""A run's pictures for the report: its own plots/*.png, plus the curves it lacks, drawn.

The evaluation curves (ROC, precision-recall, calibration, residuals) and the confusion
matrix come from `mlcc evaluate`'s workflow on the run's validation split and are drawn by
the same `rundir` functions as `mlcc evaluate`'s PNGs. Every image becomes a `data:` URI, so
the page needs nothing beside itself.
"""

from __future__ import annotations

import base64
import csv
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlcc_cli.errors import MlccError
from mlcc_cli.evaluation import ConfusionMatrix, EvaluationReport
from mlcc_cli.rundir.evaluation_plots import evaluation_plots
from mlcc_cli.rundir.plots import draw_loss
from mlcc_cli.rundir.saved import load_run
from mlcc_cli.workflows.evaluate import evaluate_split

# The crash course's pictures first, in the order a reader checks a run; any other plot of
# the run (filters, feature maps, embeddings) follows in name order.
TITLES = {
    "loss.png": "Loss curve",
    "roc.png": "ROC curve",
    "pr.png": "Precision–recall curve",
    "calibration.png": "Calibration",
    "residuals.png": "Residuals",
    "filters.png": "Learned filters",
    "feature_maps.png": "Feature maps",
}


@dataclass(frozen=True)
class Figure:
    """One PNG of the page: its title, file name and bytes as a `data:` URI."""

    title: str
    file_name: str
    data_uri: str
    drawn: bool  # True: drawn for this report (the run directory has no such file)
    width: int  # pixels, from the PNG header
    height: int

    @property
    def wide(self) -> bool:
        """Wider than 3:2 (the loss curve, two-panel plots): given two columns of the page."""
        return self.width >= 1.5 * self.height


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, which the format puts first; (0, 0) if the
    bytes are not a PNG."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return 0, 0
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


@dataclass
class Evaluation:
    """The validation split evaluated again, or why it could not be."""

    report: EvaluationReport | None
    reason: str = ""

    @property
    def confusion(self) -> ConfusionMatrix | None:
        """The confusion matrix at the run's threshold (classifiers with one), else None."""
        return getattr(self.report.details, "confusion", None) if self.report else None


@dataclass
class _LossRecord:
    """One row of history.csv, shaped as `draw_loss` reads the training loop's records."""

    period: int
    train_loss: float | None
    validation_loss: float | None


def data_uri(png: bytes) -> str:
    """The PNG as a `data:image/png;base64,...` URI for an <img src>."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def evaluate_validation(run_dir: Path) -> Evaluation:
    """The run's validation split scored again by its saved model (`mlcc evaluate`).

    A run that cannot be (diverged, damaged, a word embedding, its data gone or changed)
    gets the reason instead, for the page to say.
    """
    try:
        return Evaluation(evaluate_split(load_run(run_dir), "validation", None, worst=0))
    except MlccError as error:
        return Evaluation(None, str(error))


def _number(cell: str | None) -> float | None:
    try:
        return float(cell) if cell else None
    except ValueError:
        return None


def _loss_records(history_csv: Path) -> list[_LossRecord]:
    """history.csv's losses per period; [] when the file is missing or unreadable."""
    try:
        with history_csv.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, ValueError, csv.Error):
        return []
    records = []
    for row in rows:
        period = _number(row.get("period"))
        if period is not None:
            records.append(
                _LossRecord(
                    int(period), _number(row.get("train_loss")), _number(row.get("validation_loss"))
                )
            )
    return records


def _drawn(draw: Callable[[Path], None], file_name: str) -> bytes:
    """The PNG bytes `draw` writes, drawn into a temporary folder (the run is read only)."""
    with tempfile.TemporaryDirectory(prefix="mlcc-report-") as folder:
        path = Path(folder) / file_name
        draw(path)
        return path.read_bytes()


def _stored(run_dir: Path, missing: list[str]) -> dict[str, bytes]:
    """RUN/plots/*.png by file name; an unreadable one is named in `missing`."""
    stored: dict[str, bytes] = {}
    for path in sorted((run_dir / "plots").glob("*.png")):
        try:
            stored[path.name] = path.read_bytes()
        except OSError as error:
            missing.append(f"plots/{path.name}: cannot be read ({error.strerror or error})")
    return stored


def run_figures(run_dir: Path, evaluation: Evaluation, missing: list[str]) -> list[Figure]:
    """The run's plots, plus the loss curve (from history.csv) and evaluation curves it lacks.

    What can be neither read nor drawn is appended to `missing`.
    """
    stored = _stored(run_dir, missing)
    drawings: dict[str, Callable[[Path], None]] = {}
    if "loss.png" not in stored:
        records = _loss_records(run_dir / "history.csv")
        if records:
            drawings["loss.png"] = lambda path: draw_loss(path, records, "loss")
        else:
            missing.append("loss curve: no plots/loss.png and no readable history.csv")
    if evaluation.report is not None:
        drawings |= {
            name: draw
            for name, draw in evaluation_plots(evaluation.report).items()
            if name not in stored
        }
    drawn = {name: _drawn(draw, name) for name, draw in drawings.items()}
    images = {**stored, **drawn}
    order = [name for name in TITLES if name in images]
    order += sorted(name for name in images if name not in TITLES)
    return [
        Figure(
            TITLES.get(name, Path(name).stem.replace("_", " ")),
            name,
            data_uri(images[name]),
            name in drawn,
            *png_size(images[name]),
        )
        for name in order
    ]
