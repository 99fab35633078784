"""`make bench`: mlcc's training engine and CLI against numpy and scikit-learn, one process.

Generates data with a fixed seed, times mlcc epochs (both engines where the `auto` threshold
matters), full-batch steps, CLI start-up and training wall time, sparse (hashed crosses, CSR)
epochs, measures peak memory in child processes, and prints one Markdown table: time,
reference, ratio, target, verdict. Ratios are reported, never asserted. `--quick` shrinks the
data for a smoke run in CI; `--only penalties` prints, after the timing table, how close
mlcc's exact L1/L2 steps and scikit-learn's SGDClassifier come to a reference optimum
(bench_penalty_error.py; 200,000 × 2**14 CSR, minutes; 4,000 × 2**8 with --quick);
`--only sparse` (or training, cli, memory, streaming) runs one
section; `--only startup` times whole small-run processes (train, evaluate, predict, validate)
against importing their libraries, paired; `--only multiclass` runs the softmax / one-vs-all /
MLP rows (500,000 × 64, 10 classes; 20,000 rows with --quick); `--only cnn` one CNN epoch on
8×8 digits and 28×28 synthetic images against a loop reference, an equal-parameter MLP and the
matrix-product floor (a few hundred images with --quick); `--only ladder` one logistic epoch
at 100,000 to 10,000,000 rows × 32 against scikit-learn and a full-batch gradient, and how
each grows (benchmarks/ladder.png; 5,000–50,000 rows with --quick); `--only doctor` scores
the run doctor on its labelled cases (benchmarks/doctor_cases.py) and retrains each first
fix (not with --quick), printed as its own tables after the timing table; `--only tpe` counts
the trials `mlcc sweep --search tpe` and `--search random` need to get within 1% of a known
optimum (benchmarks/bench_tpe.py; 5 config seeds × 60 trials, 1 × 12 with --quick), a table
after the doctor's.

Usage: python benchmarks/bench.py [--quick] [--only SECTION] [--rows N] [--features D]
       [--sparse-rows N] [--multiclass-rows N] [--repeat N] [--cli-repeat N]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from bench_cli import startup_rows, train_rows
from bench_cnn import cnn_rows
from bench_doctor import doctor_section
from bench_env import header_lines
from bench_ladder import ladder_rows
from bench_memory import memory_rows
from bench_multiclass import FULL_ROWS as MULTICLASS_FULL_ROWS
from bench_multiclass import QUICK_ROWS as MULTICLASS_QUICK_ROWS
from bench_multiclass import multiclass_rows
from bench_penalty_error import penalty_section
from bench_sparse import FULL_ROWS as SPARSE_FULL_ROWS
from bench_sparse import QUICK_ROWS as SPARSE_QUICK_ROWS
from bench_sparse import sparse_rows
from bench_startup import whole_process_rows
from bench_streaming import streaming_rows
from bench_table import MB, Row, render_table
from bench_tpe import tpe_section
from bench_training import make_data, training_rows, warm_up_kernel

from mlcc_cli.training.blas_threads import free_idle_blas_threads

ROOT = Path(__file__).resolve().parent.parent
FULL_ROWS, QUICK_ROWS, FEATURES = 2_000_000, 20_000, 32
SEED = 0
SECTIONS = (
    "training",
    "ladder",
    "cli",
    "startup",
    "memory",
    "streaming",
    "sparse",
    "penalties",
    "multiclass",
    "cnn",
    "doctor",
    "tpe",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; --quick changes the defaults of the others."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, one repetition")
    parser.add_argument("--rows", type=int, help=f"rows of X (default {FULL_ROWS:,})")
    parser.add_argument("--features", type=int, default=FEATURES, help="columns of X")
    parser.add_argument(
        "--sparse-rows", type=int, help=f"rows of the sparse X (default {SPARSE_FULL_ROWS:,})"
    )
    parser.add_argument(
        "--multiclass-rows",
        type=int,
        help=f"rows of the multiclass X (default {MULTICLASS_FULL_ROWS:,})",
    )
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only this section (repeatable)"
    )
    parser.add_argument("--repeat", type=int, help="best of N for in-process timings (3)")
    parser.add_argument("--cli-repeat", type=int, help="best of N for subprocesses (5)")
    args = parser.parse_args(argv)
    args.rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    args.sparse_rows = args.sparse_rows or (SPARSE_QUICK_ROWS if args.quick else SPARSE_FULL_ROWS)
    args.multiclass_rows = args.multiclass_rows or (
        MULTICLASS_QUICK_ROWS if args.quick else MULTICLASS_FULL_ROWS
    )
    args.only = tuple(args.only or SECTIONS)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.cli_repeat = args.cli_repeat or (1 if args.quick else 5)
    return args


def run_all(args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    """Every row of the table (of the sections in args.only), and the notes under it."""
    rows: list[Row] = []
    notes = [warm_up_kernel()]
    if "training" in args.only:
        data = make_data(args.rows, args.features, SEED)
        rows += training_rows(data, args.repeat)
        del data  # the memory children build their own X; keep the machine's RAM for them
    if "ladder" in args.only:
        ladder, ladder_notes = ladder_rows(args.quick, args.repeat)
        rows, notes = rows + ladder, notes + ladder_notes
    if "cli" in args.only:
        rows += startup_rows(ROOT, args.cli_repeat)
        rows += train_rows(ROOT, max(1, min(args.cli_repeat, 3)))
    if "startup" in args.only:
        rows += whole_process_rows(ROOT, args.cli_repeat)
    if "memory" in args.only:
        memory, memory_notes = memory_rows(args.rows, args.features)
        rows, notes = rows + memory, notes + memory_notes
    if "streaming" in args.only:
        rows += streaming_rows(ROOT, args.quick)
    if "sparse" in args.only:
        sparse, sparse_notes = sparse_rows(args.sparse_rows, args.repeat)
        rows, notes = rows + sparse, notes + sparse_notes
    if "multiclass" in args.only:
        multiclass, multiclass_notes = multiclass_rows(args.multiclass_rows, args.repeat)
        rows, notes = rows + multiclass, notes + multiclass_notes
    if "cnn" in args.only:
        cnn, cnn_notes = cnn_rows(args.quick, args.repeat)
        rows, notes = rows + cnn, notes + cnn_notes
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print header, table and notes on stdout."""
    args = parse_args(argv)
    import sklearn.linear_model  # noqa: F401  (loaded now so the header lists its OpenMP)

    started = time.perf_counter()
    rows, notes = run_all(args)
    # The doctor is scored, not timed: its tables follow the timing table.
    doctor_lines, doctor_notes = doctor_section(args.quick) if "doctor" in args.only else ([], [])
    # Accuracy, not time: printed with the doctor's tables (tests/test_bench.py reads the
    # timing table up to the doctor's heading).
    if "penalties" in args.only:
        penalty_lines, penalty_notes = penalty_section(args.quick, args.repeat)
        doctor_lines, doctor_notes = doctor_lines + penalty_lines, doctor_notes + penalty_notes
    # Trials counted, not timed: after the doctor's tables too.
    tpe_lines, tpe_notes = tpe_section(args.quick) if "tpe" in args.only else ([], [])
    x_mb = args.rows * args.features * 8 / MB
    print(f"# mlcc benchmark, {datetime.date.today().isoformat()}")
    print()
    for line in header_lines():
        print(f"- {line}")
    timing = f"best of {args.repeat} in process, best of {args.cli_repeat} for subprocesses"
    if {"training", "memory"} & set(args.only):
        data = f"{args.rows:,} × {args.features} float64 ({x_mb:,.0f} MB), seed {SEED}"
        print(f"- data: {data}; {timing}")
    else:
        print(f"- {timing}; sections: {', '.join(args.only)}")
    print()
    if rows:  # `--only doctor` times nothing
        print("\n".join(render_table(rows)))
        print()
    if doctor_lines:
        print("\n".join(doctor_lines))
    if tpe_lines:
        print("\n".join(tpe_lines))
    for note in notes + doctor_notes + tpe_notes:
        print(f"- {note}")
    print(f"- total benchmark time {time.perf_counter() - started:.0f} s")
    return 0


def with_mlcc_blas_settings() -> None:
    """Re-run this process with the BLAS thread settings of the `mlcc` console script
    (`training/blas_threads.py`), which OpenBLAS reads only when numpy loads — and the
    imports above have loaded it: an epoch timed right after a numpy gradient would otherwise
    lose the second core to OpenBLAS's spinning threads, which `mlcc train` never does."""
    if "OPENBLAS_THREAD_TIMEOUT" not in os.environ:
        free_idle_blas_threads()
        os.execv(sys.executable, [sys.executable, *sys.argv])


if __name__ == "__main__":
    with_mlcc_blas_settings()
    sys.exit(main())
