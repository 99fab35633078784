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
BIAS_SPREADS = 3.0  # ... or this many standard errors of the validation label share
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


def bias_tolerance(evidence: RunEvidence) -> float:
    """How far a calibrated model's mean prediction may sit from the validation labels' mean
    by chance: BIAS_TOLERANCE, or BIAS_SPREADS standard errors when larger. For a calibrated
    model each label is a coin of its own prediction's bias, so mean(y − p) over n rows has
    standard error √(Σ p(1 − p)) / n (the calibration-in-the-large z-test): small for a
    confident model, ±0.087 at 300 rows of a model that predicts about ½ everywhere."""
    p = evidence.validation_predictions
    if p is None or len(p) == 0 or not np.isfinite(p).all():
        return BIAS_TOLERANCE
    spread = float(np.sqrt(np.sum(p * (1.0 - p)))) / len(p)
    return max(BIAS_TOLERANCE, BIAS_SPREADS * spread)


def prediction_bias(evidence: RunEvidence) -> list[Finding]:
    """|mean prediction − mean label| on validation (binary) above BIAS_TOLERANCE, and either
    the model's own (the training rows show it too, the same way) or beyond what the
    validation rows' share wanders by chance (`bias_tolerance`)."""
    scores = _validation(evidence)
    if evidence.task != "binary" or scores.get("prediction_bias") is None:
        return []
    bias = float(scores["prediction_bias"])
    train_bias = (evidence.metrics.get("train") or {}).get("prediction_bias")
    tolerance = bias_tolerance(evidence)
    # A model trained too short or held back is biased on the rows it trained on too.
    on_training = isinstance(train_bias, int | float) and bias * train_bias > 0
    on_training = on_training and abs(float(train_bias)) > BIAS_TOLERANCE
    if abs(bias) <= BIAS_TOLERANCE or not (on_training or abs(bias) > tolerance):
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
            "positive labels"
            + (
                f" and training predictions {float(train_bias):+.3f} (tolerance ±{BIAS_TOLERANCE})"
                if on_training
                else f", beyond the ±{tolerance:.3g} the validation rows' own label share "
                "wanders by chance"
            ),
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
    and F1 there at least F1_GAIN higher than at the configured one and than calling every
    row positive scores."""
    found = _best_f1_threshold(evidence) if evidence.task == "binary" else None
    if found is None:
        return []
    best, best_f1, current_f1 = found
    current = evidence.config.evaluation.threshold
    if abs(best - current) <= THRESHOLD_DISTANCE or best_f1 - current_f1 < F1_GAIN:
        return []
    # Calling every row positive scores F1 = 2p / (1 + p) for a positive share p: a "best"
    # threshold no better than that is the model given up, not a threshold to choose.
    y = evidence.validation_labels
    share = float(np.mean(y)) if y is not None and len(y) else 0.0
    if best_f1 - 2.0 * share / (1.0 + share) < F1_GAIN:
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
