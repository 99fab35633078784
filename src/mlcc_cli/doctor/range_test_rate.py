"""The learning rate the doctor takes from a learning-rate range test (`mlcc lr-find`).

lr-find reports the rate where the smoothed loss falls fastest. That rate is measured on one
batch per rate, with the rate rising every step, while the run it is suggested for keeps one
rate for thousands of batches: every rarely drawn batch with extreme rows, and every slow
build-up of overshoot, gets its turn there, so a rate that still descends steeply in the test
can make a whole run's loss bounce or climb. The doctor therefore keeps a margin of one order
of magnitude below the smaller of the steepest-descent rate and the rate where the smoothed
loss was lowest, as fast.ai's `lr_find` advises for its minimum ("min/10"; Smith 2017,
"Cyclical Learning Rates for Training Neural Networks", picks the rate where the loss
still falls, well below where it turns up).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SAFETY_FACTOR = 10.0  # one order of magnitude below the test's fastest-descent rate


def safe_learning_rate(
    learning_rates: Sequence[float], smoothed_losses: Sequence[float], steepest: float | None
) -> float | None:
    """min(steepest-descent rate, rate at the lowest smoothed loss) / SAFETY_FACTOR; None
    when the test found no descent (`steepest` None).

    Parameters
    ----------
    learning_rates, smoothed_losses : the range test's curve, shape (n_steps,) each (a
        non-finite loss, the blow-up, is never the lowest).
    steepest : lr-find's suggestion, the rate of steepest descent.
    """
    if steepest is None or not math.isfinite(steepest) or steepest <= 0:
        return None
    finite = [
        (loss, rate)
        for rate, loss in zip(learning_rates, smoothed_losses, strict=True)
        if math.isfinite(loss)
    ]
    lowest = min(finite)[1] if finite else steepest
    return min(steepest, lowest) / SAFETY_FACTOR


def rate_for_batch(rate: float, test_batch: int, run_batch: int) -> float:
    """A plain-SGD rate measured on `test_batch` rows a step, for a run on `run_batch` rows:
    rate · run_batch / test_batch when the run's batch is the smaller (else `rate`).

    The linear scaling rule (Goyal et al. 2017, "Accurate, Large Minibatch SGD"): while the
    gradient's noise dominates (McCandlish et al. 2018, "An Empirical Model of Large-Batch
    Training"), the largest rate SGD tolerates grows in proportion to the batch, so a batch
    of 1 needs about a 32nd of the rate the test's 32 rows tolerate.
    """
    return rate * min(1.0, run_batch / test_batch) if test_batch > 0 else rate
