"""One registry from each `model.type` tag to the class that implements it."""

from __future__ import annotations

from typing import Any

from mlcc_cli.config.models import ModelConfig
from mlcc_cli.models.linear import LinearRegression, LogisticRegression
from mlcc_cli.models.multiclass import OneVsAll, Softmax
from mlcc_cli.models.multilabel import MultiLabel
from mlcc_cli.models.nn import Mlp

MODELS: dict[str, type[Any]] = {
    "linear": LinearRegression,
    "logistic": LogisticRegression,
    "softmax": Softmax,
    "one_vs_all": OneVsAll,
    "multi_label": MultiLabel,
    "mlp": Mlp,
}


def build_model(config: ModelConfig) -> Any:
    """Instantiate the model a validated `model:` config section names (not yet initialized).

    Every model class takes its config section's fields (all but `type`) as keyword arguments.
    """
    return MODELS[config.type](**config.model_dump(exclude={"type"}))
