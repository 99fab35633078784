"""Every rule of the run doctor, applied in order, one root cause first: `diagnose(evidence)`.

When training diverged, could not pass its gradient back, crawled or stopped early, that is
the root cause of whatever else looks wrong downstream: a model that has not learned is
biased, no better than the majority and badly thresholded *because* it has not learned. Those
symptoms are then not offered as fixes of their own; the root cause's finding names them
instead. No finding offers a fix the run already had.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.doctor.fixes import new_fixes
from mlcc_cli.doctor.rules_capacity import class_imbalance, narrow_hidden_layer
from mlcc_cli.doctor.rules_data import features_not_scaled
from mlcc_cli.doctor.rules_fit import (
    no_signal,
    overfitting,
    underfitting,
    validation_below_training,
)
from mlcc_cli.doctor.rules_l1 import l1_sparsity
from mlcc_cli.doctor.rules_l2 import l2_step_overshoots, l2_too_strong
from mlcc_cli.doctor.rules_label import long_tailed_label
from mlcc_cli.doctor.rules_label_scale import label_out_of_reach
from mlcc_cli.doctor.rules_learning_rate import learning_rate_too_high, learning_rate_too_low
from mlcc_cli.doctor.rules_model import (
    network_training,
    no_better_than_majority,
    prediction_bias,
    threshold_far_from_best_f1,
)
from mlcc_cli.doctor.rules_progress import still_improving
from mlcc_cli.doctor.rules_split import (
    target_leakage,
    unshuffled_split,
    validation_copies_training,
    validation_too_small,
)
from mlcc_cli.doctor.rules_tails import long_tails

# In the order their warnings are listed, the first fix first: what breaks training or the
# split, then how the model fits, then the data, and last long tails, which cost a run some
# fit rather than break it (a healthy California run has them).
RULES: tuple[Callable[[RunEvidence], list[Finding]], ...] = (
    validation_too_small,
    target_leakage,
    unshuffled_split,
    validation_copies_training,
    label_out_of_reach,
    l2_step_overshoots,
    learning_rate_too_high,
    learning_rate_too_low,
    still_improving,
    overfitting,
    underfitting,
    no_signal,
    validation_below_training,
    features_not_scaled,
    long_tailed_label,
    no_better_than_majority,
    prediction_bias,
    threshold_far_from_best_f1,
    l1_sparsity,
    l2_too_strong,
    network_training,
    narrow_hidden_layer,
    class_imbalance,
    long_tails,
)
# The symptoms of a model that has not learned (well): whatever root cause fired explains them.
SYMPTOMS = {
    "no_better_than_majority": "no better than the majority class",
    "prediction_bias": "the prediction bias",
    "threshold_far_from_best_f1": "the threshold far from the F1-best one",
}
# A network that cannot pass its gradient back has the capacity it lacks the training for:
# its plateau is not the model being too simple.
UNTRAINABLE = SYMPTOMS | {
    "underfitting": "the flat loss, which more capacity would not lift",
    "no_signal": "the flat loss, which more capacity would not lift",
    "learning_rate_too_low": "the slow fall of the loss",
}
# Root causes in priority order, each with the findings it explains. An overfit model's
# validation predictions are off because it memorised the training rows.
# Inputs on scales 1000× apart make gradient descent zigzag or crawl: the loss's pace is theirs.
# Too few validation rows: every verdict read off them is chance, whatever it says; a sorted
# file split unshuffled: every verdict read off validation describes other examples.
JUDGED_ON_VALIDATION = SYMPTOMS | {
    "overfitting": "the apparent overfitting",
    "validation_below_training": "validation scoring better than training",
}
ROOT_CAUSES: dict[str, dict[str, str]] = {
    "validation_too_small": JUDGED_ON_VALIDATION,
    "unshuffled_split": JUDGED_ON_VALIDATION,
    "features_not_scaled": SYMPTOMS
    | {
        "learning_rate_too_high": "the bouncing loss",
        "learning_rate_too_low": "the slow loss",
    },
    # The penalty's own step overshooting 0 makes the loss bounce or blow up, whatever the rate
    # does for the data: the bouncing, the divergence and the gradients are the penalty's.
    "l2_step_overshoots": SYMPTOMS
    | {
        "learning_rate_too_high": "the bouncing or exploding loss",
        "exploding_gradients": "the exploding gradients",
        "l2_too_strong": "the weights the penalty holds",
        "underfitting": "the high loss",
        "no_signal": "the high loss",
        "still_improving": "the unsettled end of the curve",
    },
    "learning_rate_too_high": SYMPTOMS,
    # Weights that cannot travel to the label's size: the crawl and the plateau are that.
    "label_out_of_reach": SYMPTOMS
    | {
        "learning_rate_too_low": "the loss that barely falls",
        "still_improving": "the loss still falling at the end",
        "underfitting": "the high loss, which more capacity would not lift",
        "no_signal": "the high loss",
        "long_tailed_label": "the squared error the largest labels make",
        "exploding_gradients": "the large gradients (errors in the label's units)",
    },
    # A penalty pinning the weights holds the loss high and flat: not the rate, not the size.
    "l2_too_strong": SYMPTOMS
    | {
        "underfitting": "the flat, high loss, which more capacity would not lift",
        "no_signal": "the flat, high loss",
        "learning_rate_too_high": "the loss that does not settle lower",
        "learning_rate_too_low": "the loss that does not fall further",
        "still_improving": "the slow end of the curve",
    },
    "vanishing_gradients": UNTRAINABLE,
    # A layer too narrow for the task caps the fit: its plateau is the bottleneck.
    "narrow_hidden_layer": UNTRAINABLE,
    "dead_relu": UNTRAINABLE,
    "learning_rate_too_low": SYMPTOMS,
    "still_improving": SYMPTOMS,
    "underfitting": SYMPTOMS,
    "no_signal": SYMPTOMS,
    "overfitting": {"prediction_bias": "the validation prediction bias"},
}
# A diverged run's gradients blew up with its loss: the same cause, one finding.
OVERSHOOT_SYMPTOMS = {"exploding_gradients": "the exploding gradients"}
UNSCALED_OVERSHOOT = OVERSHOOT_SYMPTOMS | {"learning_rate_too_high": "the divergence"}


def _brings_a_rate(finding: Finding) -> bool:
    """Whether the finding's first fix sets the learning rate too (the z-score fix does when
    training measured the rate the z-scored inputs need)."""
    return bool(finding.fix) and "optimizer.learning_rate=" in finding.fix[0]


def _with_consequences(root: Finding, symptoms: list[Finding], names: dict[str, str]) -> Finding:
    """The root cause's finding, its evidence naming the symptoms it explains."""
    named = ", ".join(names[symptom.kind] for symptom in symptoms)
    return replace(root, evidence=f"{root.evidence} (this also explains {named})")


def _root_causes_first(findings: list[Finding], diverged: bool) -> list[Finding]:
    """Each root cause (in ROOT_CAUSES order) absorbs the warnings it explains."""
    for kind, explains in ROOT_CAUSES.items():
        roots = [f for f in findings if f.kind == kind and f.severity == "warning"]
        if not roots:
            continue
        if diverged:  # a diverged run's learning rate is the root cause, ...
            # ... unless its inputs' scales are, and the z-score fix brings the rate measured
            # for them: no one rate suits weights on inputs 1000× apart (the rate that stops
            # the largest from blowing up leaves the rest, and the bias, where they started).
            if kind == "features_not_scaled" and not _brings_a_rate(roots[0]):
                continue
            if kind == "features_not_scaled":
                explains = explains | UNSCALED_OVERSHOOT
            if kind == "learning_rate_too_high":
                explains = explains | OVERSHOOT_SYMPTOMS
        symptoms = [f for f in findings if f.kind in explains and f.severity == "warning"]
        if symptoms:
            findings = [f for f in findings if f not in symptoms]
            findings[findings.index(roots[0])] = _with_consequences(roots[0], symptoms, explains)
    return findings


def diagnose(evidence: RunEvidence) -> list[Finding]:
    """Every rule's findings, root causes absorbing their symptoms, fixes the run did not
    already have, warnings before facts."""
    findings = [finding for rule in RULES for finding in rule(evidence)]
    findings = _root_causes_first(findings, diverged=evidence.status == "diverged")
    findings = [replace(f, fix=new_fixes(evidence.config, f.fix)) for f in findings]
    return sorted(findings, key=lambda finding: finding.severity != "warning")


def doctor_json(
    findings: list[Finding], evidence: RunEvidence, split_checks: list[dict[str, Any]]
) -> dict[str, Any]:
    """doctor.json: the findings, the split checks and the input statistics they used."""
    return {
        "format": 1,
        "findings": [finding.to_json() for finding in findings],
        "split_checks": split_checks,
        "inputs": evidence.inputs,
        "notes": evidence.notes,
    }
