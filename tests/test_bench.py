"""`benchmarks/bench.py --quick` runs end to end and prints its header and every row.

Only the shape of the output is checked: ratios are printed for people, never asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("# mlcc benchmark", "- machine:", "- versions:", "- BLAS/OpenMP:", "- environment:")
ROWS = {
    "epoch, logistic, batch 1024": 3,  # label: how many rows (one per engine shown)
    "epoch, logistic, batch 128": 3,
    "epoch, logistic, batch 32": 2,
    "epoch, logistic, batch 1": 2,
    "full-batch step, logistic": 2,
    "ladder epoch, 20,000 × 32 (5 MB), batch 1024": 2,  # gradient; products alone
    "ladder epoch, 50,000 × 32 (13 MB), batch 1": 1,
    "epoch, linear, batch 1024": 3,
    "epoch, linear, batch 128": 3,
    "epoch, linear, batch 32": 2,
    "epoch, linear, batch 1": 2,
    "full-batch step, linear": 2,
    "mlcc --help": 1,
    "mlcc validate configs/quickstart.yaml": 1,
    "mlcc train configs/quickstart.yaml": 1,
    "↳ import (mlcc modules)": 1,
    "↳ load and prepare": 1,
    "↳ train (incl. numba import)": 1,
    "start-up: mlcc train configs/quickstart.yaml --quiet": 1,
    "start-up: mlcc train configs/quickstart.yaml --quiet --no-plots": 1,
    "start-up: mlcc evaluate RUN --no-plots": 1,
    "start-up: mlcc predict RUN rows.csv -o out.csv (569 rows)": 1,
    "start-up: mlcc validate configs/quickstart.yaml": 1,
    "peak RSS growth in train(), batch 1024": 2,
    "streaming epoch, 100,000 × 32 Parquet, batch 1024: peak RSS": 1,
    "streaming epoch, 100,000 × 32 Parquet, batch 1024: wall time": 1,
    "sparse epoch, logistic, batch 128": 2,
    "sparse epoch, logistic + L1, batch 128": 1,
    "sparse epoch, logistic + L2, batch 128": 1,
    "sparse epoch, logistic + L1+L2, batch 128": 1,
    "sparse epoch, logistic + L1 (cumulative), batch 128": 1,
    "sparse epoch, logistic + L1+L2 (cumulative), batch 128": 1,
    "peak RSS growth in train(), sparse + L1+L2, batch 128": 1,
    "epoch, softmax, 10 classes, batch 128": 3,
    "epoch, one_vs_all, 10 classes, batch 128": 1,
    "epoch, mlp [64, 32] relu, 10 classes, batch 128": 1,
    "epoch, mlp [64, 32] relu, 10 classes, batch 16": 1,
    "epoch, cnn 8×8×1 digits, batch 32": 3,  # vs reference conv, equal-size MLP, floor
    "epoch, cnn 28×28×1 synthetic, batch 32": 3,
}
COLUMNS = ["what", "engine", "mlcc", "reference", "ref.", "ratio", "target", "meets"]
# its accuracy table is printed with the doctor's, after the timing table
PENALTIES = "## Sparse penalties: mlcc's exact and cumulative L1 vs scikit-learn's"
PENALTY_METHODS = {"sklearn SGDClassifier"} | {
    f"mlcc {method}, batch {batch}" for method in ("exact", "cumulative") for batch in (1, 128)
}
DOCTOR = "## Run doctor on its labelled cases"  # its tables follow the timing table
DOCTOR_COLUMNS = ["finding kind", "expected", "caught", "recall", "false alarms"]
TPE = "## TPE and random search against a known optimum"  # after the doctor's tables
TPE_COLUMNS = [
    "search",
    "median trials to within 1%",
    "reached within the sweep",
    "per config seed",
]


def test_quick_benchmark_prints_the_header_and_every_row() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # timed with the BLAS settings `mlcc` runs with (the benchmark re-runs itself to set them)
    (environment,) = [line for line in lines if line.startswith("- environment:")]
    assert "OPENBLAS_THREAD_TIMEOUT=22" in environment
    assert DOCTOR in lines
    doctor = lines[lines.index(DOCTOR) :]
    lines = lines[: lines.index(DOCTOR)]
    assert [cell.strip() for cell in doctor[2].strip("|").split("|")] == DOCTOR_COLUMNS
    tpe = doctor[doctor.index(TPE) :]
    assert [cell.strip() for cell in tpe[2].strip("|").split("|")] == TPE_COLUMNS
    assert [line.split("|")[1].strip() for line in tpe[4:6]] == ["tpe", "random"]
    for start in HEADER:
        assert any(line.startswith(start) for line in lines), start
    table = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in lines
        if line.startswith("| ")  # not the |---| rule
    ]
    assert table[0] == COLUMNS
    rows = table[1:]
    labels = [cells[0] for cells in rows]
    for label, count in ROWS.items():
        assert labels.count(label) == count, label
    assert any(label.startswith("sklearn LogisticRegression(lbfgs)") for label in labels)
    assert all(len(cells) == len(COLUMNS) and cells[-1] in {"yes", "NO", "—"} for cells in rows)
    penalties = doctor[doctor.index(PENALTIES) :]
    assert penalties[2].split("|")[1].strip() == "penalty (λ₁, λ₂)"
    # the first penalty (L1) at 1 and 5 epochs: five methods each
    assert {line.split("|")[3].strip() for line in penalties[4:14]} == PENALTY_METHODS
