"""Command-line rows: wall time of `mlcc` subprocesses next to importing its libraries."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_table import Row, progress

BASELINE = "python -c 'import typer, rich, pydantic, yaml'"
CONFIG = "configs/quickstart.yaml"
TRAIN_PARTS = (  # keys of the `timings` that `mlcc train --json` prints
    ("import_s", "import (mlcc modules)"),
    ("load_and_prepare_s", "load and prepare"),
    ("train_s", "train (incl. numba import)"),
    ("evaluate_s", "report: evaluate"),
    ("write_s", "report: write run dir"),
)


def mlcc_command() -> list[str]:
    """The installed `mlcc` script next to this interpreter, else `python -m mlcc_cli`, with
    the package's bytecode compiled first.

    A wheel install compiles every module (pip does), and so were the baseline's libraries;
    an editable install under PYTHONDONTWRITEBYTECODE=1 (as on the CI machines) never writes
    bytecode, so each timed process would otherwise compile mlcc's ~300 modules from source.
    """
    import compileall

    import mlcc_cli

    compileall.compile_dir(Path(mlcc_cli.__file__).parent, quiet=1)
    script = Path(sys.executable).with_name("mlcc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mlcc_cli"]


def wall_time(command: list[str], repeat: int, cwd: Path) -> tuple[float, str]:
    """Best wall time of running `command` `repeat` times, and that run's stdout."""
    best, best_out = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
        if seconds < best:
            best, best_out = seconds, done.stdout
    return best, best_out


def startup_rows(root: Path, repeat: int) -> list[Row]:
    """`mlcc --help` and `mlcc validate` against importing typer, rich, pydantic and yaml."""
    progress("CLI start-up")
    imports = [sys.executable, "-c", "import typer, rich, pydantic, yaml"]
    baseline, _ = wall_time(imports, repeat, root)
    rows = []
    for args in (["--help"], ["validate", CONFIG]):
        seconds, _ = wall_time([*mlcc_command(), *args], repeat, root)
        rows.append(Row(f"mlcc {' '.join(args)}", seconds, "", BASELINE, baseline, 1.5))
    return rows


def train_rows(root: Path, repeat: int) -> list[Row]:
    """`mlcc train configs/quickstart.yaml --json` wall time, split by its own `timings`."""
    progress("mlcc train")
    with tempfile.TemporaryDirectory() as runs:
        command = [*mlcc_command(), "train", CONFIG, "--json", "--runs-dir", runs]
        seconds, out = wall_time(command, repeat, root)
    timings = json.loads(out)["timings"]
    rows = [Row(f"mlcc train {CONFIG}", seconds, "auto")]
    rows += [Row(f"↳ {label}", timings[key]) for key, label in TRAIN_PARTS if key in timings]
    rest = seconds - sum(timings.values())
    rows.append(Row("↳ rest: interpreter start and exit, CLI import", rest))
    return rows
