"""Doctor rules on how fast the loss moved: learning rate too high, too low.

The crash course's Goldilocks principle: too large a learning rate overshoots (the loss
explodes, climbs or bounces), too small a one crawls (a run stopped while its loss still falls
at a healthy pace has simply not finished: `rules_progress`). Every change is judged against
the curve's noise and the problem's scale (`curves.py`), so a converged stochastic run
wandering at its noise floor and a loss near zero are left alone.
"""

from __future__ import annotations

import math

import numpy as np

from mlcc_cli.doctor.curves import TINY, losses, noise, significant, usable, yardstick
from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.rules_signal import nothing_to_win
from mlcc_cli.training.divergence import MAX_GUESSED_ORDERS, orders_smaller

LEARNING_RATE_LESSON = "Reducing loss: the learning rate, the Goldilocks principle"
# A jump of the training loss counts when above 5% of the loss and 2% of the problem's scale
# (a converged mini-batch run wanders by a couple of percent; an overshooting one jumps).
JUMP_RELATIVE, RISE_ABSOLUTE = 0.05, 0.02
OSCILLATING_SHARE = 0.2  # jumps in at least this share of the periods (and twice): oscillating
CLIMB_RELATIVE = 0.10  # a final loss 10% above its lowest ...
CLIMB_ABSOLUTE = 0.05  # ... and this share of the scale above it: climbing
SLOW_RELATIVE_DROP = 0.05  # still falling, by under 5% a period, at an unbending pace: too slow
SLOW_ABSOLUTE = 0.001  # ... by 0.1%+ of the problem's scale a period (not a loss near zero)
SLOW_NOISES = 3.0  # ... and each drop beyond 3× the curve's noise
STUCK = 1.1  # a training loss ending 10% above the trivial model's has not learned the mean
SETTLED_RELATIVE = 0.01  # training long enough to fall under 1% a period counts as finished
MAX_LONGER = 10.0  # never suggest more than 10× the training
# How the doctor reads `mlcc lr-find`'s curve (`range_test_rate.safe_learning_rate`).
MEASURED = (
    "a tenth of where `mlcc lr-find` sees the loss fall fastest: the test tries each rate for "
    "one batch, a run keeps it for thousands; after plain SGD diverged on batches under the "
    "test's 32 rows, times batch/32, as noisier steps need smaller ones"
)


def learning_rate(evidence: RunEvidence) -> float:
    """The configured base learning rate."""
    return float(evidence.config.optimizer.learning_rate)


def learning_rate_fix(evidence: RunEvidence, factor: float) -> str:
    """`optimizer.learning_rate=…` times `factor`."""
    return f"optimizer.learning_rate={format_number(learning_rate(evidence) * factor)}"


def _orders_of_magnitude(evidence: RunEvidence, train: np.ndarray) -> int:
    """By how many powers of ten (`orders_smaller`: 1 to 3) the last finite training loss
    exceeds its yardstick: a loss that exploded k orders suggests a rate k orders smaller."""
    finite = train[np.isfinite(train)]
    references = [v for v in evidence.reference_losses.values() if v > 0]
    if not len(finite) or not references:
        return 1
    return orders_smaller(float(finite[-1]) / max(references))


def _diverged(evidence: RunEvidence, train: np.ndarray) -> Finding:
    exploded = "NaN" not in evidence.message and "infinity" not in evidence.message
    rate, suggested = learning_rate(evidence), evidence.suggested_learning_rate
    if suggested is not None and suggested < rate / 2:
        fix = f"optimizer.learning_rate={format_number(suggested)}"
        how = f"a learning-rate range test on this data suggests {suggested:.3g} ({MEASURED})"
    else:
        orders = _orders_of_magnitude(evidence, train)
        fix = learning_rate_fix(evidence, 10.0**-orders)
        how = (
            f"divide it by {10**orders:g} (the loss grew about {orders} order(s) of magnitude "
            "past its start), or let `mlcc lr-find` measure one"
        )
    return Finding(
        kind="learning_rate_too_high",
        title="learning rate too high: training diverged ("
        + ("the loss exploded)" if exploded else "the NaN trap)"),
        concept=LEARNING_RATE_LESSON,
        # what happened, not the message's own advice: the finding's advice and fix replace it
        evidence=evidence.message.partition(";")[0].rstrip("."),
        advice=f"each step overshoots further until the loss explodes; {how}; clipping the "
        "gradient (optimizer.clip_norm) also steadies it",
        fix=(fix, "optimizer.clip_norm=1"),
        # a finite explosion's period is the history's last row; a NaN one never got a row
        period=max(1, len(train) if exploded else len(train) + 1),
    )


def learning_rate_too_high(evidence: RunEvidence) -> list[Finding]:
    """Diverged (NaN, infinity or a finite explosion), a training loss that climbed well above
    its lowest, or one that jumps (beyond its noise floor) in OSCILLATING_SHARE of periods."""
    train = losses(evidence, "train_loss")
    if evidence.status == "diverged":
        return [_diverged(evidence, train)]
    if not usable(train):
        return []
    size = yardstick(evidence, train)
    rises = [
        i
        for i in range(len(train) - 1)
        if train[i + 1] > train[i]
        and significant(train[i + 1] - train[i], train[i], size, JUMP_RELATIVE, RISE_ABSOLUTE)
    ]
    # Bouncing up again and again is oscillation, even when it ends above its lowest.
    if len(rises) >= max(2, OSCILLATING_SHARE * (len(train) - 1)):
        biggest = max((train[i + 1] - train[i]) / train[i] for i in rises)
        return [
            Finding(
                kind="learning_rate_too_high",
                title="learning rate too high: loss oscillating",
                concept=LEARNING_RATE_LESSON,
                evidence=f"training loss jumped up in {len(rises)} of {len(train) - 1} periods, "
                f"by up to {biggest:.0%} (its noise floor is {noise(train):.3g}), first at "
                f"period {rises[0] + 2}",
                advice="the steps bounce across the minimum instead of settling in it; divide "
                "the learning rate by 3",
                fix=(learning_rate_fix(evidence, 1 / 3),),
                period=rises[0] + 2,
            )
        ]
    lowest = int(train.argmin())
    climbed = train[-1] - train[lowest]
    if lowest == len(train) - 1 or not significant(
        climbed, train[lowest], size, CLIMB_RELATIVE, CLIMB_ABSOLUTE
    ):
        return []
    # A loss climbing off (near) zero has risen by little on the problem's scale however
    # large the ratio to its lowest (8e-7 to 0.12 is not six orders of overshoot): the
    # orders count from no lower than the smallest climb that counts, and stop at
    # MAX_GUESSED_ORDERS like every guessed rate.
    floor = max(train[lowest], CLIMB_ABSOLUTE * size, TINY)
    orders = orders_smaller(float(train[-1]) / floor)
    return [
        Finding(
            kind="learning_rate_too_high",
            title="learning rate too high: loss rising",
            concept=LEARNING_RATE_LESSON,
            evidence=f"training loss ended at {train[-1]:.4g}, up from its lowest "
            f"{train[lowest]:.4g} at period {lowest + 1}",
            advice="steps this large overshoot the minimum and climb away from it; divide the "
            f"learning rate by {10**orders:g}",
            fix=(learning_rate_fix(evidence, 10.0**-orders),),
            period=lowest + 2,
        )
    ]


def stuck_above_trivial(evidence: RunEvidence) -> bool:
    """A finished run whose training loss ends above STUCK× the trivial model's (as training
    measured it) but not above its start, falling by under SLOW_RELATIVE_DROP a period: it
    has not even learned what predicting the mean or the class shares gives, which every
    model can."""
    train = losses(evidence, "train_loss")
    trivial = evidence.reference_losses.get("trivial")
    if evidence.status != "complete" or not usable(train) or not trivial or trivial <= 0:
        return False
    falling = (train[-2] - train[-1]) / train[-2] >= SLOW_RELATIVE_DROP
    # Steps too small never carry the loss above where it started.
    start = evidence.reference_losses.get("initial", float(train[0]))
    return bool(STUCK * trivial < train[-1] <= start and not falling)


def _stuck(evidence: RunEvidence, train: np.ndarray) -> Finding:
    """Stuck above the trivial model: a rate measured by `mlcc lr-find`, else one as many
    times larger as the way still to go (to the trivial loss) is longer than the way come."""
    trivial = evidence.reference_losses["trivial"]
    start = evidence.reference_losses.get("initial", float(train[0]))
    come, to_go = max(start - train[-1], 0.0), train[-1] - trivial
    rate, suggested = learning_rate(evidence), evidence.suggested_learning_rate
    if suggested is not None and suggested > 2 * rate:
        fix = f"optimizer.learning_rate={format_number(suggested)}"
        how = f"a learning-rate range test on this data suggests {suggested:.3g} ({MEASURED})"
    else:
        orders = MAX_GUESSED_ORDERS if come <= 0 else math.ceil(math.log10(max(to_go / come, 10.0)))
        orders = min(orders, MAX_GUESSED_ORDERS)
        fix = learning_rate_fix(evidence, 10.0**orders)
        how = f"multiply it by {10**orders:g}, or let `mlcc lr-find` measure one"
    return Finding(
        kind="learning_rate_too_low",
        title="learning rate too low: stuck above the trivial model",
        concept=LEARNING_RATE_LESSON,
        evidence=f"training loss ended at {train[-1]:.4g} (from {start:.4g}), above "
        f"{trivial:.4g}, what predicting the mean or the class shares scores",
        advice=f"the steps are too small for the model to learn even that; {how}",
        fix=(fix,),
    )


def learning_rate_too_low(evidence: RunEvidence) -> list[Finding]:
    """Stuck above the trivial model (`stuck_above_trivial`), or a training loss falling in
    each of the last 3 periods, by under SLOW_RELATIVE_DROP each but beyond SLOW_NOISES× its
    noise and SLOW_ABSOLUTE of the scale, with the last drop at least half the average drop:
    the curve never bent, so the steps are too small to reach the minimum in the time given —
    unless training measured that nothing is left to win on validation (`nothing_to_win`)."""
    train = losses(evidence, "train_loss")
    if evidence.status != "complete" or evidence.stopped_early or not usable(train):
        return []
    if learning_rate_too_high(evidence):  # a loss that bounces or climbs is not crawling
        return []
    if stuck_above_trivial(evidence):
        return [_stuck(evidence, train)]
    drops = train[:-1] - train[1:]  # positive while the loss falls
    last = drops[-3:]
    size = yardstick(evidence, train)
    if not (last > max(SLOW_NOISES * noise(train), SLOW_ABSOLUTE * size)).all():
        return []
    relative = last[-1] / train[-2]
    average_drop = (train[0] - train[-1]) / len(drops)
    if relative >= SLOW_RELATIVE_DROP or last[-1] < 0.5 * average_drop:
        return []
    # Validation already as good as flexible models on the same inputs get: the steady fall
    # is the model fitting training rows' noise, which faster steps would only hurry.
    if nothing_to_win(evidence) is not None:
        return []
    return [
        Finding(
            kind="learning_rate_too_low",
            title="learning rate too low",
            concept=LEARNING_RATE_LESSON,
            evidence=f"training loss still fell {relative:.2%} in the last period "
            f"({train[-2]:.4g} → {train[-1]:.4g}) at the pace it kept all run (from "
            f"{train[0]:.4g}): the curve never flattened",
            advice="the steps are too small to reach the minimum in the time given; multiply "
            "the learning rate by 10 (or train longer)",
            fix=(learning_rate_fix(evidence, 10.0), *_longer(evidence, train, relative)),
        )
    ]


def _longer(evidence: RunEvidence, curve: np.ndarray, relative: float) -> tuple[str, ...]:
    """`longer_training` from the curve's last two drops (per period)."""
    drops = curve[:-1] - curve[1:]
    ratio = drops[-1] / drops[-2] if drops[-2] > 0 else 0.9
    return longer_training(evidence, len(curve), relative, ratio)


def longer_training(
    evidence: RunEvidence, done: float, relative: float, ratio: float
) -> tuple[str, ...]:
    """`training.epochs=…` (or steps) long enough for a fall of `relative` per unit of
    training (`done` units so far) to slow to SETTLED_RELATIVE per unit, each unit's fall
    `ratio` × the one before (a geometric series: n more units, ratio^n = settled/relative);
    at least 1.5×, at most MAX_LONGER× longer."""
    ratio = min(max(ratio, 0.2), 0.9)  # a fall not slowing down still slows, eventually
    more = math.log(SETTLED_RELATIVE / relative) / math.log(ratio) if relative > 0 else 0.0
    factor = min(max((done + max(more, 1.0)) / done, 1.5), MAX_LONGER)
    training = evidence.config.training
    if training.steps is not None:
        return (f"training.steps={math.ceil(training.steps * factor)}",)
    epochs = training.epochs if training.epochs is not None else 10
    return (f"training.epochs={math.ceil(epochs * factor)}",)
