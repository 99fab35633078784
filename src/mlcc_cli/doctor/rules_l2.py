"""Doctor rule on L2 regularisation: a penalty so strong it pins the weights near 0.

The crash course's trade-off: L2 buys a smaller generalisation gap with training fit. A run
with no gap between training and validation has nothing for it to buy, so a penalty that
costs much fit there is too strong, and its flat, high training loss is underfitting caused
by λ₂, not a learning rate or a too-simple model.

How much fit it costs is read off the trained weights, without retraining (`penalty`): a
penalty worth over STRONG_SHARE of the training loss the weights won has shrunk them by
1/(1 + r), r = (P/D)/(1 − 2·P/D).
Between NOTICEABLE_SHARE and STRONG_SHARE the shrinking is a fact worth knowing (a separable
problem such as iris needs some L2 to keep its weights finite), not an alarm.
"""

from __future__ import annotations

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.penalty import penalty_and_won, shrink_ratio
from mlcc_cli.doctor.rules_fit import overfitting
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.training.divergence import l2_overshoot

# P/D over 0.2: r over 1/3, the weights held under 3/4 of their size: a warning.
STRONG_SHARE = 0.2
# P/D over 0.1: r over 1/8, shrunk by more than a ninth: worth knowing (info).
NOTICEABLE_SHARE = 0.1
# The suggested λ₂ leaves r at this (weights shrunk by under 5%): still a penalty, no longer
# the thing that sets the fit.
GENTLE_SHRINK = 0.05
L2_LESSON = "Regularization for simplicity: L2"


def l2_too_strong(evidence: RunEvidence) -> list[Finding]:
    """With model.l2 on and no generalisation gap (`rules_fit.overfitting`): a penalty
    λ₂·Σw² worth STRONG_SHARE+ of the training loss the weights won over the trivial model
    has pinned them small (`shrink_ratio`; NOTICEABLE_SHARE+: info); weaken λ₂ so r falls to
    GENTLE_SHRINK."""
    l2 = float(getattr(evidence.config.model, "l2", 0.0) or 0.0)
    measured = penalty_and_won(evidence)
    if l2 <= 0 or measured is None or evidence.status != "complete":
        return []
    penalty, won = measured
    trivial = evidence.reference_losses["trivial"]
    train = trivial - won
    if won <= 0 or penalty < NOTICEABLE_SHARE * won or overfitting(evidence):
        return []
    ratio = shrink_ratio(penalty, won)
    weaker = l2 * GENTLE_SHRINK / ratio if ratio < float("inf") else l2 / 100.0
    strong = penalty >= STRONG_SHARE * won
    return [
        Finding(
            kind="l2_too_strong" if strong else "l2_shrinkage",
            title="L2 too strong: the weights are pinned near 0" if strong else "L2 shrinkage",
            concept=L2_LESSON,
            evidence=f"the penalty λ₂·Σw² = {penalty:.4g} is {penalty / won:.0%} of the "
            f"training loss the weights won over the trivial model ({trivial:.4g} → "
            f"{train:.4g}), so λ₂ = {format_number(l2)} "
            + (
                f"has shrunk the weights to about {1.0 / (1.0 + ratio):.0%} of their "
                "unpenalised size"
                if ratio < float("inf")
                else "dominates the fit (over half: more than a settled penalised fit "
                "allows, so the steps also keep the weights from settling where λ₂ holds them)"
            )
            + ", with no gap between training and validation for it to close",
            advice="a penalty this strong holds the training loss high and flat: the model "
            "underfits because of λ₂, not its learning rate or its size; weaken L2"
            if strong
            else "L2 trades some training fit for smaller weights; with no gap to close, a "
            "weaker one would fit a little tighter",
            fix=(f"model.l2={format_number(weaker)}",),
            severity="warning" if strong else "info",
        )
    ]


def l2_step_overshoots(evidence: RunEvidence) -> list[Finding]:
    """With plain or momentum SGD, a penalty λ₂·Σw² whose own step η·2λ₂ exceeds
    OVERSHOOT_SHARE of the optimizer's `quadratic_step_limit` (`divergence.l2_overshoot`):
    the penalty alone makes the weights overshoot 0 each step (and diverge past the limit),
    whatever the data; weaken λ₂ so η·2λ₂ falls to CALM_SHARE of the limit. The learning rate
    is not the fault: lowering it enough would leave λ₂ pinning the weights near 0."""
    l2 = float(getattr(evidence.config.model, "l2", 0.0) or 0.0)
    optimizer = build_optimizer(evidence.config.optimizer)
    found = l2_overshoot(optimizer, l2)
    if found is None:
        return []
    step, limit, weaker = found
    beyond = step >= limit
    return [
        Finding(
            kind="l2_step_overshoots",
            title="L2 too strong for the learning rate: its own step overshoots",
            concept=L2_LESSON,
            evidence=f"each step moves a weight by η·2λ₂ = {format_number(step)} times its "
            f"value for the penalty alone (learning rate {format_number(optimizer.learning_rate)}"
            f", λ₂ = {format_number(l2)}), "
            + (
                f"past the {format_number(limit)} beyond which these steps cannot converge"
                if beyond
                else f"over half the {format_number(limit)} beyond which these steps cannot "
                "converge: the weights overshoot 0 and flip sign from step to step"
            ),
            advice="a penalty this strong sets the weights, not the data: the steps swing "
            + ("ever wider" if beyond else "around 0")
            + " and a lower learning rate would only leave λ₂ pinning them near 0; weaken L2",
            fix=(f"model.l2={format_number(weaker)}",),
        )
    ]
