"""Doctor rules on the numbers reaching the model: feature scaling and long tails.

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
    measured = _measured(evidence)
    spreads = {column: _spread(stats) for column, stats in measured.items()}
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
            + (f"; also offset: {', '.join(others)}" if others else "")
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


def _far_sides(stats: dict[str, float]) -> tuple[bool, bool]:
    """Which ends (low, high) of a column reach beyond its 1st/99th percentile by more than
    the whole 1st–99th percentile range: outliers there, not just a long shoulder. A sensor
    glitch multiplying a few centred values by 1000 has both, and its skewness names only
    the side with the larger ones."""
    spread = _spread(stats)
    return stats["p01"] - stats["min"] > spread, stats["max"] - stats["p99"] > spread


def _tail_described(stats: dict[str, float]) -> str:
    """How far the column's tail (or tails) reaches past its median, in the model's units."""
    low, high = _far_sides(stats)
    falls = f"falls to {format_number(stats['min'])} (1st percentile {format_number(stats['p01'])})"
    reaches = (
        f"reaches {format_number(stats['max'])} (99th percentile {format_number(stats['p99'])})"
    )
    one_end = falls if stats["skew"] < 0 else reaches
    ends = f"{falls} and {reaches}" if low and high else one_end
    return f"its median is {format_number(stats['p50'])} but it {ends}"


def long_tails(evidence: RunEvidence) -> list[Finding]:
    """Inputs whose skewness exceeds LONG_TAIL_SKEW: a few huge values dominate the squared
    loss and the learned weight; compress them with log, or clip them (at each end whose
    outliers lie far beyond the 1st/99th percentile, else the end the skewness points to)."""
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
    far = [_far_sides(s) for s in tailed.values()]
    low, high = any(side[0] for side in far), any(side[1] for side in far)
    if not (low or high):
        low, high = not right, bool(right)
    quantiles = {"lower_quantile": 0.01} if low else {}
    quantiles |= {"upper_quantile": 0.99} if high else {}
    clip = {"type": "clip", "columns": list(tailed), **quantiles}
    at = "1st and 99th percentiles" if low and high else f"{'1st' if low else '99th'} percentile"
    fixes.append(_step_before_scaling(evidence, clip, list(tailed)))
    # A model that already leaves under HEALTHY_ROOM of the trivial model's error has little
    # a compressed tail could win back: worth knowing, not a problem.
    room = room_to_improve(evidence)
    healthy = room is not None and room < HEALTHY_ROOM
    # Statistics are measured after the steps: say so when a rescaling changed their units.
    rescaled = any(getattr(step, "rescales", False) for step in evidence.config.features)
    return [
        Finding(
            kind="long_tails",
            title="long-tailed features",
            concept="Numerical data: log scaling and clipping outliers",
            evidence=f"{worst} has skewness {stats['skew']:.1f}: {_tail_described(stats)}"
            + (", in the units the model sees after the feature steps" if rescaled else "")
            + (f"; also {', '.join(c for c in tailed if c != worst)}" if len(tailed) > 1 else "")
            + (
                f"; the model already leaves only {room:.0%} of the trivial model's validation "
                "error"
                if healthy
                else ""
            ),
            advice="a few extreme values pull the weight and dominate the loss; compress the "
            f"tail with log(1 + x), or clip it at the {at}"
            + (", if a model this good still needs it" if healthy else ""),
            fix=tuple(fixes),
            severity="info" if healthy else "warning",
        )
    ]
