"""The numpy reference path: one Python-level loop over batches, and what a run of steps counts.

Each step is the model's `loss_and_gradients` on one batch (views into X, y, no copy), the
optimizer's update, then the L1 penalty (a proximal step, or the cumulative penalty on the
batch's columns: `Model.l1_method`); a batch loss that is not finite stops before
updating. The compiled path (`compiled.py`) runs the same steps and reports the same
`StepStats`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mlcc_cli.models.base import CUMULATIVE_L1, TrainableModel
from mlcc_cli.optim.base import Optimizer
from mlcc_cli.training.signal_gate import STEP_GATE

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


def apply_l1(model: TrainableModel, optimizer: Optimizer, X_batch: Matrix) -> None:
    """The L1 penalty after the optimizer's step on batch X_batch, by the model's l1_method:
    the proximal step on every weight, or the cumulative penalty on the rows it touched
    (unless the optimizer applies L1 its own way: `Optimizer.l1_method_matters`)."""
    if model.l1_method == CUMULATIVE_L1 and optimizer.l1_method_matters:
        rows = model.l1_rows(X_batch)
        optimizer.cumulative_l1(model.params, model.l1_names, model.l1, rows)
    else:
        optimizer.proximal_l1(model.params, model.l1_names, model.l1)


def numpy_steps(
    model: TrainableModel,
    optimizer: Optimizer,
    X: Matrix,
    y: np.ndarray,
    batch_size: int,
    batches: range,
    stats: StepStats | None = None,
) -> StepStats:
    """Run batches `batches` over contiguous, already shuffled arrays X, y (reference path),
    counting them into `stats` (a new StepStats if None) step by step, so a caller still
    knows how many were done when Ctrl-C stops the loop.

    A CSR X is sliced the same way (each batch's rows become a small CSR copy).

    Stops before updating if a batch loss is not finite (reported as `diverged`).
    """
    stats = StepStats() if stats is None else stats
    params = model.params
    n = X.shape[0]
    for index in batches:
        start = index * batch_size
        stop = min(start + batch_size, n)  # the last batch of an epoch may be smaller
        loss, grads = model.loss_and_gradients(X[start:stop], y[start:stop])  # views, no copy
        if not math.isfinite(loss):
            stats.diverged, stats.bad_loss = True, loss
            return stats
        with STEP_GATE:  # the update and its count happen whole, or not at all
            stats.grad_norm_sum += optimizer.step(params, grads)
            if model.l1 > 0:
                apply_l1(model, optimizer, X[start:stop])
            stats.steps += 1
            stats.examples += stop - start
    return stats
