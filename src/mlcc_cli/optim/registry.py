"""The optimizer registry: config `type` → class, and `build_optimizer` from a config section."""

from __future__ import annotations

from mlcc_cli.config.optimizers import OptimizerConfig
from mlcc_cli.optim.adaptive import Adagrad, Adam
from mlcc_cli.optim.base import Optimizer
from mlcc_cli.optim.ftrl import Ftrl
from mlcc_cli.optim.schedules import build_schedule
from mlcc_cli.optim.sgd import SGD

OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "adam": Adam,
    "ftrl": Ftrl,
}


def build_optimizer(config: OptimizerConfig) -> Optimizer:
    """Instantiate the optimizer a validated `optimizer:` config section names.

    Every class takes its section's fields (but `type`) as keyword arguments; `schedule`
    becomes a `LearningRateSchedule`.
    """
    kwargs = config.model_dump(exclude={"type", "schedule"})
    return OPTIMIZERS[config.type](schedule=build_schedule(config.schedule), **kwargs)
