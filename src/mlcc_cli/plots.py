"""PNG plots of a run, drawn with matplotlib's Agg backend (no screen needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_loss(path: Path, history: Sequence[Any], loss_name: str) -> None:
    """Training and validation loss per period: the crash course's loss curve."""
    plt = _pyplot()
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
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def draw_roc(path: Path, y: np.ndarray, probability: np.ndarray, auc: float | None) -> None:
    """ROC curve (true positive rate vs false positive rate) of the validation split."""
    from sklearn.metrics import roc_curve

    plt = _pyplot()
    false_positive_rate, true_positive_rate, _ = roc_curve(y, probability)
    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    label = f"model (AUC = {auc:.3f})" if auc is not None else "model"
    axes.plot(false_positive_rate, true_positive_rate, label=label)
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random guess")
    axes.set_xlabel("false positive rate")
    axes.set_ylabel("true positive rate")
    axes.set_title("ROC curve (validation)")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
