"""The shape of the doctor's labelled benchmark: a case, the data folder, config builders.

`DoctorCase` is one seeded experiment and the WARNING kinds the run doctor must report for
it; `case` builds one from a config's sections (seed 42, z-scored inputs unless told
otherwise). Generated tables go to one temporary folder per process (`written`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

HEALTHY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DoctorCase:
    """One labelled run: its config and the warning kinds the doctor must report for it."""

    name: str
    family: str  # linear | logistic | softmax | mlp | poisson | cnn | word2vec
    batch_size: str  # "1", "32" or "full", as the config sets it
    optimizer: str  # sgd | adam
    config: dict[str, Any]
    expected: frozenset[str]  # WARNING kinds that must fire, exactly; info findings ignored
    why: str  # what the run shows, in crash-course words


@cache
def data_folder() -> Path:
    """One temporary folder per process for the generated tables (kept until exit)."""
    return Path(tempfile.mkdtemp(prefix="mlcc-doctor-cases-"))


def written(name: str, frame: pd.DataFrame) -> str:
    """`frame` saved as NAME.csv in the data folder; its absolute path, for data.source."""
    path = data_folder() / f"{name}.csv"
    frame.to_csv(path, index=False)
    return str(path)


def experiment(
    name: str,
    data: dict[str, Any],
    model: dict[str, Any],
    optimizer: tuple[str, float],
    training: dict[str, Any],
    features: list[dict[str, Any]] | None = None,
    optimizer_options: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A config dict: seed 42, z-scored inputs unless `features` says otherwise;
    `optimizer_options` adds optimizer keys beyond type and rate (clip_norm, schedule)."""
    kind, learning_rate = optimizer
    return {
        "name": f"doctor-{name}",
        "seed": 42,
        "data": data,
        "features": [{"type": "zscore"}] if features is None else features,
        "model": model,
        "optimizer": {"type": kind, "learning_rate": learning_rate, **(optimizer_options or {})},
        "training": {"periods": 10, **training},
        **extra,
    }


def linear_data(samples: int = 1000, noise: float = 1.0, features: int = 3) -> dict[str, Any]:
    return {
        "source": "builtin:linear",
        "synthetic": {"samples": samples, "features": features, "noise": noise},
    }


def builtin(name: str, **synthetic: Any) -> dict[str, Any]:
    return {"source": f"builtin:{name}", **({"synthetic": synthetic} if synthetic else {})}


def data_file(path: str, **options: Any) -> dict[str, Any]:
    return {"source": path, "label": "target", **options}


# Three noisy 8x8 shapes and a network of 4 filters: a convolutional run under a second.
SHAPES = {"source": "builtin:shapes", "synthetic": {"samples": 600, "image_size": 8, "noise": 0.35}}
TINY_CNN = {
    "type": "cnn",
    "image_shape": [8, 8, 1],
    "conv": [{"filters": 4, "kernel": 3, "pool": 2}],
    "hidden_units": [16],
}
PETS_CORPUS = {
    "source": "builtin:pets_and_vehicles",
    "synthetic": {"samples": 600},
    "split": {"train": 0.9, "validation": 0.1},
}
WORD2VEC = {"type": "word2vec", "dimensions": 8}
# Breast cancer's five inputs without long tails: a classifier with nothing wrong in its data.
TUMOUR_INPUTS = ["mean_radius", "mean_texture", "mean_smoothness", "mean_concavity", "worst_area"]


def case(
    name: str,
    family: str,
    optimizer: tuple[str, float],
    expected: frozenset[str] | set[str],
    why: str,
    *,
    data: dict[str, Any],
    model: dict[str, Any],
    training: dict[str, Any],
    **options: Any,
) -> DoctorCase:
    """A DoctorCase whose family, batch and optimizer columns are read off its config."""
    batch = str(training.get("batch_size", 32))
    config = experiment(name, data, model, optimizer, training, **options)
    return DoctorCase(name, family, batch, optimizer[0], config, frozenset(expected), why)


LR_HIGH = {"learning_rate_too_high"}
LR_LOW = {"learning_rate_too_low"}
STILL = {"still_improving"}
OVERFIT = {"overfitting"}
UNDERFIT = {"underfitting"}
