"""The numpy reference path: one Python-level loop over batches, and what a run of steps counts.

Each step is the model's `loss_and_gradients` on one batch (views into X, y, no copy), the
optimizer's update, then the L1 proximal step; a batch loss that is not finite stops before
updating. The compiled path (`compiled.py`) runs the same steps and reports the same
`StepStats`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mlcc_cli.models.base import TrainableModel
from mlcc_cli.optim.base import Optimizer

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix


@dataclass
class StepStats:
    """Outcome of running consecutive steps: counts, summed gradient norms, divergence."""

    steps: int = 0
    examples: int = 0
    grad_norm_sum: float = 0.0
    diverged: bool = False
    bad_loss: float = math.nan  # the non-finite batch loss that stopped the run

    def add(self, other: StepStats) -> None:
        """Accumulate another run of steps into this one."""
        self.steps += other.steps
        self.examples += other.examples
        self.grad_norm_sum += other.grad_norm_sum
        if other.diverged:
            self.diverged, self.bad_loss = True, other.bad_loss


def numpy_steps(
    model: TrainableModel,
    optimizer: Optimizer,
    X: Matrix,
    y: np.ndarray,
    batch_size: int,
    batches: range,
) -> StepStats:
    """Run batches `batches` over contiguous, already shuffled arrays X, y (reference path).

    A CSR X is sliced the same way (each batch's rows become a small CSR copy).

    Stops before updating if a batch loss is not finite (reported as `diverged`).
    """
    stats = StepStats()
    params = model.params
    n = X.shape[0]
    l1 = model.l1
    for index in batches:
        start = index * batch_size
        stop = min(start + batch_size, n)  # the last batch of an epoch may be smaller
        loss, grads = model.loss_and_gradients(X[start:stop], y[start:stop])  # views, no copy
        if not math.isfinite(loss):
            stats.diverged, stats.bad_loss = True, loss
            return stats
        stats.grad_norm_sum += optimizer.step(params, grads)
        if l1 > 0:
            optimizer.proximal_l1(params, model.l1_names, l1)
        stats.steps += 1
        stats.examples += stop - start
    return stats
