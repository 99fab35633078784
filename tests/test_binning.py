"""Bucketize and TimeBucket, checked against scikit-learn's KBinsDiscretizer and pandas."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter
from sklearn.preprocessing import KBinsDiscretizer

from mlcc_cli.config.features import FeatureStep
from mlcc_cli.errors import DataError
from mlcc_cli.features.binning import Bucketize
from mlcc_cli.features.pipeline import build_transform
from mlcc_cli.features.time_buckets import TimeBucket

STEP = TypeAdapter(FeatureStep)


@pytest.fixture
def train() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "latitude": rng.normal(36.0, 2.0, 101),
            "rooms": rng.integers(1, 4, 101).astype(float),  # heavy ties: 3 distinct values
            "price": rng.normal(200.0, 50.0, 101),
        }
    )


def codes(series: pd.Series) -> np.ndarray:
    """The bucket number per row of a bucketized column (−1 for missing)."""
    return series.cat.codes.to_numpy()


def kbins(strategy: str, bins: int, frame: pd.DataFrame) -> KBinsDiscretizer:
    """The oracle; quantile_method="linear" is pandas' method (1.9's default differs)."""
    extra: dict[str, Any] = {"quantile_method": "linear"} if strategy == "quantile" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn's own "bins removed" warning
        return KBinsDiscretizer(
            n_bins=bins, strategy=strategy, encode="ordinal", subsample=None, **extra
        ).fit(frame)


# ------------------------------------------------------------------ bucketize oracles


@pytest.mark.parametrize("bins", [2, 3, 5, 10])
@pytest.mark.parametrize(
    ("strategy", "sk_strategy"), [("quantile", "quantile"), ("fixed", "uniform")]
)
def test_bucketize_equals_kbins_discretizer(
    train: pd.DataFrame, bins: int, strategy: str, sk_strategy: str
) -> None:
    columns = ["latitude", "rooms"]
    oracle = kbins(sk_strategy, bins, train[columns])
    bucketize = Bucketize(columns, strategy, bins).fit(train)  # type: ignore[arg-type]
    for j, column in enumerate(columns):
        np.testing.assert_allclose(
            bucketize.boundaries_[column], oracle.bin_edges_[j][1:-1], rtol=1e-12
        )
    validation = pd.DataFrame({"latitude": [20.0, 36.0, 50.0], "rooms": [0.0, 2.0, 9.0]})
    for frame in (train, validation):
        out = bucketize.transform(frame)
        expected = oracle.transform(frame[columns])
        for j, column in enumerate(columns):
            np.testing.assert_array_equal(codes(out[column]), expected[:, j])


@pytest.mark.parametrize("bins", [2, 4, 7])
def test_quantile_boundaries_equal_pandas_qcut(train: pd.DataFrame, bins: int) -> None:
    _, edges = pd.qcut(train["latitude"], bins, retbins=True)
    bucketize = Bucketize(["latitude"], bins=bins).fit(train)
    np.testing.assert_allclose(bucketize.boundaries_["latitude"], edges[1:-1], rtol=1e-12)


def test_fixed_buckets_equal_pandas_cut(train: pd.DataFrame) -> None:
    # right=False: a value on a boundary opens the upper bucket, as searchsorted(side="right").
    expected, edges = pd.cut(train["latitude"], 6, right=False, labels=False, retbins=True)
    out = Bucketize(["latitude"], "fixed", 6, output="index").fit_transform(train)
    np.testing.assert_array_equal(out["latitude"].to_numpy(), expected.to_numpy())
    np.testing.assert_allclose(
        Bucketize(["latitude"], "fixed", 6).fit(train).boundaries_["latitude"], edges[1:-1]
    )


@pytest.mark.parametrize(
    ("width", "expected"),
    [(3.0, [3.0, 6.0, 9.0]), (5.0, [5.0]), (2.5, [2.5, 5.0, 7.5]), (20.0, [])],
)
def test_fixed_width_starts_at_the_training_minimum(width: float, expected: list[float]) -> None:
    frame = pd.DataFrame({"x": [0.0, 4.0, 10.0]})
    bucketize = Bucketize(["x"], "fixed", width=width).fit(frame)
    assert bucketize.boundaries_["x"] == expected  # boundaries below the max only


def test_given_boundaries_and_out_of_range_values() -> None:
    frame = pd.DataFrame({"x": [-100.0, 0.5, 1.0, 1.5, 2.0, 3.0, 1e9]})
    out = Bucketize(["x"], "boundaries", boundaries=[1.0, 2.0], output="index").fit_transform(frame)
    assert out["x"].tolist() == [0, 0, 1, 1, 2, 2, 2]  # b <= x opens the next bucket
    assert out["x"].dtype == np.int64


def test_values_outside_the_training_range_fall_in_the_edge_buckets() -> None:
    train = pd.DataFrame({"x": np.arange(10.0)})
    bucketize = Bucketize(["x"], bins=5).fit(train)
    out = bucketize.transform(pd.DataFrame({"x": [-1e6, -0.1, 9.5, 1e6]}))
    assert out["x"].tolist() == ["bucket_0", "bucket_0", "bucket_4", "bucket_4"]


@pytest.mark.parametrize("strategy", ["quantile", "fixed"])
def test_constant_column_is_one_bucket_with_a_warning(strategy: str) -> None:
    frame = pd.DataFrame({"x": [3.0, 3.0, 3.0]})
    bucketize = Bucketize(["x"], strategy, 4, key="features.2").fit(frame)  # type: ignore[arg-type]
    assert bucketize.boundaries_ == {"x": []}
    assert bucketize.warnings_ == [
        "features.2 (bucketize): column 'x' is constant in the training split (always 3), "
        "so it makes a single bucket. Consider leaving it out."
    ]
    out = bucketize.transform(pd.DataFrame({"x": [-5.0, 3.0, 9.0]}))
    assert out["x"].tolist() == ["bucket_0"] * 3
    assert list(out["x"].cat.categories) == ["bucket_0"]


def test_tied_quantiles_merge_like_sklearn_and_warn(train: pd.DataFrame) -> None:
    bucketize = Bucketize(["rooms"], bins=10, key="features.1").fit(train)
    with pytest.warns(UserWarning, match="Bins whose width are too small"):
        oracle = KBinsDiscretizer(
            n_bins=10, encode="ordinal", quantile_method="linear", subsample=None
        ).fit(train[["rooms"]])
    np.testing.assert_allclose(bucketize.boundaries_["rooms"], oracle.bin_edges_[0][1:-1])
    assert len(bucketize.boundaries_["rooms"]) < 9
    (warning,) = bucketize.warnings_
    assert warning.startswith("features.1 (bucketize): column 'rooms' has so many tied values")
    assert "10 quantile buckets collapse to" in warning


def test_one_hot_output_replaces_the_column_in_place() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3], "x": [0.0, np.nan, 5.0], "y": [1, 0, 1]})
    out = Bucketize(["x"], "boundaries", boundaries=[1.0, 4.0]).fit_transform(frame)
    assert list(out.columns) == ["a", "x", "y"]
    assert isinstance(out["x"].dtype, pd.CategoricalDtype)
    assert list(out["x"].cat.categories) == ["bucket_0", "bucket_1", "bucket_2"]
    assert codes(out["x"]).tolist() == [0, -1, 2]  # missing: no indicator on
    pd.testing.assert_frame_equal(out[["a", "y"]], frame[["a", "y"]])


def test_index_output_refuses_missing_values() -> None:
    frame = pd.DataFrame({"x": [0.0, np.nan, 5.0]})
    bucketize = Bucketize(["x"], bins=2, output="index", key="features.3").fit(frame)
    with pytest.raises(DataError, match=r"^features\.3 \(bucketize\): column 'x' has 1 missing"):
        bucketize.transform(frame)
    with pytest.raises(DataError, match="impute step"):
        bucketize.transform(frame)


def test_width_making_too_many_buckets_is_refused() -> None:
    frame = pd.DataFrame({"x": [0.0, 1e6]})
    with pytest.raises(DataError, match=r"features\.0 \(bucketize\): width 1 .*larger width"):
        Bucketize(["x"], "fixed", width=1.0, key="features.0").fit(frame)


def test_text_and_label_columns_are_refused(train: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"'city' holds .* not numbers"):
        Bucketize(["city"]).fit(train.assign(city="a"))
    with pytest.raises(DataError, match="uses the label 'price'"):
        Bucketize(["price"], label="price").fit(train)


def test_state_round_trips_through_json(train: pd.DataFrame) -> None:
    bucketize = build_transform(
        STEP.validate_python({"type": "bucketize", "columns": ["latitude", "rooms"], "bins": 4}),
        2,
        "price",
    )
    assert isinstance(bucketize, Bucketize)
    bucketize.fit(train)
    restored = Bucketize.from_state(json.loads(json.dumps(bucketize.get_state())))
    assert repr(restored) == repr(bucketize)
    pd.testing.assert_frame_equal(restored.transform(train), bucketize.transform(train))


def test_streaming_fit_matches_and_keeps_min_max_exact(train: pd.DataFrame) -> None:
    full = Bucketize(["latitude"], bins=4).fit(train)
    chunks = [train.iloc[i : i + 30] for i in range(0, len(train), 30)]
    exact = Bucketize(["latitude"], bins=4)
    for chunk in chunks:
        exact.partial_fit(chunk, np.random.default_rng(0))  # sample holds every value
    assert exact.finish_fit().boundaries_ == full.boundaries_
    sampled = Bucketize(["latitude"], bins=4)
    for chunk in chunks:
        sampled.partial_fit(chunk, np.random.default_rng(1), sample_size=40)
    approx, truth = sampled.finish_fit().boundaries_["latitude"], full.boundaries_["latitude"]
    assert len(approx) == 3
    np.testing.assert_allclose(approx, truth, atol=1.5)  # 40 of 101 values: rough quantiles
    fixed = Bucketize(["latitude"], "fixed", 4)
    for chunk in chunks:
        fixed.partial_fit(chunk, np.random.default_rng(2), sample_size=5)
    assert (
        fixed.finish_fit().boundaries_ == Bucketize(["latitude"], "fixed", 4).fit(train).boundaries_
    )
    assert not Bucketize(["x"], "boundaries", boundaries=[1.0]).learns_from_data


# ------------------------------------------------------------------ time_bucket

TIMES = ["2024-03-01 08:15", "2023-12-31 23:59", None, "2024-07-14 00:00"]


@pytest.mark.parametrize(
    ("unit", "expected", "n_categories"),
    [
        ("hour", ["8", "23", None, "0"], 24),
        ("day_of_week", ["fri", "sun", None, "sun"], 7),
        ("month", ["mar", "dec", None, "jul"], 12),
    ],
)
def test_time_bucket_adds_a_category_column(
    unit: str, expected: list[str | None], n_categories: int
) -> None:
    frame = pd.DataFrame({"when": TIMES, "y": [1.0, 2.0, 3.0, 4.0]})
    out = TimeBucket("when", unit).fit_transform(frame)  # type: ignore[arg-type]
    name = f"when_{unit}"
    assert list(out.columns) == ["when", "y", name]  # the source is kept
    assert len(out[name].cat.categories) == n_categories
    assert [None if pd.isna(v) else v for v in out[name]] == expected
    parsed = pd.to_datetime(frame["when"])
    part = {
        "hour": parsed.dt.hour,
        "day_of_week": parsed.dt.day_of_week,
        "month": parsed.dt.month - 1,
    }
    np.testing.assert_array_equal(codes(out[name]), part[unit].fillna(-1).astype(int))


def test_time_bucket_format_and_name_and_datetime_columns() -> None:
    frame = pd.DataFrame({"day": ["01/02/2024 13", "31/12/2024 07"]})
    out = TimeBucket("day", "month", name="m", format="%d/%m/%Y %H").fit_transform(frame)
    assert out["m"].tolist() == ["feb", "dec"]
    typed = pd.DataFrame({"day": pd.to_datetime(["2024-05-06 13:00"])})
    assert TimeBucket("day", "hour").fit_transform(typed)["day_hour"].tolist() == ["13"]


def test_time_bucket_reports_an_unparseable_value() -> None:
    frame = pd.DataFrame({"when": ["2024-03-01 08:15", "next tuesday", None]})
    with pytest.raises(
        DataError,
        match=r"^features\.4 \(time_bucket\): column 'when' has 1 of 3 values .*"
        r"e\.g\. 'next tuesday'\. Set `format:`",
    ):
        TimeBucket("when", "hour", key="features.4").fit(frame)
    fitted = TimeBucket("when", "hour").fit(frame.iloc[[0]])
    with pytest.raises(DataError, match="'next tuesday'"):
        fitted.transform(frame)  # later splits are checked too


def test_time_bucket_refuses_numbers_and_the_label() -> None:
    with pytest.raises(DataError, match="holds int64 numbers, not dates"):
        TimeBucket("t", "hour").fit(pd.DataFrame({"t": [1, 2]}))
    with pytest.raises(DataError, match="new column is named 'y', which is the label"):
        TimeBucket("t", "hour", name="y", label="y").fit(pd.DataFrame({"t": TIMES, "y": 1}))


def test_time_bucket_state_round_trips_through_json() -> None:
    step = STEP.validate_python({"type": "time_bucket", "column": "when", "unit": "hour"})
    transform = build_transform(step, 0, "y")
    frame = pd.DataFrame({"when": TIMES, "y": 1.0})
    before = frame.copy()
    transform.fit(frame)
    restored = TimeBucket.from_state(json.loads(json.dumps(transform.get_state())))
    assert repr(restored) == repr(transform)
    pd.testing.assert_frame_equal(restored.transform(frame), transform.transform(frame))
    pd.testing.assert_frame_equal(frame, before)  # input untouched
