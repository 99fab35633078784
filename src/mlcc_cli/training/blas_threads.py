"""How long OpenBLAS's idle threads keep a CPU busy: set before numpy loads its BLAS.

After each multi-threaded BLAS call (a period's losses are X @ w over whole splits) OpenBLAS
keeps its worker threads spinning, by default 2**28 CPU cycles (~0.1 s), in case another call
follows. On a 2-CPU machine that spinning thread takes the second core away from the `windows`
epoch's staging thread (`window_pipeline.py`): an epoch of 2,000,000 × 32 at batch 1024 right
after a gradient took 116–121 ms instead of 77–79. 2**22 cycles (~1.5 ms) keeps back-to-back
BLAS calls as fast as the default (measured on 128×64×64 to 4096×512×128 products) and frees
the core in time. OpenBLAS reads the setting once, when numpy is first imported, so the
console script (`cli.main`) and the benchmark set it before that; a library user's own
setting is never overridden.

Imports nothing but os: it must run before numpy.
"""

from __future__ import annotations

import os

OPENBLAS_THREAD_TIMEOUT = "22"  # the exponent: threads spin 2**22 cycles, then sleep


def free_idle_blas_threads() -> None:
    """Set OPENBLAS_THREAD_TIMEOUT (unless already set) for the numpy this process will load."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", OPENBLAS_THREAD_TIMEOUT)
