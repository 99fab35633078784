"""The size ladder: one dense logistic epoch at 100,000 … 10,000,000 rows × 32, next to
scikit-learn's SGDClassifier epoch and one numpy full-batch gradient, and how each cost
grows with the rows (a table row per size and batch, a note per series, a PNG plot).

Measured interleaved: each repetition times scikit-learn's epoch, the full-batch gradient and
one epoch per batch size back to back, so load from other processes on the shared machine
falls on all of them alike; the medians are reported. mlcc runs the defaults (`engine: auto`,
`shuffle: auto`) through `EpochRunner`, one runner per batch size, after one warm-up epoch.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_table import MB, Row, progress
from bench_training import (
    GRADIENT,
    LEARNING_RATE,
    PRODUCTS,
    full_gradient_time,
    make_data,
    products_time,
    sklearn_epoch,
)

from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import EpochRunner, choose_engine, resolve_shuffle

FULL_SIZES = (100_000, 400_000, 2_000_000, 10_000_000)
QUICK_SIZES = (5_000, 20_000, 50_000)
FEATURES = 32
# (batch size, reference, target ratio): the targets at every size; batch 1024 is
# also shown against the two products alone (the reference before 2026-12-06), untargeted.
PLAN = (
    (1024, "gradient", 1.5),
    (1024, "products", None),
    (128, "peer", 0.25),
    (32, "peer", 0.25),
    (1, "peer", 0.25),
)
BATCHES = tuple(dict.fromkeys(batch for batch, _, _ in PLAN))
REFERENCE = {
    "gradient": GRADIENT["logistic"],
    "products": PRODUCTS,
    "peer": "sklearn SGDClassifier epoch",
}
PLOT = Path(__file__).resolve().parent / "ladder.png"


def _runner(X: np.ndarray, y: np.ndarray, batch: int) -> tuple[EpochRunner, int, object, object]:
    """A runner with the default engine and shuffle, after one warm-up epoch."""
    model = MODELS["logistic"]().initialize(X.shape[1])
    optimizer = SGD(learning_rate=LEARNING_RATE)
    engine = choose_engine("auto", model, optimizer, X)
    shuffle = resolve_shuffle("auto", X, rows_in_random_order=True)
    steps = math.ceil(X.shape[0] / batch)
    runner = EpochRunner(X, y, batch, steps, np.random.default_rng(0), engine, shuffle)
    runner.run_until(model, optimizer, steps)
    return runner, steps, model, optimizer


def _epoch(runner: EpochRunner, steps: int, model: object, optimizer: object) -> float:
    """Seconds of the runner's next epoch."""
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):  # as train() does
        runner.run_until(model, optimizer, runner.step + steps)
    return time.perf_counter() - start


def measure(rows: int, repeat: int) -> dict[str, list[float]]:
    """Seconds of each repetition of each series at one size: "peer", "gradient", "products"
    and "batch B"."""
    data = make_data(rows, FEATURES, seed=0)
    X, y = data.X, data.y["logistic"]
    runners = {batch: _runner(X, y, batch) for batch in BATCHES}
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        times.setdefault("peer", []).append(sklearn_epoch("logistic", X, y, 1))
        times.setdefault("gradient", []).append(full_gradient_time("logistic", X, y, 3))
        times.setdefault("products", []).append(products_time(X, 3))
        for batch, runner in runners.items():
            times.setdefault(f"batch {batch}", []).append(_epoch(*runner))
    return times


def _spread_note(rows: int, times: dict[str, list[float]]) -> str:
    """The fastest and slowest repetition of each series at one size (load from other
    processes moves the 2-thread BLAS gradient most), so a median can be judged."""
    ranges = ", ".join(
        f"{name} {min(values) * 1e3:,.3g}–{max(values) * 1e3:,.3g}"
        for name, values in times.items()
    )
    return f"ladder, {rows:,} rows, range over the repetitions (ms): {ranges}"


def _growth_note(name: str, sizes: tuple[int, ...], series: list[float]) -> str:
    """How one series grows from the smallest to the largest size, per row of work."""
    steps = ", ".join(f"{s * 1e3:,.3g}" for s in series)
    rows_factor, time_factor = sizes[-1] / sizes[0], series[-1] / series[0]
    return (
        f"ladder, {name}: {steps} ms at {', '.join(f'{n:,}' for n in sizes)} rows; "
        f"{rows_factor:,.0f}× the rows cost {time_factor:,.1f}× the time "
        f"({time_factor / rows_factor:.2f}× per row)"
    )


def plot(sizes: tuple[int, ...], results: list[dict[str, float]], path: Path) -> None:
    """Milliseconds per epoch against rows, log–log, one line per series."""
    import matplotlib  # deferred: only the ladder draws

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.2), dpi=80)
    labels = {
        "peer": REFERENCE["peer"],
        "gradient": "numpy full-batch logistic gradient",
        "products": PRODUCTS,
    }
    for name in (*labels, *(f"batch {b}" for b in BATCHES)):
        label = labels.get(name, f"mlcc, {name}")
        style = "--" if name in labels else "-"
        series = [result[name] * 1e3 for result in results]
        axes.plot(sizes, series, style, marker="o", label=label)
    axes.set(xscale="log", yscale="log", xlabel="rows (× 32 features)", ylabel="ms per epoch")
    axes.set_title("Epoch cost against rows, logistic regression")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def ladder_rows(quick: bool, repeat: int) -> tuple[list[Row], list[str]]:
    """Table rows (each size × batch against its reference) and growth notes; draws the plot
    (benchmarks/ladder.png, or a temporary file with --quick)."""
    sizes = QUICK_SIZES if quick else FULL_SIZES
    rows: list[Row] = []
    results = []
    spreads: list[str] = []
    for n in sizes:
        progress(f"ladder, {n:,} rows")
        times = measure(n, repeat)
        spreads.append(_spread_note(n, times))
        result = {name: statistics.median(values) for name, values in times.items()}
        results.append(result)
        X_bytes = n * FEATURES * 8
        shuffle = resolve_shuffle(
            "auto", np.broadcast_to(np.zeros(1), (n, FEATURES)), rows_in_random_order=True
        )
        for batch, reference, target in PLAN:
            rows.append(
                Row(
                    f"ladder epoch, {n:,} × {FEATURES} ({X_bytes / MB:,.0f} MB), batch {batch}",
                    result[f"batch {batch}"],
                    engine=f"compiled, {shuffle} (default)",
                    reference=REFERENCE[reference],
                    reference_value=result[reference],
                    target=target,
                )
            )
    notes = [
        _growth_note(REFERENCE["peer"], sizes, [r["peer"] for r in results]),
        _growth_note("numpy full-batch logistic gradient", sizes, [r["gradient"] for r in results]),
        _growth_note(PRODUCTS, sizes, [r["products"] for r in results]),
    ]
    notes += [
        _growth_note(f"mlcc batch {b}", sizes, [r[f"batch {b}"] for r in results]) for b in BATCHES
    ]
    path = Path(tempfile.gettempdir()) / "mlcc-ladder.png" if quick else PLOT
    plot(sizes, results, path)
    notes.append(
        f"ladder: medians of {repeat} interleaved repetitions (sklearn epoch, gradient, "
        f"products, one epoch per batch); {sizes[-1]:,} rows are held in memory "
        f"({sizes[-1] * 256 / MB:,.0f} MB; data.streaming has its own row); plot: {path}"
    )
    return rows, notes + spreads
