"""Doctor rule on whether training finished: stopped while the loss was still falling.

The crash course's iterative training: train until the loss stops falling. Whether it still
falls is judged on the last part of *training*, not of the report: the trend through the
points of the last END_SHARE of the run, measured per tenth of the run, so a run reported in
10 periods or in 30 gets the same verdict. The trend is the Theil–Sen slope (the median of
the slopes between every pair of points; Sen 1968), which one noisy point cannot move much.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.doctor.curves import losses, noise, usable, yardstick
from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.doctor.rules_learning_rate import (
    learning_rate_fix,
    learning_rate_too_low,
    longer_training,
)
from mlcc_cli.doctor.rules_split import validation_is_chance

END_SHARE = 0.4  # the trend at the end: the last 40% of the run (4 of 10 periods) ...
MIN_END_POINTS = 4  # ... and at least 4 points
TENTH = 0.1  # falls are measured per tenth of the run: one period at the default 10
FALLING_RELATIVE = 0.05  # still falling 5%+ of its level per tenth of the run: not finished
FALLING_NOISES = 3.0  # ... by more than 3× the curve's noise
FALLING_ABSOLUTE = 0.005  # ... and by 0.5%+ of the problem's scale


def theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of the Theil–Sen line: slope = median over i < j of
    (y_j − y_i)/(x_j − x_i), intercept = median(y − slope·x)."""
    i, j = np.triu_indices(len(x), k=1)
    slope = float(np.median((y[j] - y[i]) / (x[j] - x[i])))
    return slope, float(np.median(y - slope * x))


def end_trend(curve: np.ndarray) -> tuple[float, float, float]:
    """(fall per tenth of the run, the trend's level at the end, how each tenth's fall
    compares to the one before) over the last END_SHARE of the run. Period k of n ends at
    k/n of the run, since periods split training into equal parts. A fall that is slowing is
    judged by the smaller of the window's trend and its later half's (at least 3 points): a
    slope through a bending curve overstates where it is now."""
    n = len(curve)
    x = np.arange(1, n + 1, dtype=np.float64) / n  # (n,) share of the run done
    points = max(MIN_END_POINTS, int(np.ceil(END_SHARE * n)))
    x, y = x[-points:], curve[-points:]
    slope, _ = theil_sen(x, y)
    late = max(3, points // 2)
    late_slope, late_intercept = theil_sen(x[-late:], y[-late:])
    half = points // 2  # the window's two halves, for how fast the fall is slowing
    first, _ = theil_sen(x[:half], y[:half])
    second, _ = theil_sen(x[-half:], y[-half:])
    apart = (x[-half:].mean() - x[:half].mean()) / TENTH  # tenths between the halves' middles
    ratio = (second / first) ** (1.0 / apart) if first < 0 and second < 0 else 0.9
    fall = -max(slope, late_slope) * TENTH
    return fall, late_intercept + late_slope * x[-1], float(ratio)


def still_improving(evidence: RunEvidence) -> list[Finding]:
    """The run ended while its validation loss still fell clearly (the training loss without
    a validation split, or with one too small to trust: `rules_split.validation_is_chance`):
    its trend over the last END_SHARE of the run (`end_trend`) falls by FALLING_RELATIVE+ of
    its level per tenth of the run, beyond FALLING_NOISES× the noise of a tenth's mean and
    FALLING_ABSOLUTE of the scale, and the curve ends within FALLING_NOISES× its noise of its
    lowest. Train longer."""
    curve = losses(evidence, "validation_loss")
    which = "validation"
    if not usable(curve) or validation_is_chance(evidence):
        curve, which = losses(evidence, "train_loss"), "training"
    if evidence.status != "complete" or evidence.stopped_early or not usable(curve):
        return []
    if learning_rate_too_low(evidence):  # a crawl is the learning rate's fault
        return []
    size = yardstick(evidence, curve)
    fall, level, ratio = end_trend(curve)
    relative = fall / level if level > 0 else 0.0
    wander = FALLING_NOISES * noise(curve)
    if curve[-1] > curve.min() + wander or relative < FALLING_RELATIVE:
        return []
    # A tenth of the run averages n/10 points, each as noisy as the curve: σ/√(n/10).
    if fall <= max(wander / np.sqrt(len(curve) * TENTH), FALLING_ABSOLUTE * size):
        return []
    longer = longer_training(evidence, 1.0 / TENTH, relative, ratio)
    start = len(curve) - max(MIN_END_POINTS, int(np.ceil(END_SHARE * len(curve))))
    return [
        Finding(
            kind="still_improving",
            title="stopped while still improving",
            concept="Reducing loss: iterative training (train until the loss stops falling)",
            evidence=f"{which} loss still fell about {relative:.1%} per tenth of the run over "
            f"its last {1 - start / len(curve):.0%} (periods {start + 1}–{len(curve)}: "
            f"{curve[start]:.4g} → {curve[-1]:.4g}), ending at or near its lowest",
            advice=f"the run ended before the loss levelled off; train longer ({longer[0]}, "
            "estimated from how fast the fall is slowing) or raise the learning rate",
            fix=(*longer, learning_rate_fix(evidence, 3.0)),
        )
    ]
