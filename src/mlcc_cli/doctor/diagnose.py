"""Every rule of the run doctor, applied in order: `diagnose(evidence)` and doctor.json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.doctor.rules_data import features_not_scaled, long_tails
from mlcc_cli.doctor.rules_model import (
    l1_sparsity,
    network_training,
    no_better_than_majority,
    prediction_bias,
    threshold_far_from_best_f1,
)
from mlcc_cli.doctor.rules_training import (
    learning_rate_too_high,
    learning_rate_too_low,
    overfitting,
    underfitting,
    validation_below_training,
)

RULES: tuple[Callable[[RunEvidence], list[Finding]], ...] = (
    learning_rate_too_high,
    learning_rate_too_low,
    overfitting,
    underfitting,
    validation_below_training,
    features_not_scaled,
    long_tails,
    no_better_than_majority,
    prediction_bias,
    threshold_far_from_best_f1,
    l1_sparsity,
    network_training,
)


def diagnose(evidence: RunEvidence) -> list[Finding]:
    """Every rule's findings, warnings before facts (severity info), rule order otherwise."""
    findings = [finding for rule in RULES for finding in rule(evidence)]
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
