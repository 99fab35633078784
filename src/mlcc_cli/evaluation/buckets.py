"""Prediction bias per bucket (crash course: Classification → prediction bias; Regression).

The rows are cut into quantile buckets of the prediction; each bucket compares its mean
prediction with its mean label. For a classifier that is the calibration plot (predicted
probability vs observed rate); for a regressor, where the residuals lean high or low.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.evaluation.metrics import json_safe, prediction_bias
from mlcc_cli.evaluation.values import json_number

N_BUCKETS = 10


@dataclass(frozen=True)
class Bucket:
    """One quantile bucket of the predictions: its range, size, mean prediction and label.

    For a classifier mean_label is the observed rate of class 1; regression buckets add the
    bucket's RMSE and MAE (sklearn).
    """

    lower: float
    upper: float
    count: int
    mean_prediction: float
    mean_label: float
    rmse: float | None = None
    mae: float | None = None

    @property
    def prediction_bias(self) -> float:
        """mean(prediction) − mean(label) within the bucket; near 0 when calibrated."""
        return self.mean_prediction - self.mean_label

    def to_json(self) -> dict[str, Any]:
        """The bucket's numbers, prediction bias included (NaN as null)."""
        numbers = {k: v for k, v in vars(self).items() if v is not None}
        return {**json_safe(numbers), "prediction_bias": json_number(self.prediction_bias)}


def quantile_buckets(
    values: np.ndarray, n_buckets: int = N_BUCKETS
) -> tuple[np.ndarray, np.ndarray]:
    """Each value's bucket among `n_buckets` quantile buckets, and the n_buckets + 1 edges.

    Edges are numpy percentiles at 0, 100/n, …, 100; bucket k holds edges[k] < v ≤
    edges[k+1] (the first also its lower edge). This is exactly the bucketing of
    sklearn.calibration.calibration_curve(strategy="quantile"): equal values share a bucket,
    so repeated edges leave some buckets empty.
    """
    edges = np.percentile(values, np.linspace(0, 1, n_buckets + 1) * 100)
    return np.searchsorted(edges[1:-1], values), edges


def prediction_buckets(
    y: np.ndarray, prediction: np.ndarray, *, errors: bool, n_buckets: int = N_BUCKETS
) -> list[Bucket]:
    """The non-empty quantile buckets of `prediction`, each with its rows' mean label.

    With `errors` each bucket also gets the RMSE and MAE of its rows.
    """
    ids, edges = quantile_buckets(prediction, n_buckets)
    frame = pd.DataFrame({"bucket": ids, "prediction": prediction, "label": y})
    buckets = []
    for k, rows in frame.groupby("bucket", sort=True):
        extra: dict[str, float] = {}
        if errors:
            # deferred: scikit-learn's metrics (about a second to import), for residuals only
            from sklearn import metrics as skm

            extra = {
                "rmse": float(skm.root_mean_squared_error(rows["label"], rows["prediction"])),
                "mae": float(skm.mean_absolute_error(rows["label"], rows["prediction"])),
            }
        buckets.append(
            Bucket(
                lower=float(edges[k]),
                upper=float(edges[k + 1]),
                count=len(rows),
                mean_prediction=float(rows["prediction"].mean()),
                mean_label=float(rows["label"].mean()),
                **extra,
            )
        )
    return buckets


@dataclass(frozen=True)
class RegressionEvaluation:
    """A regressor's residuals per quantile bucket of its prediction, and its overall bias."""

    residuals: list[Bucket]
    prediction_bias: float

    def to_json(self) -> dict[str, Any]:
        """The report's regression section, keyed as in `mlcc evaluate --json`."""
        return {
            "residuals": {
                "prediction_bias": json_number(self.prediction_bias),
                "buckets": [bucket.to_json() for bucket in self.residuals],
            }
        }


def evaluate_regression(y: np.ndarray, prediction: np.ndarray) -> RegressionEvaluation:
    """Residuals per quantile bucket of ŷ: where the model predicts too high or too low."""
    return RegressionEvaluation(
        residuals=prediction_buckets(y, prediction, errors=True),
        prediction_bias=prediction_bias(y, prediction),
    )
