"""Doctor rule on the numbers reaching the model: feature scaling (long tails: rules_tails).

They read the input statistics measured on the training split after the feature steps
(`evidence.input_statistics`): what gradient descent actually sees. Fixes add a feature
step where it acts: `--set features.N={...}` (N the current step count) appends one, and a
step that must come before a z-score rewrites the list, `--set 'features=[...]'`.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import FIX_JOINER, Finding, format_number
from mlcc_cli.errors import listed
from mlcc_cli.optim.registry import OPTIMIZERS

SCALE_RATIO = 100.0  # spreads two orders of magnitude apart
# A column is offset when its median sits over 3 standard deviations from 0 (its values
# rarely come near 0); it is flagged when that puts it SCALE_RATIO from the bias
# (`bias_condition`): longitude (−120 ± 2) is, a minmax or log column (0.5 ± 0.3, 7 ± 0.8) or
# an age (29 ± 13) is not.
OFFSET_SPREADS = 3.0
LONG_TAIL_SKEW = 3.0  # |skewness| above this: a long tail (a normal distribution has 0)
LONG_TAIL_DISTINCT = 20  # ... of a measured quantity; counts such as 8x8 pixel levels are not
HEALTHY_ROOM = 0.1  # a run leaving under 10% of the trivial model's error: tails are a note


def spread(stats: dict[str, float]) -> float:
    """The 1st–99th percentile range; the full range when that is 0 (a few distinct values)."""
    return stats["p99"] - stats["p01"] or stats["max"] - stats["min"]


def measured_inputs(evidence: RunEvidence) -> dict[str, dict[str, float]]:
    """Numeric, non-indicator, non-constant inputs (0/1 columns are already on a unit scale)."""
    return {
        column: stats
        for column, stats in evidence.inputs.items()
        if stats["distinct"] > 2 and spread(stats) > 0
    }


def _append_step(evidence: RunEvidence, step: str) -> str:
    return f"features.{len(evidence.config.features)}={step}"


def step_before_scaling(evidence: RunEvidence, step: dict[str, Any], columns: list[str]) -> str:
    """`features=[...]` with `step` inserted before the first rescaling step that reaches
    `columns` (all columns, or any of them), else appended: a clip or log placed after a
    z-score would compress values already scaled, and the z-score would not see the tail gone.
    """
    steps = [s.model_dump(mode="json", exclude_defaults=True) for s in evidence.config.features]
    at = len(steps)
    for index, existing in enumerate(evidence.config.features):
        reached = getattr(existing, "columns", None)
        rescales = getattr(existing, "rescales", False)  # zscore, minmax (config classes)
        if rescales and (reached is None or set(reached) & set(columns)):
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


def bias_condition(stats: dict[str, float]) -> float:
    """How far apart gradient descent sees a column and the bias's constant input 1: √κ, κ the
    condition number of their second-moment matrix [[1, m], [m, m² + s²]] (m the column's
    median, s its standard deviation).

    Trace T = 1 + m² + s², determinant D = s², eigenvalues λ± = (T ± √(T² − 4D))/2, so
    √κ = √(λ₊/λ₋). A centred column gives max(s, 1/s), its spread's ratio to the bias's; an
    offset one (|m| ≫ s) about (1 + m²)/s: the column and the constant are nearly the same
    input, so their weights can only move together along a long, narrow valley of the loss.
    """
    m, s = stats["p50"], stats["std"]
    if s <= 0:
        return 1.0
    trace, det = 1.0 + m * m + s * s, s * s
    root = math.sqrt(max(trace * trace - 4.0 * det, 0.0))
    # λ₋ = 2D / (T + root): the same value as (T − root)/2 without its cancellation.
    return math.sqrt((trace + root) / 2.0 / (2.0 * det / (trace + root)))


def _offsets(measured: dict[str, dict[str, float]]) -> dict[str, float]:
    """Columns whose offset from 0, not their spread, puts them SCALE_RATIO from the bias
    (`bias_condition`), with that ratio: a centred column is the spread test's to judge."""
    return {
        column: ratio
        for column, stats in measured.items()
        if (ratio := bias_condition(stats)) >= SCALE_RATIO
        and abs(stats["p50"]) > OFFSET_SPREADS * stats["std"]
    }


def _zscore_fix(evidence: RunEvidence, measured: dict[str, dict[str, float]]) -> str:
    """`--set` a z-score acting on every measured input the model reads: appended after the
    other steps (it scales what they made), or widening a trailing z-score limited to some
    columns. Plain `{type: zscore}` when those are all the numeric inputs of a new step;
    named columns when indicators (already 0/1) or constants are among them, or when widening
    (where a plain step would read as the one already there)."""
    named = f"{{type: zscore, columns: [{', '.join(measured)}]}}"
    steps = evidence.config.features
    if steps and steps[-1].type == "zscore" and getattr(steps[-1], "columns", None):
        return f"features.{len(steps) - 1}={named}"
    everything = len(measured) == len(evidence.inputs)
    return _append_step(evidence, "{type: zscore}" if everything else named)


# A measured rate for the z-scored inputs within this factor of the run's: keep the run's.
RATE_STILL_FITS = 2.0


def _rescaled_fix(evidence: RunEvidence, zscore: str) -> tuple[str, ...]:
    """The z-score together with the rate a range test measured on the z-scored inputs
    (`evidence.scaled_learning_rate`) when it is over RATE_STILL_FITS× from the run's, as one
    fix, since the z-score alone would then make the run worse: z-scored, the weights live in
    other units, and a rate tuned to the raw inputs (tiny, for SGD's largest spread; or moving
    Adam's weights on the label's scale by steps a thousandth of it) no longer suits them."""
    rate = float(evidence.config.optimizer.learning_rate)
    scaled = evidence.scaled_learning_rate
    if scaled is None or max(scaled / rate, rate / scaled) <= RATE_STILL_FITS:
        return (zscore,)
    return (f"{zscore}{FIX_JOINER}optimizer.learning_rate={format_number(scaled)}",)


def features_not_scaled(evidence: RunEvidence) -> list[Finding]:
    """Inputs gradient descent sees on scales at least SCALE_RATIO apart: their spreads
    (1st–99th percentile, counting the bias's constant input 1), or a column sitting so far
    from 0 for its spread that it and the bias are nearly one input (`bias_condition`). One
    learning rate cannot suit weights on such different scales; z-score every input."""
    measured = measured_inputs(evidence)
    spreads = {column: spread(stats) for column, stats in measured.items()}
    scales = {**spreads, "the bias's constant input": 1.0}
    largest = max(scales, key=scales.__getitem__)
    smallest = min(scales, key=scales.__getitem__)
    ratio = scales[largest] / scales[smallest]
    offsets = _offsets(measured)
    if ratio < SCALE_RATIO and not offsets:
        return []

    def described(column: str) -> str:
        if column not in measured:
            return f"{column} is 1"
        stats = measured[column]
        return f"{column} spans {stats['p01']:.4g} to {stats['p99']:.4g}"

    parts = []
    if ratio >= SCALE_RATIO:
        parts.append(
            f"{described(largest)} (1st–99th percentile) while {described(smallest)}: "
            f"{ratio:,.0f}× apart"
        )
    if offsets:
        worst = max(offsets, key=offsets.__getitem__)
        stats = measured[worst]
        others = [c for c in offsets if c != worst]
        parts.append(
            f"{worst} sits at {stats['p50']:.4g} ± {stats['std']:.3g} (median ± standard "
            "deviation), far from 0 for its spread, so to gradient descent it and the bias's "
            f"constant input are nearly one input, {offsets[worst]:,.0f}× apart in scale"
            + (f"; also offset: {listed(others)}" if others else "")
        )
    fix = _rescaled_fix(evidence, _zscore_fix(evidence, measured))
    rate = (
        f", with the learning rate a range test measures on the z-scored inputs "
        f"({fix[0].rpartition('=')[2]}, for weights now in other units)"
        if FIX_JOINER in fix[0]
        else ""
    )
    if OPTIMIZERS[evidence.config.optimizer.type].per_weight_steps:
        why = (
            f"{evidence.config.optimizer.type} scales each weight's step to its own gradient, "
            "so the spreads do not slow it as they do plain gradient descent, but it moves "
            "every weight by about the learning rate a step: a weight on a tiny input must "
            "grow huge and crawls there, one on a huge input jitters, and an offset input "
            "moves with the bias"
        )
    else:
        why = (
            "gradient descent takes one learning rate for every weight, so weights on large "
            "inputs overshoot while those on small or offset ones crawl"
        )
    return [
        Finding(
            kind="features_not_scaled",
            title="features not scaled",
            concept="Numerical data: normalization",
            evidence="; ".join(parts),
            advice=f"{why}; z-score every input so each is centred on 0 with a spread of 1" + rate,
            fix=fix,
        )
    ]
