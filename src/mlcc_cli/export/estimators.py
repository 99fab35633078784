"""scikit-learn transformers holding an mlcc step's fitted numbers, ready to transform.

Each function returns a fitted scikit-learn object whose transform equals one of our steps
on one column: it is fitted on a few placeholder values (which builds every private
attribute the estimator needs) and then given our learned numbers in place of the ones that
fit found. Only scikit-learn's public transformers are used, so the exported Pipeline
unpickles wherever scikit-learn is installed, without mlcc.

The first step of every column receives a one-column DataFrame from the ColumnTransformer
(`named=True`: fitted on one, so it knows the column's name); later steps receive arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.errors import ConfigError

# Placeholder values a transformer is fitted on before our numbers replace its own: positive
# (log accepts them) and distinct (so scalers and bins see a spread).
PLACEHOLDER = np.array([1.0, 2.0])


def _placeholder(column: str | None, values: Sequence[Any] | np.ndarray) -> Any:
    """`values` as one column: a DataFrame named `column`, or an (n, 1) array when None."""
    if column is None:
        return np.asarray(values, dtype=np.float64).reshape(-1, 1)
    return pd.DataFrame({column: list(values)})


def standard_scaler(mean: float, scale: float, column: str | None) -> Any:
    """StandardScaler computing (x − mean)/scale, as our zscore step."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(_placeholder(column, PLACEHOLDER))
    scaler.mean_ = np.array([mean])
    scaler.scale_ = np.array([scale])
    scaler.var_ = np.array([scale * scale])
    return scaler


def min_max_scaler(
    low: float, high: float, data_min: float, data_max: float, column: str | None
) -> Any:
    """MinMaxScaler(feature_range=(low, high)) with our training min and max: x·s + m."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import MinMaxScaler

    scaler = MinMaxScaler(feature_range=(low, high)).fit(_placeholder(column, PLACEHOLDER))
    data_range = data_max - data_min
    if data_range < 10 * np.finfo(np.float64).eps:  # our (and scikit-learn's) constant column
        data_range = 1.0
    scale = (high - low) / data_range
    scaler.data_min_, scaler.data_max_ = np.array([data_min]), np.array([data_max])
    scaler.data_range_ = np.array([data_max - data_min])
    scaler.scale_ = np.array([scale])
    scaler.min_ = np.array([low - data_min * scale])
    return scaler


def function_transformer(func: Any, column: str | None, **kw_args: float) -> Any:
    """FunctionTransformer applying a numpy function (np.clip, np.log, np.log1p) elementwise.

    validate=True turns its input into an array first, so it returns an array like every
    other step.
    """
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import FunctionTransformer

    transformer = FunctionTransformer(
        func, kw_args=kw_args or None, validate=True, feature_names_out="one-to-one"
    )
    return transformer.fit(_placeholder(column, PLACEHOLDER))


def column_picker(position: int, width: int) -> Any:
    """FunctionTransformer keeping column `position` of `width`: np.take(X, [position], 1)."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import FunctionTransformer

    picker = FunctionTransformer(np.take, kw_args={"indices": [position], "axis": 1})
    return picker.fit(np.zeros((1, width)))


def simple_imputer(fill: float | str, column: str | None) -> Any:
    """SimpleImputer filling missing values (NaN, or None in text) with `fill`."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.impute import SimpleImputer

    imputer = SimpleImputer(strategy="constant", fill_value=fill)
    if isinstance(fill, str):  # text: an object column, as pandas reads one
        return imputer.fit(pd.DataFrame({column: pd.Series([fill, fill], dtype=object)}))
    return imputer.fit(_placeholder(column, PLACEHOLDER))


def bins(boundaries: Sequence[float], one_hot: bool, column: str | None) -> Any:
    """KBinsDiscretizer putting x in bucket #{boundaries b : b ≤ x} (np.searchsorted, side
    right): an indicator per bucket (`one_hot`) or the bucket number.

    The outer edges are ±inf, since values beyond the training range fall in the first or
    last bucket; the strategy only matters when fitting, which our boundaries replace.
    """
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import KBinsDiscretizer

    n_bins = len(boundaries) + 1
    discretizer = KBinsDiscretizer(
        n_bins=n_bins,
        encode="onehot-dense" if one_hot else "ordinal",
        strategy="uniform",
        dtype=np.float64,
    )
    discretizer.fit(_placeholder(column, np.linspace(0.0, 1.0, n_bins + 1)))
    edges = np.concatenate(([-np.inf], np.asarray(boundaries, dtype=np.float64), [np.inf]))
    discretizer.bin_edges_ = np.array([edges], dtype=object)
    return discretizer


def one_hot_encoder(vocabulary: Sequence[str], column: str | None) -> Any:
    """OneHotEncoder with an indicator per vocabulary value, in our order; any other value
    (unknown) sets none."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import OneHotEncoder

    categories = np.array(list(vocabulary), dtype=object)
    encoder = OneHotEncoder(
        categories=[categories], handle_unknown="ignore", sparse_output=False, dtype=np.float64
    )
    placeholder = pd.DataFrame({column: pd.Series(categories[:1], dtype=object)})
    return encoder.fit(placeholder if column is not None else placeholder.to_numpy())


def polynomial_features(degree: int, interaction_only: bool, width: int) -> Any:
    """PolynomialFeatures(include_bias=False) over `width` columns: the columns, then every
    product up to `degree` in our order. It learns nothing but the width."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.preprocessing import PolynomialFeatures

    features = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=False)
    return features.fit(np.zeros((1, width)))


def pca(
    mean: Sequence[float], components: Sequence[Sequence[float]], ratios: Sequence[float]
) -> Any:
    """PCA projecting x to (x − μ)·Wᵀ with our μ and components W (k, n_columns)."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.decomposition import PCA

    W = np.asarray(components, dtype=np.float64)  # (k, n_columns)
    k, width = W.shape
    placeholder = np.random.default_rng(0).normal(size=(width + 1, width))
    projection = PCA(n_components=k, svd_solver="full").fit(placeholder)
    projection.mean_ = np.asarray(mean, dtype=np.float64)
    projection.components_ = W
    projection.explained_variance_ratio_ = np.asarray(ratios, dtype=np.float64)
    return projection


def frozen_estimator() -> Any:
    """scikit-learn's FrozenEstimator class (1.6 and newer); ConfigError asking for an
    upgrade on older versions."""
    try:
        # deferred: scikit-learn, imported only when a run is exported
        from sklearn.frozen import FrozenEstimator
    except ImportError:
        raise ConfigError(
            "mlcc export builds the Pipeline with scikit-learn's FrozenEstimator, new in "
            "scikit-learn 1.6; upgrade it (pip install -U 'scikit-learn>=1.6')."
        ) from None
    return FrozenEstimator


def frozen(estimator: Any) -> Any:
    """`estimator` wrapped so fitting the Pipeline around it leaves its numbers alone."""
    return frozen_estimator()(estimator)
