"""Scores of a trained model: a thin layer over scikit-learn plus crash-course extras.

Prediction bias (average prediction − average label) is the crash course's first check that a
classifier is calibrated: it should be near zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def sklearn_metrics() -> Any:
    """sklearn.metrics, imported when a score is first computed (it takes about half a second,
    longer than training a small run, so commands that score nothing never pay for it)."""
    from sklearn import metrics  # deferred: scikit-learn's metrics, for runs that score

    return metrics


def prediction_bias(y: np.ndarray, prediction: np.ndarray) -> float:
    """Prediction bias: mean(prediction) − mean(label); near 0 for a calibrated model."""
    return float(np.mean(prediction) - np.mean(y))


def regression_metrics(
    y: np.ndarray, prediction: np.ndarray, losses: np.ndarray | None = None
) -> dict[str, float]:
    """RMSE, MAE, R², loss and prediction bias of real-valued predictions.

    RMSE = √(mean((ŷ − y)²)); MAE = mean|ŷ − y|; R² = 1 − SS_res / SS_tot. loss is the MSE,
    or the mean of `losses` (n,), the model's own per-example loss when it trains on another
    one (the Poisson deviance of a count model).
    """
    mse = float(sklearn_metrics().mean_squared_error(y, prediction))
    return {
        "rmse": math.sqrt(mse),
        "mae": float(sklearn_metrics().mean_absolute_error(y, prediction)),
        "r2": float(sklearn_metrics().r2_score(y, prediction)) if len(y) > 1 else float("nan"),
        "loss": mse if losses is None else float(np.mean(losses)),
        "prediction_bias": prediction_bias(y, prediction),
    }


def binary_metrics(y: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, float]:
    """Log loss, accuracy, precision, recall, F1, ROC AUC and prediction bias of P(y = 1).

    Class 1 is predicted when probability ≥ threshold. AUC is NaN when the split holds a
    single class (it is undefined there).
    """
    predicted_class = (probability >= threshold).astype(np.int64)
    y_int = y.astype(np.int64)
    both_classes = np.unique(y_int).size == 2
    # one call for the three: each sklearn metric call re-validates and re-counts the labels
    precision, recall, f1, _ = sklearn_metrics().precision_recall_fscore_support(
        y_int, predicted_class, average="binary", zero_division=0
    )
    return {
        "log_loss": float(sklearn_metrics().log_loss(y_int, probability, labels=[0, 1])),
        "accuracy": float(sklearn_metrics().accuracy_score(y_int, predicted_class)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "auc": float(sklearn_metrics().roc_auc_score(y_int, probability))
        if both_classes
        else float("nan"),
        "prediction_bias": prediction_bias(y, probability),
    }


def multiclass_metrics(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """Log loss, accuracy, macro and weighted F1 of class probabilities (n, n_classes).

    y holds class codes 0..K−1; the predicted class is the most probable one. Macro F1 is the
    unweighted mean of the per-class F1 (every class counts the same, however rare); weighted
    F1 weights each class by its support. `baseline_accuracy` is `majority_baseline`'s.
    """
    y_int = y.astype(np.int64)
    labels = list(range(probability.shape[1]))
    predicted_class = np.argmax(probability, axis=1)
    return {
        "log_loss": float(sklearn_metrics().log_loss(y_int, probability, labels=labels)),
        "accuracy": float(sklearn_metrics().accuracy_score(y_int, predicted_class)),
        "baseline_accuracy": majority_baseline(y_int)[1],
        "macro_f1": float(
            sklearn_metrics().f1_score(
                y_int, predicted_class, labels=labels, average="macro", zero_division=0
            )
        ),
        "weighted_f1": float(
            sklearn_metrics().f1_score(
                y_int, predicted_class, labels=labels, average="weighted", zero_division=0
            )
        ),
    }


def multilabel_metrics(
    y: np.ndarray, probability: np.ndarray, threshold: float, labels: list[str] | None = None
) -> dict[str, float]:
    """Multi-label scores of P(label j) per label column, both (n, n_labels) with y 0/1.

    log_loss_LABEL is each column's binary log loss and log_loss their mean (the model's loss
    divided by n_labels). At `threshold`: subset_accuracy = the share of rows whose every
    label is right (strict); hamming_loss = the share of wrong (row, label) cells; micro F1
    pools every cell's counts, macro F1 averages the per-label F1 (every label counts alike).
    """
    names = labels if labels is not None else [str(j) for j in range(probability.shape[1])]
    y_int = y.astype(np.int64)
    predicted = (probability >= threshold).astype(np.int64)
    per_label = {
        f"log_loss_{name}": float(
            sklearn_metrics().log_loss(y_int[:, j], probability[:, j], labels=[0, 1])
        )
        for j, name in enumerate(names)
    }
    return {
        "log_loss": float(np.mean(list(per_label.values()))),
        "subset_accuracy": float(sklearn_metrics().accuracy_score(y_int, predicted)),
        "hamming_loss": float(sklearn_metrics().hamming_loss(y_int, predicted)),
        "micro_f1": float(
            sklearn_metrics().f1_score(y_int, predicted, average="micro", zero_division=0)
        ),
        "macro_f1": float(
            sklearn_metrics().f1_score(y_int, predicted, average="macro", zero_division=0)
        ),
        **per_label,
    }


def label_probability_columns(
    y: np.ndarray, probability: np.ndarray, labels: list[str] | None
) -> dict[str, np.ndarray]:
    """Multi-label predictions columns: label_LABEL (the true 0/1) then p_LABEL, per label."""
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(labels or []):
        columns[f"label_{name}"] = y[:, j].astype(np.int64)
        columns[f"p_{name}"] = probability[:, j]
    return columns


def class_probability_columns(probability: np.ndarray, classes: list) -> dict[str, np.ndarray]:
    """One `p_CLASS` column per class of a (n, n_classes) probability matrix."""
    return {f"p_{c}": probability[:, k] for k, c in enumerate(classes)}


def raw_score_columns(model: Any, X: Any, classes: list) -> dict[str, np.ndarray]:
    """One-vs-all's un-normalised per-class sigmoids as `raw_CLASS` columns (else none).

    Each is that class's own binary classifier's P(class); they need not sum to 1, which
    `p_CLASS` (their normalisation) does.
    """
    if not hasattr(model, "predict_raw_proba"):
        return {}
    raw = model.predict_raw_proba(X)  # (n, n_classes)
    return {f"raw_{c}": raw[:, k] for k, c in enumerate(classes)}


def majority_baseline(y: np.ndarray) -> tuple[int, float]:
    """The majority class of class codes (0/1, or 0..K−1) and the accuracy of always predicting it.

    scikit-learn's DummyClassifier(strategy="most_frequent") (class 0 on a tie): the accuracy
    a classifier must beat before its own accuracy means anything (the crash course's tumour
    classifier is 91% accurate, exactly what "always benign" scores).
    """
    from sklearn.dummy import DummyClassifier  # deferred: scikit-learn, for runs that score

    y_int = y.astype(np.int64)
    no_features = np.zeros((len(y_int), 1))  # the baseline ignores the features
    dummy = DummyClassifier(strategy="most_frequent").fit(no_features, y_int)
    majority = int(dummy.predict(no_features[:1])[0])
    return majority, float(dummy.score(no_features, y_int))


def ranking_metrics(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """Average precision (area under the precision-recall curve) and the majority baseline.

    AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over thresholds (sklearn.metrics.average_precision_score); NaN
    when the rows hold a single class. `baseline_accuracy` is `majority_baseline`'s.
    """
    y_int = y.astype(np.int64)
    both_classes = np.unique(y_int).size == 2
    return {
        "average_precision": float(sklearn_metrics().average_precision_score(y_int, probability))
        if both_classes
        else float("nan"),
        "baseline_accuracy": majority_baseline(y_int)[1],
    }


def json_safe(metrics: dict[str, float]) -> dict[str, float | None]:
    """Metrics with NaN/inf replaced by None, since JSON has no NaN."""
    return {k: (v if isinstance(v, int) or math.isfinite(v) else None) for k, v in metrics.items()}


def task_metrics(
    task: str,
    y: np.ndarray,
    prediction: np.ndarray,
    threshold: float,
    labels: list[str] | None = None,
    losses: np.ndarray | None = None,
) -> dict[str, float]:
    """The task's metric set: binary (prediction = P(y = 1)), multiclass (prediction = class
    probabilities (n, n_classes)), multilabel (prediction = P(label j), (n, n_labels); y the
    0/1 matrix; `labels` name the per-label keys) or regression (prediction = ŷ; `losses`:
    see `regression_metrics`).

    Binary adds `ranking_metrics` to `binary_metrics` (the SPEC's keys); the streamed
    training split rebuilds both from running sums and a sample (streaming/scoring.py).
    """
    if task == "binary":
        return {**binary_metrics(y, prediction, threshold), **ranking_metrics(y, prediction)}
    if task == "multiclass":
        return multiclass_metrics(y, prediction)
    if task == "multilabel":
        return multilabel_metrics(y, prediction, threshold, labels)
    return regression_metrics(y, prediction, losses)


def split_record(scores: dict[str, float], nonzero_weights: int) -> dict[str, float | int | None]:
    """One split's entry of metrics.json: JSON-safe scores plus the model size."""
    return {**json_safe(scores), "nonzero_weights": nonzero_weights}
