"""mlcc: the Machine Learning Crash Course as a command line, and as a Python library.

    import mlcc_cli
    result = mlcc_cli.train("configs/quickstart.yaml", runs_dir=None)
    result.metrics["validation"]["auc"], result.history, result.model.coef_

`load_config`, `train`, `evaluate`, `predict` and `load_run` are the workflows behind
`mlcc validate`, `train`, `evaluate` and `predict` (`mlcc_cli.workflows.library`). They load
on first use, so `mlcc --help` never pays for numpy and pandas.

Packages, top to bottom (imports point down; `lint-imports` checks it): commands, render,
workflows, doctor, training, data and rundir, features, models and optim, evaluation, config;
`errors` is shared by all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlcc_cli.workflows.library import (
        TrainResult,
        evaluate,
        load_config,
        load_run,
        predict,
        train,
    )

__version__ = "0.1.0"
__all__ = ["TrainResult", "__version__", "evaluate", "load_config", "load_run", "predict", "train"]
LIBRARY = "mlcc_cli.workflows.library"


def __getattr__(name: str) -> Any:
    """The library API, imported on first use (PEP 562)."""
    if name in __all__ and name != "__version__":
        return getattr(importlib.import_module(LIBRARY), name)
    raise AttributeError(f"module 'mlcc_cli' has no attribute {name!r}")
