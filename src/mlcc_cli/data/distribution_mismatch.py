"""Split check: features distributed differently in training and validation/test.

A held-out split whose feature values come from elsewhere (a file sorted, then split in
order; rows appended from another source) scores the model on data unlike what it learned
from, so validation misleads. Judged by two-sample Kolmogorov–Smirnov tests, one per column
and held-out split, with the false discovery rate controlled across all of them
(`false_discovery`): a wide table of columns that do not differ raises no alarm by chance.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.data.false_discovery import P_VALUE, adjusted_p_values
from mlcc_cli.data.split_check import SplitCheck

KS_STATISTIC = 0.1  # KS statistic worth flagging (a 10-point gap between the CDFs) ...
EXACT_KS_BELOW = 100  # held-out rows under which the KS p-value is computed exactly
HELD_OUT = ("validation", "test")


def distribution_mismatch(
    values: dict[str, np.ndarray], columns: list[str], shuffle: bool
) -> list[SplitCheck]:
    """Columns distributed differently in training and validation/test (two-sample KS test).

    KS statistic D = max_x |F_train(x) − F_split(x)|, the largest gap between the empirical
    CDFs; flagged when D ≥ KS_STATISTIC and its Benjamini–Hochberg q-value, over every
    (column, held-out split) test, is < P_VALUE: a large split needs a real gap, a small one
    a significant gap, and a wide table a gap that chance across its columns does not
    explain. One finding per column, for the split with the largest D. `values` maps a
    split to its (n_rows, n_columns) values, missing ones NaN.
    """
    held = [name for name in HELD_OUT if len(values.get(name, ()))]
    if len(values.get("train", ())) == 0 or not held:
        return []
    tests = [(name, *_ks_tests(values["train"], values[name])) for name in held]
    # One family: every column of every held-out split (m tests in all).
    p_all = np.concatenate([p for _, _, _, p in tests])
    q_all = np.split(adjusted_p_values(p_all), np.cumsum([len(p) for _, _, _, p in tests])[:-1])
    worst: dict[int, tuple[str, float, float, float]] = {}  # column -> (split, D, p, q)
    for (name, tested, statistics, p_values), q_values in zip(tests, q_all, strict=True):
        for j, d, p, q in zip(tested, statistics, p_values, q_values, strict=True):
            if d >= KS_STATISTIC and q < P_VALUE and (j not in worst or d > worst[j][1]):
                worst[int(j)] = (name, float(d), float(p), float(q))
    fix = "set data.shuffle: true" if not shuffle else "check how the file was assembled"
    checks = []
    for j in sorted(worst):
        name, d, p, q = worst[j]
        message = (
            f"{columns[j]} is distributed differently in training and {name} (KS statistic "
            f"{d:.2f}, {_chance(p, q, len(p_all))}): the model is scored on data unlike what "
            f"it learned from, so validation misleads; {fix}."
        )
        evidence = {"split": name, "ks_statistic": d, "p_value": p, "q_value": q}
        evidence["tests"] = len(p_all)
        checks.append(SplitCheck("distribution_mismatch", columns[j], message, evidence))
    return checks


def _ks_tests(train: np.ndarray, held_out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(columns tested, KS statistics, p-values) of every column with values on both sides,
    each column's missing values omitted."""
    from scipy.stats import ks_2samp  # deferred: scipy.stats, only when the checks run

    both = np.flatnonzero(~np.isnan(train).all(axis=0) & ~np.isnan(held_out).all(axis=0))
    if len(both) == 0:
        return both, np.zeros(0), np.zeros(0)
    # The exact distribution for a small held-out split, where the asymptotic one is wrong
    # (2 rows against 1: p = 0 for D = 1, exactly 2/3); asymptotic above, where it is right
    # and scipy's "auto" (exact up to 10,000 rows) would cost 0.1 s more. Every column in one
    # call: scipy validates once instead of once a column.
    method = "exact" if len(held_out) < EXACT_KS_BELOW else "asymp"
    result = ks_2samp(train[:, both], held_out[:, both], axis=0, nan_policy="omit", method=method)
    return both, np.atleast_1d(result.statistic), np.atleast_1d(result.pvalue)


def _chance(p: float, q: float, tests: int) -> str:
    """The p-value, and for several tests the q-value after the correction, as text."""
    text = f"p {p:.0e}" if p >= 1e-99 else "p < 1e-99"
    if tests == 1:
        return text
    adjusted = f"{q:.0e}" if q >= 1e-99 else "< 1e-99"
    return f"{text}; {adjusted} after the Benjamini–Hochberg correction for {tests:,} tests"
