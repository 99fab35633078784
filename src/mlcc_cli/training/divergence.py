"""Divergence: when a run counts as blown up, and the message that says what to change.

The period loop (`schedule.run_periods`) raises `DivergedError` on a non-finite loss or
weights, or a training loss FINITE_DIVERGENCE_FACTOR times its yardstick, and turns it into
status "diverged" with `divergence_message`.
"""

from __future__ import annotations

import math
import re
from typing import Any

# A finite training loss this many times its yardstick (the larger of the loss before the
# first step and the trivial model's) means the steps are blowing the weights up: diverged.
FINITE_DIVERGENCE_FACTOR = 10.0
# A guessed learning rate is at most 1000× from the configured one, smaller after a divergence
# or larger when stuck (`mlcc lr-find` measures beyond that).
MAX_GUESSED_ORDERS = 3


def orders_smaller(ratio: float) -> int:
    """Powers of ten (1 to MAX_GUESSED_ORDERS) by which to lower a learning rate whose loss
    grew to `ratio` × its yardstick: k orders of magnitude past it suggests a rate ~10ᵏ× smaller.
    The training error and the doctor's fix both use it, so they name the same rate."""
    orders = math.ceil(math.log10(ratio)) if ratio > 1 else 1
    return min(max(orders, 1), MAX_GUESSED_ORDERS)


def divergence_message(
    step: int, period: int, learning_rate: float, value: float, limit: float | None = None
) -> str:
    """What diverged (NaN, infinity, or a finite loss over `limit`) and what would fix it, with
    a learning rate smaller by the loss's overshoot in orders of magnitude (`orders_smaller`;
    10× after NaN or infinity)."""
    if math.isfinite(value) and limit is not None:
        what = (
            f"a training loss of {value:.4g}, over {FINITE_DIVERGENCE_FACTOR:g}× "
            f"{limit / FINITE_DIVERGENCE_FACTOR:.4g} (the larger of the loss before training "
            "and that of predicting the mean or the class shares),"
        )
        smaller = 10.0 ** -orders_smaller(value / (limit / FINITE_DIVERGENCE_FACTOR))
    else:
        what = "NaN" if math.isnan(value) else "infinity"
        smaller = 0.1
    return (
        f"training diverged to {what} at step {step} (period {period}) with "
        f"optimizer.learning_rate {learning_rate:g}; try a lower optimizer.learning_rate "
        f"{_example(f'{learning_rate * smaller:g}')}, set optimizer.clip_norm{SCALING_ADVICE}"
    )


# η·2λ₂ over this share of the optimizer's `quadratic_step_limit`: plain SGD's L2 penalty
# alone then carries each weight past 0 every step (η·2λ₂ > 1), so the weights flip sign and
# the loss bounces (past the whole limit, diverges), whatever the data.
OVERSHOOT_SHARE = 0.5
# A weaker λ₂ suggested for it leaves η·2λ₂ at this share: a penalty each step barely feels.
CALM_SHARE = 0.005


def l2_overshoot(optimizer: Any, l2: float) -> tuple[float, float, float] | None:
    """(η·2λ₂, the optimizer's limit on it, the λ₂ that puts η·2λ₂ at CALM_SHARE of the
    limit) when the L2 penalty's own step exceeds OVERSHOOT_SHARE of the limit, else None
    (no penalty, or steps scaled per weight: Adagrad, Adam, FTRL)."""
    limit = optimizer.quadratic_step_limit()
    step = optimizer.learning_rate * 2.0 * l2
    # At half the limit exactly, plain SGD's penalty lands each weight on 0, not past it.
    if l2 <= 0 or limit is None or step <= OVERSHOOT_SHARE * limit:
        return None
    return step, limit, l2 * CALM_SHARE * limit / step


def l2_overshoot_advice(optimizer: Any, l2: float) -> str:
    """More for a diverged run's message ("; ..."), when the L2 penalty's own step already
    overshoots (`l2_overshoot`): a lower rate would then only leave λ₂ pinning the weights."""
    found = l2_overshoot(optimizer, l2)
    if found is None:
        return ""
    step, limit, weaker = found
    return (
        f"; model.l2 {l2:g} is too strong for that rate on its own: the penalty's step "
        f"η·2λ₂ = {step:.3g} is {'past' if step >= limit else 'over half'} the {limit:g} at "
        f"which gradient descent stops converging, so weaken model.l2 (e.g. {weaker:.3g})"
    )


# The part of divergence_message that only fits inputs on different scales.
SCALING_ADVICE = ", or scale features with zscore"


def without_scaling_advice(message: str) -> str:
    """`message` (divergence_message's) without its zscore advice, for inputs found on one
    scale already (the doctor measured them), where a zscore step would change nothing."""
    return message.replace(SCALING_ADVICE, ", or both", 1)


def _example(learning_rate: str) -> str:
    """The example lower rate inside divergence_message's advice (EXAMPLE_RATE finds it)."""
    return f"(e.g. {learning_rate}, or find one with mlcc lr-find)"


EXAMPLE_RATE = re.compile(r"\(e\.g\. [^,()]+, or find one with mlcc lr-find\)")


def with_example_rate(message: str, learning_rate: str) -> str:
    """`message` (divergence_message's) naming `learning_rate` as its example lower rate: the
    doctor's fix, when it has measured one with lr-find, so the error and the fix agree."""
    return EXAMPLE_RATE.sub(_example(learning_rate), message, count=1)


class DivergedError(Exception):
    """The period loop's signal: loss or weights became non-finite (or finitely exploded)
    at `step`."""

    def __init__(self, step: int, value: float) -> None:
        super().__init__(step)
        self.step, self.value = step, value
