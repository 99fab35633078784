"""Cheap numpy screens in front of the split checks' exact statistics.

Importing scipy.stats and scikit-learn takes longer than a small run's whole training, and
on a sound split every check comes out negative. So each check first computes a plain numpy
statistic that can only rule a finding out: a column whose screen passes is then scored by
the library (ks_2samp, roc_auc_score, chi2_contingency), and every number reported comes from
the library, so findings are the same as without the screens. The margins absorb rounding
differences between the two computations.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MARGIN = 1e-9  # far above float rounding of statistics in [0, 1], far below any threshold
# Slack on the KS screen's λ: the p-value it stands for is about half the estimate's, so
# a p-value near the threshold is always left for scipy (tests check a grid against it).
KS_SLACK = 1.05
KS_MIN_N = 10  # below this N the estimate is not trusted (the test grid found misses at 5)


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample KS statistic D = max_x |F_a(x) − F_b(x)| over the pooled values (as scipy's
    ks_2samp computes it). `a`, `b`: 1-D arrays without NaN, neither empty."""
    a, b = np.sort(a), np.sort(b)
    pooled = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, pooled, side="right") / len(a)
    cdf_b = np.searchsorted(b, pooled, side="right") / len(b)
    return float(np.max(np.abs(cdf_a - cdf_b)))


def ks_p_value_estimate(d: float, n_a: int, n_b: int) -> float:
    """A deliberately low estimate of ks_2samp(method="asymp")'s p-value for statistic `d`.

    scipy takes P(D_N ≥ d) of the one-sample Kolmogorov distribution, N = round(n_a·n_b /
    (n_a + n_b)); this is the limiting distribution Q(λ) = 2·Σₖ (−1)^(k−1)·exp(−2k²λ²) at
    Stephens' finite-N λ = (√N + 0.12 + 0.11/√N)·d, with λ raised by KS_SLACK to stay below.
    """
    n = round(n_a * n_b / (n_a + n_b))
    if n < KS_MIN_N:  # few rows: the exact distribution is far from the limit; ask scipy
        return 0.0
    root = math.sqrt(n)
    lam = KS_SLACK * (root + 0.12 + 0.11 / root) * d
    if lam < 0.3:  # the series converges slowly here; p is near 1 anyway
        return 1.0
    terms = (2 * (-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return min(1.0, max(0.0, math.fsum(terms)))


def ks_could_flag(a: np.ndarray, b: np.ndarray, statistic: float, p_value: float) -> bool:
    """Whether ks_2samp(a, b, method="asymp") might give D ≥ `statistic` with a p-value below
    `p_value`; False only when the numpy statistic and p-value estimate rule that out."""
    d = ks_statistic(a, b)
    return d >= statistic - MARGIN and ks_p_value_estimate(d, len(a), len(b)) < p_value


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
