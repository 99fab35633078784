"""Doctor rule on the label itself: a long tail that the squared loss is fitted to.

A few huge labels (claims, prices, visits) dominate the squared loss: the model is pulled to
fit them and its RMSE is mostly their error. When such a label grows multiplicatively with
the inputs (counts of events, prices), a straight line cannot follow it, and the model built
for it is Poisson regression: rate exp(w·x + b), its deviance weighing each error by the size
the label is expected to have. mlcc's Poisson model takes counts (whole numbers ≥ 0), so that
is the fix for a count label; for other values the advice is the log of the label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.rules_data import LONG_TAIL_SKEW
from mlcc_cli.models.poisson import not_counts

TOP_SHARE = 0.05  # the largest 5% of the validation labels ...
TAIL_ERROR_SHARE = 0.5  # ... make half or more of the validation squared error
MIN_ROWS = 30


def _tail_error_share(y: np.ndarray, prediction: np.ndarray) -> float:
    """The share of Σ(y − ŷ)² made by the rows whose label is in the top TOP_SHARE."""
    squared = (y - prediction) ** 2
    top = y >= np.quantile(y, 1.0 - TOP_SHARE)
    total = float(squared.sum())
    return float(squared[top].sum()) / total if total > 0 else 0.0


def long_tailed_label(evidence: RunEvidence) -> list[Finding]:
    """A regression label with skewness over LONG_TAIL_SKEW whose top TOP_SHARE of values
    make TAIL_ERROR_SHARE+ of the validation squared error; for a count label of a linear
    model (label_scale 1), `model.type=poisson`."""
    y, prediction = evidence.validation_labels, evidence.validation_predictions
    if evidence.task != "regression" or y is None or prediction is None or len(y) < MIN_ROWS:
        return []
    if not (np.isfinite(y).all() and np.isfinite(prediction).all()):
        return []
    skew = float(pd.Series(y).skew())
    share = _tail_error_share(y, prediction)
    if not skew > LONG_TAIL_SKEW or share < TAIL_ERROR_SHARE:
        return []
    counts = not not_counts(y).any() and evidence.config.data.label_scale == 1
    count_fixes = evidence.model.count_label_fixes() if counts else ()
    poisson = bool(count_fixes)
    if poisson:
        advice = (
            "a straight line fitted by squared loss chases them; counts that grow "
            "multiplicatively with the inputs are what Poisson regression models: a rate "
            "exp(w·x + b), its deviance weighing each error by the label's expected size"
        )
    else:
        advice = (
            "a model fitted by squared loss chases them; mlcc has no label transform, so "
            "predict the log of the label (a log(1 + y) column in the file), or, for counts, "
            "use model.type=poisson"
        )
    return [
        Finding(
            kind="long_tailed_label",
            title="long-tailed label",
            concept="Numerical data: log scaling (of the label)",
            evidence=f"the validation label has skewness {skew:.1f}: its median is "
            f"{format_number(float(np.median(y)))} but it reaches "
            f"{format_number(float(y.max()))}, and its largest {TOP_SHARE:.0%} make "
            f"{share:.0%} of the validation squared error",
            advice=f"a few huge labels dominate the loss and the RMSE; {advice}",
            fix=count_fixes,
        )
    ]
