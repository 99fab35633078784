"""Out-of-core row: `mlcc train` with data.streaming on a Parquet file larger than the budget.

The file (10,000,000 × 32 at full size) is written in row groups so generating it stays
small; training runs in a child process whose peak RSS is read from its parent's
RUSAGE_CHILDREN (a fresh wrapper process, so no earlier child can own the high-water mark).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from bench_table import MB, Row, progress

FULL_ROWS, QUICK_ROWS, FEATURES, GROUP_ROWS = 10_000_000, 100_000, 32, 1_000_000
LIMIT_BYTES = 1000 * MB  # 1 GB
WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
    "print(json.dumps({'rc': done.returncode, 'peak': peak, 'out': done.stdout,"
    " 'err': done.stderr[-2000:]}))\n"
)


def write_parquet(path: Path, rows: int, seed: int) -> None:
    """Standard-normal features x1..x32 and target = x·w + noise, one row group at a time."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=FEATURES)
    schema = pa.schema(
        [(f"x{j + 1}", pa.float64()) for j in range(FEATURES)] + [("target", pa.float64())]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, GROUP_ROWS):
            n = min(GROUP_ROWS, rows - start)
            X = rng.normal(size=(n, FEATURES))  # (n, d)
            y = X @ weights + 0.5 * rng.normal(size=n)
            columns = [pa.array(X[:, j]) for j in range(FEATURES)] + [pa.array(y)]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))


def streaming_rows(root: Path, quick: bool) -> list[Row]:
    """Peak RSS and wall time of one streaming epoch (batch 1024) over the generated file."""
    rows = QUICK_ROWS if quick else FULL_ROWS
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "big.parquet"
        progress(f"streaming: writing {rows:,} × {FEATURES} Parquet")
        write_parquet(data, rows, seed=0)
        config = {
            "name": "bench-streaming",
            "data": {"source": str(data), "label": "target", "streaming": True},
            "model": {"type": "linear"},
            "optimizer": {"type": "sgd", "learning_rate": 0.001},
            "training": {"batch_size": 1024, "epochs": 1, "periods": 1},
        }
        config_path = Path(folder) / "streaming.yaml"
        config_path.write_text(yaml.safe_dump(config))
        command = [sys.executable, "-m", "mlcc_cli", "train", str(config_path), "--json"]
        command += ["--runs-dir", str(Path(folder) / "runs")]
        progress("streaming: training one epoch")
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, cwd=root
        )
        seconds = time.perf_counter() - started
    report = json.loads(done.stdout)
    if report["rc"] != 0:
        raise RuntimeError(f"streaming run failed: {report['err']}")
    label = f"streaming epoch, {rows:,} × {FEATURES} Parquet, batch 1024"
    return [
        Row(
            f"{label}: peak RSS",
            report["peak"],
            reference="1 GB budget",
            reference_value=LIMIT_BYTES,
            target=1.0,
            unit="MB",
        ),
        Row(f"{label}: wall time", seconds),
    ]
