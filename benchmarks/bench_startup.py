"""Start-up rows: whole `mlcc` processes of a small run against importing their libraries.

A small run (569 rows) spends almost all its time before and after training, so each command
is timed as a whole process next to a baseline process that only imports the libraries it
cannot avoid: numpy and pandas for train, evaluate and predict; typer, rich, yaml and
pydantic for validate. Command and baseline alternate in one loop (paired), so a neighbour
loading the shared machine slows both alike, and the table shows the median of each.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_cli import CONFIG, mlcc_command
from bench_table import Row, progress

DATA_BASELINE = ("python -c 'import numpy, pandas'", "import numpy, pandas")
CLI_BASELINE = (
    "python -c 'import typer, rich, yaml; from pydantic import BaseModel'",
    "import typer, rich, yaml; from pydantic import BaseModel",
)


def run(command: list[str], cwd: Path) -> float:
    """Wall time of one run of `command`, which must succeed."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds


def paired(command: list[str], baseline: str, repeat: int, cwd: Path) -> tuple[float, float]:
    """Medians of `command` and of `python -c baseline`, run alternately `repeat` times."""
    ours, theirs = [], []
    for _ in range(repeat):
        theirs.append(run([sys.executable, "-c", baseline], cwd))
        ours.append(run(command, cwd))
    return statistics.median(ours), statistics.median(theirs)


def breast_cancer_csv(path: Path) -> Path:
    """Write the quickstart's 569 rows without their label, as `mlcc predict` input."""
    from mlcc_cli.config.data import SyntheticConfig
    from mlcc_cli.data.builtin import load_builtin

    frame = load_builtin("breast_cancer", SyntheticConfig(), 0).drop(columns="target")
    frame.to_csv(path, index=False)
    return path


def whole_process_rows(root: Path, repeat: int) -> list[Row]:
    """train (with and without plots), evaluate, predict and validate, each vs its baseline."""
    progress("start-up: whole processes vs their imports")
    mlcc = mlcc_command()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        runs = folder / "runs"
        train = [*mlcc, "train", CONFIG, "--quiet", "--runs-dir", str(runs)]
        rows = [
            _row(f"mlcc train {CONFIG} --quiet", train, DATA_BASELINE, 3.0, repeat, root),
            _row(
                f"mlcc train {CONFIG} --quiet --no-plots",
                [*train, "--no-plots"],
                DATA_BASELINE,
                2.0,
                repeat,
                root,
            ),
        ]
        run_dir = next(runs.iterdir())  # any of the runs just written serves
        rows_csv = breast_cancer_csv(folder / "rows.csv")
        later = [
            ("mlcc evaluate RUN --no-plots", [*mlcc, "evaluate", str(run_dir), "--no-plots"]),
            (
                "mlcc predict RUN rows.csv -o out.csv (569 rows)",
                [*mlcc, "predict", str(run_dir), str(rows_csv), "-o", str(folder / "out.csv")],
            ),
        ]
        rows += [_row(label, command, DATA_BASELINE, 2.0, repeat, root) for label, command in later]
    validate = [*mlcc, "validate", CONFIG]
    rows.append(_row(f"mlcc validate {CONFIG}", validate, CLI_BASELINE, 1.5, repeat, root))
    return rows


def _row(
    label: str,
    command: list[str],
    baseline: tuple[str, str],
    target: float,
    repeat: int,
    root: Path,
) -> Row:
    """One table row: the paired medians of `command` and the baseline's imports."""
    shown, code = baseline
    seconds, reference = paired(command, code, repeat, root)
    # "start-up:" sets these apart from the cli section's best-of rows of the same commands.
    return Row(f"start-up: {label}", seconds, "", shown, reference, target)
