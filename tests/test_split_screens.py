"""data.split_screens: the numpy screens agree with scipy's and scikit-learn's statistics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency, ks_2samp
from sklearn.metrics import roc_auc_score

from mlcc_cli.data.split_screens import (
    MARGIN,
    homogeneity_p_value,
    ks_statistic,
    separation_auc,
)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("n_a", "n_b", "shift"), [(400, 85, 0.0), (50, 50, 0.5), (7, 300, 1.0)])
def test_ks_statistic_equals_scipys(seed: int, n_a: int, n_b: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n_a).round(1)  # rounded: ties across the two samples
    b = (rng.normal(size=n_b) + shift).round(1)
    expected = ks_2samp(a, b, method="asymp").statistic
    assert abs(ks_statistic(a, b) - expected) < MARGIN


@pytest.mark.parametrize("seed", range(5))
def test_separation_auc_equals_sklearns(seed: int) -> None:
    rng = np.random.default_rng(seed)
    positive = rng.integers(0, 2, size=200)
    x = (positive * rng.uniform(0, 2) + rng.normal(size=200)).round(1)  # ties included
    auc = roc_auc_score(positive, x)
    assert abs(separation_auc(x, positive) - max(auc, 1 - auc)) < MARGIN


def test_separation_auc_of_a_perfect_separator_is_one() -> None:
    x = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    assert separation_auc(x, np.array([0, 0, 0, 1, 1])) == 1.0
    assert separation_auc(-x, np.array([0, 0, 0, 1, 1])) == 1.0


def test_homogeneity_p_value_is_scipys() -> None:
    table = np.array([[30, 70], [60, 40]])
    assert homogeneity_p_value(table) == chi2_contingency(table).pvalue
    assert homogeneity_p_value(np.array([[5], [9]])) == 1.0


def test_ks_p_value_estimate_never_hides_a_significant_gap() -> None:
    from scipy.stats import distributions

    from mlcc_cli.data.split_screens import ks_p_value_estimate

    sizes = [1, 2, 3, 5, 8, 10, 13, 20, 50, 85, 86, 400, 20_000]
    for n_a in sizes:
        for n_b in sizes:
            n = round(n_a * n_b / (n_a + n_b))
            for d in np.linspace(0.005, 1.0, 200):
                if n >= 1 and distributions.kstwo.sf(d, n) < 1e-3:
                    assert ks_p_value_estimate(d, n_a, n_b) < 1e-3, (n_a, n_b, d)
