"""What the training loop, the run directory and the reports need from every model.

Each model class declares these as class attributes and methods; the rest of mlcc reads them
instead of comparing the config's `type:` tag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix


class TrainableModel(Protocol):
    """What the training loop needs from a model; every class in MODELS provides it."""

    l1: float
    l1_names: ClassVar[tuple[str, ...]]
    task: ClassVar[str]
    n_features_in_: int | None

    @property
    def params(self) -> dict[str, np.ndarray]: ...
    def initialize(self, n_features: int) -> Any: ...
    def loss_and_gradients(
        self, X: Matrix, y: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]: ...
    def loss(self, X: Matrix, y: np.ndarray) -> float: ...
    def predict(self, X: Matrix) -> np.ndarray: ...
    def validate_targets(self, y: np.ndarray) -> None: ...
