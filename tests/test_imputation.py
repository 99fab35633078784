"""Impute, checked against scikit-learn's SimpleImputer for every strategy."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter
from sklearn.impute import SimpleImputer

from mlcc_cli.config.features import FeatureStep
from mlcc_cli.errors import DataError
from mlcc_cli.features.imputation import Impute
from mlcc_cli.features.pipeline import build_transform

STEP = TypeAdapter(FeatureStep)


@pytest.fixture
def train() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [1.0, np.nan, 4.0, 10.0, 4.0, 1.0],  # 1 and 4 tie for most frequent
            "z": [np.nan, 2.0, 2.0, 5.0, 7.0, np.nan],
            "city": ["b", None, "a", "b", "a", None],  # a and b tie
            "price": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )


@pytest.fixture
def validation() -> pd.DataFrame:
    return pd.DataFrame(
        {"x": [np.nan, 3.0], "z": [np.nan, np.nan], "city": [None, "c"], "price": [1.0, 2.0]}
    )


@pytest.mark.parametrize(
    ("strategy", "fill_value"),
    [("mean", None), ("median", None), ("most_frequent", None), ("constant", -1.5)],
)
def test_impute_numbers_equals_simple_imputer(
    train: pd.DataFrame, validation: pd.DataFrame, strategy: str, fill_value: float | None
) -> None:
    imputer = SimpleImputer(strategy=strategy, fill_value=fill_value).fit(train[["x", "z"]])
    impute = Impute(["x", "z"], strategy, fill_value, key="features.0").fit(train)  # type: ignore[arg-type]
    for frame in (train, validation):
        out = impute.transform(frame)
        np.testing.assert_array_equal(
            out[["x", "z"]].to_numpy(), imputer.transform(frame[["x", "z"]])
        )
        pd.testing.assert_frame_equal(out[["city", "price"]], frame[["city", "price"]])


@pytest.mark.parametrize(("strategy", "fill_value"), [("most_frequent", None), ("constant", "?")])
def test_impute_text_equals_simple_imputer(
    train: pd.DataFrame, validation: pd.DataFrame, strategy: str, fill_value: str | None
) -> None:
    def as_objects(frame: pd.DataFrame) -> np.ndarray:
        return frame[["city"]].to_numpy(dtype=object)  # missing as np.nan, as sklearn expects

    imputer = SimpleImputer(strategy=strategy, fill_value=fill_value).fit(as_objects(train))
    impute = Impute(["city"], strategy, fill_value).fit(train)  # type: ignore[arg-type]
    assert not impute.numeric_inputs
    for frame in (train, validation):
        out = impute.transform(frame)
        assert out["city"].tolist() == imputer.transform(as_objects(frame)).ravel().tolist()


def test_most_frequent_ties_go_to_the_smallest_value(train: pd.DataFrame) -> None:
    impute = Impute(["x", "city"], "most_frequent").fit(train)
    assert impute.statistics_ == {"x": 1.0, "city": "a"}


def test_data_missing_imputer_keeps_its_shape() -> None:
    """The pipeline's `Impute(columns, strategy, label=...)` for data.missing: mean|median."""
    impute = Impute(["x"], "median", label="y")
    assert (impute.key, impute.where, impute.fill_value) == (
        "data.missing",
        "data.missing (impute)",
        None,
    )
    assert impute.numeric_inputs and impute.learns_from_data
    frame = pd.DataFrame({"x": [1.0, np.nan, 5.0, 6.0], "y": [0.0, 1.0, 0.0, 1.0]})
    assert impute.fit_transform(frame)["x"].tolist() == [1.0, 5.0, 5.0, 6.0]


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_mean_and_median_refuse_text(train: pd.DataFrame, strategy: str) -> None:
    with pytest.raises(
        DataError, match=r"^features\.2 \(impute\): column 'city' holds .* not numbers"
    ):
        Impute(["city"], strategy, key="features.2").fit(train)  # type: ignore[arg-type]


def test_default_columns_are_numeric_non_label(train: pd.DataFrame) -> None:
    for strategy, fill in [("most_frequent", None), ("constant", 0.0), ("mean", None)]:
        impute = Impute(None, strategy, fill, label="price").fit(train)  # type: ignore[arg-type]
        assert impute.feature_names_in_ == ["x", "z"]


@pytest.mark.parametrize(
    ("column", "fill", "phrase"),
    [
        ("x", "none", r"'x' holds float64 values but the fill value is 'none'; give a number"),
        ("city", 0.0, r"'city' holds .* but the fill value is 0\.0; quote it in YAML"),
    ],
)
def test_constant_fill_must_match_the_column_type(
    train: pd.DataFrame, column: str, fill: Any, phrase: str
) -> None:
    with pytest.raises(DataError, match=rf"^features\.1 \(impute\): column {phrase}"):
        Impute([column], "constant", fill, key="features.1").fit(train)


def test_text_fill_needs_text_in_later_splits_too(train: pd.DataFrame) -> None:
    impute = Impute(["city"], "most_frequent", key="features.1").fit(train)
    with pytest.raises(DataError, match=r"column 'city' holds float64 values .* one type"):
        impute.transform(train.assign(city=[1.0, np.nan, 2.0, 3.0, 4.0, 5.0]))
    gaps_only = impute.transform(train.assign(city=np.nan))  # a column of gaps gets the text
    assert gaps_only["city"].tolist() == ["a"] * 6


def test_constant_learns_nothing_and_fills_columns_without_values() -> None:
    impute = Impute(["x"], "constant", 7.0)
    assert not impute.learns_from_data
    out = impute.fit_transform(pd.DataFrame({"x": [np.nan, np.nan]}))
    assert out["x"].tolist() == [7.0, 7.0]


def test_streaming_fit_equals_one_pass(train: pd.DataFrame) -> None:
    for strategy in ("mean", "median", "most_frequent"):
        full = Impute(["x", "z"] if strategy != "most_frequent" else ["x", "city"], strategy)  # type: ignore[arg-type]
        chunked = Impute(full.columns, strategy)  # type: ignore[arg-type]
        full.fit(train)
        for start in range(0, len(train), 4):
            chunked.partial_fit(train.iloc[start : start + 4], np.random.default_rng(0))
        assert chunked.finish_fit().statistics_ == full.statistics_


@pytest.mark.parametrize(
    "config",
    [
        {"type": "impute", "columns": ["city", "x"], "strategy": "most_frequent"},
        {"type": "impute", "columns": ["city"], "strategy": "constant", "fill_value": "none"},
        {"type": "impute", "strategy": "median"},
    ],
)
def test_state_round_trips_through_json(
    train: pd.DataFrame, validation: pd.DataFrame, config: dict[str, Any]
) -> None:
    impute = build_transform(STEP.validate_python(config), 3, "price")
    before = train.copy()
    impute.fit(train)
    restored = Impute.from_state(json.loads(json.dumps(impute.get_state())))
    assert repr(restored) == repr(impute)
    assert restored.numeric_inputs == impute.numeric_inputs
    pd.testing.assert_frame_equal(restored.transform(validation), impute.transform(validation))
    pd.testing.assert_frame_equal(train, before)
