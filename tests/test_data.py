"""Tests for the data layer: loading, builtin datasets, splitting, missing values, labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets as sklearn_datasets

from mlcc_cli.config.data import DataConfig, SplitConfig, SyntheticConfig
from mlcc_cli.data.loading import (
    Dataset,
    apply_missing_policy,
    builtin_catalog,
    encode_label,
    load_dataset,
    missing_counts,
    resolve_source_path,
    split_rows,
)
from mlcc_cli.errors import DataError

SYNTHETIC_NAMES = ["xor", "circles", "spiral", "gaussian", "linear"]


def load(source: str, folder: Path, label: str | None = None, seed: int = 0, **data) -> Dataset:
    """load_dataset for a source given as text, the way a config file states it."""
    return load_dataset(DataConfig(source=source, label=label, **data), folder, seed)


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


# ---------------------------------------------------------------------- splitting


@pytest.mark.parametrize(
    ("n_rows", "fractions", "sizes"),
    [
        (100, (0.8, 0.2, 0.0), (80, 20, 0)),
        (1000, (0.7, 0.15, 0.15), (700, 150, 150)),
        (10, (0.6, 0.2, 0.2), (6, 2, 2)),
        (7, (0.5, 0.25, 0.25), (3, 2, 2)),  # 7·0.25 = 1.75 rounds to 2
        (3, (0.5, 0.5, 0.0), (1, 2, 0)),  # 1.5 rounds to 2; train keeps the rest
        (1, (1.0, 0.0, 0.0), (1, 0, 0)),
        (9, (0.34, 0.33, 0.33), (3, 3, 3)),
    ],
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_split_sizes_disjoint_and_covering(n_rows, fractions, sizes, shuffle):
    split = SplitConfig(train=fractions[0], validation=fractions[1], test=fractions[2])
    parts = split_rows(n_rows, split, rng=np.random.default_rng(3), shuffle=shuffle)
    assert list(parts) == ["train", "validation", "test"]
    assert tuple(len(parts[name]) for name in parts) == sizes
    assert all(positions.dtype == np.int64 for positions in parts.values())
    everything = np.concatenate(list(parts.values()))
    np.testing.assert_array_equal(np.sort(everything), np.arange(n_rows))


def test_split_without_shuffle_keeps_file_order():
    split = SplitConfig(train=0.6, validation=0.2, test=0.2)
    parts = split_rows(10, split, rng=np.random.default_rng(0), shuffle=False)
    np.testing.assert_array_equal(parts["train"], np.arange(6))
    np.testing.assert_array_equal(parts["validation"], [6, 7])
    np.testing.assert_array_equal(parts["test"], [8, 9])


def test_split_same_seed_same_rows_and_different_seed_differs():
    split = SplitConfig(train=0.7, validation=0.15, test=0.15)
    first = split_rows(200, split, rng=np.random.default_rng(42))
    again = split_rows(200, split, rng=np.random.default_rng(42))
    other = split_rows(200, split, rng=np.random.default_rng(43))
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    assert not np.array_equal(first["train"], other["train"])
    # A shuffled split is not simply the first rows of the file.
    assert not np.array_equal(np.sort(first["train"]), np.arange(140))


@pytest.mark.parametrize(
    ("n_rows", "fractions"),
    [(0, (0.8, 0.2, 0.0)), (1, (0.4, 0.6, 0.0)), (2, (0.2, 0.4, 0.4))],
)
def test_split_with_no_training_rows_is_a_data_error(n_rows, fractions):
    split = SplitConfig(train=fractions[0], validation=fractions[1], test=fractions[2])
    with pytest.raises(DataError, match="no rows for training"):
        split_rows(n_rows, split, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("class_sizes", "fractions"),
    [
        ((7, 13, 5), (0.6, 0.2, 0.2)),
        ((900, 100), (0.8, 0.1, 0.1)),
        ((50, 50, 50), (0.7, 0.15, 0.15)),
        ((3, 1, 11, 29), (0.5, 0.3, 0.2)),
        ((333, 667), (0.8, 0.2, 0.0)),
    ],
)
@pytest.mark.parametrize("shuffle", [True, False])
def test_stratified_split_keeps_class_ratios(class_sizes, fractions, shuffle):
    labels = np.repeat(np.arange(len(class_sizes)), class_sizes)
    labels = np.random.default_rng(1).permutation(labels)  # classes interleaved in the file
    n_rows = len(labels)
    split = SplitConfig(train=fractions[0], validation=fractions[1], test=fractions[2])
    parts = split_rows(
        n_rows, split, rng=np.random.default_rng(5), shuffle=shuffle, stratify_labels=labels
    )
    everything = np.concatenate(list(parts.values()))
    np.testing.assert_array_equal(np.sort(everything), np.arange(n_rows))
    for name, fraction in zip(parts, fractions, strict=True):
        per_class = np.bincount(labels[parts[name]], minlength=len(class_sizes))
        assert np.all(np.abs(per_class - np.array(class_sizes) * fraction) <= 1), name
        if not shuffle:
            assert np.all(np.diff(parts[name]) > 0)
    # Totals stay within one row of the plain split's sizes (exact when the shares allow it:
    # with 3 x 50 rows at 0.15, each class's 7.5 rounds to 7 or 8, so 22.5 becomes 22 or 23).
    assert abs(len(parts["validation"]) - round(n_rows * fractions[1])) <= 1
    assert abs(len(parts["test"]) - round(n_rows * fractions[2])) <= 1


def test_stratified_split_accepts_text_labels_and_is_reproducible():
    labels = np.array(["spam"] * 30 + ["ham"] * 70)
    split = SplitConfig(train=0.8, validation=0.2)
    first = split_rows(100, split, rng=np.random.default_rng(9), stratify_labels=labels)
    again = split_rows(100, split, rng=np.random.default_rng(9), stratify_labels=labels)
    np.testing.assert_array_equal(first["validation"], again["validation"])
    assert (labels[first["validation"]] == "spam").sum() == 6


# ----------------------------------------------------------------------- builtins

# Shapes as documented by scikit-learn (columns = features + the target column).
DOCUMENTED = [
    ("breast_cancer", 569, 31, "binary", "mean_radius"),
    ("iris", 150, 5, "multiclass", "sepal_length_cm"),
    ("wine", 178, 14, "multiclass", "od280_od315_of_diluted_wines"),
    ("digits", 1797, 65, "multiclass", "pixel_0_0"),
    ("diabetes", 442, 11, "regression", "bmi"),
    ("xor", 1000, 3, "binary", "x1"),
    ("circles", 1000, 3, "binary", "x2"),
    ("spiral", 1000, 3, "binary", "x1"),
    ("gaussian", 1000, 3, "binary", "x2"),
    ("linear", 1000, 3, "regression", "x1"),
    ("digits_images", 1797, 65, "multiclass", "p_7_7"),
    ("shapes", 1000, 145, "multiclass", "p_11_11"),
    ("reviews", 1000, 2, "binary", "review"),
]


@pytest.mark.parametrize(("name", "rows", "columns", "task", "a_column"), DOCUMENTED)
def test_every_builtin_loads_with_documented_shape(tmp_path, name, rows, columns, task, a_column):
    dataset = load(f"builtin:{name}", tmp_path)
    assert dataset.frame.shape == (rows, columns)
    assert dataset.label == "target"
    assert dataset.source == f"builtin:{name}"
    assert a_column in dataset.frame.columns
    assert all(column.isidentifier() for column in dataset.frame.columns)
    pd.testing.assert_index_equal(dataset.frame.index, pd.RangeIndex(rows, name="row_id"))
    info = {entry.name: entry for entry in builtin_catalog()}[name]
    assert (info.rows, info.columns, info.task) == (rows, columns, task)


def test_catalog_lists_exactly_the_documented_builtins():
    # The text corpus (no label column) is tested in test_word2vec.py.
    documented = [*(d[0] for d in DOCUMENTED), "pets_and_vehicles"]
    assert sorted(entry.name for entry in builtin_catalog()) == sorted(documented)


@pytest.mark.parametrize(
    ("name", "loader", "options"),
    [
        ("breast_cancer", sklearn_datasets.load_breast_cancer, {}),
        ("iris", sklearn_datasets.load_iris, {}),
        ("wine", sklearn_datasets.load_wine, {}),
        ("digits", sklearn_datasets.load_digits, {}),
        ("diabetes", sklearn_datasets.load_diabetes, {"scaled": False}),
    ],
)
def test_bundled_builtins_hold_scikit_learns_values(tmp_path, name, loader, options):
    X, y = loader(return_X_y=True, **options)
    frame = load(f"builtin:{name}", tmp_path).frame
    np.testing.assert_array_equal(frame.drop(columns="target").to_numpy(), X)
    np.testing.assert_array_equal(frame["target"].to_numpy(), y)


@pytest.mark.parametrize("name", SYNTHETIC_NAMES)
def test_synthetic_builtins_depend_only_on_the_seed(tmp_path, name):
    first = load(f"builtin:{name}", tmp_path, seed=7).frame
    pd.testing.assert_frame_equal(first, load(f"builtin:{name}", tmp_path, seed=7).frame)
    other = load(f"builtin:{name}", tmp_path, seed=8).frame
    assert not np.allclose(first.to_numpy(), other.to_numpy())


@pytest.mark.parametrize(("name", "columns"), [("xor", 3), ("gaussian", 5), ("linear", 5)])
def test_synthetic_size_follows_config(tmp_path, name, columns):
    synthetic = SyntheticConfig(samples=50, features=4)
    frame = load(f"builtin:{name}", tmp_path, synthetic=synthetic).frame
    assert frame.shape == (50, columns)


def noiseless(name: str, tmp_path: Path, samples: int = 400, **settings) -> pd.DataFrame:
    synthetic = SyntheticConfig(samples=samples, noise=0.0, **settings)
    return load(f"builtin:{name}", tmp_path, synthetic=synthetic).frame


def test_xor_label_is_the_sign_of_the_product(tmp_path):
    frame = noiseless("xor", tmp_path)
    np.testing.assert_array_equal(frame["target"], (frame["x1"] * frame["x2"] > 0).astype(int))
    assert frame[["x1", "x2"]].abs().to_numpy().max() <= 1


def test_circles_are_two_rings(tmp_path):
    frame = noiseless("circles", tmp_path)
    radius = np.hypot(frame["x1"], frame["x2"])
    np.testing.assert_allclose(radius, np.where(frame["target"] == 1, 0.5, 1.0))


def test_spiral_classes_are_balanced_and_half_a_turn_apart(tmp_path):
    frame = noiseless("spiral", tmp_path, samples=401)
    assert frame["target"].sum() == 200
    for label, size in ((0, 201), (1, 200)):
        points = frame[frame["target"] == label]
        radius = np.sort(np.hypot(points["x1"], points["x2"]))
        np.testing.assert_allclose(radius, np.arange(size) / size, atol=1e-12)
    # Same radius on both spirals means opposite points: angle differs by π.
    step = 0.5
    angle = 1.75 * 2 * np.pi * step
    one = frame[(frame["target"] == 1) & np.isclose(np.hypot(frame["x1"], frame["x2"]), step)]
    np.testing.assert_allclose(
        one[["x1", "x2"]].to_numpy()[0], [np.sin(angle) * step, np.cos(angle) * step]
    )


def test_gaussian_blobs_centre_on_plus_and_minus_one(tmp_path):
    frame = noiseless("gaussian", tmp_path, samples=4000, features=3)
    means = frame.groupby("target").mean()
    np.testing.assert_allclose(means.loc[0], -1.0, atol=0.05)
    np.testing.assert_allclose(means.loc[1], 1.0, atol=0.05)
    np.testing.assert_allclose(frame[frame["target"] == 1].std().drop("target"), 0.5, atol=0.03)


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_linear_target_is_linear_plus_noise(tmp_path, noise):
    synthetic = SyntheticConfig(samples=4000, noise=noise, features=3)
    frame = load("builtin:linear", tmp_path, synthetic=synthetic).frame
    X = np.column_stack([frame[["x1", "x2", "x3"]].to_numpy(), np.ones(len(frame))])
    _, residual_ss, *_ = np.linalg.lstsq(X, frame["target"].to_numpy(), rcond=None)
    residual_std = np.sqrt(residual_ss.sum() / len(frame)) if residual_ss.size else 0.0
    assert residual_std == pytest.approx(noise, abs=0.03)


def test_unknown_builtin_lists_the_names(tmp_path):
    with pytest.raises(DataError) as error:
        load("builtin:irs", tmp_path)
    message = str(error.value)
    assert "data.source" in message
    assert "Did you mean 'iris'?" in message
    assert all(name in message for name in SYNTHETIC_NAMES)


def test_builtin_with_another_label_warns_that_target_stays(tmp_path):
    dataset = load("builtin:diabetes", tmp_path, label="bmi")
    assert dataset.label == "bmi"
    assert "'target' stays" in dataset.warnings[0]


# -------------------------------------------------------------------------- files

CSV = b"total_rooms,population,ocean\n10,5,NEAR BAY\n20,4,INLAND\n30,3,INLAND\n"


def test_csv_loads_with_row_ids_and_resolved_source(tmp_path):
    path = write(tmp_path / "data.csv", CSV)
    dataset = load("data.csv", tmp_path, label="population")
    expected = pd.read_csv(path)
    expected.index = pd.RangeIndex(3, name="row_id")
    pd.testing.assert_frame_equal(dataset.frame, expected)
    assert dataset.source == str(path.resolve())
    assert dataset.label == "population"
    assert dataset.warnings == []


def test_parquet_loads_like_the_frame_written(tmp_path):
    frame = pd.DataFrame({"x": [1.5, 2.5, 3.5], "y": [0, 1, 0]})
    frame.to_parquet(tmp_path / "data.parquet")
    dataset = load("data.parquet", tmp_path, label="y")
    pd.testing.assert_frame_equal(dataset.frame, frame.rename_axis("row_id"))


def test_parquet_named_index_becomes_a_column(tmp_path):
    frame = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index([10, 20], name="house_id"))
    frame.to_parquet(tmp_path / "data.parquet")
    dataset = load("data.parquet", tmp_path, label="x")
    assert list(dataset.frame.columns) == ["house_id", "x"]
    assert list(dataset.frame.index) == [0, 1]


def test_relative_paths_try_the_config_folder_then_the_cwd(tmp_path, monkeypatch):
    config_folder, cwd = tmp_path / "configs", tmp_path / "work"
    config_folder.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    in_cwd = write(cwd / "data.csv", CSV)
    assert resolve_source_path("data.csv", config_folder) == in_cwd.resolve()
    in_config_folder = write(config_folder / "data.csv", CSV)
    assert resolve_source_path("data.csv", config_folder) == in_config_folder.resolve()
    assert resolve_source_path(str(in_cwd), config_folder) == in_cwd.resolve()


def test_textual_columns_are_left_alone(tmp_path):
    write(tmp_path / "data.csv", b"y,city\n1,Paris\n2,Rome\n3,42\n")
    frame = load("data.csv", tmp_path, label="y").frame
    assert list(frame["city"]) == ["Paris", "Rome", "42"]


def test_same_file_loads_identically(tmp_path):
    write(tmp_path / "data.csv", CSV)
    pd.testing.assert_frame_equal(
        load("data.csv", tmp_path, label="population", seed=1).frame,
        load("data.csv", tmp_path, label="population", seed=2).frame,
    )


NUMERIC_WITH_TEXT = b"total_rooms,population\n" + b"".join(
    b"%d,%d\n" % (i, i) if i != 15 else b"abc,15\n" for i in range(20)
)


@pytest.mark.parametrize(
    ("file_name", "content", "label", "phrases"),
    [
        ("data.csv", b"", "a", ["data.csv: the file is empty (0 bytes)"]),
        ("data.csv", b"\n\n", "a", ["no header line"]),
        ("data.csv", b"a,b\n", "a", ["no data rows", "a, b"]),
        ("data.csv", b"a,b\n1,2\n3,4,5\n", "a", ["data.csv:3: has 3 values but the header"]),
        # every row one value longer: pandas would take the first as the index, shifting all
        ("data.csv", b"a,b\n0,2,3\n1,5,6\n", "a", ["data.csv:2: has 3 values", "header"]),
        ("data.csv", b"a,b,c\n1,2,3\n4,5\n", "a", ["data.csv:3: has 2 values", "missing"]),
        # lines, not pandas' records: a blank line and a quoted line break come before
        (
            "data.csv",
            b'a,b\np,2\n\n"x\ny",3\nq,5\nr,7\ns,no\n',
            "a",
            ["data.csv:8: column 'b' is numeric except for 'no'"],
        ),
        ("data.csv", b'a,b\n1,2\n\n3,"4\n5,6\n', "a", ["data.csv:4: a value opens a quote"]),
        (
            "data.csv",
            b'a,b\n880,1\n"5,612",2\n"-12,000.5",3\n',
            "b",
            ["data.csv:3: column 'a' writes numbers with thousands separators ('5,612')"],
        ),
        ("data.csv", b"a,b\n1,2\n\xe9t\xe9,1\n", "a", ["data.csv:3:", "byte 0xe9 is not UTF-8"]),
        (
            "data.csv",
            NUMERIC_WITH_TEXT,
            "population",
            ["data.csv:17: column 'total_rooms' is numeric except for 'abc'", "fix or remove"],
        ),
        ("data.parquet", b"PAR1 but not really parquet", "a", ["not a readable Parquet file"]),
        ("data.parquet", b"", "a", ["empty"]),
        ("data.txt", b"a,b\n1,2\n", "a", ["data.source", ".csv and .parquet"]),
        ("data.tsv", b"a\tb\n1\t2\n", "a", ["a '.tsv' file", "pandas.read_csv(PATH, sep='\\t')"]),
        ("data.csv.gz", b"", "a", ["a '.gz' file", "decompress it first"]),
        (
            "data.csv",
            CSV,
            "Populaton",
            ["data.label", "Did you mean 'population'?", "total_rooms, population, ocean"],
        ),
        ("data.csv", CSV, None, ["data.label is not set", "total_rooms, population, ocean"]),
    ],
)
def test_bad_files_are_data_errors_that_say_where(tmp_path, file_name, content, label, phrases):
    write(tmp_path / file_name, content)
    with pytest.raises(DataError) as error:
        load(file_name, tmp_path, label=label)
    assert error.value.exit_code == 2
    for phrase in phrases:
        assert phrase in str(error.value)


def test_missing_file_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as error:
        load("nowhere.csv", tmp_path / "configs", label="y")
    message = str(error.value)
    assert "data.source: file 'nowhere.csv' not found" in message
    assert str(tmp_path / "configs" / "nowhere.csv") in message
    assert str(tmp_path / "nowhere.csv") in message


def test_missing_fetchable_file_says_how_to_fetch_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError, match="run `mlcc datasets fetch california_housing`"):
        load("datasets/california_housing_train.csv", tmp_path, label="median_house_value")


def test_folder_as_source_is_a_data_error(tmp_path):
    (tmp_path / "data.csv").mkdir()
    with pytest.raises(DataError, match="is a folder"):
        load("data.csv", tmp_path, label="y")


# ------------------------------------------------------------------ missing values

GAPPY = pd.DataFrame(
    {
        "rooms": [1.0, np.nan, 3.0, np.nan, 5.0],
        "income": [1.0, 2.0, np.nan, 4.0, 5.0],
        "unused": [np.nan] * 5,
        "price": [10.0, 20.0, 30.0, 40.0, np.nan],
    },
    index=pd.RangeIndex(5, name="row_id"),
)


def test_missing_counts_lists_only_columns_with_gaps():
    assert missing_counts(GAPPY, ["rooms", "income", "price"]) == {
        "rooms": 2,
        "income": 1,
        "price": 1,
    }
    assert missing_counts(GAPPY.fillna(0), ["rooms", "income"]) == {}


def test_missing_error_names_each_column_count_and_fix():
    with pytest.raises(DataError) as error:
        apply_missing_policy(GAPPY, ["rooms", "income"], "price", "error", "data.csv")
    message = str(error.value)
    for phrase in ("data.csv", "'rooms': 2", "'income': 1", "'price': 1", "data.missing"):
        assert phrase in message
    assert "unused" not in message


def test_missing_drop_removes_rows_with_gaps_in_used_columns_only():
    frame, warnings = apply_missing_policy(GAPPY, ["rooms", "income"], "price", "drop", "data.csv")
    pd.testing.assert_frame_equal(frame, GAPPY.dropna(subset=["rooms", "income", "price"]))
    assert list(frame.index) == [0]  # row ids survive the drop
    assert warnings == ["dropped 4 of 5 rows with missing values (rooms: 2, income: 1, price: 1)"]


@pytest.mark.parametrize("policy", ["mean", "median"])
def test_missing_mean_or_median_only_drops_rows_without_a_label(policy):
    frame, warnings = apply_missing_policy(GAPPY, ["rooms", "income"], "price", policy, "d.csv")
    pd.testing.assert_frame_equal(frame, GAPPY.iloc[:4])
    assert frame["rooms"].isna().sum() == 2  # filled later from the training split
    assert len(warnings) == 1
    assert "dropped 1 of 5 rows" in warnings[0]


@pytest.mark.parametrize("policy", ["error", "drop", "mean", "median"])
def test_gaps_only_in_unused_columns_change_nothing(policy):
    frame, warnings = apply_missing_policy(GAPPY.iloc[:2], ["income"], "price", policy, "d.csv")
    pd.testing.assert_frame_equal(frame, GAPPY.iloc[:2])
    assert warnings == []


# ------------------------------------------------------------------------- labels


def test_linear_label_is_scaled():
    y, classes, warnings = encode_label(pd.Series([100, 250, 400]), "regression", 0.001, "price")
    np.testing.assert_allclose(y, [0.1, 0.25, 0.4])
    assert y.dtype == np.float64
    assert classes is None
    assert warnings == []


def test_linear_label_must_be_numeric():
    with pytest.raises(DataError, match=r"'ocean'.*'NEAR BAY'.*predicts a number"):
        encode_label(pd.Series(["NEAR BAY", "INLAND"]), "regression", 1.0, "ocean")


def test_linear_label_with_two_values_suggests_logistic():
    _, _, warnings = encode_label(pd.Series([0, 1, 1]), "regression", 1.0, "spam")
    assert "model.type: logistic" in warnings[0]


@pytest.mark.parametrize(
    ("values", "classes"),
    [
        ([0, 1, 1, 0], [0, 1]),
        ([0.0, 1.0, 1.0, 0.0], [0.0, 1.0]),
        ([False, True, True, False], [False, True]),
    ],
)
def test_logistic_zero_one_labels_are_used_as_is(values, classes):
    y, got_classes, warnings = encode_label(pd.Series(values), "binary", 1.0, "spam")
    np.testing.assert_array_equal(y, [0.0, 1.0, 1.0, 0.0])
    assert y.dtype == np.float64
    assert got_classes == classes
    assert warnings == []


@pytest.mark.parametrize(
    ("values", "classes", "mapping"),
    [
        (["M", "B", "B", "M"], ["B", "M"], "label 'diagnosis': 'B' -> 0, 'M' -> 1"),
        ([1, -1, -1, 1], [-1, 1], "label 'diagnosis': -1 -> 0, 1 -> 1"),
        ([2.5, 0.5, 0.5, 2.5], [0.5, 2.5], "label 'diagnosis': 0.5 -> 0, 2.5 -> 1"),
    ],
)
def test_logistic_other_two_values_map_in_ascending_order(values, classes, mapping):
    y, got_classes, warnings = encode_label(pd.Series(values), "binary", 1.0, "diagnosis")
    np.testing.assert_array_equal(y, [1.0, 0.0, 0.0, 1.0])
    assert got_classes == classes
    assert warnings[0].startswith(mapping)


def test_logistic_with_one_class_is_a_data_error():
    with pytest.raises(DataError, match=r"only one class.*two classes"):
        encode_label(pd.Series([1, 1, 1]), "binary", 1.0, "spam")


def test_logistic_with_many_values_is_a_data_error():
    with pytest.raises(DataError) as error:
        encode_label(pd.Series([1, 2, 3, 4, 5, 6, 7]), "binary", 1.0, "rating")
    message = str(error.value)
    assert "7 distinct values (1, 2, 3, 4, 5, ...)" in message
    assert "use model.type softmax" in message
    assert "data.label_above" in message


def test_logistic_warns_about_class_imbalance():
    _, _, warnings = encode_label(pd.Series([0] * 95 + [1] * 5), "binary", 1.0, "fraud")
    assert warnings == [
        "label 'fraud': class 1 is only 5.0% of rows (class imbalance); accuracy can look good "
        "while missing it, so watch precision, recall and AUC, and consider data.stratify: true"
    ]


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_missing_label_values_are_a_data_error(task):
    with pytest.raises(DataError, match=r"'price' has 1 missing values.*data.missing"):
        encode_label(pd.Series([1.0, np.nan, 0.0]), task, 1.0, "price")
