"""Labels as numbers: which task a label implies, and its encoding for each task.

regression: the value times data.label_scale (held to finite.LARGEST_VALUE); binary: 0/1 (0/1
values as they are, any other two in ascending order); multiclass: class codes 0..K−1 of the
sorted values; multilabel: a 0/1 matrix, one column per label. `label_above` derives the
crash course's binary label from a numeric one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.data.finite import scaled_label
from mlcc_cli.errors import DataError

# mlp `task: auto`: an integer label with at most this many distinct values holds classes.
AUTO_MAX_CLASSES = 20
# A numeric multiclass label with more distinct values is refused (looks like a regression
# label); classes stored as text have no limit.
MAX_NUMERIC_CLASSES = 100
# Classes with fewer training-table rows than this get a warning.
MIN_CLASS_ROWS = 10


def label_above(values: pd.Series, threshold: float, where: str) -> pd.Series:
    """The binary label 1.0 where value > threshold, else 0.0; missing values stay missing.

    The crash course's logistic-regression exercise: median_house_value > 265000.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        example = _plain(values[bad].iloc[0])
        raise DataError(
            f"{where}: label '{values.name}' has a non-number value {example!r}; "
            "label_above needs a numeric label column"
        )
    return numbers.gt(threshold).astype(np.float64).where(numbers.notna())


def resolve_task(model_config: Any, label_values: pd.Series) -> str:
    """The task a model solves on this label: regression, binary, multiclass or multilabel.

    The `model:` section says (its `task`, see config/models.py); `auto` (an mlp's default)
    reads the label: text or booleans, or at most AUTO_MAX_CLASSES distinct integer values,
    are classes (binary for two, multiclass for more); anything else is a number to regress.
    """
    task = model_config.task
    if task != "auto":
        return task
    values = label_values.dropna()
    distinct = pd.unique(values)
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "binary" if len(distinct) <= 2 else "multiclass"
    integral = bool(np.all(np.mod(values.to_numpy(dtype=np.float64), 1.0) == 0.0))
    if integral and len(distinct) <= AUTO_MAX_CLASSES:
        return "binary" if len(distinct) <= 2 else "multiclass"
    return "regression"


def encode_label(
    values: pd.Series,
    task: str,
    label_scale: float,
    label_name: str,
    model_type: str | None = None,
) -> tuple[np.ndarray, list | None, list[str]]:
    """The label as float64 numbers for a model solving `task`; returns (y, classes, warnings).

    regression: y = value · label_scale, classes None. binary: y ∈ {0, 1}; 0/1 values are used
    as is, any other two values map in ascending order to 0 and 1; classes = [value for 0,
    value for 1]. multiclass: y = the class code 0..K−1 of the sorted distinct values;
    classes = those values. `model_type` (the config's tag) is named in error messages.
    """
    n_missing = int(values.isna().sum())
    if n_missing:
        raise DataError(
            f"data.label: column '{label_name}' has {n_missing} missing values; "
            "set data.missing to drop, or fix the data"
        )
    if task == "regression":
        return _regression_label(values, label_scale, label_name, model_type)
    refuse_label_scale(task, label_scale, label_name)
    if task == "binary":
        return _binary_label(values, label_name)
    if task == "multiclass":
        return _multiclass_label(values, label_name, model_type or task)
    raise ValueError(f"unknown task {task!r}")


def encode_label_matrix(frame: pd.DataFrame, labels: list[str]) -> np.ndarray:
    """multi_label's labels: one 0/1 column per name in `labels`, shape (n_rows, n_labels).

    Each column must hold booleans or the numbers 0 and 1 only; anything else (text, other
    numbers, missing values) is a DataError naming the column, since a multi-label model
    predicts "is this label on?" per column.
    """
    y = np.empty((len(frame), len(labels)), dtype=np.float64)  # (n_rows, n_labels)
    for j, name in enumerate(labels):
        values = frame[name]
        n_missing = int(values.isna().sum())
        if n_missing:
            raise DataError(
                f"data.labels: column '{name}' has {n_missing} missing values; set "
                "data.missing to drop, or fix the data"
            )
        numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        column = values.to_numpy(dtype=np.float64) if numeric else None
        if column is None or not np.isin(column, (0.0, 1.0)).all():
            wrong = values if column is None else values[~np.isin(column, (0.0, 1.0))]
            shown = ", ".join(repr(_plain(v)) for v in pd.unique(wrong)[:3])
            raise DataError(
                f"data.labels: column '{name}' holds {shown}, but a multi_label column must "
                "be 0/1 or true/false (is this label on for the row?); fix the column or "
                "leave it out of data.labels"
            )
        y[:, j] = column
    return y


def _multiclass_label(
    values: pd.Series, label_name: str, kind: str
) -> tuple[np.ndarray, list, list[str]]:
    """Sorted distinct values as classes, codes 0..K−1; DataError for fewer than 3 classes or
    a label that looks like a number to regress; a warning for classes with very few rows."""
    model = f"model.type {kind}" if kind != "multiclass" else "a multiclass model"
    distinct = pd.unique(values)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=np.float64)
        if not np.all(np.mod(numbers, 1.0) == 0.0) or len(distinct) > MAX_NUMERIC_CLASSES:
            raise DataError(
                f"data.label: column '{label_name}' holds {len(distinct)} distinct numbers, "
                f"which looks like a quantity to regress, but {model} predicts classes; use "
                "model.type: linear for a number, or store the classes as text"
            )
    classes = _sorted_values(distinct)
    if len(classes) < 3:
        shown = ", ".join(repr(c) for c in classes)
        raise DataError(
            f"data.label: column '{label_name}' has {len(classes)} class"
            f"{'es' if len(classes) != 1 else ''} ({shown}), but {model} needs at least 3; "
            "for two classes use model.type: logistic (or task: binary on an mlp/cnn)"
        )
    codes = pd.Categorical(values.map(_plain), categories=classes).codes
    counts = np.bincount(codes, minlength=len(classes))
    rare = [(c, int(n)) for c, n in zip(classes, counts, strict=True) if n < MIN_CLASS_ROWS]
    warnings = []
    if rare:
        shown = ", ".join(f"{c!r}: {n}" for c, n in rare[:5]) + (", ..." if len(rare) > 5 else "")
        warnings.append(
            f"label '{label_name}': {len(rare)} of {len(classes)} classes have fewer than "
            f"{MIN_CLASS_ROWS} rows ({shown}); they may be missing from a split and are hard "
            "to learn — gather more examples, merge rare classes, or set data.stratify: true"
        )
    return codes.astype(np.float64), classes, warnings


def _regression_label(
    values: pd.Series, label_scale: float, label_name: str, model_type: str | None
) -> tuple[np.ndarray, None, list[str]]:
    """Numeric label times label_scale; a warning when it only takes two values."""
    if not pd.api.types.is_numeric_dtype(values):
        not_numbers = (v for v in values if pd.isna(pd.to_numeric(v, errors="coerce")))
        example = next(not_numbers, values.iloc[0])  # numerals stored as text: show the first
        raise DataError(
            f"data.label: column '{label_name}' holds text (e.g. {_plain(example)!r}), but "
            f"a regression model (model.type {model_type or 'linear'}) predicts a number; "
            "choose a numeric label, or use model.type: logistic for a label with two classes"
        )
    warnings = two_valued_label_warnings(pd.unique(values), label_name)
    return scaled_label(values.to_numpy(dtype=np.float64), label_scale, label_name), None, warnings


def refuse_label_scale(task: str, label_scale: float, label_name: str) -> None:
    """DataError for data.label_scale on a classifier, whose label holds classes: the
    setting would otherwise be silently ignored."""
    if task != "regression" and label_scale != 1.0:
        raise DataError(
            f"data.label_scale is {label_scale:g}, but this model classifies (task {task}): its "
            f"label '{label_name}' holds classes, not a number to rescale; remove "
            "data.label_scale"
        )


def two_valued_label_warnings(distinct: Sequence[object], label_name: str) -> list[str]:
    """A warning when a regression label takes exactly two distinct values (maybe classes),
    or only one (nothing to learn: R² is undefined)."""
    # Before any scan or sort: a real-valued label's million distinct values cost 0.5 s.
    if len(distinct) > 2:
        return []
    present = [value for value in distinct if not pd.isna(value)]
    if len(present) == 1:
        return [
            f"label '{label_name}' has the same value ({_plain(present[0])!r}) in every row: "
            "there is nothing to learn, and R² (which compares errors with the label's "
            "spread) is undefined; check data.label"
        ]
    if len(distinct) != 2:
        return []
    values = _sorted_values(distinct)
    return [
        f"label '{label_name}' only takes two values ({values[0]!r}, {values[1]!r}); "
        "if they are classes, logistic regression (model.type: logistic) fits it better"
    ]


def _binary_label(values: pd.Series, label_name: str) -> tuple[np.ndarray, list, list[str]]:
    """Two classes as 0/1; other class values are mapped in ascending order, with a warning."""
    classes, warnings = binary_classes(pd.unique(values), label_name)
    y = (values == classes[1]).to_numpy(dtype=np.float64)  # (n,) 1.0 for the positive class
    warnings += class_balance_warnings(float(y.mean()), classes, label_name)
    return y, classes, warnings


def binary_classes(distinct: Sequence[object], label_name: str) -> tuple[list, list[str]]:
    """The two classes [value for 0, value for 1] of a label's distinct values, and warnings.

    DataError unless there are exactly two; values other than 0/1 map in ascending order.
    """
    classes = _sorted_values(distinct)
    if len(classes) == 1:
        raise DataError(
            f"data.label: column '{label_name}' has only one class ({classes[0]!r}); a binary "
            "classifier needs examples of two classes; check data.label and the data split"
        )
    if len(classes) > 2:
        shown = ", ".join(repr(value) for value in classes[:5])
        more = ", ..." if len(classes) > 5 else ""
        if _looks_continuous(classes):
            middle = classes[len(classes) // 2]
            raise DataError(
                f"data.label: column '{label_name}' has {len(classes)} distinct values ({shown}"
                f"{more}): a quantity to predict, not two classes. Predict it with regression "
                "(--set model.type=linear), or ask a yes/no question of it with "
                f"data.label_above (e.g. --set data.label_above={middle:g}: 1 above, 0 at or "
                "below)"
            )
        raise DataError(
            f"data.label: column '{label_name}' has {len(classes)} distinct values ({shown}"
            f"{more}); a binary classifier (logistic, or an mlp/cnn with task: binary) needs "
            f"exactly two classes. For {len(classes)} classes use model.type softmax or "
            "one_vs_all (e.g. --set model.type=softmax), or task: multiclass on an mlp/cnn"
            + (
                "; or ask a yes/no question of the label with data.label_above"
                if _all_numbers(classes)
                else ""
            )
        )
    warnings = []
    # Booleans compare equal to 0 and 1, so True/False counts as 0/1 here too.
    if not all(isinstance(value, int | float) and value in (0, 1) for value in classes):
        warnings.append(
            f"label '{label_name}': {classes[0]!r} -> 0, {classes[1]!r} -> 1 "
            "(two classes mapped in ascending order)"
        )
    return classes, warnings


def class_balance_warnings(positive_share: float, classes: list, label_name: str) -> list[str]:
    """A class-imbalance warning when the rarer class is under 10% of rows."""
    minority = min(positive_share, 1 - positive_share)
    if not minority < 0.1:  # also no warning for NaN (no rows)
        return []
    rare = classes[1] if positive_share < 0.5 else classes[0]
    return [
        f"label '{label_name}': class {rare!r} is only {minority:.1%} of rows (class "
        "imbalance); accuracy can look good while missing it, so watch precision, recall "
        "and AUC, and consider data.stratify: true"
    ]


def _all_numbers(classes: Sequence[object]) -> bool:
    """Every class is an int or float (booleans, though ints to Python, are not)."""
    return all(isinstance(c, int | float) and not isinstance(c, bool) for c in classes)


def _looks_continuous(classes: Sequence[object]) -> bool:
    """True for a numeric label with fractions or more than MAX_NUMERIC_CLASSES values: a
    quantity, as a multiclass model judges it too."""
    if not _all_numbers(classes):
        return False
    fractional = any(float(value) != int(value) for value in classes)  # type: ignore[arg-type]
    return fractional or len(classes) > MAX_NUMERIC_CLASSES


def _plain(value: object) -> object:
    """A numpy scalar as the matching Python value, so reprs and JSON read naturally."""
    return value.item() if isinstance(value, np.generic) else value


def _sorted_values(values: Sequence[object]) -> list:
    """Distinct values as plain Python objects in ascending order (mixed types: by text)."""
    plain = [_plain(value) for value in values]
    try:
        return sorted(plain)
    except TypeError:
        return sorted(plain, key=str)
