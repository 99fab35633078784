"""Polynomial features: every product of numeric columns up to a degree.

A linear model adds up one weight per input, so its predictions are a plane in the inputs.
Polynomial features add every product up to a degree (x1², x1·x2, …): the model stays linear
in its weights, and so stays cheap to train, while its predictions become curved in the
original inputs. (Products of exactly the columns you name are a numeric `cross`.)
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from typing import Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.columns import (
    new_column_warnings,
    require_distinct,
    resolve_columns,
    values_of,
)

# Polynomial features beyond this many new columns get a warning.
MANY_TERMS = 1_000


def polynomial_terms(
    n_columns: int, degree: int, interaction_only: bool = False
) -> list[tuple[int, ...]]:
    """Column positions multiplied in each product of degree 2 … `degree`, in sklearn's order.

    Degree by degree, `itertools.combinations_with_replacement` of the positions (or
    `combinations` with `interaction_only`): for 2 columns and degree 2, (0, 0), (0, 1), (1, 1).
    """
    combine = (
        itertools.combinations if interaction_only else itertools.combinations_with_replacement
    )
    positions = range(n_columns)
    return [term for d in range(2, degree + 1) for term in combine(positions, d)]


def polynomial_names(
    columns: Sequence[str], degree: int, interaction_only: bool = False
) -> list[str]:
    """Names of the columns Polynomial adds: `a^2`, `a*b`, `a^2*b`, … in `polynomial_terms` order.

    Each name lists the factors in column order, a repeated column written once with its power.
    """
    names = []
    for term in polynomial_terms(len(columns), degree, interaction_only):
        powers = Counter(term)  # keeps first-seen order, which is column order here
        factors = (
            columns[i] if power == 1 else f"{columns[i]}^{power}" for i, power in powers.items()
        )
        names.append("*".join(factors))
    return names


class Polynomial(Transform):
    """Polynomial features: every product of the columns of degree 2 … `degree`.

    For columns a, b and degree 2 the new columns are a², a·b, b² (named `a^2`, `a*b`, `b^2`;
    degree 3 adds `a^3`, `a^2*b`, `a*b^2`, `b^3`); `interaction_only` keeps only products of
    distinct columns (`a*b`). The originals are the degree-1 terms and stay as they are.
    Values and order equal scikit-learn's PolynomialFeatures(degree, interaction_only,
    include_bias=False) without its first len(columns) (degree-1) outputs; scikit-learn
    writes `a^2 b` where we write `a^2*b`.
    """

    tag = "polynomial"
    params = ("columns", "degree", "interaction_only", "key", "label")

    def __init__(
        self,
        columns: Sequence[str],
        degree: int = 2,
        interaction_only: bool = False,
        *,
        key: str = "polynomial",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.degree = degree
        self.interaction_only = interaction_only
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the columns are numeric and distinct; nothing is learned."""
        columns = resolve_columns(frame, self.columns, self.label, self.where)
        require_distinct(columns, self.where)
        names = polynomial_names(columns, self.degree, self.interaction_only)
        if not names:
            raise DataError(
                f"{self.where}: interaction_only with the single column {columns[0]!r} makes "
                "no products; list at least 2 columns, or set interaction_only: false."
            )
        warnings = new_column_warnings(frame, names, self.label, self.where)
        if len(names) > MANY_TERMS:
            warnings.append(
                f"{self.where}: adds {len(names):,} columns ({len(columns)} columns up to "
                f"degree {self.degree}); consider a lower degree, fewer columns or "
                "interaction_only."
            )
        self.feature_names_in_ = columns
        self.warnings_ = warnings
        return self

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = self.feature_names_in_
        X = np.column_stack([values_of(frame, column) for column in columns])  # (n_rows, d)
        terms = polynomial_terms(len(columns), self.degree, self.interaction_only)
        names = polynomial_names(columns, self.degree, self.interaction_only)
        products = {
            name: np.prod(X[:, list(term)], axis=1)  # left to right, as scikit-learn
            for name, term in zip(names, terms, strict=True)
        }
        fresh = {name: values for name, values in products.items() if name not in frame.columns}
        for name in products.keys() - fresh.keys():
            frame[name] = products[name]  # replaced in place, keeping its position
        # One concat instead of a column insert per term, which fragments the frame.
        return pd.concat([frame, pd.DataFrame(fresh, index=frame.index)], axis=1)
