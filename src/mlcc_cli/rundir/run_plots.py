"""The pictures `mlcc train` writes into a run: plots/*.png and the learned embeddings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.evaluation import prediction_buckets, roc_of
from mlcc_cli.models.base import ImageViews
from mlcc_cli.models.nn.embeddings import embedding_name
from mlcc_cli.rundir.embedding_files import embedding_table
from mlcc_cli.rundir.files import RunContents, write_columns_csv
from mlcc_cli.rundir.image_plots import draw_feature_maps, draw_filters
from mlcc_cli.rundir.plots import (
    draw_calibration,
    draw_embeddings,
    draw_loss,
    draw_residuals,
    draw_roc,
)


def run_plots(
    history: Sequence[Any],
    task: str,
    predictions: dict[str, np.ndarray] | None,
    metrics: dict[str, dict[str, Any]],
    loss_name: str,
    views: ImageViews | None = None,
) -> dict[str, Callable[[Path], None]]:
    """The run's plots/*.png: the loss curve (`history`: the training loop's PeriodRecords),
    and the validation split's diagnostics. `loss_name`: the model's, for the loss curve.

    Binary: roc.png (when validation holds both classes) and calibration.png; regression:
    residuals.png; multiclass and multilabel: the loss curve only (`mlcc evaluate` reports
    per class or label).
    They are the pictures `mlcc evaluate` draws, from the same functions. `views` (an image
    model's `image_views` of a few validation rows) adds filters.png and feature_maps.png.
    """
    plots: dict[str, Callable[[Path], None]] = {}
    if history:
        plots["loss.png"] = partial(draw_loss, history=history, loss_name=loss_name)
    if views is not None:
        plots["filters.png"] = partial(draw_filters, filters=views.filters)
        plots["feature_maps.png"] = partial(
            draw_feature_maps, images=views.images, feature_maps=views.feature_maps
        )
    if task in ("multiclass", "multilabel") or predictions is None:
        return plots
    if len(predictions["label"]) == 0:
        return plots
    y, prediction = predictions["label"], predictions["prediction"]
    if task == "regression":
        buckets = prediction_buckets(y, prediction, errors=True)
        plots["residuals.png"] = partial(
            draw_residuals, y=y, prediction=prediction, buckets=buckets
        )
        return plots
    if len(np.unique(y)) == 2:
        plots["roc.png"] = partial(draw_roc, roc=roc_of(y.astype(np.int64), prediction))
    buckets = prediction_buckets(y, prediction, errors=False)
    log_loss = metrics.get("validation", {}).get("log_loss")
    plots["calibration.png"] = partial(
        draw_calibration, buckets=buckets, log_loss=float("nan") if log_loss is None else log_loss
    )
    return plots


def add_embeddings(
    contents: RunContents,
    model: Any,
    categories: dict[str, list[str]],
    token_counts: dict[str, list[int]] | None = None,
) -> None:
    """embeddings-COLUMN.csv and plots/embeddings-COLUMN.png per embedded input.

    Row i of the learned matrix embedding_COLUMN (vocabulary, K) is category (or token) i's
    vector. A categorical column's file is `category, e1..eK`; a text column's (those in
    `token_counts`) is `token, count, d0..dK`, count = occurrences in the training split.
    """
    token_counts = token_counts or {}
    for column, names in categories.items():
        vectors = model.params[embedding_name(column)].copy()  # (vocabulary, K)
        if column in token_counts:
            table = embedding_table(names, token_counts[column], vectors)
        else:
            table = {"category": np.asarray(names, dtype=object)}
            table |= {f"e{k + 1}": vectors[:, k] for k in range(vectors.shape[1])}
        contents.files[f"embeddings-{column}.csv"] = partial(write_columns_csv, columns=table)
        contents.plots[f"embeddings-{column}.png"] = partial(
            draw_embeddings, vectors=vectors, names=names, column=column
        )
