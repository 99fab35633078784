"""Feature crosses and polynomial features, checked against indicator ANDs and scikit-learn."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import PolynomialFeatures

from mlcc_cli.errors import DataError
from mlcc_cli.features.crosses import Cross
from mlcc_cli.features.indicators import categorical, indicator_block, indicator_names
from mlcc_cli.features.polynomial import Polynomial, polynomial_names


def _buckets(codes: list[int], n: int, prefix: str = "bucket_") -> pd.Series:
    """A category column like bucketize makes: codes into `bucket_0` … (−1: missing)."""
    return categorical(
        np.array(codes), [f"{prefix}{k}" for k in range(n)], pd.RangeIndex(len(codes))
    )


@pytest.fixture
def grid() -> pd.DataFrame:
    """Bucketized latitude (3 buckets), longitude (4), a hash-like column (5) and a number."""
    return pd.DataFrame(
        {
            "latitude": _buckets([0, 1, 2, 1, -1, 2, 0, 0], 3),
            "longitude": _buckets([3, 0, 1, 1, 2, -1, 3, 2], 4),
            "city": categorical(np.array([4, 4, 0, 1, 2, 3, 0, 4]), pd.RangeIndex(5), range(8)),
            "rooms": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, np.nan],
            "people": [2, 2, 1, 3, 1, 2, 5, 1],
            "text": list("abcdefgh"),
        }
    )


def _indicators(series: pd.Series, column: str) -> dict[str, np.ndarray]:
    block = indicator_block(series).toarray()
    return dict(zip(indicator_names(column, series), block.T, strict=True))


# ------------------------------------------------------------------ categorical crosses


@pytest.mark.parametrize(
    "columns", [["latitude", "longitude"], ["longitude", "latitude"], ["latitude", "city"]]
)
def test_a_cross_columns_equal_the_and_of_its_inputs(
    columns: list[str], grid: pd.DataFrame
) -> None:
    out = Cross(columns).fit_transform(grid)
    name = "_x_".join(columns)
    crossed = _indicators(out[name], name)
    first, second = (_indicators(grid[c], c) for c in columns)
    assert len(crossed) == len(first) * len(second)
    for a_name, a in first.items():
        for b_name, b in second.items():
            a_category = a_name.removeprefix(f"{columns[0]}_")
            b_category = b_name.removeprefix(f"{columns[1]}_")
            got = crossed[f"{name}_{a_category}_x_{b_category}"]
            np.testing.assert_array_equal(got, a * b, err_msg=f"{a_name} AND {b_name}")


def test_a_three_way_cross_is_the_and_of_all_three(grid: pd.DataFrame) -> None:
    columns = ["latitude", "longitude", "city"]
    out = Cross(columns, name="cell").fit_transform(grid)
    crossed = _indicators(out["cell"], "cell")
    inputs = [_indicators(grid[c], c) for c in columns]
    assert len(crossed) == 3 * 4 * 5
    for (a_name, a), (b_name, b), (c_name, c) in (
        (x, y, z) for x in inputs[0].items() for y in inputs[1].items() for z in inputs[2].items()
    ):
        parts = [n.split("_", 1)[1] for n in (a_name, b_name, c_name)]
        np.testing.assert_array_equal(crossed["cell_" + "_x_".join(parts)], a * b * c)


def test_full_cross_categories_are_row_major_and_inputs_stay(grid: pd.DataFrame) -> None:
    out = Cross(["latitude", "longitude"]).fit_transform(grid)
    assert list(out.columns) == [*grid.columns, "latitude_x_longitude"]
    pd.testing.assert_frame_equal(out[grid.columns], grid)
    cross = out["latitude_x_longitude"]
    assert list(cross.cat.categories[:5]) == [
        "bucket_0_x_bucket_0",
        "bucket_0_x_bucket_1",
        "bucket_0_x_bucket_2",
        "bucket_0_x_bucket_3",
        "bucket_1_x_bucket_0",
    ]
    # code = lat·4 + lon; a missing input makes the cross missing.
    assert cross.cat.codes.tolist() == [3, 4, 9, 5, -1, -1, 3, 2]


def test_hashed_cross_buckets_the_full_product_code(grid: pd.DataFrame) -> None:
    columns = ["latitude", "longitude"]
    full = Cross(columns).fit_transform(grid)["latitude_x_longitude"].cat.codes.to_numpy()
    hashed = Cross(columns, hash_buckets=7).fit_transform(grid)["latitude_x_longitude"]
    assert isinstance(hashed.cat.categories, pd.RangeIndex) and len(hashed.cat.categories) == 7
    present = full >= 0
    expected = pd.util.hash_array(full[present].astype(np.uint64)) % np.uint64(7)
    np.testing.assert_array_equal(hashed.cat.codes.to_numpy()[present], expected)
    assert (hashed.cat.codes.to_numpy()[~present] == -1).all()


CROSS_SCRIPT = """
import json, sys
import numpy as np, pandas as pd
from mlcc_cli.features.crosses import Cross
from mlcc_cli.features.indicators import categorical
a, b = json.loads(sys.argv[1])
frame = pd.DataFrame({
    "a": categorical(np.array(a), pd.RangeIndex(1000), range(len(a))),
    "b": categorical(np.array(b), [f"w{k}" for k in range(50)], range(len(b))),
})
out = Cross(["a", "b"], hash_buckets=10_000).fit_transform(frame)
print(json.dumps(out["a_x_b"].cat.codes.tolist()))
"""


def test_hashed_cross_is_the_same_in_every_process() -> None:
    codes = [[0, 999, 17, 512, 3], [49, 0, 17, 25, 3]]
    frame = pd.DataFrame(
        {
            "a": categorical(np.array(codes[0]), pd.RangeIndex(1000), range(5)),
            "b": categorical(np.array(codes[1]), [f"w{k}" for k in range(50)], range(5)),
        }
    )
    here = Cross(["a", "b"], hash_buckets=10_000).fit_transform(frame)["a_x_b"]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CROSS_SCRIPT, json.dumps(codes)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    outputs = [json.loads(run.communicate(timeout=60)[0]) for run in runs]
    assert outputs == [here.cat.codes.tolist()] * 2


def test_cross_state_round_trips_and_checks_input_categories(grid: pd.DataFrame) -> None:
    cross = Cross(["latitude", "city"], hash_buckets=6, key="features.5", label="price")
    cross.fit(grid)
    assert (cross.kind_, cross.sizes_) == ("categorical", [3, 5])
    restored = Cross.from_state(json.loads(json.dumps(cross.get_state())))
    pd.testing.assert_frame_equal(restored.transform(grid), cross.transform(grid))
    assert repr(restored) == (
        "Cross(columns=['latitude', 'city'], hash_buckets=6, name=None, key='features.5', "
        "label='price')"
    )
    fewer = grid.assign(latitude=_buckets([0, 1, 1, 1, 0, 1, 0, 0], 2))
    with pytest.raises(DataError, match=r"features\.5 \(cross\): column 'latitude' has 2 "):
        cross.transform(fewer)
    with pytest.raises(DataError, match=r"column 'latitude' holds int64 values, but it was cat"):
        cross.transform(grid.assign(latitude=1))


# ------------------------------------------------------------------ numeric crosses


def test_numeric_cross_is_the_product(grid: pd.DataFrame) -> None:
    cross = Cross(["rooms", "people"], name="rooms_times_people").fit(grid)
    assert (cross.kind_, cross.sizes_) == ("numeric", [])
    out = cross.transform(grid)
    expected = grid["rooms"] * grid["people"]  # NaN stays NaN
    np.testing.assert_array_equal(out["rooms_times_people"].to_numpy(), expected.to_numpy())


# --------------------------------------------------------------------- cross errors


@pytest.mark.parametrize(
    ("columns", "settings", "message"),
    [
        (
            ["latitude", "rooms"],
            {},
            r"mixes categorical column\(s\) 'latitude' with numeric.*"
            r"Bucketize",
        ),
        (["text", "latitude"], {}, r"column 'text' holds .* values.*one_hot or hash"),
        (["rooms", "people"], {"hash_buckets": 8}, r"hash_buckets applies to crosses of cat"),
        (["rooms", "rooms"], {}, r"lists 'rooms' twice"),
        (["rooms"], {}, r"a cross needs at least 2 columns"),
        (["rooms", "price"], {}, r"uses the label 'price'"),
        (["rooms", "people"], {"name": "price"}, r"a new column is named 'price'.*label"),
    ],
)
def test_cross_user_errors(
    columns: list[str], settings: dict[str, object], message: str, grid: pd.DataFrame
) -> None:
    frame = grid.assign(price=1.0)
    cross = Cross(columns, **settings, key="features.4", label="price")  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"^features\.4 \(cross\): " + message):
        cross.fit(frame)


def test_cross_refuses_too_many_combinations() -> None:
    def big(n: int) -> pd.Series:
        return categorical(np.array([0, 1]), pd.RangeIndex(n), range(2))

    frame = pd.DataFrame({"a": big(4000), "b": big(4000)})
    with pytest.raises(DataError, match=r"16,000,000 categories .* set hash_buckets"):
        Cross(["a", "b"]).fit(frame)
    assert Cross(["a", "b"], hash_buckets=1000).fit(frame).sizes_ == [4000, 4000]
    wide = pd.DataFrame({c: big(10_000) for c in "abcde"})  # 10^20 > 2^63
    with pytest.raises(DataError, match=r"1e\+20 combinations, too many .* two steps"):
        Cross(list("abcde"), hash_buckets=1000).fit(wide)


def test_cross_warnings(grid: pd.DataFrame) -> None:
    cross = Cross(["latitude", "longitude"], hash_buckets=12, name="rooms", key="features.1")
    assert cross.fit(grid).warnings_ == [
        "features.1 (cross): replaces the existing column 'rooms' with the new feature.",
        "features.1 (cross): hash_buckets = 12 is not below the 12 combinations, so hashing "
        "only adds collisions; remove hash_buckets to keep every combination apart.",
    ]


# ---------------------------------------------------------------------- polynomial


@pytest.mark.parametrize(
    ("columns", "degree", "interaction_only"),
    [
        (columns, degree, interaction_only)
        for columns in (["a"], ["a", "b"], ["c", "a", "b"])
        for degree in (2, 3)
        for interaction_only in (False, True)
        if not (interaction_only and len(columns) == 1)  # no products: an error, tested below
    ],
)
def test_polynomial_equals_sklearn_polynomial_features(
    columns: list[str], degree: int, interaction_only: bool
) -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(20, 3)), columns=["a", "b", "c"]).assign(y=1.0)
    polynomial = Polynomial(columns, degree, interaction_only).fit(frame)
    out = polynomial.transform(frame)
    oracle = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=False)
    expected = oracle.fit_transform(frame[columns])[:, len(columns) :]
    names = [n.replace(" ", "*") for n in oracle.get_feature_names_out(columns)[len(columns) :]]
    assert list(out.columns) == [*frame.columns, *names]  # originals first, then sklearn order
    np.testing.assert_allclose(out[names].to_numpy(), expected, rtol=1e-14, atol=0)
    pd.testing.assert_frame_equal(out[frame.columns], frame)


@pytest.mark.parametrize(
    ("columns", "degree", "interaction_only", "names"),
    [
        (["a"], 3, False, ["a^2", "a^3"]),
        (["a", "b"], 2, False, ["a^2", "a*b", "b^2"]),
        (["a", "b"], 3, True, ["a*b"]),
        (["x", "y", "z"], 3, True, ["x*y", "x*z", "y*z", "x*y*z"]),
        (["a", "b"], 3, False, ["a^2", "a*b", "b^2", "a^3", "a^2*b", "a*b^2", "b^3"]),
    ],
)
def test_polynomial_names(
    columns: list[str], degree: int, interaction_only: bool, names: list[str]
) -> None:
    assert polynomial_names(columns, degree, interaction_only) == names


def test_polynomial_keeps_missing_values_missing_and_round_trips() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [2, 3, 4]})
    polynomial = Polynomial(["a", "b"], key="features.2", label="y").fit(frame)
    out = polynomial.transform(frame)
    np.testing.assert_array_equal(out["a*b"].to_numpy(), [2.0, np.nan, 12.0])
    np.testing.assert_array_equal(out["b^2"].to_numpy(), [4.0, 9.0, 16.0])
    restored = Polynomial.from_state(json.loads(json.dumps(polynomial.get_state())))
    pd.testing.assert_frame_equal(restored.transform(frame), out)
    assert repr(restored) == (
        "Polynomial(columns=['a', 'b'], degree=2, interaction_only=False, key='features.2', "
        "label='y')"
    )


def test_polynomial_replaces_an_existing_column_in_place_with_a_warning() -> None:
    frame = pd.DataFrame({"a": [2.0, 3.0], "a^2": [0.0, 0.0], "z": [1, 1]})
    polynomial = Polynomial(["a"], key="features.1").fit(frame)
    assert polynomial.warnings_ == [
        "features.1 (polynomial): replaces the existing column 'a^2' with the new feature."
    ]
    out = polynomial.transform(frame)
    assert list(out.columns) == ["a", "a^2", "z"]
    assert out["a^2"].tolist() == [4.0, 9.0]


def test_polynomial_warns_about_many_columns() -> None:
    frame = pd.DataFrame(np.ones((2, 50)), columns=[f"x{i}" for i in range(50)])
    polynomial = Polynomial(list(frame.columns), key="features.1").fit(frame)
    assert polynomial.warnings_ == [
        "features.1 (polynomial): adds 1,275 columns (50 columns up to degree 2); consider a "
        "lower degree, fewer columns or interaction_only."
    ]


@pytest.mark.parametrize(
    ("columns", "interaction_only", "message"),
    [
        (["city"], False, r"column 'city' holds .* not numbers"),
        (["a"], True, r"interaction_only with the single column 'a' makes no products"),
        (["a", "a"], False, r"lists 'a' twice"),
        (["a", "y"], False, r"uses the label 'y'"),
        (["a", "b"], False, r"column 'b' not found"),
    ],
)
def test_polynomial_user_errors(columns: list[str], interaction_only: bool, message: str) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "city": ["x", "y"], "y": [0.0, 1.0]})
    polynomial = Polynomial(columns, 2, interaction_only, key="features.3", label="y")
    with pytest.raises(DataError, match=r"^features\.3 \(polynomial\): " + message):
        polynomial.fit(frame)
