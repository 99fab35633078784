"""Multiple testing: one check tests every column, so some columns "differ" by chance alone.

At a fixed per-test threshold α, m tests of columns that do not differ raise about α·m false
alarms (5 at α = 0.001 over 5,000 columns). The split checks therefore judge the
Benjamini–Hochberg adjusted p-values (q-values) of all the tests of one check, which keep
the expected share of false alarms among the flagged columns at most α, and the chance of
any alarm at all, when no column differs, at most α too.
"""

from __future__ import annotations

import numpy as np

P_VALUE = 1e-3  # a finding's adjusted p-value (q-value) must be below this


def adjusted_p_values(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values of a family of tests (scipy's `false_discovery_control`).

    q_(i) = min_{j ≥ i} min(1, m · p_(j) / j) for the p-values sorted ascending, m tests.
    A NaN p-value (no test possible) counts as 1, which can only make the others' q larger.
    """
    from scipy.stats import false_discovery_control  # deferred: scipy.stats, for the checks

    p = np.nan_to_num(np.asarray(p_values, dtype=float), nan=1.0)
    return false_discovery_control(np.clip(p, 0.0, 1.0)) if p.size else p
