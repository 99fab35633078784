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
