"""scikit-learn's bundled tables (breast_cancer, iris, wine, digits, diabetes) as frames.

Importing scikit-learn takes longer than a whole quickstart run, so it is imported only when
a bundled table is loaded, and the quickstart's own table, breast_cancer, skips it: its rows
are read straight from the CSV file scikit-learn installs (found without importing the
package), giving exactly `load_breast_cancer(as_frame=True).frame` (tests compare the two).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.config.data import SyntheticConfig

Loader = Callable[[SyntheticConfig, np.random.Generator], pd.DataFrame]

# load_breast_cancer's feature names: ten measurements of each nucleus, as the mean, the
# standard error and the worst (largest) value over the image, in the CSV's column order.
_MEASUREMENTS = (
    "radius",
    "texture",
    "perimeter",
    "area",
    "smoothness",
    "compactness",
    "concavity",
    "concave points",
    "symmetry",
    "fractal dimension",
)
BREAST_CANCER_FEATURES = (
    [f"mean {m}" for m in _MEASUREMENTS]
    + [f"{m} error" for m in _MEASUREMENTS]
    + [f"worst {m}" for m in _MEASUREMENTS]
)


def bundled(loader_name: str, rename: Callable[[str], str], **options: object) -> Loader:
    """A loader for scikit-learn's `datasets.<loader_name>`: one frame with a `target` column,
    columns renamed by `rename`."""

    def load(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
        del synthetic, rng  # bundled tables are fixed: size and seed do not apply
        # deferred: scikit-learn (about a second to import), only for the table asked for
        from sklearn import datasets

        loader: Callable[..., Any] = getattr(datasets, loader_name)
        frame = loader(as_frame=True, **options).frame
        return frame.rename(columns=rename)

    return load


def breast_cancer(rename: Callable[[str], str]) -> Loader:
    """A loader for the breast cancer table, read from scikit-learn's installed CSV.

    The file's first line is `n_samples,n_features,class names`; each further line holds the
    features then the 0/1 target. Without the file (another scikit-learn layout) it falls back
    to `load_breast_cancer`.
    """
    through_sklearn = bundled("load_breast_cancer", rename)

    def load(synthetic: SyntheticConfig, rng: np.random.Generator) -> pd.DataFrame:
        path = _sklearn_data_file("breast_cancer.csv")
        if path is None:
            return through_sklearn(synthetic, rng)
        # pandas' parser rounds each number correctly, as Python's float() in sklearn's reader
        # does (the test compares every value).
        table = pd.read_csv(path, skiprows=1, header=None)
        features = table.iloc[:, : len(BREAST_CANCER_FEATURES)].astype(np.float64)
        features.columns = [rename(name) for name in BREAST_CANCER_FEATURES]
        target = table.iloc[:, len(BREAST_CANCER_FEATURES)].astype(np.int64).rename("target")
        return pd.concat([features, target], axis=1)

    return load


def _sklearn_data_file(name: str) -> Path | None:
    """scikit-learn's datasets/data/`name`, located without importing scikit-learn; None if
    scikit-learn or the file is missing."""
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "datasets" / "data" / name
        if path.is_file():
            return path
    return None
