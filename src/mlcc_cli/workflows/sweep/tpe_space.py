"""The space `--search tpe` searches, as Optuna distributions, and a trial's values as a point.

`sweep.random.params` maps one to one: `uniform` -> FloatDistribution(low, high),
`log_uniform` -> FloatDistribution(low, high, log=True), `choice` -> CategoricalDistribution
(values). The config's `high` is exclusive and Optuna's inclusive, so Optuna's high is the
float just below it. Keys of `sweep.grid` and `--grid` join the space as choices of their
values (a `--grid` key replaces a random key of the same name, as in a random sweep). There
is no integer distribution to map: the config declares none (a whole-number key is a `choice`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.sweep import ChoiceParam, LogUniformParam, SweepParam
from mlcc_cli.workflows.sweep.points import (
    check_random_keys,
    folder_label,
    merged_grid,
    yaml_scalar,
)
from mlcc_cli.workflows.sweep.result import SweepPoint


def _distribution(param: SweepParam) -> Any:
    from optuna.distributions import (  # deferred: the optional [tune] extra
        CategoricalDistribution,
        FloatDistribution,
    )

    if isinstance(param, ChoiceParam):
        return CategoricalDistribution(param.values)
    # Optuna includes high; the config excludes it.
    below_high = math.nextafter(param.high, param.low)
    return FloatDistribution(param.low, below_high, log=isinstance(param, LogUniformParam))


@dataclass(frozen=True)
class SearchSpace:
    """Dotted config key -> Optuna distribution, and which keys' choices are already text."""

    distributions: dict[str, Any]
    # Grid keys: their choices are YAML text as --grid gives them (a list such as
    # "[32, 16]" is no Optuna choice), set exactly as written.
    text_keys: frozenset[str]

    def point(self, number: int, values: dict[str, Any]) -> SweepPoint:
        """The sweep point of Optuna trial `number` with these values, in the space's order."""
        sets: dict[str, str] = {}
        labels: dict[str, str] = {}
        for key in self.distributions:
            value = values[key]
            text = key in self.text_keys
            sets[key] = value if text else yaml_scalar(value)
            labels[key] = value if text else folder_label(value)
        return SweepPoint(sets, None, labels, trial=number)

    def edge_points(self) -> list[SweepPoint]:
        """Points that together put every key at each of its edge values (every choice, both
        bounds), for validating the space before the first trial trains."""
        edges = {key: _edge_values(d) for key, d in self.distributions.items()}
        base = {key: values[0] for key, values in edges.items()}
        points = [base]
        for key, values in edges.items():
            points.extend({**base, key: value} for value in values[1:])
        return [self.point(0, values) for values in points]


def _edge_values(distribution: Any) -> list[Any]:
    """Every choice of a categorical distribution, or a float one's low and high."""
    if hasattr(distribution, "choices"):
        return list(distribution.choices)
    return [distribution.low, distribution.high]


def search_space(config: ExperimentConfig, grid_specs: Sequence[str]) -> SearchSpace:
    """The space: grid keys first (as choices), then `sweep.random.params`.

    `config.sweep.random` must be set (search.resolve_search checks it).
    """
    from optuna.distributions import CategoricalDistribution  # deferred: the [tune] extra

    random = config.sweep.random  # type: ignore[union-attr]
    check_random_keys(config, random)
    grid = merged_grid(config, grid_specs)
    distributions: dict[str, Any] = {key: CategoricalDistribution(values) for key, values in grid}
    for key, param in random.params.items():
        distributions.setdefault(key, _distribution(param))
    return SearchSpace(distributions, frozenset(key for key, _ in grid))
