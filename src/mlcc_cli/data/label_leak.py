"""Split check for target leakage: a single feature that gives the label away.

A feature computed from the answer, or only known after it, separates the label on its own
far better than honest features do; the model then scores the leak, not what it will do on
new rows. Judged on the training rows of the split checks' sample.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.data.column_auc import column_aucs
from mlcc_cli.data.split_check import SplitCheck

LEAK_AUC = 0.999  # one feature's max(AUC, 1 − AUC) against the label
LEAK_MIN_ROWS = 10  # rows needed on each side before a perfect AUC is more than luck
# A regression label that one feature predicts to R² ≥ 0.98 (|r| ≥ 0.99): a noisy copy of the
# label, which a median split's AUC (about 0.97 for r = 0.99) does not bring to LEAK_AUC.
LEAK_R = 0.99


def label_leak(
    values: np.ndarray, y: np.ndarray, columns: list[str], task: str
) -> list[SplitCheck]:
    """Features that alone give the label away: max(AUC, 1 − AUC) ≥ LEAK_AUC on training rows
    (`column_aucs`; positives: binary the label, regression the label above its training
    median), or for regression with 2+ features a Pearson |r| ≥ LEAK_R. Multiclass is left
    out: one class that a single feature tells apart from the rest is common and honest (iris
    setosa by its petals). `values` is (n_rows, n_features).
    """
    if task not in ("binary", "regression"):
        return []
    codes = (y > np.median(y)) if task == "regression" else (y == y.max())
    aucs = column_aucs(values, codes, LEAK_MIN_ROWS)
    # With one feature, |r| near 1 is the problem being simple (y = w·x + noise), not a leak:
    # a leak stands out against the other inputs.
    regression = task == "regression" and values.shape[1] >= 2
    correlations = _correlations(values, y) if regression else {}
    checks = []
    for j, column in enumerate(columns):
        auc = max(aucs[j], 1 - aucs[j]) if j in aucs else None
        r = correlations.get(j)
        by_auc = auc is not None and auc >= LEAK_AUC
        if not by_auc and (r is None or abs(r) < LEAK_R):
            continue
        rows = int((~np.isnan(values[:, j])).sum())
        told = f"AUC {auc:.3f}" if by_auc else f"r = {r:+.3f}: R² {r * r:.3f} on its own"
        message = (
            f"{column} alone gives the label away ({told}): likely target leakage (a feature "
            "computed from the answer, or only known after it); remove it from inputs."
        )
        evidence = {"auc": auc, "rows": rows} | ({"r": r} if r is not None else {})
        checks.append(SplitCheck("label_leak", column, message, evidence))
    return checks


def _correlations(values: np.ndarray, y: np.ndarray) -> dict[int, float]:
    """Pearson r of each column with `y` over the rows where it has a value (np.corrcoef)."""
    correlations = {}
    for j in range(values.shape[1]):
        keep = ~np.isnan(values[:, j])
        x = values[keep, j]
        if keep.sum() >= 2 * LEAK_MIN_ROWS and x.std() > 0 and y[keep].std() > 0:
            correlations[j] = float(np.corrcoef(x, y[keep])[0, 1])
    return correlations
