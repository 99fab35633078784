"""Pca, checked against scikit-learn's PCA."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter
from sklearn.decomposition import PCA

from mlcc_cli.config.features import FeatureStep
from mlcc_cli.errors import DataError
from mlcc_cli.features.pipeline import build_transform
from mlcc_cli.features.projection import Pca

STEP = TypeAdapter(FeatureStep)
COLUMNS = ["a", "b", "c"]


@pytest.fixture
def train() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    base = rng.normal(size=(60, 1))
    X = np.hstack([base, 2 * base + 0.3 * rng.normal(size=(60, 1)), rng.normal(size=(60, 1))])
    frame = pd.DataFrame(X, columns=COLUMNS)
    return frame.assign(city="x", price=rng.normal(size=60))


@pytest.mark.parametrize("components", [1, 2, 3])
def test_pca_equals_sklearn(train: pd.DataFrame, components: int) -> None:
    oracle = PCA(n_components=components).fit(train[COLUMNS])
    pca = Pca(COLUMNS, components, label="price").fit(train)
    np.testing.assert_allclose(pca.mean_, oracle.mean_)
    np.testing.assert_allclose(pca.components_, oracle.components_, atol=1e-12)
    np.testing.assert_allclose(pca.explained_variance_ratio_, oracle.explained_variance_ratio_)
    validation = pd.DataFrame(
        {"a": [0.0, 5.0], "b": [1.0, -2.0], "c": [3.0, 0.5], "city": "y", "price": 1.0}
    )
    for frame in (train, validation):
        out = pca.transform(frame)
        names = [f"pc{i}" for i in range(1, components + 1)]
        assert list(out.columns) == ["city", "price", *names]  # sources replaced, new at the end
        expected = oracle.transform(frame[COLUMNS])
        np.testing.assert_allclose(out[names].to_numpy(), expected, atol=1e-12)


def test_pca_notes_the_variance_kept(train: pd.DataFrame) -> None:
    pca = Pca(COLUMNS, 2, key="features.3").fit(train)
    first, second = pca.explained_variance_ratio_
    (note,) = pca.notes()
    assert note == (
        f"features.3 (pca): 2 components keep {first + second:.1%} of the variance of a, b, c "
        f"({first:.1%}, {second:.1%})."
    )
    one = Pca(COLUMNS, 1, key="features.3").fit(train)
    assert one.notes()[0].startswith("features.3 (pca): 1 component keeps ")


def test_pca_prefix_and_untouched_input(train: pd.DataFrame) -> None:
    before = train.copy()
    out = Pca(["a", "b"], 1, prefix="size").fit_transform(train)
    assert list(out.columns) == ["c", "city", "price", "size1"]
    pd.testing.assert_frame_equal(train, before)


def test_pca_refuses_missing_values(train: pd.DataFrame) -> None:
    gappy = train.assign(b=train["b"].where(train.index != 4))
    with pytest.raises(DataError, match=r"^features\.1 \(pca\): missing values \('b' 1 of 60"):
        Pca(COLUMNS, 2, key="features.1").fit(gappy)
    pca = Pca(COLUMNS, 2, key="features.1").fit(train)
    with pytest.raises(DataError, match="impute step"):
        pca.transform(gappy)


def test_pca_refuses_constant_columns_and_too_few_rows(train: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="all constant"):
        Pca(["a", "b"], 1).fit(pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}))
    with pytest.raises(DataError, match="need at least as many training rows"):
        Pca(COLUMNS, 3).fit(train.head(2))
    with pytest.raises(DataError, match="'city' holds"):
        Pca(["a", "city"], 1).fit(train)
    with pytest.raises(DataError, match="overwrite the label"):
        Pca(COLUMNS, 1, prefix="y", label="y1").fit(train.assign(y1=0.0))


def test_pca_warns_when_scales_differ(train: pd.DataFrame) -> None:
    wide = train.assign(c=train["c"] * 1000)
    (warning,) = Pca(COLUMNS, 2, key="features.0").fit(wide).warnings_
    assert warning.startswith("features.0 (pca): the columns' scales differ over 100-fold")
    assert "zscore" in warning
    assert Pca(COLUMNS, 2).fit(train).warnings_ == []


def test_pca_state_round_trips_through_json(train: pd.DataFrame) -> None:
    step = STEP.validate_python({"type": "pca", "columns": COLUMNS, "components": 2})
    pca = build_transform(step, 5, "price")
    pca.fit(train)
    state = json.loads(json.dumps(pca.get_state()))
    restored = Pca.from_state(state)
    assert repr(restored) == repr(pca)
    assert restored.notes() == pca.notes()
    pd.testing.assert_frame_equal(restored.transform(train), pca.transform(train))
    with pytest.raises(DataError, match=r"^features\.5 \(pca\): column 'a' not found"):
        restored.transform(train.drop(columns=["a"]))
