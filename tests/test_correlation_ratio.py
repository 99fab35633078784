"""η over quantile buckets, all columns at once, against pandas' qcut and groupby per column."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlcc_cli.data import column_stats
from mlcc_cli.data.correlation_ratio import (
    ETA_BUCKETS,
    ETA_MIN_DISTINCT,
    ETA_MIN_ROWS,
    correlation_ratios,
)


def qcut_eta(x: pd.Series, y: pd.Series) -> float | None:
    """The per-column η mlcc computed before (one qcut and groupby per column): the oracle."""
    both = x.notna() & y.notna()
    x, y = x[both], y[both]
    if len(x) < ETA_MIN_ROWS or x.nunique() < ETA_MIN_DISTINCT or y.var() == 0:
        return None
    buckets = pd.qcut(x, ETA_BUCKETS, duplicates="drop")
    bucket_mean = y.groupby(buckets, observed=True).transform("mean")
    eta_squared = bucket_mean.var() / y.var()
    n, k = len(y), buckets.nunique()
    return math.sqrt(max(1 - (1 - eta_squared) * (n - 1) / (n - k), 0.0))


def awkward_columns(rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Columns that exercise every edge of qcut: ties on edges, duplicated edges, gaps."""
    rng = np.random.default_rng(seed)
    smooth = rng.normal(size=rows)
    y = pd.Series(smooth**2 + rng.normal(scale=0.5, size=rows))
    mostly_zero = np.where(rng.random(rows) < 0.6, 0.0, rng.integers(1, 40, rows))
    gappy = rng.lognormal(size=rows)
    gappy[rng.random(rows) < 0.2] = np.nan
    columns = {
        "smooth": smooth,
        "linear": 2 * smooth + rng.normal(size=rows),
        "tail": rng.lognormal(0, 2, rows),
        "integers": rng.integers(0, 25, rows).astype(float),  # edges fall on tied values
        "mostly_zero": mostly_zero,  # several edges equal the minimum
        "top_heavy": np.where(rng.random(rows) < 0.5, 9.0, rng.normal(size=rows)),
        "gappy": gappy,
        "coarse": rng.integers(0, 5, rows).astype(float),  # under ETA_MIN_DISTINCT: None
        "noise": rng.normal(size=rows),
    }
    return pd.DataFrame(columns), y


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rows", [120, 997])
def test_equal_to_qcut_and_groupby_per_column(rows: int, seed: int) -> None:
    x, y = awkward_columns(rows, seed)
    if seed == 2:
        y[y.sample(frac=0.1, random_state=seed).index] = np.nan  # rows without a label
    got = correlation_ratios(x, y)
    expected = [qcut_eta(x[name], y) for name in x.columns]
    assert [value is None for value in got] == [value is None for value in expected]
    assert expected[list(x.columns).index("coarse")] is None
    assert sum(value is not None for value in expected) >= 6
    for name, value, oracle in zip(x.columns, got, expected, strict=True):
        if oracle is not None:
            assert value == pytest.approx(oracle, rel=1e-9, abs=1e-12), name


def test_too_few_rows_or_a_constant_label_give_none() -> None:
    x, y = awkward_columns(ETA_MIN_ROWS - 1, 0)
    assert correlation_ratios(x, y) == [None] * x.shape[1]
    x, _ = awkward_columns(300, 0)
    assert correlation_ratios(x, pd.Series(np.ones(300))) == [None] * x.shape[1]


def test_columns_in_batches_give_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = awkward_columns(500, 3)
    whole = correlation_ratios(x, y)
    monkeypatch.setattr("mlcc_cli.data.correlation_ratio.BATCH_BYTES", 2 * 8 * 500)
    assert column_stats.BATCH_BYTES != 2 * 8 * 500  # only this module's batches change
    assert correlation_ratios(x, y) == whole
