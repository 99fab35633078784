"""One-hot encoding and feature hashing, checked against scikit-learn, pandas and golden values."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import OneHotEncoder

from mlcc_cli.errors import DataError
from mlcc_cli.features.categorical import (
    OTHER,
    Hash,
    OneHot,
    ValueCounts,
    canonical_text,
    hash_buckets,
)
from mlcc_cli.features.indicators import indicator_block, indicator_names, is_categorical

# Distinct counts per value, so "the k most frequent" has no ties at any cut.
OCEAN = {"<1H OCEAN": 9, "INLAND": 7, "NEAR OCEAN": 5, "NEAR BAY": 4, "ISLAND": 1}
ROOMS = {3: 9, 1: 7, 10: 5, 2: 3, 20: 2}
COASTAL = {True: 12, False: 14}


def _column(counts: dict[object, int], rng: np.random.Generator) -> list[object]:
    values = [value for value, n in counts.items() for _ in range(n)]
    return [values[i] for i in rng.permutation(len(values))]


@pytest.fixture
def train() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "ocean_proximity": _column(OCEAN, rng),
            "rooms": _column(ROOMS, rng),
            "coastal": _column(COASTAL, rng),
            "price": rng.normal(size=26),
        }
    )


@pytest.fixture
def validation() -> pd.DataFrame:
    """Unseen values in every column (the bool column can only repeat)."""
    return pd.DataFrame(
        {
            "ocean_proximity": ["NEAR BAY", "MARS", "ISLAND", "INLAND"],
            "rooms": [3, 7, 20, 1],
            "coastal": [False, True, True, False],
            "price": [1.0, 2.0, 3.0, 4.0],
        }
    )


def _indicators(frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    """Our indicator columns of `column` by name."""
    block = indicator_block(frame[column]).toarray()
    return dict(zip(indicator_names(column, frame[column]), block.T, strict=True))


# ------------------------------------------------------------------ one_hot oracles


@pytest.mark.parametrize(
    ("min_frequency", "max_categories"),
    [(1, None), (2, None), (5, None), (1, 3), (2, 2), (4, 1), (1, 10)],
)
@pytest.mark.parametrize("column", ["ocean_proximity", "rooms", "coastal"])
def test_one_hot_equals_sklearn_one_hot_encoder(
    column: str,
    min_frequency: int,
    max_categories: int | None,
    train: pd.DataFrame,
    validation: pd.DataFrame,
) -> None:
    # scikit-learn's max_categories counts the infrequent column; ours counts vocabulary only.
    encoder = OneHotEncoder(
        min_frequency=min_frequency,
        max_categories=None if max_categories is None else max_categories + 1,
        handle_unknown="infrequent_if_exist",
        sparse_output=False,
    ).fit(train[[column]])
    one_hot = OneHot([column], min_frequency, max_categories).fit(train)
    for frame in (train, validation):
        ours = _indicators(one_hot.transform(frame), column)
        theirs = dict(
            zip(encoder.get_feature_names_out(), encoder.transform(frame[[column]]).T, strict=True)
        )
        other = theirs.pop(f"{column}_infrequent_sklearn", None)
        assert set(ours) == {*theirs, f"{column}_{OTHER}"}
        for name, indicator in theirs.items():
            np.testing.assert_array_equal(ours[name], indicator, err_msg=name)
        if other is not None:
            np.testing.assert_array_equal(ours[f"{column}_{OTHER}"], other)
        if frame is train and other is None:  # nothing infrequent: <other> never on in training
            assert not ours[f"{column}_{OTHER}"].any()
        np.testing.assert_array_equal(sum(ours.values()), np.ones(len(frame)))  # one-hot


@pytest.mark.parametrize("min_frequency", [1, 3, 6])
def test_one_hot_vocabulary_equals_pandas_value_counts(
    min_frequency: int, train: pd.DataFrame
) -> None:
    one_hot = OneHot(["ocean_proximity", "rooms"], min_frequency).fit(train)
    for column in ("ocean_proximity", "rooms"):
        counts = train[column].value_counts()
        expected = sorted(counts[counts >= min_frequency].index)  # numbers sort numerically
        assert one_hot.vocabulary_[column] == [str(value) for value in expected]
        assert one_hot.n_values_[column] == len(counts)


def test_one_hot_replaces_the_column_with_named_categories(train: pd.DataFrame) -> None:
    out = OneHot(["ocean_proximity"], min_frequency=2).fit_transform(train)
    assert list(out.columns) == list(train.columns)  # replaced in place
    assert is_categorical(out["ocean_proximity"])
    assert indicator_names("ocean_proximity", out["ocean_proximity"]) == [
        "ocean_proximity_<1H OCEAN",
        "ocean_proximity_INLAND",
        "ocean_proximity_NEAR BAY",
        "ocean_proximity_NEAR OCEAN",
        "ocean_proximity_<other>",
    ]
    assert (out["ocean_proximity"] == OTHER).sum() == 1  # the one ISLAND row


def test_one_hot_orders_numbers_numerically_and_text_lexicographically() -> None:
    frame = pd.DataFrame({"n": [10, 9, 100, 9], "t": ["b", "B", "a", "ab"]})
    one_hot = OneHot(["n", "t"]).fit(frame)
    assert one_hot.vocabulary_ == {"n": ["9", "10", "100"], "t": ["B", "a", "ab", "b"]}


def test_one_hot_max_categories_breaks_ties_by_value_order() -> None:
    frame = pd.DataFrame({"c": ["d", "c", "b", "a", "d", "c", "b", "a", "d"]})  # d:3, others 2
    assert OneHot(["c"], max_categories=2).fit(frame).vocabulary_ == {"c": ["a", "d"]}


def test_one_hot_missing_gives_no_indicator_and_unseen_goes_to_other() -> None:
    train = pd.DataFrame({"c": ["x", "y", None, "x"]})
    one_hot = OneHot(["c"]).fit(train)
    assert one_hot.vocabulary_ == {"c": ["x", "y"]}  # missing is not a category
    out = one_hot.transform(pd.DataFrame({"c": ["y", None, "z", np.nan]}))
    assert out["c"].cat.codes.tolist() == [1, -1, 2, -1]
    np.testing.assert_array_equal(
        indicator_block(out["c"]).toarray(), [[0, 1, 0], [0, 0, 0], [0, 0, 1], [0, 0, 0]]
    )


def test_one_hot_int_and_float_forms_of_a_value_agree() -> None:
    # An int column arrives as float when a value is missing (pandas has no NaN int).
    one_hot = OneHot(["n"]).fit(pd.DataFrame({"n": [1, 2, 3]}))
    out = one_hot.transform(pd.DataFrame({"n": [3.0, np.nan, 1.0, 2.5]}))
    assert out["n"].cat.codes.tolist() == [2, -1, 0, 3]  # 2.5 is unseen: <other>
    assert list(out["n"].cat.categories) == ["1", "2", "3", OTHER]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("NEAR BAY", "NEAR BAY"),
        (3, "3"),
        (np.int64(3), "3"),
        (3.0, "3"),
        (np.float32(3.0), "3"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (1e-5, "1e-05"),
        (2.0**60, "1.152921504606847e+18"),  # beyond 2**53 floats are not exact integers
        (float("inf"), "inf"),
        (True, "True"),
        (np.bool_(False), "False"),
    ],
)
def test_canonical_text(value: object, text: str) -> None:
    assert canonical_text(value) == text


def test_one_hot_streaming_counts_equal_one_pass(train: pd.DataFrame) -> None:
    whole = OneHot(["ocean_proximity", "rooms"], 2, 3).fit(train)
    rng = np.random.default_rng(0)
    chunked = OneHot(["ocean_proximity", "rooms"], 2, 3)
    for start in range(0, len(train), 7):
        chunked.partial_fit(train.iloc[start : start + 7], rng)
    assert chunked.finish_fit().get_state() == whole.get_state()
    assert chunked.learns_from_data


def test_value_counts_merges_chunks() -> None:
    counts = ValueCounts()
    counts.add(pd.Series(["a", "b", None, "a"]))
    counts.add(pd.Series([1, 1.0, "a"], dtype=object))
    assert (counts.count, counts.counts) == (6, {"a": 3, "b": 1, "1": 2})


def test_one_hot_state_round_trips_through_json(
    train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    one_hot = OneHot(["ocean_proximity", "rooms"], 2, key="features.3", label="price").fit(train)
    restored = OneHot.from_state(json.loads(json.dumps(one_hot.get_state())))
    pd.testing.assert_frame_equal(restored.transform(validation), one_hot.transform(validation))
    assert (
        repr(restored)
        == repr(one_hot)
        == (
            "OneHot(columns=['ocean_proximity', 'rooms'], min_frequency=2, max_categories=None, "
            "key='features.3', label='price')"
        )
    )


def test_one_hot_warns_about_constant_rare_and_huge_columns() -> None:
    frame = pd.DataFrame(
        {
            "flat": ["same"] * 10_002,
            "rare": [f"r{i % 5001}" for i in range(10_002)],  # each value at most twice
            "huge": [str(i) for i in range(10_002)],
        }
    )
    one_hot = OneHot(["flat", "rare", "huge"], key="features.1")
    assert (
        one_hot.fit(frame)
        .warnings_[0]
        .startswith("features.1 (one_hot): column 'flat' has a single value ('same')")
    )
    assert len(one_hot.warnings_) == 2  # 'rare' has 5,001 values: no warning at min_frequency 1
    assert "'huge' has 10,002 categories" in one_hot.warnings_[1]
    assert "`hash`" in one_hot.warnings_[1]
    rare = OneHot(["rare"], min_frequency=3, key="features.1").fit(frame)
    assert len(rare.warnings_) == 1 and "lower min_frequency" in rare.warnings_[0]
    assert rare.notes() == [
        "features.1 (one_hot): column 'rare': 0 of 5001 training values kept; 5001 go to '<other>'."
    ]


@pytest.mark.parametrize(
    ("make", "frame", "message"),
    [
        (
            lambda: OneHot(["price"], key="features.2", label="price"),
            pd.DataFrame({"price": [1, 2]}),
            r"features\.2 \(one_hot\): uses the label 'price'",
        ),
        (
            lambda: OneHot(["cty"], key="features.2"),
            pd.DataFrame({"city": ["a"]}),
            r"features\.2 \(one_hot\): column 'cty' not found\. Did you mean 'city'\?",
        ),
        (
            lambda: OneHot(["c"], key="features.2"),
            pd.DataFrame({"c": ["a", "<other>"]}),
            r"features\.2 \(one_hot\): column 'c' holds the value '<other>'.*rename",
        ),
        (
            lambda: OneHot(["c"], key="features.2"),
            pd.DataFrame({"c": [None, None]}, dtype=object),
            r"features\.2 \(one_hot\): column 'c' has no values in the training split",
        ),
        (
            lambda: Hash(["price"], 8, key="features.2", label="price"),
            pd.DataFrame({"price": [1, 2]}),
            r"features\.2 \(hash\): uses the label 'price'",
        ),
    ],
)
def test_categorical_user_errors(make: object, frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(DataError, match=message):
        make().fit(frame)  # type: ignore[operator]


# ---------------------------------------------------------------------------- hash


def test_hash_golden_values() -> None:
    # Pinned: if these change, saved runs would silently send values to other buckets.
    assert pd.util.hash_array(np.array(["a"], dtype=object))[0] == 13950350942979735504
    assert hash_buckets(["a", "NEAR BAY", "3"], 1000).tolist() == [504, 870, 609]


HASH_SCRIPT = """
import json, sys
import pandas as pd
from mlcc_cli.features.categorical import Hash
values = json.loads(sys.argv[1])
out = Hash(["v"], 1000).fit_transform(pd.DataFrame({"v": values}))
print(json.dumps(out["v"].cat.codes.tolist()))
"""


def _in_subprocesses(script: str, argument: str) -> list[object]:
    """Run `script` in two fresh interpreters with different str-hash salts; their outputs."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, argument],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    return [json.loads(run.communicate(timeout=60)[0]) for run in runs]


def test_hash_buckets_are_the_same_in_every_process() -> None:
    values = ["NEAR BAY", "INLAND", "é", "", "a much longer value with spaces", "3"]
    here = Hash(["v"], 1000).fit_transform(pd.DataFrame({"v": values}))["v"].cat.codes.tolist()
    assert _in_subprocesses(HASH_SCRIPT, json.dumps(values)) == [here, here]


def test_hash_numbers_by_their_text_form() -> None:
    hashed = Hash(["n", "t"], 97)
    frame = pd.DataFrame({"n": [3, 4, 5], "t": ["3", "4", "5"]})
    out = hashed.fit_transform(frame)
    as_float = hashed.transform(pd.DataFrame({"n": [3.0, np.nan, 5.0], "t": ["3", None, "5"]}))
    assert out["n"].cat.codes.tolist() == out["t"].cat.codes.tolist()
    assert as_float["n"].cat.codes.tolist() == [out["n"].cat.codes[0], -1, out["n"].cat.codes[2]]
    assert as_float["t"].cat.codes.tolist() == as_float["n"].cat.codes.tolist()


def test_hash_output_is_a_category_column_of_bucket_numbers() -> None:
    frame = pd.DataFrame({"city": ["a", "b", "unseen later"], "x": [1.0, 2.0, 3.0]})
    hashed = Hash(["city"], 50).fit(frame)
    out = hashed.transform(frame)
    assert list(out.columns) == ["city", "x"]
    assert isinstance(out["city"].cat.categories, pd.RangeIndex)
    assert out["city"].cat.codes.tolist() == hash_buckets(["a", "b", "unseen later"], 50).tolist()
    names = indicator_names("city", out["city"])
    assert (len(names), names[17]) == (50, "city_17")
    restored = Hash.from_state(json.loads(json.dumps(hashed.get_state())))
    new_rows = pd.DataFrame({"city": ["never seen", "a"], "x": [0.0, 0.0]})
    pd.testing.assert_frame_equal(restored.transform(new_rows), hashed.transform(new_rows))
    assert not hashed.learns_from_data


def test_hash_spreads_values_evenly() -> None:
    values = [f"user_{i}" for i in range(20_000)]
    per_bucket = np.bincount(hash_buckets(values, 20), minlength=20)
    # Each bucket ~ Binomial(20000, 1/20): mean 1000, sd ≈ 31; 5 sd either side.
    assert per_bucket.min() > 845 and per_bucket.max() < 1155
    # 1,000 values in 1,000,000 buckets: about n²/2m = 0.5 colliding pairs expected.
    sparse = hash_buckets(values[:1000], 1_000_000)
    assert 1000 - len(np.unique(sparse)) <= 5
