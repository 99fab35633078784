"""`bench.py --only tpe`: how many trials TPE and random search need to get within 1% of a
known optimum, each trial a real mlcc run.

The problem: 150 rows of 30 Gaussian features with scales from 3 down to 0.1 (so the
gradient's curvature spans ~900×), y = X·w + 3 + noise (σ = 8), fixed by SEED; the first 100
rows train, the other 50 validate (`data.shuffle: false`). mlcc trains a linear regression
with 30 full-batch gradient steps from zero weights, so the validation RMSE is a
deterministic function of `optimizer.learning_rate` (log-uniform 0.001–0.08) and `model.l2`
(log-uniform 0.001–10): too small a rate has not learned yet, too large a one has fitted the
noise by step 30 (the rate acts as early stopping), and L2 shrinks the weights that noise
pulls on. Its optimum is known exactly, since 30 steps of gradient descent on a quadratic are
a linear recurrence: `oracle` replays them in numpy (θ ← θ − η(Aθ − c), with
A = 2/n·[X 1]ᵀ[X 1] + 2λ·diag(1…1, 0), c = 2/n·[X 1]ᵀy), a 200 × 200 log grid finds the
best cell and Nelder–Mead refines it. 1.9% of the (log-uniform) space lies within 1% of the
optimum, so random search should need 35 trials at the median (log 0.5 / log 0.981).

Each sweep (`mlcc sweep --search tpe` and `--search random`, the library call, no plots)
runs TRIALS trials from a config seed; the count is the first trial (1-based) whose
validation RMSE is within 1% of the optimum, or none within TRIALS. Repeated over SEEDS
config seeds (the data stay fixed), the medians are reported. The note also gives the
largest difference between mlcc's RMSE and the oracle's at the same values, which checks
that the optimum is the one mlcc's runs are judged against.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from bench_table import progress

from mlcc_cli.workflows.sweep.run import run_sweep

SEED = 0
ROWS, TRAIN_ROWS, FEATURES, NOISE, STEPS = 150, 100, 30, 8.0, 30
LEARNING_RATES, L2S = (1e-3, 0.08), (1e-3, 10.0)
WITHIN = 0.01  # "within 1% of the optimum": RMSE <= 1.01 × the optimal RMSE
FULL, QUICK = (60, 5), (12, 1)  # (trials per sweep, config seeds)


@dataclass(frozen=True)
class Problem:
    """The data of the benchmark's regression and the exact outcome of training on it."""

    X: np.ndarray  # (ROWS, FEATURES)
    y: np.ndarray  # (ROWS,)

    def validation_rmses(self, learning_rates: np.ndarray, l2: float) -> np.ndarray:
        """The validation RMSE after STEPS full-batch gradient steps from zero, per rate (the
        oracle): θ ← θ − η(Aθ − c) with θ = (w, b), replayed for all rates at once."""
        X, y = self.X[:TRAIN_ROWS], self.y[:TRAIN_ROWS]
        design = np.c_[X, np.ones(TRAIN_ROWS)]  # (n, d + 1): the intercept last
        A = 2 / TRAIN_ROWS * design.T @ design + 2 * l2 * np.diag([1.0] * FEATURES + [0.0])
        c = 2 / TRAIN_ROWS * design.T @ y  # (d + 1,)
        rates = np.asarray(learning_rates, dtype=np.float64)
        theta = np.zeros((FEATURES + 1, rates.size))  # one column per rate
        for _ in range(STEPS):
            theta -= rates * (A @ theta - c[:, None])
        validation = np.c_[self.X[TRAIN_ROWS:], np.ones(ROWS - TRAIN_ROWS)]
        residual = validation @ theta - self.y[TRAIN_ROWS:, None]  # (n_validation, rates)
        return np.sqrt(np.mean(residual**2, axis=0))

    def validation_rmse(self, learning_rate: float, l2: float) -> float:
        """The oracle at one point."""
        return float(self.validation_rmses(np.array([learning_rate]), l2)[0])

    def optimum(self) -> tuple[float, float, float]:
        """(best RMSE, its learning rate, its l2): a log grid's best cell, then Nelder–Mead."""
        from scipy.optimize import minimize  # deferred: only this section needs scipy

        rates = np.geomspace(*LEARNING_RATES, 200)
        grid = [
            (float(rmses.min()), float(rates[rmses.argmin()]), float(l2))
            for l2 in np.geomspace(*L2S, 200)
            for rmses in [self.validation_rmses(rates, l2)]
        ]
        _, rate, l2 = min(grid)
        low = np.log([LEARNING_RATES[0], L2S[0]])
        high = np.log([LEARNING_RATES[1], L2S[1]])

        def objective(logs: np.ndarray) -> float:
            rate, l2 = np.exp(np.clip(logs, low, high))
            return self.validation_rmse(float(rate), float(l2))

        found = minimize(objective, np.log([rate, l2]), method="Nelder-Mead")
        rate, l2 = np.exp(np.clip(found.x, low, high))
        return float(found.fun), float(rate), float(l2)


def make_problem() -> Problem:
    """The fixed data: features of decreasing scale, a linear target plus noise."""
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(ROWS, FEATURES)) * np.geomspace(3.0, 0.1, FEATURES)
    y = X @ rng.normal(size=FEATURES) + 3.0 + NOISE * rng.normal(size=ROWS)
    return Problem(X, y)


def write_config(folder: Path, problem: Problem, trials: int, seed: int) -> Path:
    """The data as CSV and an experiment config with the search space, for one config seed."""
    data = folder / "data.csv"
    if not data.exists():
        header = ",".join([*(f"x{i}" for i in range(FEATURES)), "target"])
        np.savetxt(data, np.c_[problem.X, problem.y], delimiter=",", header=header, comments="")
    config = {
        "name": f"tpe-bench-{seed}",
        "seed": seed,
        "data": {
            "source": str(data),
            "label": "target",
            "shuffle": False,
            "split": {"train": TRAIN_ROWS / ROWS, "validation": 1 - TRAIN_ROWS / ROWS},
        },
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
        "training": {"batch_size": "full", "steps": STEPS, "periods": 1},
        "sweep": {
            "random": {
                "trials": trials,
                "params": {
                    "optimizer.learning_rate": {
                        "type": "log_uniform",
                        "low": LEARNING_RATES[0],
                        "high": LEARNING_RATES[1],
                    },
                    "model.l2": {"type": "log_uniform", "low": L2S[0], "high": L2S[1]},
                },
            }
        },
    }
    path = folder / f"seed-{seed}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def trials_to_target(values: list[float | None], target: float) -> int | None:
    """The 1-based number of the first value at or below `target`; None if none is."""
    for number, value in enumerate(values, start=1):
        if value is not None and value <= target:
            return number
    return None


def _median(counts: list[int | None], trials: int) -> str:
    """The median count, a sweep that never got there counting as more than `trials`."""
    ordered = sorted(counts, key=lambda c: float("inf") if c is None else c)
    middle = ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]
    if any(c is None for c in middle):
        return f"> {trials}"
    return f"{statistics.fmean(middle):g}"  # type: ignore[arg-type]


def tpe_section(quick: bool) -> tuple[list[str], list[str]]:
    """The table (Markdown lines) and the notes under it."""
    started = time.perf_counter()
    trials, seeds = QUICK if quick else FULL
    problem = make_problem()
    best, best_rate, best_l2 = problem.optimum()
    target = (1 + WITHIN) * best
    counts: dict[str, list[int | None]] = {"tpe": [], "random": []}
    worst_gap = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(1, seeds + 1):
            config = write_config(Path(folder), problem, trials, seed)
            for search in counts:
                progress(f"tpe: {search} search, {trials} trials, config seed {seed}")
                result = run_sweep(
                    config, [], runs_dir=Path(folder) / "runs", name=f"{search}-{seed}",
                    search=search, plots=False,
                )  # fmt: skip
                values = [row.metrics.get("validation", {}).get("rmse") for row in result.rows]
                counts[search].append(trials_to_target(values, target))
                for row, value in zip(result.rows, values, strict=True):
                    if value is not None:
                        exact = problem.validation_rmse(
                            row.params["optimizer.learning_rate"], row.params["model.l2"]
                        )
                        worst_gap = max(worst_gap, abs(value - exact) / exact)
    lines = [
        "## TPE and random search against a known optimum",
        "",
        "| search | median trials to within 1% | reached within the sweep | per config seed |",
        "|---|---|---|---|",
    ]
    for search, found in counts.items():
        reached = sum(c is not None for c in found)
        each = ", ".join("—" if c is None else str(c) for c in found)
        lines.append(
            f"| {search} | {_median(found, trials)} | {reached} of {len(found)} | {each} |"
        )
    lines.append("")
    notes = [
        f"tpe: optimum validation RMSE {best:.5g} at learning_rate {best_rate:.4g}, l2 "
        f"{best_l2:.4g}; target ≤ {target:.5g}; {trials} trials per sweep, config seeds 1–{seeds}; "
        f"mlcc's RMSE equals the oracle's to {worst_gap:.1e} (relative); "
        f"{time.perf_counter() - started:.0f} s"
    ]
    return lines, notes
