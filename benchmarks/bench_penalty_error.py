"""Sparse penalties, accuracy (issue 17): mlcc's exact proximal SGD and its cumulative L1
penalty (`model.l1_method`) next to scikit-learn's.

mlcc steps w ← soft(a·w − η·g, ηλ₁), a = 1 − 2ηλ₂, exactly at every step (lazily caught up in
scaled form by the compiled kernel). scikit-learn's SGDClassifier applies L2 through its
`wscale` (the same a) but L1 by Tsuruoka et al.'s cumulative penalty: a column is truncated
only when a row touches it, by the penalty it could have received since the start minus what
it did receive, so a weight held at 0 builds up credit against noise; mlcc's
`l1_method: cumulative` is that algorithm too. All run the same
epochs at the same constant rate η on the same CSR matrix, and each result is measured
against a reference optimum of F = mean log loss + λ₁‖w‖₁ + λ₂‖w‖² (`penalty_reference.py`):
objective gap (F − F*)/F*, ‖w − w*‖/‖w*‖ and the count of non-zero weights.

Data: bench_sparse.py's hashed crosses (40 random buckets a row), 200,000 rows × 2**14
buckets, 12 rows per column, ~490 non-zeros a column (4,000 × 2**8 with --quick). With fewer
rows per column the classes are nearly separable and λ = 1e-6 barely bounds w: at 30,000 ×
2**14, 100 saga passes left F = 0.07 and ‖w‖ ≈ 170, not converged.
mlcc: `LogisticRegression(l1, l2)`, `SGD(η)`, `EpochRunner` on the compiled engine with the
default shuffle (rows), at batch 1 (what SGDClassifier does) and batch 128 (bench_sparse's
rows; 128× fewer steps an epoch). scikit-learn: SGDClassifier(log_loss, constant η,
max_iter = epochs, tol=None, shuffle, random_state 0) with alpha and l1_ratio from
`bench_sparse._sklearn_penalty`; it multiplies intercept updates by 0.01 on a sparse X.
Timing: each round runs every method of one penalty back to back (paired); best of `repeat`
rounds. The compiled kernel's exactness is checked against the numpy path on the same steps.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np
from bench_sparse import LEARNING_RATE, PER_ROW, SparseData, _sklearn_penalty, make_sparse_data
from bench_table import markdown_table, progress, quantity
from penalty_reference import (
    Optimum,
    penalised_objective,
    reference_optimum,
    sklearn_logistic_arguments,
)

from mlcc_cli.models.linear import LogisticRegression
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import EpochRunner, resolve_shuffle

FULL_SHAPE, QUICK_SHAPE = (200_000, 2**14), (4_000, 2**8)  # (rows, buckets)
EPOCHS = (1, 5)
BATCHES = (1, 128)
# (label, λ₁, λ₂): bench_sparse.py's penalties, then stronger ones whose optimum is sparse.
PENALTIES = (
    ("L1", 1e-6, 0.0),
    ("L2", 0.0, 1e-6),
    ("L1+L2", 1e-6, 1e-6),
    ("L1", 1e-4, 0.0),
    ("L1", 3e-4, 0.0),
    ("L1+L2", 1e-4, 1e-4),
)
METHODS = ("exact", "cumulative")  # model.l1_method
FULL_EXACT_STEPS, QUICK_EXACT_STEPS = 2_000, 200  # batch-1 steps compared with the numpy path
SKLEARN = "sklearn SGDClassifier"
COLUMNS = (
    "penalty (λ₁, λ₂)", "epochs", "method", "(F − F*)/F*", "‖w − w*‖/‖w*‖",
    "non-zeros (w*)", "epoch", "vs sklearn",
)  # fmt: skip


@dataclass(frozen=True)
class Fit:
    """Weights after `epochs` epochs of one method, and its seconds per epoch."""

    method: str
    epochs: int
    coef: np.ndarray
    intercept: float
    epoch_seconds: float


def _mlcc_runner(
    data: SparseData, l1: float, l2: float, batch: int, engine: str, method: str = "exact"
) -> tuple[EpochRunner, LogisticRegression, SGD]:
    """A runner from zero weights with the default shuffle, its model and optimizer."""
    model = LogisticRegression(l1=l1, l2=l2, l1_method=method).initialize(data.X.shape[1])
    shuffle = resolve_shuffle("auto", data.X, rows_in_random_order=True)
    per_epoch = math.ceil(data.X.shape[0] / batch)
    rng = np.random.default_rng(0)
    runner = EpochRunner(data.X, data.y, batch, per_epoch, rng, engine, shuffle)
    return runner, model, SGD(learning_rate=LEARNING_RATE)


def _run_until(runner: EpochRunner, model: LogisticRegression, optimizer: SGD, step: int) -> None:
    with np.errstate(over="ignore", invalid="ignore"):  # as train() does
        runner.run_until(model, optimizer, step)


def _methods(l1: float) -> tuple[str, ...]:
    """mlcc's L1 methods worth a row: both with L1 on (without, they are the same steps)."""
    return METHODS if l1 else METHODS[:1]


def _mlcc_fits(data: SparseData, l1: float, l2: float, batch: int, method: str) -> list[Fit]:
    """One compiled run of max(EPOCHS) epochs, its weights kept after each of EPOCHS."""
    runner, model, optimizer = _mlcc_runner(data, l1, l2, batch, "compiled", method)
    label = f"mlcc {method}, batch {batch}" if l1 else f"mlcc, batch {batch}"
    fits, seconds = [], 0.0
    for epoch in range(1, max(EPOCHS) + 1):
        started = time.perf_counter()
        _run_until(runner, model, optimizer, epoch * runner.steps_per_epoch)
        seconds += time.perf_counter() - started
        if epoch in EPOCHS:
            coef, intercept = model.coef_.copy(), float(model.intercept_[0])
            fits.append(Fit(label, epoch, coef, intercept, seconds / epoch))
    return fits


def _sklearn_fit(data: SparseData, l1: float, l2: float, epochs: int) -> Fit:
    """SGDClassifier fitted for `epochs` epochs from zero (its L1 state starts afresh)."""
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier

    estimator = SGDClassifier(
        loss="log_loss", max_iter=epochs, tol=None, learning_rate="constant",
        eta0=LEARNING_RATE, shuffle=True, random_state=0, **_sklearn_penalty(l1, l2),
    )  # fmt: skip
    with warnings.catch_warnings(), config_context(assume_finite=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        estimator.fit(data.X, data.y)
        seconds = time.perf_counter() - started
    coef, intercept = estimator.coef_.ravel(), float(estimator.intercept_[0])
    return Fit(SKLEARN, epochs, coef, intercept, seconds / epochs)


def measure_round(data: SparseData, l1: float, l2: float) -> list[Fit]:
    """Every method at every number of epochs, back to back."""
    fits = [_sklearn_fit(data, l1, l2, epochs) for epochs in EPOCHS]
    for method in _methods(l1):
        for batch in BATCHES:
            fits += _mlcc_fits(data, l1, l2, batch, method)
    return fits


def fastest(rounds: list[list[Fit]]) -> list[Fit]:
    """The last round's fits (all rounds compute the same weights) with each one's best time."""
    return [
        Fit(fit.method, fit.epochs, fit.coef, fit.intercept, min(f.epoch_seconds for f in same))
        for fit, *same in zip(rounds[-1], *rounds, strict=True)
    ]


def compiled_vs_numpy(data: SparseData, l1: float, l2: float, batch_1_steps: int) -> float:
    """Largest |w_compiled − w_numpy| (and |Δb|), over both L1 methods: one epoch at batch
    128, then the first `batch_1_steps` steps at batch 1."""
    plans = ((128, math.ceil(data.X.shape[0] / 128)), (1, batch_1_steps))
    difference = 0.0
    for (batch, steps), method in itertools.product(plans, _methods(l1)):
        weights = []
        for engine in ("compiled", "numpy"):
            runner, model, optimizer = _mlcc_runner(data, l1, l2, batch, engine, method)
            _run_until(runner, model, optimizer, steps)
            weights.append(np.append(model.coef_, model.intercept_))
        difference = max(difference, float(np.abs(weights[0] - weights[1]).max()))
    return difference


def table_rows(
    data: SparseData, label: str, l1: float, l2: float, optimum: Optimum, fits: list[Fit]
) -> list[tuple[str, ...]]:
    """The table's rows of one penalty: each method at each number of epochs."""
    reference = {fit.epochs: fit.epoch_seconds for fit in fits if fit.method == SKLEARN}
    norm, optimum_nonzeros = np.linalg.norm(optimum.coef), np.count_nonzero(optimum.coef)
    rows = []
    for epochs in EPOCHS:
        for fit in (fit for fit in fits if fit.epochs == epochs):
            objective = penalised_objective(data.X, data.y, fit.coef, fit.intercept, l1, l2)
            ratio = fit.epoch_seconds / reference[epochs]
            rows.append(
                (
                    f"{label} ({l1:g}, {l2:g})",
                    str(epochs),
                    fit.method,
                    f"{(objective - optimum.objective) / optimum.objective:.2e}",
                    f"{np.linalg.norm(fit.coef - optimum.coef) / norm:.3f}",
                    f"{np.count_nonzero(fit.coef):,} ({optimum_nonzeros:,})",
                    quantity(fit.epoch_seconds, "s"),
                    "" if fit.method == SKLEARN else f"{ratio:.2f}×",
                )
            )
    return rows


def l2_cross_check(data: SparseData, l2: float, optimum: Optimum) -> str:
    """scikit-learn's LogisticRegression(lbfgs) on the L2-only objective: its F − F*."""
    from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

    arguments = sklearn_logistic_arguments(0.0, l2, data.X.shape[0])
    estimator = SklearnLogisticRegression(solver="lbfgs", tol=1e-10, max_iter=10_000, **arguments)
    estimator.fit(data.X, data.y)
    coef, intercept = estimator.coef_.ravel(), float(estimator.intercept_[0])
    theirs = penalised_objective(data.X, data.y, coef, intercept, 0.0, l2)
    distance = np.linalg.norm(coef - optimum.coef) / np.linalg.norm(optimum.coef)
    return (
        f"L2 {l2:g}: sklearn LogisticRegression(lbfgs, C = 1/(2nλ₂)) reaches "
        f"(F − F*)/F* = {(theirs - optimum.objective) / optimum.objective:.1e}, "
        f"‖w − w*‖/‖w*‖ = {distance:.1e}"
    )


def penalty_section(quick: bool, repeat: int) -> tuple[list[str], list[str]]:
    """The accuracy table (Markdown lines, printed after the timing table) and its notes."""
    started = time.perf_counter()
    rows, buckets = QUICK_SHAPE if quick else FULL_SHAPE
    data = make_sparse_data(rows, buckets=buckets)
    optima, references = [], []
    for label, l1, l2 in PENALTIES:
        progress(f"penalties: reference optimum, {label} ({l1:g}, {l2:g})")
        solve_started = time.perf_counter()
        optimum = reference_optimum(data.X, data.y, l1, l2)
        optima.append(optimum)
        references.append(
            f"{label} ({l1:g}, {l2:g}) F* = {optimum.objective:.6f}, "
            f"{np.count_nonzero(optimum.coef):,} non-zeros, residual {optimum.residual:.0e}, "
            f"last restart gained {optimum.last_gain:.0e}, {optimum.iterations} iterations, "
            f"{time.perf_counter() - solve_started:.1f} s"
        )
    rounds: list[list[list[Fit]]] = [[] for _ in PENALTIES]
    for round_index in range(repeat):
        for (label, l1, l2), penalty_rounds in zip(PENALTIES, rounds, strict=True):
            progress(f"penalties: round {round_index + 1}, {label} ({l1:g}, {l2:g})")
            penalty_rounds.append(measure_round(data, l1, l2))
    table, exactness = [], []
    steps = QUICK_EXACT_STEPS if quick else FULL_EXACT_STEPS
    for (label, l1, l2), optimum, penalty_rounds in zip(PENALTIES, optima, rounds, strict=True):
        table += table_rows(data, label, l1, l2, optimum, fastest(penalty_rounds))
        progress(f"penalties: compiled vs numpy, {label} ({l1:g}, {l2:g})")
        exactness.append(f"{compiled_vs_numpy(data, l1, l2, steps):.0e}")
    l2_index = next(i for i, (_, l1, l2) in enumerate(PENALTIES) if l2 and not l1)
    cross_check = l2_cross_check(data, PENALTIES[l2_index][2], optima[l2_index])
    heading = "## Sparse penalties: mlcc's exact and cumulative L1 vs scikit-learn's"
    notes = [
        f"penalties: {rows:,} × {buckets:,} CSR, {PER_ROW} buckets a row ({data.X.nnz:,} "
        f"non-zeros), seed 0; log loss, η = {LEARNING_RATE:g}; times best of {repeat} paired "
        "rounds",
        "penalties, reference optima (L-BFGS-B, split w = u − v; residual = largest violation "
        "of 0 ∈ ∂F): " + "; ".join(references) + f"; {cross_check}",
        f"penalties: mlcc compiled vs numpy path, largest |Δw| after one batch-128 epoch and "
        f"{steps:,} batch-1 steps: {', '.join(exactness)} (in PENALTIES order)",
        f"penalties section took {time.perf_counter() - started:.0f} s",
    ]
    return [heading, "", *markdown_table(COLUMNS, table), ""], notes
