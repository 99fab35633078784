"""Doctor rule on long-tailed inputs: a few huge values that pull a weight and the loss.

The candidate fixes compress the tail with log(1 + x) (right tails) or clip it at the 1st
and/or 99th percentile. Where training could measure them (`evidence.tail_fix_gains`: a
linear refit of the run's data with and without each fix, in shares of the trivial model's
validation loss), the fixes that win back loss come first, best first, and the finding is a
warning only when the best wins back TAIL_GAIN of the trivial model's loss: a tail that costs
a healthy run little (the course's California linear regression: log(1 + x) of the counts
wins back 2.5%) is a fact worth knowing, not an alarm. Unmeasured (networks, streamed
data, big tables), a run leaving under HEALTHY_ROOM of the trivial model's error gets the
fact.
"""

from __future__ import annotations

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.rules_data import (
    HEALTHY_ROOM,
    LONG_TAIL_DISTINCT,
    LONG_TAIL_SKEW,
    measured_inputs,
    room_to_improve,
    spread,
    step_before_scaling,
)
from mlcc_cli.errors import listed

# A fix winning back 5%+ of the trivial model's validation loss: the tail costs the run.
TAIL_GAIN = 0.05


def _far_sides(stats: dict[str, float]) -> tuple[bool, bool]:
    """Which ends (low, high) of a column reach beyond its 1st/99th percentile by more than
    the whole 1st–99th percentile range: outliers there, not just a long shoulder. A sensor
    glitch multiplying a few centred values by 1000 has both, and its skewness names only
    the side with the larger ones."""
    width = spread(stats)
    return stats["p01"] - stats["min"] > width, stats["max"] - stats["p99"] > width


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


def _tailed(evidence: RunEvidence) -> dict[str, dict[str, float]]:
    """Measured inputs with |skewness| over LONG_TAIL_SKEW and LONG_TAIL_DISTINCT+ values."""
    return {
        column: stats
        for column, stats in measured_inputs(evidence).items()
        if abs(stats["skew"]) > LONG_TAIL_SKEW and stats["distinct"] >= LONG_TAIL_DISTINCT
    }


def _clip_ends(tailed: dict[str, dict[str, float]]) -> tuple[bool, bool]:
    """Which ends to clip: those with far outliers (`_far_sides`), else the skewness's side."""
    far = [_far_sides(s) for s in tailed.values()]
    low, high = any(side[0] for side in far), any(side[1] for side in far)
    if not (low or high):
        right = any(s["skew"] > 0 for s in tailed.values())
        low, high = not right, right
    return low, high


def tail_candidates(evidence: RunEvidence, speculative: bool = True) -> tuple[str, ...]:
    """The fixes worth trying: log(1 + x) of the right-tailed columns, then the clip. The log
    needs values ≥ 0: certain when the statistics (after the steps) show it; `speculative`
    also offers it where a rescaling step hides the raw values (a measurement then decides)."""
    tailed = _tailed(evidence)
    if not tailed:
        return ()
    right = [c for c, s in tailed.items() if s["skew"] > 0]
    fixes = []
    rescaled = any(getattr(step, "rescales", False) for step in evidence.config.features)
    if right and (all(tailed[c]["min"] >= 0 for c in right) or (speculative and rescaled)):
        log = {"type": "log", "columns": right, "log1p": True}
        fixes.append(step_before_scaling(evidence, log, right))
    low, high = _clip_ends(tailed)
    quantiles = {"lower_quantile": 0.01} if low else {}
    quantiles |= {"upper_quantile": 0.99} if high else {}
    clip = {"type": "clip", "columns": list(tailed), **quantiles}
    fixes.append(step_before_scaling(evidence, clip, list(tailed)))
    return tuple(fixes)


def _judged(evidence: RunEvidence) -> tuple[tuple[str, ...], str | None, str]:
    """(fixes, caveat, evidence note): by the measured gains when there are any, else by the
    room the run leaves. The caveat says why the tail is only a note (its fix wins back
    little, or the model is already near its best); None when it is a warning."""
    gains = evidence.tail_fix_gains
    if gains:
        helping = sorted((f for f in gains if gains[f] > 0), key=gains.__getitem__, reverse=True)
        best = gains[helping[0]] if helping else max(gains.values())
        note = (
            f"; a linear refit with the best fix wins back {best:.1%} of the trivial "
            "model's validation loss"
            if best > 0
            else "; no fix wins back validation loss on a linear refit"
        )
        # A poor model whose tails cost little is not called good.
        caveat = None if best >= TAIL_GAIN else ", though on this data that wins back little"
        return tuple(helping), caveat, note
    fixes = tail_candidates(evidence, speculative=False)
    room = room_to_improve(evidence)
    if room is not None and room < HEALTHY_ROOM:
        return (
            fixes,
            ", if a model this good still needs it",
            (f"; the model already leaves only {room:.0%} of the trivial model's validation error"),
        )
    return fixes, None, ""


def long_tails(evidence: RunEvidence) -> list[Finding]:
    """Inputs whose skewness exceeds LONG_TAIL_SKEW: a few huge values dominate the squared
    loss and the learned weight; compress them with log, or clip them (`tail_candidates`),
    a warning when that wins back TAIL_GAIN of the validation loss (`_judged`)."""
    tailed = _tailed(evidence)
    if not tailed:
        return []
    worst = max(tailed, key=lambda column: abs(tailed[column]["skew"]))
    fixes, caveat, note = _judged(evidence)
    low, high = _clip_ends(tailed)
    at = "1st and 99th percentiles" if low and high else f"{'1st' if low else '99th'} percentile"
    # Statistics are measured after the steps: say so when a rescaling changed their units.
    rescaled = any(getattr(step, "rescales", False) for step in evidence.config.features)
    return [
        Finding(
            kind="long_tails",
            title="long-tailed features",
            concept="Numerical data: log scaling and clipping outliers",
            evidence=f"{worst} has skewness {tailed[worst]['skew']:.1f}: "
            f"{_tail_described(tailed[worst])}"
            + (", in the units the model sees after the feature steps" if rescaled else "")
            + (f"; also {listed([c for c in tailed if c != worst])}" if len(tailed) > 1 else "")
            + note,
            advice="a few extreme values pull the weight and dominate the loss; compress the "
            f"tail with log(1 + x), or clip it at the {at}" + (caveat or ""),
            fix=fixes,
            severity="info" if caveat else "warning",
        )
    ]
