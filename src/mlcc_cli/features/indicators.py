"""Categorical features: how steps store them in the frame and how they become indicators.

A categorical feature (a bucketized number, a one-hot encoded word, a hash bucket, a cross)
is one pandas `category` column in the pipeline's frame: its integer codes say which
indicator is on in each row, its categories name the indicators. Only the design matrix
expands it, into a sparse block of 0/1 columns named `COLUMN_CATEGORY` (as
`pandas.get_dummies`), so a million hash buckets cost one integer per row until then.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse


def categorical(codes: np.ndarray, categories: Sequence | pd.Index, index: pd.Index) -> pd.Series:
    """A category column from integer codes (0..K−1) into `categories`, on the frame's index."""
    values = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=categories)
    return pd.Series(values, index=index)


def is_categorical(series: pd.Series) -> bool:
    """True for the category columns categorical steps make (and pandas category columns)."""
    return isinstance(series.dtype, pd.CategoricalDtype)


def n_indicators(series: pd.Series) -> int:
    """How many indicator columns a category column expands into."""
    return len(series.cat.categories)


def indicator_names(column: str, series: pd.Series) -> list[str]:
    """`COLUMN_CATEGORY` for every category, in code order (as pandas.get_dummies names them)."""
    return [f"{column}_{category}" for category in series.cat.categories]


def indicator_block(series: pd.Series) -> sparse.csr_array:
    """The 0/1 indicators of a category column: CSR of shape (n_rows, n_categories).

    A missing value (code −1) gives a row of zeros.
    """
    codes = series.cat.codes.to_numpy(dtype=np.int64)  # (n_rows,)
    present = codes >= 0
    indptr = np.concatenate(([0], np.cumsum(present)))
    shape = (len(codes), n_indicators(series))
    return sparse.csr_array((np.ones(int(present.sum())), codes[present], indptr), shape=shape)
