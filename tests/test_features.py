"""Feature transforms and the pipeline, checked against pandas, numpy and scikit-learn."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import TypeAdapter
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from mlcc_cli.config.base import union_tags
from mlcc_cli.config.features import FeatureStep
from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.features import (
    TRANSFORMS,
    Clip,
    FeaturePipeline,
    Impute,
    Log,
    MinMax,
    Ratio,
    Transform,
    ZScore,
    build_transform,
    design_matrix,
    select_inputs,
)

STEP = TypeAdapter(FeatureStep)


def step(**fields: Any) -> Any:
    """A validated FeatureStep config from keyword fields."""
    return STEP.validate_python(fields)


@pytest.fixture
def train() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rooms": [6.0, 10.0, 4.0, 12.0, 8.0],
            "people": [2, 5, 1, 3, 4],
            "age": [10.0, 52.0, 31.0, 7.0, 20.0],
            "city": ["a", "b", "a", "c", "b"],
            "coastal": [True, False, False, True, True],
            "sold": ["2024-01-03", "2024-02-10", "2024-02-11", "2024-07-01", "2024-12-24"],
            "price": [100.0, 250.0, 90.0, 400.0, 180.0],
        }
    )


@pytest.fixture
def validation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rooms": [30.0, 1.0],
            "people": [6, 1],
            "age": [60.0, 1.0],
            "city": ["d", "d"],
            "coastal": [False, True],
            "sold": ["2025-03-30", "2025-05-01"],
            "price": [500.0, 50.0],
        }
    )


# One config per registered tag, used by the contract suite below.
SAMPLES: dict[str, dict[str, Any]] = {
    "ratio": {
        "type": "ratio",
        "name": "rooms_per_person",
        "numerator": "rooms",
        "denominator": "people",
    },
    "expression": {"type": "expression", "name": "old_rooms", "expression": "log(rooms) * age"},
    "clip": {"type": "clip", "columns": ["age"], "lower_quantile": 0.1, "max": 40},
    "zscore": {"type": "zscore", "columns": ["rooms", "age"]},
    "minmax": {"type": "minmax", "columns": ["rooms"], "low": -1, "high": 1},
    "log": {"type": "log", "columns": ["rooms", "age"]},
    "bucketize": {"type": "bucketize", "columns": ["age"], "bins": 3},
    "time_bucket": {"type": "time_bucket", "column": "sold", "unit": "month"},
    "one_hot": {"type": "one_hot", "columns": ["city"], "min_frequency": 2},
    "hash": {"type": "hash", "columns": ["city"], "buckets": 16},
    "cross": {"type": "cross", "columns": ["rooms", "age"]},
    "polynomial": {"type": "polynomial", "columns": ["rooms", "age"], "degree": 2},
    "drop_duplicates": {"type": "drop_duplicates", "columns": ["city"]},
    "filter": {"type": "filter", "columns": ["people"], "max": 5},
    "impute": {"type": "impute", "columns": ["rooms", "city"], "strategy": "most_frequent"},
    "pca": {"type": "pca", "columns": ["people", "coastal"], "components": 1},
    "text": {"type": "text", "columns": ["city"], "vocabulary_size": 2},
}


def test_registry_lists_exactly_the_config_tags() -> None:
    assert set(TRANSFORMS) == set(union_tags(FeatureStep))
    assert set(SAMPLES) == set(TRANSFORMS)
    for tag, cls in TRANSFORMS.items():
        assert cls.tag == tag


def test_build_transform_passes_config_fields_key_and_label() -> None:
    transform = build_transform(step(**SAMPLES["minmax"]), 4, "price")
    assert isinstance(transform, MinMax)
    assert (transform.columns, transform.low, transform.high) == (["rooms"], -1.0, 1.0)
    assert (transform.key, transform.label) == ("features.4", "price")
    assert repr(transform) == (
        "MinMax(columns=['rooms'], low=-1.0, high=1.0, key='features.4', label='price', "
        "within=None)"
    )


# ------------------------------------------------------------------ contract suite


def contract_cases() -> list[Any]:
    cases = [
        pytest.param(lambda tag=tag: build_transform(step(**SAMPLES[tag]), 2, "price"), id=tag)
        for tag in SAMPLES
    ]
    cases.append(pytest.param(lambda: Impute(["rooms", "age"], "median"), id="impute"))
    return cases


@pytest.mark.parametrize("make", contract_cases())
def test_contract(make: Any, train: pd.DataFrame, validation: pd.DataFrame) -> None:
    # A gap in each split: missing values must be skipped when learning and kept (or filled).
    train = train.assign(age=[10.0, np.nan, 31.0, 7.0, 20.0])
    validation = validation.assign(rooms=[np.nan, 1.0])
    transform: Transform = make()
    with pytest.raises(NotFittedError, match=type(transform).__name__):
        transform.transform(train)
    with pytest.raises(NotFittedError):
        transform.get_state()

    train_before, validation_before = train.copy(), validation.copy()
    assert transform.fit(train) is transform
    out_train, out_validation = transform.transform(train), transform.transform(validation)
    pd.testing.assert_frame_equal(train, train_before)  # inputs not mutated
    pd.testing.assert_frame_equal(validation, validation_before)
    assert out_train is not train
    assert not out_validation.equals(validation)  # the transform did something

    # Refitting on the same rows gives the same result.
    pd.testing.assert_frame_equal(make().fit_transform(train), out_train)

    # The state survives JSON and rebuilds an identical transform.
    state = json.loads(json.dumps(transform.get_state()))
    restored = type(transform).from_state(state)
    pd.testing.assert_frame_equal(restored.transform(validation), out_validation)
    assert repr(restored) == repr(transform)

    # A frame lacking a column the transform reads is rejected with the step's key.
    needed = transform.feature_names_in_[0]
    where = re.escape(transform.where)
    with pytest.raises(DataError, match=rf"^{where}: column '{needed}' not found"):
        transform.transform(validation.drop(columns=[needed]))


def test_from_state_rejects_another_transforms_state(train: pd.DataFrame) -> None:
    state = ZScore(["rooms"]).fit(train).get_state()
    with pytest.raises(DataError, match="expected 'minmax'"):
        MinMax.from_state(state)


# ------------------------------------------------------------------- oracles


def test_zscore_equals_standard_scaler(train: pd.DataFrame, validation: pd.DataFrame) -> None:
    columns = ["rooms", "people", "age"]
    scaler = StandardScaler().fit(train[columns])
    zscore = ZScore(columns).fit(train)
    np.testing.assert_allclose(list(zscore.mean_.values()), scaler.mean_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(list(zscore.scale_.values()), scaler.scale_, rtol=0, atol=1e-12)
    for frame in (train, validation):
        expected = scaler.transform(frame[columns])
        got = zscore.transform(frame)[columns].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_zscore_constant_column_gets_scale_one_and_a_warning() -> None:
    frame = pd.DataFrame({"flat": [3.0, 3.0, 3.0], "x": [0.1, 0.2, 0.4]})
    zscore = ZScore(key="features.1").fit(frame)
    expected = StandardScaler().fit_transform(frame)
    np.testing.assert_allclose(zscore.transform(frame).to_numpy(), expected, rtol=0, atol=1e-12)
    assert zscore.scale_["flat"] == 1.0
    assert len(zscore.warnings_) == 1
    assert "features.1" in zscore.warnings_[0] and "'flat' is constant" in zscore.warnings_[0]


def test_zscore_ignores_missing_values_like_standard_scaler() -> None:
    frame = pd.DataFrame({"x": [1.0, np.nan, 4.0, 7.0]})
    expected = StandardScaler().fit_transform(frame)
    got = ZScore().fit_transform(frame).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 7.5)])
def test_minmax_equals_minmax_scaler(
    low: float, high: float, train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    columns = ["rooms", "people", "age"]
    scaler = MinMaxScaler(feature_range=(low, high)).fit(train[columns])
    minmax = MinMax(columns, low, high).fit(train)
    for frame in (train, validation):
        got = minmax.transform(frame)[columns].to_numpy()
        np.testing.assert_allclose(got, scaler.transform(frame[columns]), rtol=0, atol=1e-12)


def test_minmax_constant_column_matches_sklearn_and_warns() -> None:
    frame = pd.DataFrame({"flat": [5.0, 5.0], "x": [1.0, 3.0]})
    minmax = MinMax(low=-1, high=1).fit(frame)
    expected = MinMaxScaler(feature_range=(-1, 1)).fit_transform(frame)
    np.testing.assert_allclose(minmax.transform(frame).to_numpy(), expected, rtol=0, atol=1e-12)
    assert [("'flat' is constant" in warning) for warning in minmax.warnings_] == [True]


@pytest.mark.parametrize(
    "bounds",
    [
        {"min": 8.0},
        {"max": 30.0},
        {"min": 8.0, "max": 30.0},
        {"lower_quantile": 0.1, "upper_quantile": 0.75},
        {"lower_quantile": 0.3},
        {"min": 0.0, "upper_quantile": 0.9},
    ],
)
def test_clip_equals_pandas(
    bounds: dict[str, float], train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    lower = bounds.get("min")
    upper = bounds.get("max")
    if "lower_quantile" in bounds:
        lower = train["age"].quantile(bounds["lower_quantile"])
    if "upper_quantile" in bounds:
        upper = train["age"].quantile(bounds["upper_quantile"])
    clip = Clip(["age"], **bounds).fit(train)
    assert (clip.lower_["age"], clip.upper_["age"]) == (lower, upper)
    for frame in (train, validation):  # validation clipped with the training quantiles
        expected = frame["age"].clip(lower, upper)
        pd.testing.assert_series_equal(clip.transform(frame)["age"], expected)


def test_clip_rejects_crossing_bounds(train: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"features\.0 \(clip\).*'age'.*lower bound 45 exceeds"):
        Clip(["age"], min=45, upper_quantile=0.5, key="features.0").fit(train)


@pytest.mark.parametrize("strategy", ["mean", "median"])
def test_impute_equals_simple_imputer(strategy: str) -> None:
    train = pd.DataFrame({"x": [1.0, np.nan, 4.0, 10.0], "z": [np.nan, 2.0, 2.0, 5.0]})
    validation = pd.DataFrame({"x": [np.nan, 3.0], "z": [np.nan, np.nan]})
    imputer = SimpleImputer(strategy=strategy).fit(train)
    impute = Impute(["x", "z"], strategy).fit(train)  # type: ignore[arg-type]
    for frame in (train, validation):
        np.testing.assert_array_equal(impute.transform(frame).to_numpy(), imputer.transform(frame))


def test_impute_needs_some_training_values() -> None:
    frame = pd.DataFrame({"x": [np.nan, np.nan]})
    with pytest.raises(DataError, match=r"data\.missing \(impute\).*'x' has no values"):
        Impute(["x"]).fit(frame)


@pytest.mark.parametrize(("log1p", "function"), [(False, np.log), (True, np.log1p)])
def test_log_equals_numpy(log1p: bool, function: Any, train: pd.DataFrame) -> None:
    out = Log(["rooms", "people"], log1p).fit_transform(train)
    np.testing.assert_array_equal(out["rooms"].to_numpy(), function(train["rooms"].to_numpy()))
    np.testing.assert_array_equal(out["people"].to_numpy(), function([2.0, 5, 1, 3, 4]))


@pytest.mark.parametrize(
    ("log1p", "values", "phrase"),
    [
        (False, [1.0, 0.0, -2.0], r"2 of 3 rows with values <= 0 \(minimum -2\).*log1p: true"),
        (True, [1.0, 0.0, -1.0], r"1 of 3 rows with values <= -1 \(minimum -1\).*clip"),
    ],
)
def test_log_outside_its_domain(log1p: bool, values: list[float], phrase: str) -> None:
    frame = pd.DataFrame({"x": values})
    with pytest.raises(DataError, match=rf"features\.2 \(log\): column 'x' has {phrase}"):
        Log(["x"], log1p, key="features.2").fit(frame)


def test_log_checks_later_splits_too(train: pd.DataFrame, validation: pd.DataFrame) -> None:
    log = Log(["age"]).fit(train)
    with pytest.raises(DataError, match="1 of 2 rows with values <= 0"):
        log.transform(validation.assign(age=[0.0, 3.0]))


# --------------------------------------------------------- fitted on train only


def test_validation_is_scaled_with_training_statistics(
    train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    zscore = ZScore(["age"]).fit(train)
    mean, std = np.mean(train["age"]), np.std(train["age"])  # 24 and about 16.1
    got = zscore.transform(validation)["age"].to_numpy()
    np.testing.assert_allclose(got, (validation["age"].to_numpy() - mean) / std, rtol=1e-12)
    # Fitting on all rows would give other numbers: the check above can tell them apart.
    both = pd.concat([train, validation])
    leaked = ZScore(["age"]).fit(both).transform(validation)["age"].to_numpy()
    assert not np.allclose(got, leaked)


def test_pipeline_fits_every_step_on_train_only(
    train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    steps = [step(**SAMPLES["ratio"]), step(type="minmax", columns=["rooms_per_person"])]
    pipeline = FeaturePipeline(steps, label="price").fit(train)
    ratio_train = train["rooms"] / train["people"]  # 3, 2, 4, 4, 2
    expected = (validation["rooms"] / validation["people"] - 2.0) / (4.0 - 2.0)  # 1.5, -0.5
    got = pipeline.transform(validation)["rooms_per_person"]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12)
    assert ratio_train.min() == 2.0 and ratio_train.max() == 4.0


# ------------------------------------------------------------------ ratio


def test_ratio_divides_row_by_row(train: pd.DataFrame) -> None:
    out = Ratio("rooms_per_person", "rooms", "people").fit_transform(train)
    np.testing.assert_array_equal(out["rooms_per_person"].to_numpy(), [3.0, 2.0, 4.0, 4.0, 2.0])


def test_ratio_zero_denominator(train: pd.DataFrame) -> None:
    frame = train.assign(people=[2, 0, 1, 0, 4])
    with pytest.raises(
        DataError,
        match=r"features\.0 \(ratio\): denominator column 'people' is 0 in 2 of 5 rows.*on_zero",
    ):
        Ratio("r", "rooms", "people", key="features.0").fit(frame)
    out = Ratio("r", "rooms", "people", "zero").fit_transform(frame)
    np.testing.assert_array_equal(out["r"].to_numpy(), [3.0, 0.0, 4.0, 0.0, 2.0])


def test_ratio_unknown_column_suggests_the_closest(train: pd.DataFrame) -> None:
    with pytest.raises(DataError) as caught:
        Ratio("r", "rooms", "peeople", key="features.0").fit(train)
    message = str(caught.value)
    assert "features.0 (ratio): column 'peeople' not found. Did you mean 'people'?" in message
    assert "Available columns: rooms, people, age, city, coastal, sold, price" in message


def test_ratio_replacing_a_column_warns_and_the_label_is_protected(train: pd.DataFrame) -> None:
    ratio = Ratio("age", "rooms", "people", key="features.0").fit(train)
    assert ratio.warnings_ == [
        "features.0 (ratio): replaces the existing column 'age' with the new feature."
    ]
    with pytest.raises(DataError, match="leaks the answer"):
        Ratio("r", "price", "people", label="price").fit(train)


# --------------------------------------------------------- column selection and types


@pytest.mark.parametrize(
    "make",
    [
        lambda: Ratio("r", "rooms", "city", key="features.1"),
        lambda: ZScore(["city"], key="features.1"),
        lambda: MinMax(["rooms", "city"], key="features.1"),
        lambda: Clip(["city"], min=0, key="features.1"),
        lambda: Log(["city"], key="features.1"),
        lambda: Impute(["city"], key="features.1"),
    ],
)
def test_text_columns_are_rejected_with_a_way_out(make: Any, train: pd.DataFrame) -> None:
    with pytest.raises(
        DataError, match=r"features\.1 .*column 'city' holds .* not numbers.*one_hot"
    ):
        make().fit(train)


def test_default_columns_are_numeric_non_label(train: pd.DataFrame) -> None:
    zscore = ZScore(label="price").fit(train)
    assert zscore.feature_names_in_ == ["rooms", "people", "age", "coastal"]
    out = zscore.transform(train)
    assert list(out["city"]) == list(train["city"])  # untouched
    pd.testing.assert_series_equal(out["price"], train["price"])


def test_explicit_label_column_is_refused(train: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"features\.1 \(zscore\): uses the label 'price'"):
        ZScore(["price"], key="features.1", label="price").fit(train)


# ------------------------------------------------------------------ pipeline


def test_pipeline_applies_steps_in_order(train: pd.DataFrame, validation: pd.DataFrame) -> None:
    steps = [step(**SAMPLES["ratio"]), step(type="zscore")]
    pipeline = FeaturePipeline(steps, label="price")
    out = pipeline.fit_transform(train)
    # Step 1 (zscore, default columns) sees the ratio made by step 0.
    columns = ["rooms", "people", "age", "coastal", "rooms_per_person"]
    assert pipeline.transforms_[1].feature_names_in_ == columns
    with_ratio = train.assign(rooms_per_person=train["rooms"] / train["people"])
    scaler = StandardScaler().fit(with_ratio[columns].astype(float))
    np.testing.assert_allclose(
        out[columns].to_numpy(), scaler.transform(with_ratio[columns].astype(float)), atol=1e-12
    )
    pd.testing.assert_frame_equal(pipeline.transform(train), out)
    assert pipeline.feature_names_out_ == [*train.columns, "rooms_per_person"]


def test_pipeline_collects_warnings_in_step_order() -> None:
    frame = pd.DataFrame({"flat": [1.0, 1.0, 1.0], "x": [1.0, 2.0, 4.0], "d": [1, 2, 2], "y": 0})
    steps = [step(type="ratio", name="x", numerator="x", denominator="d")]
    steps.append(step(type="zscore", columns=["flat", "x"]))
    pipeline = FeaturePipeline(steps, label="y").fit(frame)
    assert len(pipeline.warnings_) == 2
    assert pipeline.warnings_[0].startswith("features.0 (ratio): replaces")
    assert pipeline.warnings_[1].startswith("features.1 (zscore): column 'flat' is constant")


def test_pipeline_imputes_first_with_training_statistics() -> None:
    train = pd.DataFrame({"x": [1.0, np.nan, 5.0], "z": [2.0, 4.0, 9.0], "y": [np.nan, 1.0, 0.0]})
    validation = pd.DataFrame({"x": [np.nan], "z": [np.nan], "y": [1.0]})
    pipeline = FeaturePipeline([step(type="zscore", columns=["x"])], label="y", missing="median")
    out = pipeline.fit_transform(train)
    impute = pipeline.transforms_[0]
    assert isinstance(impute, Impute) and impute.statistics_ == {"x": 3.0, "z": 4.0}
    # The label is never imputed; x is filled with 3 before zscore learns μ = 3.
    assert np.isnan(out["y"].iloc[0])
    np.testing.assert_allclose(
        out["x"].to_numpy(), StandardScaler().fit_transform([[1.0], [3.0], [5.0]]).ravel()
    )
    got = pipeline.transform(validation)
    assert got["x"].iloc[0] == 0.0 and got["z"].iloc[0] == 4.0  # z had no gap in training


def test_pipeline_without_missing_strategy_adds_no_imputer(train: pd.DataFrame) -> None:
    for missing in ("error", "drop"):
        pipeline = FeaturePipeline([], label="price", missing=missing)
        pd.testing.assert_frame_equal(pipeline.fit_transform(train), train)
        assert pipeline.transforms_ == []


def test_pipeline_state_round_trips_through_json(
    train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    steps = [
        step(**SAMPLES[tag]) for tag in ("ratio", "expression", "log", "clip", "zscore", "minmax")
    ]
    train = train.assign(rooms=[6.0, np.nan, 4.0, 12.0, 8.0])
    pipeline = FeaturePipeline(steps, label="price", missing="mean").fit(train)
    state = json.loads(json.dumps(pipeline.get_state()))
    restored = FeaturePipeline.from_state(state)
    pd.testing.assert_frame_equal(restored.transform(validation), pipeline.transform(validation))
    assert restored.steps == pipeline.steps
    assert [type(t) for t in restored.transforms_] == [type(t) for t in pipeline.transforms_]


def test_pipeline_transforms_new_rows_without_the_label(
    train: pd.DataFrame, validation: pd.DataFrame
) -> None:
    pipeline = FeaturePipeline([step(type="zscore")], label="price").fit(train)
    out = pipeline.transform(validation.drop(columns=["price"]))
    assert "price" not in out.columns


def test_unfitted_pipeline_raises(train: pd.DataFrame) -> None:
    pipeline = FeaturePipeline([step(type="zscore")], label="price")
    with pytest.raises(NotFittedError, match="FeaturePipeline"):
        pipeline.transform(train)
    with pytest.raises(NotFittedError):
        pipeline.get_state()


def test_pipeline_errors_name_the_step_index(train: pd.DataFrame) -> None:
    steps = [step(type="zscore"), step(type="log", columns=["agee"])]
    with pytest.raises(DataError, match=r"^features\.1 \(log\): column 'agee' not found"):
        FeaturePipeline(steps, label="price").fit(train)


def test_from_state_refuses_unknown_step_types(train: pd.DataFrame) -> None:
    state = FeaturePipeline([step(type="zscore")], label="price").fit(train).get_state()
    state["transforms"][0]["type"] = "pickle"
    with pytest.raises(DataError, match="unknown step type 'pickle'"):
        FeaturePipeline.from_state(state)


# ------------------------------------------------------------- inputs and X


def test_select_inputs_defaults_to_numeric_non_label(train: pd.DataFrame) -> None:
    columns, warnings = select_inputs(train, None, "price")
    assert columns == ["rooms", "people", "age", "coastal"]  # bool counts as numeric
    assert len(warnings) == 1 and "'city'" in warnings[0] and "one_hot" in warnings[0]


def test_select_inputs_keeps_the_given_order(train: pd.DataFrame) -> None:
    assert select_inputs(train, ["age", "rooms"], "price") == (["age", "rooms"], [])


@pytest.mark.parametrize(
    ("inputs", "phrase"),
    [
        (["rooms", "agee"], r"inputs: column 'agee' not found\. Did you mean 'age'\?"),
        (["rooms", "price"], r"inputs: lists the label 'price'.*leak"),
        (["rooms", "city"], r"inputs: column 'city' holds .* not numbers.*one_hot"),
        (["rooms", "rooms"], r"inputs: 'rooms' is listed twice"),
        ([], r"inputs: is empty"),
    ],
)
def test_select_inputs_rejects_bad_lists(
    inputs: list[str], phrase: str, train: pd.DataFrame
) -> None:
    with pytest.raises(DataError, match=phrase):
        select_inputs(train, inputs, "price")


def test_select_inputs_needs_a_usable_column() -> None:
    frame = pd.DataFrame({"city": ["a", "b"], "price": [1.0, 2.0]})
    with pytest.raises(DataError, match="inputs: no numeric columns besides the label 'price'"):
        select_inputs(frame, None, "price")


def test_design_matrix_is_contiguous_float64(train: pd.DataFrame) -> None:
    X = design_matrix(train, ["people", "coastal", "rooms"])
    assert X.dtype == np.float64 and X.flags["C_CONTIGUOUS"] and X.shape == (5, 3)
    np.testing.assert_array_equal(X[:, 0], [2, 5, 1, 3, 4])
    np.testing.assert_array_equal(X[:, 1], [1, 0, 0, 1, 1])


def test_design_matrix_reports_missing_and_infinite_values() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan, np.nan], "b": [np.inf, 1.0, 2.0], "c": [1, 2, 3]})
    with pytest.raises(
        DataError, match=r"'a' 2 missing, 'b' 1 infinite of 3 rows\).*data\.missing"
    ):
        design_matrix(frame, ["a", "b", "c"])
    np.testing.assert_array_equal(design_matrix(frame, ["c"]).ravel(), [1.0, 2.0, 3.0])
