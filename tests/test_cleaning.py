"""DropDuplicates and Filter, checked against pandas."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter

from mlcc_cli.config.features import FeatureStep
from mlcc_cli.errors import DataError
from mlcc_cli.features.cleaning import DropDuplicates, Filter
from mlcc_cli.features.pipeline import build_transform

STEP = TypeAdapter(FeatureStep)


@pytest.fixture
def train() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rooms": [3.0, 3.0, np.nan, 5.0, np.nan, 3.0, -1.0],
            "city": ["a", "a", "b", "b", "b", "c", "a"],
            "age": [10, 10, 40, 200, 40, 10, 30],
            "price": [100.0, 100.0, 90.0, 400.0, 90.0, -5.0, 120.0],
        }
    )


# ------------------------------------------------------------------ drop_duplicates


@pytest.mark.parametrize("columns", [None, ["city"], ["rooms", "city"], ["rooms"], ["price"]])
def test_drop_duplicates_equals_pandas(train: pd.DataFrame, columns: list[str] | None) -> None:
    before = train.copy()
    transform = DropDuplicates(columns, label="price").fit(train)
    out = transform.transform(train)
    pd.testing.assert_frame_equal(out, train.drop_duplicates(subset=columns, keep="first"))
    pd.testing.assert_frame_equal(train, before)  # input untouched
    assert transform.rows_dropped_ == len(train) - len(out)


def test_drop_duplicates_defaults_to_every_training_column(train: pd.DataFrame) -> None:
    transform = DropDuplicates(key="features.0", label="price").fit(train)
    assert transform.feature_names_in_ == ["rooms", "city", "age", "price"]  # label included
    assert transform.drops_rows
    assert transform.notes() == [
        "features.0 (drop_duplicates): dropped 2 of 7 training rows that repeat an earlier "
        "row on rooms, city, age, price."
    ]


def test_drop_duplicates_works_on_each_split_alone(train: pd.DataFrame) -> None:
    transform = DropDuplicates(["city"]).fit(train)
    validation = pd.DataFrame({"rooms": [1.0, 2.0, 3.0], "city": ["z", "z", "a"]})
    out = transform.transform(validation)
    assert out.index.tolist() == [0, 2]  # "a" was in training, but not earlier in this split


def test_drop_duplicates_state_round_trips_through_json(train: pd.DataFrame) -> None:
    transform = build_transform(STEP.validate_python({"type": "drop_duplicates"}), 1, "price")
    transform.fit(train)
    restored = DropDuplicates.from_state(json.loads(json.dumps(transform.get_state())))
    assert repr(restored) == repr(transform)
    assert restored.notes() == transform.notes()
    pd.testing.assert_frame_equal(restored.transform(train), transform.transform(train))
    with pytest.raises(DataError, match=r"^features\.1 \(drop_duplicates\): column 'age' not"):
        restored.transform(train.drop(columns=["age"]))


# ------------------------------------------------------------------ filter


@pytest.mark.parametrize(
    ("columns", "low", "high"),
    [(["rooms"], 0.0, None), (["age"], None, 100.0), (["rooms", "age"], 0.0, 100.0)],
)
def test_filter_equals_a_pandas_mask(
    train: pd.DataFrame, columns: list[str], low: float | None, high: float | None
) -> None:
    out = Filter(columns, low, high).fit_transform(train)
    outside = pd.Series(False, index=train.index)
    for column in columns:
        if low is not None:
            outside |= train[column] < low
        if high is not None:
            outside |= train[column] > high
    pd.testing.assert_frame_equal(out, train[~outside])
    assert train["rooms"].isna().sum() == out["rooms"].isna().sum()  # missing rows are kept


def test_filter_may_clean_the_label_and_notes_what_it_dropped(train: pd.DataFrame) -> None:
    transform = Filter(["price"], min=0.0, key="features.3", label="price").fit(train)
    assert transform.transform(train)["price"].min() == 90.0
    assert transform.drops_rows
    assert transform.notes() == [
        "features.3 (filter): dropped 1 of 7 training rows with price outside [0, inf]."
    ]


def test_filter_bounds_are_inclusive() -> None:
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    assert Filter(["x"], 1.0, 2.0).fit_transform(frame)["x"].tolist() == [1.0, 2.0]


def test_filter_refuses_text_and_dropping_everything(train: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"features\.2 \(filter\): column 'city' holds"):
        Filter(["city"], min=0, key="features.2").fit(train)
    with pytest.raises(DataError, match=r"drops all 7 training rows.*age within \[500, inf\]"):
        Filter(["age"], min=500).fit(train)


def test_filter_state_round_trips_through_json(train: pd.DataFrame) -> None:
    step = STEP.validate_python({"type": "filter", "columns": ["age"], "max": 100})
    transform = build_transform(step, 4, "price")
    before = train.copy()
    transform.fit(train)
    restored = Filter.from_state(json.loads(json.dumps(transform.get_state())))
    assert repr(restored) == repr(transform)
    validation = pd.DataFrame({"age": [1, 101, 100]})
    assert restored.transform(validation).index.tolist() == [0, 2]
    pd.testing.assert_frame_equal(train, before)
