"""One registry from each `model.type` tag to the class that implements it.

The rest of mlcc finds a model's class here (`model_class`) and asks it what it needs to know
(see `models/base.py`); adding a model means adding its config class, its model class and
one entry below.
"""

from __future__ import annotations

from typing import Any

from mlcc_cli.config.models import ModelConfig
from mlcc_cli.models.linear import LinearRegression, LogisticRegression
from mlcc_cli.models.multiclass import OneVsAll, Softmax
from mlcc_cli.models.multilabel import MultiLabel
from mlcc_cli.models.nn import Cnn, Mlp
from mlcc_cli.models.poisson import PoissonRegression
from mlcc_cli.models.word2vec import Word2Vec

MODELS: dict[str, type[Any]] = {
    "linear": LinearRegression,
    "logistic": LogisticRegression,
    "poisson": PoissonRegression,
    "softmax": Softmax,
    "one_vs_all": OneVsAll,
    "multi_label": MultiLabel,
    "mlp": Mlp,
    "cnn": Cnn,
    "word2vec": Word2Vec,
}


def model_class(config: ModelConfig) -> type[Any]:
    """The class implementing a validated `model:` section: what to ask before building it."""
    return MODELS[config.type]


def build_model(config: ModelConfig, *, task: str | None = None, seed: int | None = None) -> Any:
    """Instantiate the model a validated `model:` config section names (not yet initialized).

    Every model class takes its config section's fields (all but `type`) as keyword arguments;
    `task` (resolved from the label) and `seed` (the run's) reach the models that use them.
    """
    return model_from_settings(config.model_dump(), task=task, seed=seed)


def model_from_settings(
    settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
) -> Any:
    """A model from a `model:` section as plain values (`type` included), as model.json keeps
    it; KeyError for an unknown type."""
    fields = {key: value for key, value in settings.items() if key != "type"}
    return MODELS[settings["type"]].from_settings(fields, task=task, seed=seed)


def streaming_model_tags() -> list[str]:
    """The tags of the models `data.streaming` can train, in registry order."""
    return [tag for tag, cls in MODELS.items() if cls.supports_streaming]
