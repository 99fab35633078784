"""PNG plots of a run, drawn with matplotlib's Agg backend (no screen needed).

Each `draw_*` function draws numbers computed elsewhere (training history, or the
`mlcc_cli.evaluation` results) into one file; `write_plot_folder` writes a set of them
atomically.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mlcc_cli.evaluation import Bucket, PrecisionRecallCurve, RocCurve

# Points drawn in a scatter plot: beyond this an evenly spaced subset is drawn, since a
# million dots cost seconds to render and show nothing more.
SCATTER_POINTS = 5_000


def pyplot() -> Any:
    import matplotlib  # deferred: matplotlib is slow to import; only runs that plot need it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(plt: Any, figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def draw_loss(path: Path, history: Sequence[Any], loss_name: str) -> None:
    """Training and validation loss per period: the crash course's loss curve."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=100)
    periods = [record.period for record in history]
    axes.plot(periods, [r.train_loss for r in history], marker="o", label="training")
    validation = [r.validation_loss for r in history]
    if any(v is not None for v in validation):
        axes.plot(periods, validation, marker="o", label="validation")
    axes.set_xlabel("period")
    axes.set_ylabel(loss_name)
    axes.set_title("Loss vs. periods")
    axes.grid(alpha=0.3)
    axes.legend()
    save_figure(plt, figure, path)


def draw_roc(path: Path, roc: RocCurve, where: str = "validation") -> None:
    """ROC curve: true positive rate vs false positive rate over every threshold."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    axes.plot(roc.fpr, roc.tpr, label=f"model (AUC = {roc.auc:.3f})")
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random guess")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate (recall)")
    axes.set_title(f"ROC curve ({where})")
    axes.legend(loc="lower right")
    save_figure(plt, figure, path)


def draw_precision_recall(
    path: Path, curve: PrecisionRecallCurve, positive_rate: float, where: str = "validation"
) -> None:
    """Precision vs recall over every threshold; a random guess scores the positive rate."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    label = f"model (average precision = {curve.average_precision:.3f})"
    axes.step(curve.recall, curve.precision, where="post", label=label)
    axes.axhline(positive_rate, linestyle="--", color="grey", label="random guess")
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_title(f"Precision-recall curve ({where})")
    axes.legend(loc="lower left")
    save_figure(plt, figure, path)


def draw_calibration(
    path: Path, buckets: Sequence[Bucket], log_loss: float, where: str = "validation"
) -> None:
    """Calibration plot: observed rate of class 1 vs mean predicted probability per bucket.

    A calibrated model lies on the diagonal; points below it predict too high (positive
    prediction bias), points above too low.
    """
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    predicted = [b.mean_prediction for b in buckets]
    observed = [b.mean_label for b in buckets]
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    axes.plot(predicted, observed, marker="o", label=f"model (log loss = {log_loss:.3f})")
    axes.set_xlabel("mean predicted probability (quantile bucket)")
    axes.set_ylabel("observed rate of the positive class")
    axes.set_xlim(-0.02, 1.02)  # a margin, so markers at 0 and 1 are not cut in half
    axes.set_ylim(-0.02, 1.02)
    axes.set_title(f"Calibration ({where})")
    axes.legend(loc="upper left")
    save_figure(plt, figure, path)


def draw_residuals(
    path: Path,
    y: np.ndarray,
    prediction: np.ndarray,
    buckets: Sequence[Bucket],
    where: str = "validation",
) -> None:
    """Predicted vs actual label (left) and error = prediction − label vs prediction (right).

    Points on the diagonal (left) or the zero line (right) are exact; each quantile bucket's
    mean is drawn too, so a bucket off the line shows its prediction bias.
    """
    plt = pyplot()
    figure, (actual, errors) = plt.subplots(1, 2, figsize=(10, 4.6), dpi=100)
    shown = np.unique(np.linspace(0, len(y) - 1, min(len(y), SCATTER_POINTS)).astype(np.int64))
    means = np.array([[b.mean_prediction, b.mean_label] for b in buckets])  # (n_buckets, 2)
    actual.scatter(prediction[shown], y[shown], s=6, alpha=0.4, label="examples")
    low = float(min(prediction.min(), y.min()))
    high = float(max(prediction.max(), y.max()))
    actual.plot([low, high], [low, high], linestyle="--", color="grey", label="prediction = label")
    actual.plot(means[:, 0], means[:, 1], marker="o", color="black", label="bucket means")
    actual.set_xlabel("prediction")
    actual.set_ylabel("label")
    actual.set_title(f"Predicted vs actual ({where})")
    actual.legend(loc="upper left")
    errors.scatter(prediction[shown], (prediction - y)[shown], s=6, alpha=0.4)
    errors.axhline(0, linestyle="--", color="grey")
    errors.plot(means[:, 0], means[:, 0] - means[:, 1], marker="o", color="black")
    errors.set_xlabel("prediction")
    errors.set_ylabel("error (prediction − label)")
    title = "Errors and bias per bucket"
    if len(shown) < len(y):
        title += f" ({len(shown):,} of {len(y):,} points)"
    errors.set_title(title)
    save_figure(plt, figure, path)


def draw_embeddings(path: Path, vectors: np.ndarray, names: Sequence[str], column: str) -> None:
    """An embedding's category vectors (vocabulary, K) projected on their first two principal
    components (sklearn PCA), each point labelled with its category: similar categories land
    close together when the network learned that they act alike."""
    from sklearn.decomposition import PCA  # deferred: scikit-learn, embedding plots only

    n_components = min(2, vectors.shape[0], vectors.shape[1])
    points = np.zeros((vectors.shape[0], 2))  # (vocabulary, 2); 1-D embeddings stay on y = 0
    if n_components:
        points[:, :n_components] = PCA(n_components=n_components).fit_transform(vectors)
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(6, 5), dpi=100)
    axes.scatter(points[:, 0], points[:, 1], s=18)
    for (x, y), name in zip(points[:SCATTER_POINTS], names[:SCATTER_POINTS], strict=False):
        axes.annotate(str(name), (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points")
    axes.set_xlabel("principal component 1")
    axes.set_ylabel("principal component 2")
    axes.set_title(f"Embedding of {column} ({vectors.shape[1]} dimensions, PCA)")
    axes.grid(alpha=0.3)
    save_figure(plt, figure, path)


def write_plot_folder(folder: Path, drawings: dict[str, Callable[[Path], None]]) -> Path:
    """Draw `drawings` (file name → draw function) into `folder`, replacing what was there.

    The files are drawn into a hidden staging folder beside `folder` that replaces it only
    once complete, so a failure (or Ctrl-C) leaves an earlier folder as it was. Raises
    OSError when the folder cannot be written.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(3)
    staging = folder.with_name(f".{folder.name}.partial-{token}")
    retired = folder.with_name(f".{folder.name}.old-{token}")
    try:
        staging.mkdir()
        for file_name, draw in drawings.items():
            draw(staging / file_name)
        # A folder cannot be renamed over a non-empty one: move the old one aside first.
        if folder.exists():
            os.replace(folder, retired)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not folder.exists():
            os.replace(retired, folder)  # put the earlier folder back
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return folder


def draw_compared_loss(path: Path, curves: dict[str, Sequence[float | None]]) -> None:
    """Validation loss per period of several runs overlaid (`mlcc compare`)."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=100)
    for label, losses in curves.items():
        periods = [i + 1 for i, v in enumerate(losses) if v is not None]
        axes.plot(periods, [v for v in losses if v is not None], marker="o", label=label)
    axes.set_xlabel("period")
    axes.set_ylabel("validation loss")
    axes.set_title("Validation loss vs. periods")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    save_figure(plt, figure, path)


def draw_lr_find(
    path: Path, learning_rates: Sequence[float], losses: Sequence[float], suggestion: float | None
) -> None:
    """Smoothed training loss vs learning rate (log x), with the suggested rate marked."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.2), dpi=100)
    axes.plot(learning_rates, losses)
    if suggestion is not None:
        axes.axvline(suggestion, linestyle="--", color="red", label=f"suggested {suggestion:.3g}")
        axes.legend()
    axes.set_xscale("log")
    axes.set_xlabel("learning rate (log scale)")
    axes.set_ylabel("smoothed training loss")
    axes.set_title("Learning-rate range test")
    axes.grid(alpha=0.3)
    save_figure(plt, figure, path)


def write_plot_file(path: Path, draw: Callable[[Path], None]) -> Path:
    """Draw one file at `path` atomically: into a hidden sibling, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial-{secrets.token_hex(3)}{path.suffix}")
    try:
        draw(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path
