"""Categorical features: how steps store them in the frame and how they become indicators.

A categorical feature (a bucketized number, a one-hot encoded word, a hash bucket, a cross)
is one pandas `category` column in the pipeline's frame: its integer codes say which
indicator is on in each row, its categories name the indicators. Only the design matrix
expands it, into a sparse block of 0/1 columns named `COLUMN_CATEGORY` (as
`pandas.get_dummies`), so a million hash buckets cost one integer per row until then.
A text step's token-bag column (`token_bags`) expands the same way, into token counts; the
`expanded_*` functions answer for both kinds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mlcc_cli.features.token_bags import count_block, is_token_bag

if TYPE_CHECKING:
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
    # deferred: scipy.sparse, imported only once a categorical column is expanded
    from scipy import sparse

    return sparse.csr_array((np.ones(int(present.sum())), codes[present], indptr), shape=shape)


def expands(series: pd.Series) -> bool:
    """True for the columns the design matrix expands into a block: categories, token bags."""
    return is_categorical(series) or is_token_bag(series)


def expanded_labels(series: pd.Series) -> list[str]:
    """What each column of an expanded block stands for: a category, or a token (`<oov>`
    last)."""
    if is_token_bag(series):
        return series.dtype.labels()
    return [str(category) for category in series.cat.categories]


def expanded_width(series: pd.Series) -> int:
    """Columns an expanded column takes in the design matrix."""
    return series.dtype.width if is_token_bag(series) else n_indicators(series)


def expanded_block(series: pd.Series) -> sparse.csr_array:
    """An expanded column's block: 0/1 indicators or token counts, CSR (n_rows, width)."""
    return count_block(series) if is_token_bag(series) else indicator_block(series)


def expanded_names(column: str, series: pd.Series) -> list[str]:
    """`COLUMN_LABEL` for each column of the block (see `expanded_labels`)."""
    if is_token_bag(series):
        return [f"{column}_{label}" for label in expanded_labels(series)]
    return indicator_names(column, series)
