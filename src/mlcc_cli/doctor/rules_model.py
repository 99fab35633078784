"""Doctor rules on what the model learned: classification quality and networks.

Classification rules read metrics.json's validation scores and predictions-validation.csv;
the network rules reuse `diagnostics` on the last period's per-layer gradient norms and
dead-ReLU fractions (history.csv columns). L1 sparsity has its own module, `rules_l1`.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.rules_signal import ranking_note, ranks_well
from mlcc_cli.evaluation.classification import precision_recall_of
from mlcc_cli.evaluation.thresholds import threshold_rows
from mlcc_cli.training.diagnostics import dead_relu_warnings, gradient_warnings

BIAS_TOLERANCE = 0.03  # |mean(p) − mean(y)| a calibrated binary model stays within
THRESHOLD_DISTANCE = 0.15  # the F1-best threshold this far from the configured one ...
F1_GAIN = 0.03  # ... and gaining at least this much F1 there
# A regression label spread wider than this (its standard deviation) makes a network's output
# layer carry large weights and gradients; the course divides house values by 1000 for it,
# to a spread of about a hundred.
LARGE_LABEL_SPREAD = 100.0


def _validation(evidence: RunEvidence) -> dict:
    return evidence.metrics.get("validation") or {}


def no_better_than_majority(evidence: RunEvidence) -> list[Finding]:
    """Validation accuracy at or below always predicting the most common class."""
    scores = _validation(evidence)
    if evidence.task not in ("binary", "multiclass") or "baseline_accuracy" not in scores:
        return []
    accuracy, baseline = float(scores["accuracy"]), float(scores["baseline_accuracy"])
    if accuracy > baseline:
        return []
    found = _best_f1_threshold(evidence)
    fix = _threshold_fix(found[0], evidence) if found is not None else ()
    if not fix:  # the threshold is already the F1-best one, or the task has none
        learning_rate = evidence.config.optimizer.learning_rate
        fix = (f"optimizer.learning_rate={format_number(learning_rate * 10)}",)
    advice = (
        "the model has learned nothing accuracy can see; check the threshold, the features "
        "and the training length, and judge it by AUC, precision and recall"
    )
    if ranks_well(evidence):  # the accuracy paradox: learned, but thresholded away
        advice = (
            "with a class this rare, accuracy rewards never predicting it; the model does "
            "rank it, so lower the threshold (see `mlcc evaluate RUN`'s table) and judge it "
            "by precision and recall, choosing the threshold for the cost of each error"
        )
    return [
        Finding(
            kind="no_better_than_majority",
            title="no better than the majority class",
            concept="Classification: accuracy and the class-imbalance paradox",
            evidence=f"validation accuracy {accuracy:.3f} is not above {baseline:.3f}, what "
            "always predicting the most common class scores"
            + (ranking_note(evidence) if ranks_well(evidence) else ""),
            advice=advice,
            fix=fix,
        )
    ]


def prediction_bias(evidence: RunEvidence) -> list[Finding]:
    """|mean prediction − mean label| above BIAS_TOLERANCE on validation (binary)."""
    scores = _validation(evidence)
    if evidence.task != "binary" or scores.get("prediction_bias") is None:
        return []
    bias = float(scores["prediction_bias"])
    if abs(bias) <= BIAS_TOLERANCE:
        return []
    model = evidence.config.model
    l2 = float(getattr(model, "l2", 0.0))
    training = evidence.config.training
    if l2 > 0:
        fix: tuple[str, ...] = (f"model.l2={format_number(l2 / 10)}",)
    elif training.epochs is not None:
        fix = (f"training.epochs={2 * training.epochs}",)
    elif training.steps is not None:
        fix = (f"training.steps={2 * training.steps}",)
    else:
        fix = ("training.epochs=20",)
    return [
        Finding(
            kind="prediction_bias",
            title="prediction bias",
            concept="Classification: prediction bias",
            evidence=f"validation predictions average {bias:+.3f} away from the share of "
            f"positive labels (tolerance ±{BIAS_TOLERANCE})",
            advice="a calibrated model's mean prediction matches the labels' mean; a bias "
            "points at strong regularisation, too short training or a biased training sample",
            fix=fix,
        )
    ]


def _best_f1_threshold(evidence: RunEvidence) -> tuple[float, float, float] | None:
    """(best threshold, F1 there, F1 at the configured threshold) on validation, or None:
    the best-F1 threshold `mlcc evaluate` reports (`precision_recall_of`) and the F1 of its
    threshold table (`threshold_rows`)."""
    y, p = evidence.validation_labels, evidence.validation_predictions
    if y is None or p is None or len(np.unique(y)) < 2:
        return None
    y = y.astype(np.int64)
    best = precision_recall_of(y, p).best_f1_threshold
    current = evidence.config.evaluation.threshold
    rows = {row.threshold: row.f1 for row in threshold_rows(y, p, {best: (), current: ()})}
    return best, rows[best], rows[float(current)]


def _threshold_fix(best: float, evidence: RunEvidence) -> tuple[str, ...]:
    """`evaluation.threshold=` the best-F1 threshold, rounded into (0, 1); () if unchanged."""
    threshold = min(max(round(best, 2), 0.01), 0.99)
    if threshold == evidence.config.evaluation.threshold:
        return ()
    return (f"evaluation.threshold={threshold}",)


def threshold_far_from_best_f1(evidence: RunEvidence) -> list[Finding]:
    """The configured threshold over THRESHOLD_DISTANCE from the F1-best one on validation,
    and F1 there at least F1_GAIN higher."""
    found = _best_f1_threshold(evidence) if evidence.task == "binary" else None
    if found is None:
        return []
    best, best_f1, current_f1 = found
    current = evidence.config.evaluation.threshold
    if abs(best - current) <= THRESHOLD_DISTANCE or best_f1 - current_f1 < F1_GAIN:
        return []
    return [
        Finding(
            kind="threshold_far_from_best_f1",
            title="threshold far from the best-F1 threshold",
            concept="Classification: thresholds, precision and recall",
            evidence=f"at threshold {current:g} validation F1 is {current_f1:.3f}; at "
            f"{best:.2f} it would be {best_f1:.3f}",
            advice="the threshold trades precision for recall; choose it for the costs of "
            "each kind of error (see `mlcc evaluate RUN` for the whole table)",
            fix=_threshold_fix(best, evidence),
        )
    ]


def _label_scale_fix(evidence: RunEvidence) -> tuple[str, ...]:
    """`data.label_scale=…` bringing a regression label's spread under LARGE_LABEL_SPREAD
    (by a power of ten) when it is above: a network's output layer then needs no huge weights
    or gradients. The spread is the label's standard deviation, RMSE/√(1 − R²)."""
    scores = evidence.metrics.get("validation") or evidence.metrics.get("train") or {}
    rmse, r2 = scores.get("rmse"), scores.get("r2")
    if evidence.task != "regression" or rmse is None or r2 is None or float(r2) >= 1.0:
        return ()
    spread = float(rmse) / float(np.sqrt(1.0 - float(r2)))
    if not np.isfinite(spread) or spread <= LARGE_LABEL_SPREAD:
        return ()
    factor = 10.0 ** -np.ceil(np.log10(spread / LARGE_LABEL_SPREAD))
    return (f"data.label_scale={format_number(evidence.config.data.label_scale * factor)}",)


def network_training(evidence: RunEvidence) -> list[Finding]:
    """Dead ReLUs and vanishing/exploding gradients, from the last period's layer metrics."""
    if not evidence.model.layer_diagnostics or evidence.history.empty:
        return []
    last = {
        str(k): float(v)
        for k, v in evidence.history.iloc[-1].items()
        if str(k).startswith(("grad_norm_K", "grad_norm_W", "dead_relu_")) and np.isfinite(v)
    }
    learning_rate = float(evidence.config.optimizer.learning_rate)
    findings = []
    for message in gradient_warnings(last):
        exploding = message.startswith("exploding")
        findings.append(
            Finding(
                kind="exploding_gradients" if exploding else "vanishing_gradients",
                title=message.split(":")[0],
                concept="Neural networks: backpropagation failure cases",
                evidence=message.split(";")[0].split(": ", 1)[1],
                advice=message.split("; ", 1)[1],
                fix=(
                    (
                        "optimizer.clip_norm=1",
                        *_label_scale_fix(evidence),
                        *evidence.model.stability_fixes(),
                    )
                    if exploding
                    else ("model.activation=relu", *evidence.model.stability_fixes())
                ),
                period=len(evidence.history),
            )
        )
    dead = dead_relu_warnings(last)
    if dead:
        layers = "; ".join(message.split(";")[0].split(": ", 1)[1] for message in dead)
        findings.append(
            Finding(
                kind="dead_relu",
                title="dead ReLU units",
                concept="Neural networks: dead ReLU units",
                evidence=layers,
                advice=dead[0].split("; ", 1)[1],
                fix=(
                    f"optimizer.learning_rate={format_number(learning_rate / 10)}",
                    "model.activation=leaky_relu",
                ),
                period=len(evidence.history),
            )
        )
    return findings
