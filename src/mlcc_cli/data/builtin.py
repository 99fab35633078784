"""Built-in datasets: scikit-learn's bundled tables and the TensorFlow playground's synthetic ones.

The image datasets (`digits_images`, `shapes`: one pixel per column) live in `images`, the
text corpus for word2vec (`pets_and_vehicles`) in `corpus` and the movie reviews for
bag-of-tokens models (`reviews`) in `reviews`.

Nothing here touches the network. Bundled tables load from scikit-learn's installed copies
(`bundled`); synthetic ones are generated from the experiment's `seed`, so the same seed always
gives the same rows. Every builtin names its label column `target`, and column names are turned
into identifiers (`mean radius` -> `mean_radius`) so feature expressions can refer to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mlcc_cli.config.data import SyntheticConfig
from mlcc_cli.data.bundled import breast_cancer, bundled
from mlcc_cli.data.corpus import pets_and_vehicles
from mlcc_cli.data.images import LABEL, digits_images, shapes
from mlcc_cli.data.reviews import reviews

Task = Literal["regression", "binary", "multiclass", "embedding"]


@dataclass(frozen=True)
class BuiltinInfo:
    """One line of `mlcc datasets`: name, size (columns include the label), task and summary."""

    name: str
    rows: int
    columns: int
    task: Task
    description: str


def identifier(name: str) -> str:
    """A column name usable in expressions: runs of non-identifier characters become `_`."""
    cleaned = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_")
    # An identifier cannot start with a digit; prefixing keeps the name readable.
    return f"_{cleaned}" if cleaned[:1].isdigit() else cleaned


# --------------------------------------------------------------- synthetic tables
# Each generator draws from the Generator it is given, in a fixed order, so the rows depend
# only on the seed and the SyntheticConfig.


def _frame(features: np.ndarray, target: np.ndarray) -> pd.DataFrame:
    """Columns x1..xk for the features (n_samples, k) plus `target`."""
    columns = {f"x{i + 1}": features[:, i] for i in range(features.shape[1])}
    return pd.DataFrame({**columns, LABEL: target})


def _two_classes(n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """Balanced 0/1 labels in random order (class 1 gets the smaller half when n is odd)."""
    labels = np.zeros(n_samples, dtype=np.int64)
    labels[: n_samples // 2] = 1
    return rng.permutation(labels)


def xor(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """XOR quadrants: x ~ U[-1, 1]², target = 1 where x1·x2 > 0; noise N(0, noise²) on x."""
    n = synthetic.samples
    points = rng.uniform(-1.0, 1.0, size=(n, 2))  # (n, 2)
    # The label comes from the clean point, so noise can push examples across the axes.
    target = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
    return _frame(points + rng.normal(0.0, synthetic.noise, size=(n, 2)), target)


def circles(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Two concentric rings (radius 1 -> target 0, radius 0.5 -> target 1) plus N(0, noise²)."""
    seed = int(rng.integers(2**31))  # scikit-learn wants an int seed; derive it from ours
    # deferred: scikit-learn (about a second to import), only for this dataset
    from sklearn import datasets as sklearn_datasets

    points, target = sklearn_datasets.make_circles(
        n_samples=synthetic.samples, noise=synthetic.noise, factor=0.5, random_state=seed
    )
    return _frame(points, target.astype(np.int64))


def spiral(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Two interleaved spirals: r = i/m, θ = 1.75·2π·i/m (+π for class 0), plus N(0, noise²)."""
    n = synthetic.samples
    target = _two_classes(n, rng)
    # Position along its own spiral, 0..1, counted separately for each class.
    step = np.empty(n)
    for label in (0, 1):
        members = target == label
        step[members] = np.arange(members.sum()) / members.sum()
    angle = 1.75 * 2 * np.pi * step + np.pi * (target == 0)
    points = np.column_stack([step * np.sin(angle), step * np.cos(angle)])  # (n, 2)
    return _frame(points + rng.normal(0.0, synthetic.noise, size=(n, 2)), target)


def gaussian(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Two Gaussian blobs centred at −1 (target 0) and +1 (target 1) in every dimension.

    Each blob has its own spread 0.5 plus the added noise; independent Gaussians add in
    quadrature, so each coordinate is N(±1, 0.5² + noise²).
    """
    n, k = synthetic.samples, synthetic.features
    target = _two_classes(n, rng)
    centres = np.where(target[:, None] == 1, 1.0, -1.0)  # (n, 1), broadcast over k
    spread = np.hypot(0.5, synthetic.noise)
    return _frame(centres + rng.normal(0.0, spread, size=(n, k)), target)


def linear(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Regression: x ~ N(0, 1)ᵏ, target = x·w + b + N(0, noise²), w ~ U[-2, 2]ᵏ, b ~ U[-1, 1]."""
    n, k = synthetic.samples, synthetic.features
    weights = rng.uniform(-2.0, 2.0, size=k)  # (k,) the "true" weights a model should find
    bias = rng.uniform(-1.0, 1.0)
    features = rng.normal(0.0, 1.0, size=(n, k))  # (n, k)
    target = features @ weights + bias + rng.normal(0.0, synthetic.noise, size=n)
    return _frame(features, target)


# ------------------------------------------------------------------------ catalog


@dataclass(frozen=True)
class _Builtin:
    info: BuiltinInfo
    load: Callable[[SyntheticConfig, np.random.Generator], pd.DataFrame]


def _synthetic_info(name: str, task: Task, description: str, *, uses_features: bool) -> BuiltinInfo:
    """Catalog entry sized by the default SyntheticConfig (what `builtin:NAME` gives unchanged)."""
    default = SyntheticConfig()
    columns = (default.features if uses_features else 2) + 1
    return BuiltinInfo(name, default.samples, columns, task, description)


_REGISTRY: dict[str, _Builtin] = {
    "breast_cancer": _Builtin(
        BuiltinInfo(
            "breast_cancer",
            569,
            31,
            "binary",
            "Wisconsin tumour measurements; target 0 = malignant, 1 = benign.",
        ),
        breast_cancer(identifier),
    ),
    "iris": _Builtin(
        BuiltinInfo("iris", 150, 5, "multiclass", "Iris flower measurements; 3 species."),
        bundled("load_iris", identifier),
    ),
    "wine": _Builtin(
        BuiltinInfo("wine", 178, 14, "multiclass", "Chemical analysis of wines; 3 cultivars."),
        bundled("load_wine", identifier),
    ),
    "digits": _Builtin(
        BuiltinInfo(
            "digits", 1797, 65, "multiclass", "8x8 images of handwritten digits 0-9 (pixels 0-16)."
        ),
        bundled("load_digits", identifier),
    ),
    "diabetes": _Builtin(
        BuiltinInfo(
            "diabetes",
            442,
            11,
            "regression",
            "Diabetes patients (raw, unscaled); target = disease progression after one year.",
        ),
        # Unscaled values, so the crash course's normalisation steps have something to do.
        bundled("load_diabetes", identifier, scaled=False),
    ),
    "xor": _Builtin(
        _synthetic_info("xor", "binary", "XOR quadrants: x1·x2 > 0.", uses_features=False),
        xor,
    ),
    "circles": _Builtin(
        _synthetic_info(
            "circles", "binary", "Two concentric rings; inner = 1.", uses_features=False
        ),
        circles,
    ),
    "spiral": _Builtin(
        _synthetic_info("spiral", "binary", "Two interleaved spirals.", uses_features=False),
        spiral,
    ),
    "gaussian": _Builtin(
        _synthetic_info("gaussian", "binary", "Two Gaussian blobs.", uses_features=True),
        gaussian,
    ),
    "linear": _Builtin(
        _synthetic_info(
            "linear",
            "regression",
            "target = x·w + b + noise, w fixed by the seed.",
            uses_features=True,
        ),
        linear,
    ),
    "digits_images": _Builtin(
        BuiltinInfo(
            "digits_images",
            1797,
            65,
            "multiclass",
            "The 8x8 digits as image pixels p_{row}_{col} in [0, 1] (row-major), for CNNs.",
        ),
        digits_images,
    ),
    "shapes": _Builtin(
        BuiltinInfo(
            "shapes",
            SyntheticConfig().samples,
            SyntheticConfig().image_size ** 2 + 1,
            "multiclass",
            "Seeded noisy images (pixels p_{row}_{col}) of small shapes at random positions; "
            "data.synthetic sets image_size, classes and placement (anywhere | halves).",
        ),
        shapes,
    ),
    "pets_and_vehicles": _Builtin(
        BuiltinInfo(
            "pets_and_vehicles",
            SyntheticConfig().samples,
            1,
            "embedding",
            "Seeded text corpus for word2vec (`text` column, data.synthetic.samples "
            "sentences): pets, vehicles and fruit words, each group with its own contexts.",
        ),
        pets_and_vehicles,
    ),
    "reviews": _Builtin(
        BuiltinInfo(
            "reviews",
            SyntheticConfig().samples,
            2,
            "binary",
            "Seeded short movie reviews (text column `review`) and their sentiment, for the "
            "text step and embeddings; data.synthetic.noise mixes opinions.",
        ),
        reviews,
    ),
}


def builtin_catalog() -> list[BuiltinInfo]:
    """What `mlcc datasets` lists; synthetic sizes are those of the default SyntheticConfig."""
    return [entry.info for entry in _REGISTRY.values()]


def load_builtin(name: str, synthetic: SyntheticConfig, seed: int) -> pd.DataFrame:
    """The frame of builtin `name` (KeyError if unknown); synthetic ones come from `seed`."""
    rng = np.random.default_rng(seed)
    return _REGISTRY[name].load(synthetic, rng)
