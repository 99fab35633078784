"""Scoring a model over a streamed file: one pass gives the period losses and every metric.

The training split may be larger than memory, so its scores are running sums: the loss,
squared and absolute errors and the label's moments (regression), log loss and the confusion
counts (classification), all exact. Only its AUC and average precision, which rank every
prediction, come from a uniform sample of TRAIN_SAMPLE (prediction, label) pairs: exact
while the split is no larger, an estimate (with a warning) beyond. Validation and test
predictions are kept (24 bytes a row with the row id), since predictions-validation.csv and
the ROC curve need them; their metrics are the in-memory functions applied to them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlcc_cli.evaluation.metrics import split_record, task_metrics
from mlcc_cli.features.accumulators import Moments, Reservoir
from mlcc_cli.models.base import SQUARED_ERROR
from mlcc_cli.training.schedule import Evaluation
from mlcc_cli.training.streaming.source import DesignChunk
from mlcc_cli.training.streaming.splits import CODES, TRAIN

TRAIN_SAMPLE = 1_000_000
SPLIT_NAMES = {code: name for name, code in CODES.items()}


class _SplitScores:
    """What every split accumulates: example count, summed data loss, correct at `threshold`
    (binary: class 1 where P(y = 1) ≥ it, the run's evaluation.threshold) or summed squared
    error (regression)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.count = 0
        self.loss_sum = 0.0
        self.correct = 0
        self.squared = 0.0

    def add(self, model: Any, chunk: DesignChunk) -> np.ndarray:
        """Score one chunk; returns its predictions: ŷ or P(y = 1), shape (n_samples,)."""
        n = len(chunk.y)
        self.count += n
        self.loss_sum += model.loss(chunk.X, chunk.y) * n  # loss is a mean over the chunk
        prediction = model.predict_scores(chunk.X)
        if model.task == "binary":
            self.correct += int(np.count_nonzero((prediction >= self.threshold) == chunk.y))
        elif model.task == "regression":
            residual = prediction - chunk.y
            self.squared += float(residual @ residual)
        return prediction

    def history(self, name: str, task: str, rmse_from_loss: bool) -> tuple[float, dict[str, float]]:
        """The period record's loss and task metric, as training.loop words them: RMSE is
        √loss when the loss is the squared error, else measured from the predictions."""
        loss = self.loss_sum / self.count
        if task == "regression":
            mse = loss if rmse_from_loss else self.squared / self.count
            return loss, {f"{name}_rmse": math.sqrt(mse)}
        return loss, {f"{name}_accuracy": self.correct / self.count}


class TrainScores(_SplitScores):
    """Running sums over the training split: every metric without keeping predictions."""

    def __init__(self, threshold: float, rng: np.random.Generator) -> None:
        super().__init__(threshold)
        self.absolute = self.prediction_sum = self.log_loss_sum = 0.0
        self.label = Moments()
        self.confusion = np.zeros((2, 2), dtype=np.int64)  # [label, predicted class]
        self.sample = Reservoir(TRAIN_SAMPLE, rng)  # (P(y = 1), label) pairs for the AUC

    def add(self, model: Any, chunk: DesignChunk) -> np.ndarray:
        """Fold one chunk of training rows into the sums."""
        # deferred: scikit-learn's metrics (about a second to import), only when this is scored
        from sklearn import metrics as skm

        prediction = super().add(model, chunk)
        y = chunk.y
        self.prediction_sum += float(prediction.sum())
        self.label.add(y)
        if model.task == "regression":  # the squared error is summed by _SplitScores
            self.absolute += float(np.abs(prediction - y).sum())
            return prediction
        self.log_loss_sum += float(skm.log_loss(y, prediction, labels=[0, 1], normalize=False))
        predicted = (prediction >= self.threshold).astype(np.int64)
        np.add.at(self.confusion, (y.astype(np.int64), predicted), 1)
        self.sample.add(np.column_stack([prediction, y]))
        return prediction

    def metrics(self, task: str, own_loss: bool = False) -> tuple[dict[str, float], list[str]]:
        """The in-memory metric set (metrics.regression/binary_metrics) from the sums; with
        `own_loss`, regression's loss is the model's (its mean over the split), not the MSE."""
        # deferred: scikit-learn's metrics (about a second to import), only when this is scored
        from sklearn import metrics as skm

        n = self.count
        bias = self.prediction_sum / n - self.label.mean
        if task == "regression":
            ss_total = self.label.m2
            r2 = 1.0 - self.squared / ss_total if ss_total > 0 else float(self.squared == 0)
            mse = self.squared / n
            return {
                "rmse": math.sqrt(mse),
                "mae": self.absolute / n,
                "r2": r2 if n > 1 else math.nan,
                "loss": self.loss_sum / n if own_loss else mse,
                "prediction_bias": bias,
            }, []
        (tn, fp), (fn, tp) = self.confusion.tolist()
        sample = self.sample.sample
        auc = average_precision = math.nan
        if len(np.unique(sample[:, 1])) == 2:
            auc = float(skm.roc_auc_score(sample[:, 1].astype(np.int64), sample[:, 0]))
            average_precision = float(
                skm.average_precision_score(sample[:, 1].astype(np.int64), sample[:, 0])
            )
        positives = tp + fn
        # DummyClassifier(most_frequent): class 0 on a tie, exact from the counts.
        baseline_accuracy = max(positives, n - positives) / n
        warnings = []
        if n > TRAIN_SAMPLE:
            warnings.append(
                f"metrics: train auc and average_precision are estimated from a uniform sample "
                f"of {TRAIN_SAMPLE:,} of the {n:,} training rows (streaming keeps every "
                "prediction for validation only)"
            )
        return {
            "log_loss": self.log_loss_sum / n,
            "accuracy": (tp + tn) / n,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            # F1 = 2·tp / (2·tp + fp + fn), the form scikit-learn computes.
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
            "auc": auc,
            "prediction_bias": bias,
            "average_precision": average_precision,
            "baseline_accuracy": baseline_accuracy,
        }, warnings


class HeldScores(_SplitScores):
    """A validation or test split's predictions, kept whole for metrics and the CSV."""

    def __init__(self, threshold: float) -> None:
        super().__init__(threshold)
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, model: Any, chunk: DesignChunk) -> np.ndarray:
        """Score one chunk and keep (row_id, label, prediction)."""
        prediction = super().add(model, chunk)
        self.parts.append((chunk.row_ids, chunk.y, prediction))
        return prediction

    def columns(self) -> dict[str, np.ndarray]:
        """row_id, label and prediction of every row, in file order."""
        names = ("row_id", "label", "prediction")
        return {
            name: np.concatenate([part[i] for part in self.parts]) for i, name in enumerate(names)
        }


@dataclass
class PassScores:
    """Everything one pass over the file measured, and the weights it measured."""

    task: str
    threshold: float
    params: dict[str, np.ndarray]
    train: TrainScores
    held: dict[str, HeldScores] = field(default_factory=dict)
    rmse_from_loss: bool = True  # the model's loss is the squared error (regression)

    def add(self, model: Any, chunk: DesignChunk) -> None:
        """Route one chunk to its split's scores."""
        if chunk.split == TRAIN:
            self.train.add(model, chunk)
        else:
            held = self.held.setdefault(SPLIT_NAMES[chunk.split], HeldScores(self.threshold))
            held.add(model, chunk)

    def evaluation(self) -> Evaluation:
        """The period record's losses and task metrics."""
        train_loss, metrics = self.train.history("train", self.task, self.rmse_from_loss)
        validation_loss = None
        if "validation" in self.held:
            validation_loss, more = self.held["validation"].history(
                "validation", self.task, self.rmse_from_loss
            )
            metrics |= more
        return Evaluation(train_loss, validation_loss, metrics)

    def scored(self, model: Any) -> bool:
        """Whether these scores belong to the model's current weights."""
        params = model.params
        return all(np.array_equal(params[name], value) for name, value in self.params.items())

    def metrics(self, model: Any, splits: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
        """metrics.json: per split the in-memory metric set plus nonzero_weights."""
        results: dict[str, Any] = {}
        train, warnings = self.train.metrics(self.task, own_loss=not self.rmse_from_loss)
        for name in splits:
            if name == "train":
                scores = train
            elif name in self.held:
                columns = self.held[name].columns()
                y, prediction = columns["label"], columns["prediction"]
                losses = model.metric_losses(y, prediction)
                scores = task_metrics(self.task, y, prediction, self.threshold, losses=losses)
            else:
                continue
            results[name] = split_record(scores, model.nonzero_weights())
        return results, warnings

    def predictions(self) -> dict[str, np.ndarray] | None:
        """predictions-validation.csv's columns, or None without validation rows."""
        return self.held["validation"].columns() if "validation" in self.held else None


def start_scores(
    model: Any, task: str, threshold: float, sample_rng: np.random.Generator
) -> PassScores:
    """Empty scores for one pass, remembering the weights being scored."""
    params = {name: value.copy() for name, value in model.params.items()}
    train = TrainScores(threshold, sample_rng)
    return PassScores(
        task, threshold, params, train, rmse_from_loss=model.loss_name == SQUARED_ERROR
    )
