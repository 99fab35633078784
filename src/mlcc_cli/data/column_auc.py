"""Each column of a table as a score for a 0/1 label: its ROC AUC (split checks' label leak)."""

from __future__ import annotations

import numpy as np


def column_aucs(values: np.ndarray, codes: np.ndarray, min_rows: int) -> dict[int, float]:
    """ROC AUC of each column of `values` as a score for `codes` (sklearn's roc_auc_score),
    over its rows with a value; columns with one value, or fewer than `min_rows` positives
    or negatives, are left out. The columns without missing values are scored in one call, as
    a multilabel problem with `codes` for every label: one validation instead of one a column.
    """
    from sklearn.metrics import roc_auc_score  # deferred: scikit-learn, when the checks run

    complete: list[int] = []
    partial: dict[int, np.ndarray] = {}  # column -> its rows with a value
    for j in range(values.shape[1]):
        keep = ~np.isnan(values[:, j])
        x, n_positive = values[keep, j], int(codes[keep].sum())
        if len(x) and x.min() < x.max() and min(n_positive, len(x) - n_positive) >= min_rows:
            if keep.all():
                complete.append(j)
            else:
                partial[j] = keep
    if len(complete) == 1:  # a one-label table would read as a binary problem
        partial[complete.pop()] = np.ones(len(codes), dtype=bool)
    aucs: dict[int, float] = {}
    if complete:
        labels = np.repeat(codes[:, None].astype(np.int8), len(complete), axis=1)
        scores = roc_auc_score(labels, values[:, complete], average=None)
        aucs.update(zip(complete, map(float, scores), strict=True))
    for j, keep in partial.items():
        aucs[j] = float(roc_auc_score(codes[keep], values[keep, j]))
    return aucs
