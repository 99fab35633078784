"""Synthetic features: new columns computed from existing ones (ratio, expression).

The crash course's example is rooms_per_person = total_rooms / population: a ratio often
carries more signal than either column alone.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import Transform
from mlcc_cli.features.columns import require_columns, require_not_label, require_numeric, values_of
from mlcc_cli.features.expressions import column_names, evaluate, parse_expression


def _output_warnings(frame: pd.DataFrame, name: str, label: str | None, where: str) -> list[str]:
    """Refuse to overwrite the label; warn when an existing column is replaced."""
    if label is not None and name == label:
        raise DataError(
            f"{where}: the new column is named {name!r}, which is the label; pick another name."
        )
    if name in frame.columns:
        return [f"{where}: replaces the existing column {name!r} with the new feature."]
    return []


class Ratio(Transform):
    """Synthetic feature: name = numerator / denominator, row by row.

    Rows whose denominator is 0 are an error (`on_zero="error"`) or get 0 (`on_zero="zero"`);
    missing values stay missing.
    """

    tag = "ratio"
    params = ("name", "numerator", "denominator", "on_zero", "key", "label")

    def __init__(
        self,
        name: str,
        numerator: str,
        denominator: str,
        on_zero: Literal["error", "zero"] = "error",
        *,
        key: str = "ratio",
        label: str | None = None,
    ) -> None:
        self.name = name
        self.numerator = numerator
        self.denominator = denominator
        self.on_zero = on_zero
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the columns exist, are numeric and are not the label; nothing is learned."""
        columns = [self.numerator, self.denominator]
        require_not_label(columns, self.label, self.where)
        require_columns(frame, columns, self.where)
        require_numeric(frame, columns, self.where)
        warnings = _output_warnings(frame, self.name, self.label, self.where)
        self._divide(frame)  # surfaces zero denominators in the training split now
        self.feature_names_in_ = columns
        self.warnings_ = warnings
        return self

    def _divide(self, frame: pd.DataFrame) -> np.ndarray:
        numerator = values_of(frame, self.numerator)
        denominator = values_of(frame, self.denominator)
        zero = denominator == 0
        if self.on_zero == "error" and zero.any():
            raise DataError(
                f"{self.where}: denominator column {self.denominator!r} is 0 in "
                f"{int(zero.sum())} of {len(frame)} rows, so {self.name!r} would be infinite. "
                f"Set `on_zero: zero` on {self.key} to give those rows 0, or filter those rows "
                "out of the data."
            )
        with np.errstate(divide="ignore", invalid="ignore"):  # zero rows are replaced below
            ratio = numerator / denominator
        ratio[zero] = 0.0
        return ratio

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame[self.name] = self._divide(frame)
        return frame


class Expression(Transform):
    """Synthetic feature: name = a safe arithmetic expression over columns.

    Example: `log1p(total_rooms / households) - 2 * sqrt(median_income)`. The expression is
    parsed with `ast` and checked against a whitelist (see `expressions.py`); it is evaluated
    with numpy on float64 columns, never with `eval`.
    """

    tag = "expression"
    params = ("name", "expression", "key", "label")

    def __init__(
        self, name: str, expression: str, *, key: str = "expression", label: str | None = None
    ) -> None:
        self.name = name
        self.expression = expression
        self.key = key
        self.label = label

    def fit(self, frame: pd.DataFrame) -> Self:
        """Check the expression's grammar and columns, and that it is finite on training rows."""
        tree = parse_expression(self.expression, f"{self.key}.expression")
        columns = column_names(tree)
        require_not_label(columns, self.label, self.where)
        require_columns(frame, columns, f"{self.key}.expression")
        require_numeric(frame, columns, self.where)
        warnings = _output_warnings(frame, self.name, self.label, self.where)
        self._evaluate(frame)  # surfaces inf/NaN on the training split now
        self.feature_names_in_ = columns
        self.warnings_ = warnings
        return self

    def _evaluate(self, frame: pd.DataFrame) -> np.ndarray:
        # Parsed again on every call: the tree is not part of the saved state, and re-checking
        # means a hand-edited run directory still cannot smuggle in code.
        tree = parse_expression(self.expression, f"{self.key}.expression")
        columns = {name: values_of(frame, name) for name in column_names(tree)}
        result = evaluate(tree, columns, len(frame))
        inputs_present = np.ones(len(frame), dtype=bool)
        for values in columns.values():
            inputs_present &= np.isfinite(values)
        # Rows with a missing input are missing data (data.missing), not the expression's fault.
        broken = ~np.isfinite(result.values) & inputs_present
        if broken.any():
            cause = result.cause or "an infinite number written in the expression"
            raise DataError(
                f"{self.where}: {self.expression!r} gives inf or NaN in {int(broken.sum())} of "
                f"{len(frame)} rows; likely cause: {cause}. Guard the expression (e.g. log1p "
                "instead of log, or add a constant to a denominator), or clip the inputs first."
            )
        return result.values

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        frame[self.name] = self._evaluate(frame)
        return frame
