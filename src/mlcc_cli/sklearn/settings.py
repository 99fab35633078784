"""An estimator's parameters as mlcc's validated config sections, checked in one place.

The estimators take the crash course's names (learning_rate, batch_size, epochs, l1, l2,
hidden_units, ...) and hand them to the same pydantic models `mlcc validate` uses, so every
bound is mlcc's own; a violation becomes one ValueError naming the parameter, as
scikit-learn's estimators raise at `fit`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
from pydantic import TypeAdapter, ValidationError

from mlcc_cli.config.booleans import MisplacedBoolean
from mlcc_cli.config.models import ModelConfig
from mlcc_cli.config.optimizers import OptimizerConfig
from mlcc_cli.config.training import EarlyStoppingConfig, TrainingConfig

Section = TypeVar("Section")
MODEL_SECTION: TypeAdapter[Any] = TypeAdapter(ModelConfig)
OPTIMIZER_SECTION: TypeAdapter[Any] = TypeAdapter(OptimizerConfig)


def plain(value: Any) -> Any:
    """Python values for pydantic: numpy scalars (from a GridSearchCV grid built with numpy)
    become int/float/bool, tuples and arrays lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list | np.ndarray):
        return [plain(item) for item in value]
    return value


def _checked(owner: str, build: Callable[[], Section], tag_parameter: str) -> Section:
    """`build()`, with a pydantic ValidationError re-raised as one ValueError per parameter.

    The parameter is the last key of the error's location (`('sgd', 'learning_rate')` is
    learning_rate); an unknown union tag is the estimator parameter that chose it.
    """
    try:
        return build()
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            keys = [key for key in problem["loc"] if isinstance(key, str)]
            name = tag_parameter if problem["type"] == "union_tag_invalid" else keys[-1]
            got = problem.get("input")
            message = got.message if isinstance(got, MisplacedBoolean) else problem["msg"]
            problems.append(f"{name}: {message.removeprefix('Value error, ')}")
        # A union key (batch_size: a number or 'full') refuses a boolean once per member.
        raise ValueError(
            f"{owner}: invalid parameter " + "; ".join(dict.fromkeys(problems))
        ) from None


def model_section(
    owner: str,
    settings: Mapping[str, Any],
    tag_parameter: str = "type",
    section: TypeAdapter[Any] = MODEL_SECTION,
) -> Any:
    """The validated `model:` section for `settings` ({"type": tag, "l2": ..., ...}); `section`
    narrows the tags allowed, `tag_parameter` is the parameter that chose the tag."""
    values = {key: plain(value) for key, value in settings.items()}
    return _checked(owner, lambda: section.validate_python(values), tag_parameter)


def optimizer_section(owner: str, optimizer: Any, learning_rate: Any, clip_norm: Any) -> Any:
    """The validated `optimizer:` section: `optimizer` is its tag (sgd, adagrad, adam, ftrl)."""
    values = {
        "type": plain(optimizer),
        "learning_rate": plain(learning_rate),
        "clip_norm": plain(clip_norm),
    }
    return _checked(owner, lambda: OPTIMIZER_SECTION.validate_python(values), "optimizer")


def training_section(
    owner: str,
    batch_size: Any,
    epochs: Any,
    early_stopping: EarlyStoppingConfig | None = None,
) -> TrainingConfig:
    """The validated `training:` section, reporting once per epoch (one history row each)."""
    training = _checked(
        owner,
        lambda: TrainingConfig(
            batch_size=plain(batch_size), epochs=plain(epochs), early_stopping=early_stopping
        ),
        "batch_size",
    )
    return training.model_copy(update={"periods": training.epochs})


def early_stopping_section(
    owner: str, patience: Any, min_delta: Any, restore_best: Any
) -> EarlyStoppingConfig:
    """The validated `training.early_stopping` section."""
    values = {
        "patience": plain(patience),
        "min_delta": plain(min_delta),
        "restore_best": plain(restore_best),
    }
    return _checked(owner, lambda: EarlyStoppingConfig(**values), "early_stopping")


def check_fraction(owner: str, name: str, value: Any) -> float:
    """`value` as a float strictly between 0 and 1, else a ValueError naming `name`."""
    fraction = plain(value)
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        raise ValueError(f"{owner}: invalid parameter {name}: expected a number, got {value!r}")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{owner}: invalid parameter {name}: must be in (0, 1), got {value!r}")
    return float(fraction)


def seed_sequence(owner: str, random_state: Any) -> np.random.SeedSequence:
    """The fit's root of randomness: SeedSequence(random_state), fresh entropy for None."""
    seed = plain(random_state)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(
            f"{owner}: invalid parameter random_state: expected None or an int >= 0, "
            f"got {random_state!r}"
        )
    return np.random.SeedSequence(seed)
