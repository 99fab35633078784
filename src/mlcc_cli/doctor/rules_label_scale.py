"""Doctor rule on a regression label too large for the optimizer's steps to reach.

Adam, Adagrad and FTRL scale each weight's step by its own gradient history, so every weight
moves about `learning_rate` a step whatever the label's units: after S steps a weight has
travelled at most about learning_rate × S. A label in the tens of millions (prices in cents,
populations) needs an intercept and output weights that size; at 0.01 × 500 steps the model
ends nearer zero than the label, and no amount of patience at that rate closes the gap.
Plain SGD is not bound so (its step grows with the error), so this rule is for the
adaptive optimizers. The crash course's fix is to scale the label (`data.label_scale`); the
same run with a rate as many times larger is equivalent for these optimizers.
"""

from __future__ import annotations

import math

import numpy as np

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.rules_learning_rate import learning_rate_too_low, stuck_above_trivial
from mlcc_cli.doctor.rules_progress import still_improving
from mlcc_cli.models.base import SQUARED_ERROR
from mlcc_cli.optim.registry import OPTIMIZERS

# The label's size must fit ten times over in what the steps can travel, so the weights
# arrive with most of the run left to settle.
TRAVEL_MARGIN = 10.0


def _label_size(evidence: RunEvidence) -> float | None:
    """max(|mean|, standard deviation) of the validation labels, in the units trained on."""
    y = evidence.validation_labels
    if y is None or len(y) < 2 or not np.isfinite(y).all():
        return None
    return max(abs(float(np.mean(y))), float(np.std(y)))


def _steps(evidence: RunEvidence) -> int | None:
    """The weight updates the run made (history.csv's last `step`)."""
    history = evidence.history
    if history.empty or "step" not in history or not np.isfinite(history["step"].iloc[-1]):
        return None
    return int(history["step"].iloc[-1])


def label_out_of_reach(evidence: RunEvidence) -> list[Finding]:
    """A squared-error regression trained by a per-weight-step optimizer whose label size
    (`_label_size`) exceeds learning_rate × steps / TRAVEL_MARGIN, and that shows it: stuck
    above the trivial model, crawling, or still improving. Fix: the label scaled by the power
    of ten that brings it within reach, or the rate raised by the same factor."""
    if evidence.task != "regression" or evidence.status != "complete":
        return []
    if not OPTIMIZERS[evidence.config.optimizer.type].per_weight_steps:
        return []
    if evidence.model.loss_name != SQUARED_ERROR:
        return []
    size, steps = _label_size(evidence), _steps(evidence)
    rate = float(evidence.config.optimizer.learning_rate)
    if size is None or not steps or size * TRAVEL_MARGIN <= rate * steps:
        return []
    slow = stuck_above_trivial(evidence) or learning_rate_too_low(evidence)
    if not (slow or still_improving(evidence)):
        return []
    orders = math.ceil(math.log10(size * TRAVEL_MARGIN / (rate * steps)))
    scale = evidence.config.data.label_scale * 10.0**-orders
    return [
        Finding(
            kind="label_out_of_reach",
            title="label too large for the optimizer's steps",
            concept="Numerical data: normalization (scaling the label)",
            evidence=f"the label is about {format_number(size)} in size (|mean| or spread), "
            f"but {evidence.config.optimizer.type} moves each weight about the learning rate "
            f"{format_number(rate)} a step, {format_number(rate * steps)} in the run's "
            f"{steps:,} steps: the weights cannot reach the label's units",
            advice=f"scale the label down by 10^{orders} so the weights it needs are within "
            "reach (predictions and RMSE are then in the scaled units), or raise the learning "
            "rate by the same factor, which these optimizers treat the same",
            fix=(
                f"data.label_scale={format_number(scale)}",
                f"optimizer.learning_rate={format_number(rate * 10.0**orders)}",
            ),
        )
    ]
