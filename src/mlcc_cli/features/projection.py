"""Dimension reduction: replacing many correlated columns by a few principal components.

The crash course meets it with embeddings: when columns move together (total rooms,
bedrooms, households), a few directions of the data carry nearly all of their variance.
Principal component analysis finds those directions on the training split; projecting onto
the first k of them gives k uncorrelated features in place of the originals, with the share
of the variance they keep reported after training. PCA follows the columns' scales, so
z-score them first unless they share a unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.columns import resolve_columns

# Columns whose standard deviations differ by more than this factor get a "z-score first" hint.
SCALE_SPREAD = 100.0


class Pca(Transform):
    """Replace `columns` by their first `components` principal components PREFIX1 … PREFIXk.

    Fitted with scikit-learn's PCA(n_components=components, svd_solver="full") on the
    training rows (no missing values allowed); with mean μ (n_features,) and components W
    (k, n_features), a row x becomes z = (x − μ)·Wᵀ, computed here with numpy, so the
    numbers (signs included) are those of PCA.transform. The new columns go at the end of
    the frame. A streaming fit uses the first chunk of training rows.

    Attributes
    ----------
    mean_ : list[float]
        μ, per column.
    components_ : list[list[float]]
        W, one row per component, one value per column.
    explained_variance_ratio_ : list[float]
        Share of the training variance along each component.
    """

    tag = "pca"
    params = ("columns", "components", "prefix", "key", "label")
    fitted = (
        "feature_names_in_",
        "mean_",
        "components_",
        "explained_variance_ratio_",
        "warnings_",
    )

    def __init__(
        self,
        columns: Sequence[str],
        components: int,
        prefix: str = "pc",
        *,
        key: str = "pca",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.components = components
        self.prefix = prefix
        self.key = key
        self.label = label

    @property
    def feature_names_out(self) -> list[str]:
        """The new columns: PREFIX1 … PREFIXk."""
        return [f"{self.prefix}{i}" for i in range(1, self.components + 1)]

    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn μ and the first `components` directions of the training rows."""
        columns = resolve_columns(frame, self.columns, self.label, self.where)
        if self.label in self.feature_names_out:
            raise DataError(
                f"{self.where}: the new column {self.label!r} would overwrite the label; "
                "choose another `prefix:`."
            )
        X = self._matrix(frame, columns)  # (n_rows, n_columns)
        if len(X) < self.components:
            raise DataError(
                f"{self.where}: {self.components} components need at least as many training "
                f"rows, but the split has {len(X)}; lower `components:`."
            )
        spread = X.std(axis=0)
        if not spread.any():
            raise DataError(
                f"{self.where}: columns {', '.join(columns)} are all constant in the training "
                "split, so there is no variance to project; leave them out of this step."
            )
        # deferred: scikit-learn (about a second to import), only for runs with a pca step
        from sklearn.decomposition import PCA

        pca = PCA(n_components=self.components, svd_solver="full").fit(X)
        self.mean_ = pca.mean_.tolist()
        self.components_ = pca.components_.tolist()
        self.explained_variance_ratio_ = pca.explained_variance_ratio_.tolist()
        self.warnings_ = self._scale_warnings(columns, spread)
        replaced = sorted(set(self.feature_names_out) & set(map(str, frame.columns)) - {*columns})
        self.warnings_ += [
            f"{self.where}: replaces the existing column {name!r} with a principal component; "
            "set another `prefix:` to keep both."
            for name in replaced
        ]
        self.feature_names_in_ = columns
        return self

    def _matrix(self, frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
        """The columns as float64 (n_rows, n_columns); DataError naming any missing values."""
        X = frame[columns].to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(X).sum(axis=0)
        if missing.any():
            counts = ", ".join(f"{c!r} {n}" for c, n in zip(columns, missing, strict=True) if n)
            raise DataError(
                f"{self.where}: missing values ({counts} of {len(X)} rows) cannot be "
                "projected; fill them first (data.missing: mean|median, or an impute step "
                "before this one)."
            )
        return X

    def _scale_warnings(self, columns: list[str], spread: np.ndarray) -> list[str]:
        varying = np.flatnonzero(spread > 0)  # constant columns do not pull the components
        widest = int(varying[spread[varying].argmax()])
        narrowest = int(varying[spread[varying].argmin()])
        if spread[widest] <= SCALE_SPREAD * spread[narrowest]:
            return []
        return [
            f"{self.where}: the columns' scales differ over {SCALE_SPREAD:g}-fold (std of "
            f"{columns[widest]!r} {spread[widest]:.3g}, of {columns[narrowest]!r} "
            f"{spread[narrowest]:.3g}), so the widest dominates the components; add a zscore "
            "step on them before this one."
        ]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        X = self._matrix(frame, self.feature_names_in_)  # (n_rows, n_columns)
        mean = np.asarray(self.mean_)  # (n_columns,)
        W = np.asarray(self.components_)  # (k, n_columns)
        Z = (X - mean) @ W.T  # (n_rows, k)
        # Sources go, and so does any older column of an output's name, so the components
        # always end the frame in order.
        older = [c for c in frame.columns if c in self.feature_names_out]
        frame = frame.drop(columns=list(dict.fromkeys([*self.feature_names_in_, *older])))
        for i, name in enumerate(self.feature_names_out):
            frame[name] = Z[:, i]
        return frame

    def notes(self) -> list[str]:
        """The share of the variance the kept components explain."""
        self._check_fitted()
        ratios = self.explained_variance_ratio_
        each = ", ".join(f"{ratio:.1%}" for ratio in ratios)
        kept = f"{len(ratios)} component{'s' if len(ratios) > 1 else ''} keep"
        kept += "" if len(ratios) > 1 else "s"
        return [
            f"{self.where}: {kept} {sum(ratios):.1%} of the variance of "
            f"{', '.join(self.feature_names_in_)} ({each})."
        ]
