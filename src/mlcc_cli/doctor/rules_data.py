"""Doctor rules on the numbers reaching the model: feature scaling and long tails.

They read the input statistics measured on the training split after the feature steps
(`evidence.input_statistics`): what gradient descent actually sees. Fixes append a feature
step: `--set features.N={...}` with N the current step count adds one at the end.
"""

from __future__ import annotations

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number

SCALE_RATIO = 100.0  # spreads two orders of magnitude apart
LONG_TAIL_SKEW = 3.0  # |skewness| above this: a long tail (a normal distribution has 0)
LONG_TAIL_DISTINCT = 20  # ... of a measured quantity; counts such as 8x8 pixel levels are not


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
    columns = ", ".join(tailed)
    right = [c for c, s in tailed.items() if s["skew"] > 0]
    fixes = []
    if right and all(tailed[c]["min"] >= 0 for c in right):
        fixes.append(
            _append_step(evidence, f"{{type: log, columns: [{', '.join(right)}], log1p: true}}")
        )
    quantiles = "upper_quantile: 0.99" if right else "lower_quantile: 0.01"
    fixes.append(_append_step(evidence, f"{{type: clip, columns: [{columns}], {quantiles}}}"))
    return [
        Finding(
            kind="long_tails",
            title="long-tailed features",
            concept="Numerical data: log scaling and clipping outliers",
            evidence=f"{worst} has skewness {stats['skew']:.1f}: its median is "
            f"{format_number(stats['p50'])} but it reaches {format_number(stats['max'])} "
            f"(99th percentile {format_number(stats['p99'])})"
            + (f"; also {', '.join(c for c in tailed if c != worst)}" if len(tailed) > 1 else ""),
            advice="a few extreme values pull the weight and dominate the loss; compress the "
            "tail with log(1 + x), or clip it at the 99th percentile",
            fix=tuple(fixes),
        )
    ]
