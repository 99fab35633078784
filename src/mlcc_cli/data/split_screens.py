"""Cheap numpy screens in front of the split checks' exact statistics.

Importing scipy.stats and scikit-learn takes longer than a small run's whole training, and
on a sound split every check comes out negative. So each check first computes a plain numpy
statistic that can only rule a finding out: a column whose screen passes is then scored by
the library (ks_2samp, roc_auc_score, chi2_contingency), and every number reported comes from
the library, so findings are the same as without the screens. The margins absorb rounding
differences between the two computations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MARGIN = 1e-9  # far above float rounding of statistics in [0, 1], far below any threshold


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample KS statistic D = max_x |F_a(x) − F_b(x)| over the pooled values (as scipy's
    ks_2samp computes it). `a`, `b`: 1-D arrays without NaN, neither empty."""
    a, b = np.sort(a), np.sort(b)
    pooled = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, pooled, side="right") / len(a)
    cdf_b = np.searchsorted(b, pooled, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def separation_auc(x: np.ndarray, positive: np.ndarray) -> float:
    """max(AUC, 1 − AUC) of score `x` for the 0/1 `positive`, by the rank-sum (Mann–Whitney)
    formula AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊·n₋), ties sharing their average rank.
    Both classes must be present."""
    ranks = pd.Series(x).rank(method="average").to_numpy()  # 1..n, ties averaged
    positive = positive.astype(bool)
    n_positive = int(positive.sum())
    n_negative = len(x) - n_positive
    auc = (ranks[positive].sum() - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative)
    return float(max(auc, 1 - auc))


def homogeneity_p_value(table: np.ndarray) -> float:
    """p-value of scipy's chi-square test of homogeneity of the (2, n_classes) counts (1 for a
    single class); called only once a class share is already far from training's."""
    if table.shape[1] < 2:
        return 1.0
    # deferred: scipy.stats (over a second to import), only for a share far from training's
    from scipy.stats import chi2_contingency

    return float(chi2_contingency(table).pvalue)
