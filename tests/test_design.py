"""The design matrix: numbers stay dense, categorical inputs become sparse indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from mlcc_cli.errors import DataError
from mlcc_cli.features.design import (
    FEATURE_NAMES_LIMIT,
    design_matrix,
    feature_names,
    n_features,
    saved_feature_names,
    select_inputs,
)
from mlcc_cli.features.indicators import categorical, indicator_block


@pytest.fixture
def frame() -> pd.DataFrame:
    index = pd.RangeIndex(4)
    return pd.DataFrame(
        {
            "rooms": [1.0, 2.0, 3.0, 4.0],
            "city": categorical(np.array([0, 2, -1, 1]), ["a", "b", "<other>"], index),
            "note": ["x", "y", "z", "w"],
            "price": [10.0, 20.0, 30.0, 40.0],
        }
    )


def test_numeric_inputs_stay_dense(frame: pd.DataFrame) -> None:
    X = design_matrix(frame, ["rooms"])
    assert isinstance(X, np.ndarray) and X.shape == (4, 1)


def test_categorical_inputs_make_csr_equal_to_get_dummies(frame: pd.DataFrame) -> None:
    X = design_matrix(frame, ["rooms", "city"])
    assert isinstance(X, sparse.csr_array) and X.dtype == np.float64 and X.has_canonical_format
    dummies = pd.get_dummies(frame["city"], prefix="city", dtype=np.float64)
    expected = np.column_stack([frame["rooms"].to_numpy(), dummies.to_numpy()])
    np.testing.assert_array_equal(X.toarray(), expected)  # the missing city is a zero row
    names = feature_names(frame, ["rooms", "city"])
    assert names == ["rooms", *dummies.columns] == ["rooms", "city_a", "city_b", "city_<other>"]
    assert n_features(frame, ["rooms", "city"]) == X.shape[1] == 4
    assert X.nnz == 4 + 3  # only the non-zeros are stored


def test_indicator_block_of_a_million_categories_stays_small() -> None:
    codes = np.array([0, 999_999, 5])
    series = categorical(codes, pd.RangeIndex(1_000_000), pd.RangeIndex(3))
    block = indicator_block(series)
    assert block.shape == (3, 1_000_000) and block.nnz == 3
    assert saved_feature_names(series.to_frame("h"), ["h"]) is None  # over the limit
    assert FEATURE_NAMES_LIMIT < 1_000_000


def test_default_inputs_include_categorical_and_warn_about_text(frame: pd.DataFrame) -> None:
    columns, warnings = select_inputs(frame, None, "price")
    assert columns == ["rooms", "city"]
    assert len(warnings) == 1 and "'note'" in warnings[0] and "one_hot" in warnings[0]
    with pytest.raises(DataError, match=r"inputs: column 'note' holds .*one_hot or hash"):
        design_matrix(frame, ["rooms", "note"])
