"""The table's header: machine, versions, BLAS and the environment variables that tune it."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

ENV_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_", "NUMBA_", "PYTHONDONTWRITEBYTECODE")


def cpu_model() -> str:
    """The first 'model name' of /proc/cpuinfo, else what platform knows."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.machine()


def cores() -> str:
    """Logical CPUs, and how many of them this process may use."""
    total = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return f"{total} logical CPUs ({usable} usable)"


def versions() -> str:
    """Python, numpy, scikit-learn, numba and mlcc versions."""
    import numba
    import numpy
    import sklearn

    import mlcc_cli

    return (
        f"python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, numba {numba.__version__}, "
        f"mlcc {mlcc_cli.__version__}"
    )


def _pool(info: dict[str, Any]) -> str:
    """One threadpoolctl entry: library, version, where it is loaded from, threads."""
    arch = f", {info['architecture']}" if info.get("architecture") else ""
    owner = Path(info["filepath"]).parent.name  # e.g. numpy.libs or scipy.libs
    return (
        f"{info['internal_api']} {info.get('version') or '?'} ({owner}{arch}, "
        f"{info['num_threads']} threads)"
    )


def thread_pools() -> str:
    """BLAS and OpenMP libraries loaded now (call after numpy and scikit-learn are imported)."""
    from threadpoolctl import threadpool_info

    pools = sorted(threadpool_info(), key=lambda info: (info["user_api"], info["filepath"]))
    return "; ".join(_pool(info) for info in pools) or "none found"


def tuning_variables() -> str:
    """BLAS, OpenMP, numba and bytecode-cache variables as set for this run (bench.py sets
    only OPENBLAS_THREAD_TIMEOUT, when unset, to what the `mlcc` console script sets)."""
    found = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIXES)]
    return ", ".join(found) or "none set"


def header_lines() -> list[str]:
    """The lines printed above the table."""
    return [
        f"machine: {cpu_model()}, {cores()}",
        f"versions: {versions()}",
        f"BLAS/OpenMP: {thread_pools()}",
        f"environment: {tuning_variables()}",
    ]
