"""Doctor rules on the numbers reaching the model: feature scaling and long tails.

They read the input statistics measured on the training split after the feature steps
(`evidence.input_statistics`): what gradient descent actually sees. Fixes add a feature
step where it acts: `--set features.N={...}` (N the current step count) appends one, and a
step that must come before a z-score rewrites the list, `--set 'features=[...]'`.
"""

from __future__ import annotations

from typing import Any

import yaml

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number

SCALE_RATIO = 100.0  # spreads two orders of magnitude apart
LONG_TAIL_SKEW = 3.0  # |skewness| above this: a long tail (a normal distribution has 0)
LONG_TAIL_DISTINCT = 20  # ... of a measured quantity; counts such as 8x8 pixel levels are not
HEALTHY_ROOM = 0.1  # a run leaving under 10% of the trivial model's error: tails are a note
# Fitted rescalings of a column's values: a step compressing a tail must come before them, so
# they scale what it left (the config tags, read here only to place the new step).
RESCALING_STEPS = frozenset({"zscore", "minmax"})


def _spread(stats: dict[str, float]) -> float:
    """The 1st–99th percentile range; the full range when that is 0 (a few distinct values)."""
    return stats["p99"] - stats["p01"] or stats["max"] - stats["min"]


def _measured(evidence: RunEvidence) -> dict[str, dict[str, float]]:
    """Numeric, non-indicator, non-constant inputs (0/1 columns are already on a unit scale)."""
    return {
        column: stats
        for column, stats in evidence.inputs.items()
        if stats["distinct"] > 2 and _spread(stats) > 0
    }


def _append_step(evidence: RunEvidence, step: str) -> str:
    return f"features.{len(evidence.config.features)}={step}"


def _step_before_scaling(evidence: RunEvidence, step: dict[str, Any], columns: list[str]) -> str:
    """`features=[...]` with `step` inserted before the first rescaling step that reaches
    `columns` (all columns, or any of them), else appended: a clip or log placed after a
    z-score would compress values already scaled, and the z-score would not see the tail gone.
    """
    steps = [s.model_dump(mode="json", exclude_defaults=True) for s in evidence.config.features]
    at = len(steps)
    for index, existing in enumerate(evidence.config.features):
        reached = getattr(existing, "columns", None)
        if existing.type in RESCALING_STEPS and (reached is None or set(reached) & set(columns)):
            at = index
            break
    if at == len(steps):
        return _append_step(evidence, _flow(step))
    return f"features={_flow([*steps[:at], step, *steps[at:]])}"


def _flow(value: Any) -> str:
    """A value as one line of flow-style YAML, as `--set` reads it: {type: clip, ...}."""
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


def room_to_improve(evidence: RunEvidence) -> float | None:
    """The share of the trivial model's error the run left on validation: (1 − accuracy) /
    (1 − majority accuracy) for a classifier, 1 − R² for a regression; None when unknown."""
    scores = evidence.metrics.get("validation") or evidence.metrics.get("train") or {}
    if scores.get("accuracy") is not None and scores.get("baseline_accuracy") is not None:
        baseline_error = 1.0 - float(scores["baseline_accuracy"])
        if baseline_error <= 0:
            return None
        return (1.0 - float(scores["accuracy"])) / baseline_error
    if scores.get("r2") is not None:
        return 1.0 - float(scores["r2"])
    return None


def features_not_scaled(evidence: RunEvidence) -> list[Finding]:
    """Input spreads (1st–99th percentile) at least SCALE_RATIO apart, counting the bias's
    constant input 1: one learning rate cannot suit weights on such different scales."""
    measured = _measured(evidence)
    spreads = {column: _spread(stats) for column, stats in measured.items()}
    scales = {**spreads, "the bias's constant input": 1.0}
    largest = max(scales, key=scales.__getitem__)
    smallest = min(scales, key=scales.__getitem__)
    ratio = scales[largest] / scales[smallest]
    if ratio < SCALE_RATIO:
        return []
    far = [c for c, spread in spreads.items() if spread >= 10 or spread <= 0.1]

    def described(column: str) -> str:
        if column not in measured:
            return f"{column} is 1"
        stats = measured[column]
        return f"{column} spans {stats['p01']:.4g} to {stats['p99']:.4g}"

    return [
        Finding(
            kind="features_not_scaled",
            title="features not scaled",
            concept="Numerical data: normalization",
            evidence=f"{described(largest)} (1st–99th percentile) while {described(smallest)}: "
            f"{ratio:,.0f}× apart",
            advice="gradient descent takes one learning rate for every weight, so weights on "
            "large inputs overshoot while those on small ones crawl; scale the inputs "
            "(z-score) so they share a range",
            fix=(_append_step(evidence, f"{{type: zscore, columns: [{', '.join(far)}]}}"),),
        )
    ]


def long_tails(evidence: RunEvidence) -> list[Finding]:
    """Inputs whose skewness exceeds LONG_TAIL_SKEW: a few huge values dominate the squared
    loss and the learned weight; compress them with log, or clip them."""
    tailed = {
        column: stats
        for column, stats in _measured(evidence).items()
        if abs(stats["skew"]) > LONG_TAIL_SKEW and stats["distinct"] >= LONG_TAIL_DISTINCT
    }
    if not tailed:
        return []
    worst = max(tailed, key=lambda column: abs(tailed[column]["skew"]))
    stats = tailed[worst]
    right = [c for c, s in tailed.items() if s["skew"] > 0]
    fixes = []
    if right and all(tailed[c]["min"] >= 0 for c in right):
        log = {"type": "log", "columns": right, "log1p": True}
        fixes.append(_step_before_scaling(evidence, log, right))
    quantile = {"upper_quantile": 0.99} if right else {"lower_quantile": 0.01}
    clip = {"type": "clip", "columns": list(tailed), **quantile}
    fixes.append(_step_before_scaling(evidence, clip, list(tailed)))
    # A model that already leaves under HEALTHY_ROOM of the trivial model's error has little
    # a compressed tail could win back: worth knowing, not a problem.
    room = room_to_improve(evidence)
    healthy = room is not None and room < HEALTHY_ROOM
    return [
        Finding(
            kind="long_tails",
            title="long-tailed features",
            concept="Numerical data: log scaling and clipping outliers",
            evidence=f"{worst} has skewness {stats['skew']:.1f}: its median is "
            f"{format_number(stats['p50'])} but it reaches {format_number(stats['max'])} "
            f"(99th percentile {format_number(stats['p99'])})"
            + (f"; also {', '.join(c for c in tailed if c != worst)}" if len(tailed) > 1 else "")
            + (
                f"; the model already leaves only {room:.0%} of the trivial model's validation "
                "error"
                if healthy
                else ""
            ),
            advice="a few extreme values pull the weight and dominate the loss; compress the "
            "tail with log(1 + x), or clip it at the 99th percentile"
            + (", if a model this good still needs it" if healthy else ""),
            fix=tuple(fixes),
            severity="info" if healthy else "warning",
        )
    ]
