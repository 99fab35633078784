"""Tests for the image builtins `digits_images` and `shapes` (data/images.py) and their CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError
from sklearn import datasets as sklearn_datasets
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.data import SHAPE_COUNT, SHAPE_SIZE, SyntheticConfig
from mlcc_cli.data.builtin import builtin_catalog, load_builtin
from mlcc_cli.data.images import SHAPES, pixel_columns

runner = CliRunner()


def shapes(seed: int = 0, **settings: object) -> pd.DataFrame:
    """The `shapes` frame for these data.synthetic settings."""
    return load_builtin("shapes", SyntheticConfig(**settings), seed)


def images_of(frame: pd.DataFrame) -> np.ndarray:
    """(n_samples, size, size) images back from the row-major pixel columns."""
    pixels = frame.drop(columns="target").to_numpy()
    size = int(np.sqrt(pixels.shape[1]))
    return pixels.reshape(len(frame), size, size)


def lit_box(image: np.ndarray) -> tuple[slice, slice]:
    """Rows and columns of the bounding box of a clean image's lit pixels."""
    rows, cols = np.nonzero(image)
    return slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)


# ------------------------------------------------------------------ digits_images


def test_digits_images_are_sklearns_digits_over_16_row_major() -> None:
    frame = load_builtin("digits_images", SyntheticConfig(), seed=0)
    digits = sklearn_datasets.load_digits()
    assert frame.shape == (1797, 65)
    assert list(frame.columns) == [*pixel_columns(8, 8), "target"]
    assert frame.columns[:3].tolist() == ["p_0_0", "p_0_1", "p_0_2"]
    expected = (digits.images / 16.0).reshape(1797, 64)  # row-major (height, width)
    np.testing.assert_array_equal(frame.drop(columns="target").to_numpy(), expected)
    np.testing.assert_array_equal(frame["target"], digits.target)
    pixels = frame.drop(columns="target").to_numpy()
    assert pixels.min() == 0.0 and pixels.max() == 1.0
    assert sorted(frame["target"].unique()) == list(range(10))


def test_digits_images_ignore_seed_and_synthetic_settings() -> None:
    first = load_builtin("digits_images", SyntheticConfig(), seed=0)
    other = load_builtin("digits_images", SyntheticConfig(samples=50, image_size=20), seed=9)
    pd.testing.assert_frame_equal(first, other)


# ------------------------------------------------------------------------- shapes


def test_config_constants_match_the_shapes() -> None:
    assert len(SHAPES) == SHAPE_COUNT
    assert max(max(template.shape) for template in SHAPES.values()) == SHAPE_SIZE


@pytest.mark.parametrize(
    ("settings", "size", "classes"),
    [
        ({}, 12, 3),
        ({"image_size": 5, "classes": 5, "samples": 60}, 5, 5),
        ({"image_size": 16}, 16, 3),
    ],
)
def test_shapes_size_columns_and_ranges(settings: dict, size: int, classes: int) -> None:
    frame = shapes(**settings)
    samples = settings.get("samples", 1000)
    assert frame.shape == (samples, size * size + 1)
    assert list(frame.columns) == [*pixel_columns(size, size), "target"]
    assert frame.columns[-2] == f"p_{size - 1}_{size - 1}"
    pixels = frame.drop(columns="target").to_numpy()
    assert pixels.min() >= 0.0 and pixels.max() <= 1.0
    assert frame["target"].dtype == np.int64
    # Balanced classes: counts differ by at most one.
    counts = np.bincount(frame["target"], minlength=classes)
    assert len(counts) == classes and counts.max() - counts.min() <= 1


def test_shapes_depend_only_on_the_seed() -> None:
    pd.testing.assert_frame_equal(shapes(seed=7), shapes(seed=7))
    assert not np.allclose(shapes(seed=7).to_numpy(), shapes(seed=8).to_numpy())


def test_clean_images_hold_exactly_their_class_shape() -> None:
    frame = shapes(seed=3, noise=0.0, classes=SHAPE_COUNT, samples=500)
    templates = list(SHAPES.values())
    for image, label in zip(images_of(frame), frame["target"], strict=True):
        assert set(np.unique(image)) == {0.0, 1.0}
        rows, cols = lit_box(image)
        np.testing.assert_array_equal(image[rows, cols], templates[label])
        assert image.sum() == templates[label].sum()  # nothing lit outside the shape
    # The shapes differ pairwise, so looking the box up among them classifies every image.
    for i, one in enumerate(templates):
        for other in templates[i + 1 :]:
            assert one.shape != other.shape or not np.array_equal(one, other)


def _aligned(noisy: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """(n, 25) noisy 5x5 windows whose top-left corner is the shape's, from the clean twin."""
    padded = np.pad(noisy, ((0, 0), (0, SHAPE_SIZE), (0, SHAPE_SIZE)))
    windows = []
    for image, twin in zip(padded, clean, strict=True):
        rows, cols = lit_box(twin)
        windows.append(image[rows.start : rows.start + 5, cols.start : cols.start + 5].ravel())
    return np.array(windows)


def test_noise_leaves_classes_and_positions_and_class_means_apart() -> None:
    # Noise is drawn last, so the same seed with noise 0 gives each image's clean twin.
    settings = {"classes": SHAPE_COUNT, "samples": 1000, "noise": 0.3}
    fit, held_out = {}, {}
    for seed, store in ((1, fit), (2, held_out)):
        noisy, clean = shapes(seed, **settings), shapes(seed, **{**settings, "noise": 0.0})
        np.testing.assert_array_equal(noisy["target"], clean["target"])
        store["X"] = _aligned(images_of(noisy), images_of(clean))
        store["y"] = noisy["target"].to_numpy()
    # Nearest class mean, on the shape's own window: every class's mean image stands apart.
    means = np.stack([fit["X"][fit["y"] == k].mean(axis=0) for k in range(SHAPE_COUNT)])
    distances = ((held_out["X"][:, None, :] - means[None]) ** 2).sum(axis=-1)
    assert (distances.argmin(axis=1) == held_out["y"]).mean() > 0.9


def test_noise_is_gaussian_then_clipped() -> None:
    noise = 0.2
    noisy, clean = shapes(5, noise=noise), shapes(5, noise=0.0)
    background = noisy.drop(columns="target").to_numpy()[clean.drop(columns="target") == 0]
    # Clipping N(0, σ²) at 0 leaves half the pixels at 0 and a mean of σ/√(2π).
    assert (background == 0).mean() == pytest.approx(0.5, abs=0.01)
    assert background.mean() == pytest.approx(noise / np.sqrt(2 * np.pi), abs=0.002)


def test_anywhere_uses_every_pixel() -> None:
    lit = images_of(shapes(0, noise=0.0)).max(axis=0)
    assert lit.min() == 1.0


@pytest.mark.parametrize(("size", "samples"), [(12, 400), (11, 301), (10, 200)])
def test_halves_put_the_first_half_of_rows_left_and_the_rest_right(size: int, samples: int):
    frame = shapes(4, noise=0.0, classes=SHAPE_COUNT, samples=samples, image_size=size,
                   placement="halves")  # fmt: skip
    images = images_of(frame)
    n_left = (samples + 1) // 2  # rows with row_id < samples / 2
    half = size // 2
    assert images[:n_left, :, half:].max() == 0.0  # left rows: nothing at column ≥ size // 2
    assert images[n_left:, :, : size - half].max() == 0.0  # right rows: all in the last half
    # Each half is used fully, and the shapes are whole.
    assert images[:n_left, :, :half].max(axis=0).min() == 1.0
    assert images[n_left:, :, size - half :].max(axis=0).min() == 1.0
    templates = list(SHAPES.values())
    assert all(
        image.sum() == templates[label].sum()
        for image, label in zip(images, frame["target"], strict=True)
    )


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"image_size": 4}, "image_size"),
        ({"classes": 1}, "classes"),
        ({"classes": SHAPE_COUNT + 1}, "classes"),
        ({"placement": "middle"}, "placement"),
        ({"noise": -0.1}, "noise"),
        ({"placement": "halves", "image_size": 9}, "image_size"),
    ],
)
def test_bad_image_settings_are_rejected(settings: dict, key: str) -> None:
    with pytest.raises(ValidationError, match=key):
        SyntheticConfig(**settings)


# ---------------------------------------------------------------------------- CLI


def test_datasets_lists_both_image_builtins() -> None:
    result = runner.invoke(app, ["datasets", "--json"])
    assert result.exit_code == 0, result.output
    listed = {entry["name"]: entry for entry in json.loads(result.stdout)["datasets"]}
    assert listed["digits_images"] == {
        "name": "digits_images",
        "rows": 1797,
        "columns": 65,
        "task": "multiclass",
        "description": listed["digits_images"]["description"],
    }
    assert (listed["shapes"]["rows"], listed["shapes"]["columns"]) == (1000, 145)
    assert listed["shapes"]["task"] == "multiclass"
    assert "placement" in listed["shapes"]["description"]
    info = {entry.name: entry for entry in builtin_catalog()}
    assert info["shapes"].columns == shapes().shape[1]
    human = runner.invoke(app, ["datasets"])
    assert "digits_images" in human.stdout and "shapes" in human.stdout


def _experiment(tmp_path: Path, data: dict) -> Path:
    config = {
        "name": "pixels",
        "seed": 1,
        "data": data,
        "features": [],
        "model": {"type": "softmax"},
        "optimizer": {"type": "sgd", "learning_rate": 0.5},
        "training": {"batch_size": 32, "epochs": 10, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_train_softmax_on_digits_images(tmp_path: Path) -> None:
    data = {"source": "builtin:digits_images", "split": {"train": 0.8, "validation": 0.2}}
    result = runner.invoke(
        app, ["train", str(_experiment(tmp_path, data)), "--runs-dir", str(tmp_path / "runs")]
    )
    assert result.exit_code == 0, result.output
    run_dir = Path(result.stdout.strip().splitlines()[-1].split()[-1])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["validation"]["accuracy"] > 0.85


def test_bad_synthetic_value_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    data = {"source": "builtin:shapes", "synthetic": {"image_size": 2}}
    result = runner.invoke(app, ["train", str(_experiment(tmp_path, data))])
    assert result.exit_code == 2, result.output
    assert "data.synthetic.image_size" in result.stderr
    assert "Traceback" not in result.output
