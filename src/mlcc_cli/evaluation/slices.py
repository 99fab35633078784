"""Metrics per slice of the evaluated rows (crash course: Fairness).

A model can be good on average and still bad for one group: `mlcc evaluate --slice-by
COLUMN` groups the scored rows by a column of the data (one slice per value, or quantile
buckets of a numeric column with many values) and shows each slice's headline metrics next
to those of all rows, flagging slices much worse than the whole.

Every number comes from the whole-split helpers: `threshold_row` (sklearn confusion_matrix,
accuracy_score), `binary_metrics` (roc_auc_score), `regression_metrics` (mean_squared_error,
mean_absolute_error), `multiclass_metrics` and `multilabel_metrics`; the buckets are
pandas.qcut's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.evaluation.metrics import (
    binary_metrics,
    json_safe,
    multiclass_metrics,
    multilabel_metrics,
    regression_metrics,
)
from mlcc_cli.evaluation.thresholds import threshold_row

DEFAULT_SLICE_BUCKETS = 4
MAX_VALUES = 10  # a numeric column with more distinct values is cut into quantile buckets
FEW_ROWS = 30  # a slice smaller than this is marked "few rows": its metrics are noisy
MISSING = "<missing>"
ALL_ROWS = "all rows"
RATE_RATIO, RATE_GAP = 1.5, 0.05  # an error rate this many times, and this much, above all rows
RMSE_RATIO = 1.25  # a regression slice's RMSE this many times that of all rows

FLAG_RULES = {
    "binary": f"FPR or FNR > {RATE_RATIO:g}× all rows' and ≥ {RATE_GAP:g} above it",
    "regression": f"RMSE > {RMSE_RATIO:g}× all rows'",
    "multiclass": f"error rate (1 − accuracy) > {RATE_RATIO:g}× all rows' and ≥ {RATE_GAP:g} "
    "above it",
    "multilabel": f"label error rate (1 − label accuracy) > {RATE_RATIO:g}× all rows' and "
    f"≥ {RATE_GAP:g} above it",
}


@dataclass(frozen=True)
class SliceRow:
    """One slice's size and metrics (see `slice_metrics`).

    `flags` say how it is much worse than all rows ("FNR ×2.1", see FLAG_RULES); `few_rows`
    marks a slice under FEW_ROWS rows, whose metrics are noisy.
    """

    name: str
    count: int
    metrics: dict[str, float]
    flags: tuple[str, ...] = ()
    few_rows: bool = False

    def to_json(self) -> dict[str, Any]:
        """The slice's name, size, metrics (NaN as null) and flags."""
        return {
            "slice": self.name,
            "count": self.count,
            **json_safe(self.metrics),
            "flags": list(self.flags),
            "few_rows": self.few_rows,
        }


@dataclass(frozen=True)
class SliceReport:
    """The metrics of each slice of `column`, and of all rows (`total`).

    `bucketed`: the slices are quantile buckets (else one per value); `names` lists them in
    order, `<missing>` last. Slice counts (and binary confusion cells) sum to the total's.
    """

    column: str
    task: str
    bucketed: bool
    names: list[str]
    rows: list[SliceRow]
    total: SliceRow
    warnings: list[str] = field(default_factory=list)

    @property
    def flag_rule(self) -> str:
        """When a slice is flagged as much worse than all rows."""
        return FLAG_RULES[self.task]

    @property
    def few_rows_below(self) -> int:
        """Slices with fewer rows than this are marked `few_rows`."""
        return FEW_ROWS

    def to_json(self) -> dict[str, Any]:
        """The `slices` object of `mlcc evaluate --json`."""
        return {
            "column": self.column,
            "buckets" if self.bucketed else "values": self.names,
            "flag_rule": self.flag_rule,
            "few_rows_below": self.few_rows_below,
            "rows": [row.to_json() for row in self.rows],
            "all": self.total.to_json(),
        }


def _number(value: float, digits: int) -> str:
    """A value or bucket edge as text: whole numbers without decimals, else `digits` digits."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}g}"


def _value_name(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return _number(value, 6)
    return str(value)


def slice_codes(values: pd.Series, n_buckets: int) -> tuple[list[str], np.ndarray, bool]:
    """Each row's slice: returns (slice names, codes (n,) indexing them, bucketed).

    Non-numeric columns, and numeric ones with at most MAX_VALUES distinct values, get one
    slice per value (sorted). Other numeric columns get `n_buckets` quantile buckets
    (pandas.qcut, duplicates="drop", so repeated edges merge buckets); bucket k holds
    edges[k] < v ≤ edges[k+1], the first one also its lower edge, hence names like
    "[1, 18]", "(18, 29]"; a bucket no row falls in is left out. Missing values form the
    last slice, `<missing>`; so does empty
    text, which is how a streamed CSV reads an empty field.
    """
    values = values.reset_index(drop=True)
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    missing = values.isna().to_numpy(copy=True)  # written to below
    if not numeric:
        missing |= (values.astype(object) == "").to_numpy()
    present = values[~missing]
    codes = np.zeros(len(values), dtype=np.int64)
    bucketed = numeric and present.nunique() > MAX_VALUES
    if bucketed:
        # No more buckets than rows: qcut allocates an edge per bucket asked for, and
        # `--slice-buckets 1000000000000` would ask for terabytes.
        cut, edges = pd.qcut(present, min(n_buckets, present.size), duplicates="drop", retbins=True)
        names = [
            f"{'[' if k == 0 else '('}{_number(edges[k], 4)}, {_number(edges[k + 1], 4)}]"
            for k in range(len(edges) - 1)
        ]
        codes[~missing] = cut.cat.codes.to_numpy()
        # Tied values can leave a quantile bucket with no row (more buckets asked for than the
        # data's distinct quantiles); a slice with no rows has no metrics: leave it out.
        held = np.bincount(codes[~missing], minlength=len(names)) > 0
        if not held.all():
            codes[~missing] = (np.cumsum(held) - 1)[codes[~missing]]
            names = [name for name, kept in zip(names, held, strict=True) if kept]
    else:
        distinct = list(present.unique())
        try:
            distinct.sort()
        except TypeError:  # mixed types in one column: order by their text
            distinct.sort(key=str)
        names = [_value_name(v) for v in distinct]
        codes[~missing] = pd.Categorical(present, categories=distinct).codes
    if missing.any():
        codes[missing] = len(names)
        names.append(MISSING)
    return names, codes, bucketed


def slice_metrics(
    task: str, y: np.ndarray, prediction: np.ndarray, threshold: float
) -> dict[str, float]:
    """The headline metrics of some scored rows, for a slice table.

    binary (prediction = P(y = 1), class 1 when P ≥ threshold): positives, the confusion
    cells tn/fp/fn/tp, accuracy, FPR = FP / (FP + TN), FNR = FN / (FN + TP) (NaN without
    negatives / positives), AUC (NaN for one class), mean prediction and prediction bias =
    mean(ŷ) − mean(y). regression: RMSE = √mean((ŷ − y)²), MAE = mean|ŷ − y|, prediction
    bias. multiclass: accuracy and log loss. multilabel: label_accuracy, the mean per-label
    accuracy (= 1 − Hamming loss), and log loss (mean over labels).
    """
    if task == "binary":
        row = threshold_row(y, prediction, threshold)
        scores = binary_metrics(y, prediction, threshold)
        return {
            "positives": int(np.sum(y == 1)),
            "tn": row.tn,
            "fp": row.fp,
            "fn": row.fn,
            "tp": row.tp,
            "accuracy": row.accuracy,
            "fpr": row.fpr,
            "fnr": row.fn / (row.fn + row.tp) if row.fn + row.tp else math.nan,
            "auc": scores["auc"],
            "mean_prediction": float(np.mean(prediction)),
            "prediction_bias": scores["prediction_bias"],
        }
    if task == "multiclass":
        scores = multiclass_metrics(y, prediction)
        return {"accuracy": scores["accuracy"], "log_loss": scores["log_loss"]}
    if task == "multilabel":
        scores = multilabel_metrics(y, prediction, threshold)
        return {"label_accuracy": 1 - scores["hamming_loss"], "log_loss": scores["log_loss"]}
    scores = regression_metrics(y, prediction)
    return {k: scores[k] for k in ("rmse", "mae", "prediction_bias")}


def _worse(value: float, overall: float, ratio: float, gap: float) -> bool:
    """True when `value` is more than ratio × overall and at least gap above it (NaN: no)."""
    return value > ratio * overall and value - overall >= gap


def slice_flags(task: str, scores: dict[str, float], overall: dict[str, float]) -> list[str]:
    """Why a slice is much worse than all rows (see FLAG_RULES), as short markers."""
    checks: list[tuple[str, float, float, float, float]]  # name, slice, all rows, ratio, gap
    if task == "binary":
        checks = [
            (name.upper(), scores[name], overall[name], RATE_RATIO, RATE_GAP)
            for name in ("fpr", "fnr")
        ]
    elif task == "regression":
        checks = [("RMSE", scores["rmse"], overall["rmse"], RMSE_RATIO, 0.0)]
    else:
        key = "accuracy" if task == "multiclass" else "label_accuracy"
        checks = [("error", 1 - scores[key], 1 - overall[key], RATE_RATIO, RATE_GAP)]
    flags = []
    for name, value, whole, ratio, gap in checks:
        if _worse(value, whole, ratio, gap):
            times = f"×{value / whole:.1f}" if whole > 0 else f"{value:.2g} vs 0"
            flags.append(f"{name} {times}")
    return flags


def evaluate_slices(
    column: str,
    values: pd.Series,
    task: str,
    y: np.ndarray,
    prediction: np.ndarray,
    threshold: float,
    n_buckets: int = DEFAULT_SLICE_BUCKETS,
) -> SliceReport:
    """The metrics per slice of `values` (n,), one value of `column` per scored row.

    y and prediction are the scored rows' labels and predictions, in the same order (shapes
    as in `build_report`).
    """
    names, codes, bucketed = slice_codes(values, n_buckets)
    overall = slice_metrics(task, y, prediction, threshold)
    rows = []
    for k, name in enumerate(names):
        inside = codes == k
        scores = slice_metrics(task, y[inside], prediction[inside], threshold)
        flags = tuple(slice_flags(task, scores, overall))
        count = int(inside.sum())
        rows.append(SliceRow(name, count, scores, flags, few_rows=count < FEW_ROWS))
    warnings = []
    real_buckets = len(names) - (names[-1] == MISSING)
    if bucketed and real_buckets < n_buckets:
        warnings.append(
            f"--slice-by {column}: {real_buckets} quantile buckets instead of {n_buckets}, "
            "since repeated values share bucket edges"
        )
    total = SliceRow(ALL_ROWS, len(y), overall)
    return SliceReport(column, task, bucketed, names, rows, total, warnings)
