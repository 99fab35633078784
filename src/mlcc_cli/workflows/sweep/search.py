"""`mlcc sweep --search grid|random|tpe [--trials N] [--prune none|median]`: how points are chosen.

- grid: the product of `sweep.grid` and `--grid` (a `sweep.random` section is left out)
- random: that product × `sweep.random`'s seeded draws (points.py); the default when the
  config has `sweep.random`, else grid is
- tpe: Optuna's TPE sampler proposes each trial from the results of the trials before it,
  over the `sweep.random.params` space (tpe.py)

`--trials N` replaces `sweep.random.trials`; `--prune median` (tpe only) stops a trial whose
validation loss lags the finished trials' at the same period.
"""

from __future__ import annotations

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.workflows.sweep.points import MAX_SWEEP_POINTS

SEARCHES = ("grid", "random", "tpe")
PRUNERS = ("none", "median")


def _choose(option: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{option} {value}: choose one of {', '.join(choices)}.")


def resolve_search(
    config: ExperimentConfig,
    search: str | None,
    trials: int | None,
    prune: str,
    seeds: int | None,
) -> tuple[str, ExperimentConfig]:
    """The search to run and the config whose `sweep:` section holds exactly what it sweeps.

    Every combination of options is checked here, before anything is validated or trained;
    a bad one is a ConfigError naming the option and what would work.
    """
    if search is not None:
        _choose("--search", search, SEARCHES)
    _choose("--prune", prune, PRUNERS)
    random = config.sweep.random if config.sweep else None
    kind = search or ("random" if random is not None else "grid")
    if prune != "none" and kind != "tpe":
        raise ConfigError(
            f"--prune {prune}: only with --search tpe, whose trials report their validation "
            f"loss each period; a {kind} sweep trains every point to the end."
        )
    if trials is not None:
        if kind == "grid":
            raise ConfigError(
                "--trials: only with --search random or tpe; a grid's size is the product of "
                "its value lists."
            )
        if not 1 <= trials <= MAX_SWEEP_POINTS:
            raise ConfigError(
                f"--trials {trials}: use 1 to {MAX_SWEEP_POINTS:,} trials (each is a whole run)."
            )
    if kind == "grid":
        if random is None:
            return kind, config
        sweep = config.sweep.model_copy(update={"random": None})  # type: ignore[union-attr]
        return kind, config.model_copy(update={"sweep": sweep})
    if random is None:
        raise ConfigError(
            f"--search {kind}: the config has no sweep.random.params, the space to search; "
            "add e.g. sweep: {random: {trials: 20, params: {optimizer.learning_rate: "
            "{type: log_uniform, low: 0.001, high: 1}}}}."
        )
    if kind == "tpe":
        if seeds is not None:
            raise ConfigError(
                "--seeds: not used with --search tpe; each trial is one run, and TPE spends "
                "the runs on new points."
            )
        if prune != "none" and config.data.split.validation == 0:
            raise ConfigError(
                f"--prune {prune}: compares validation loss period by period, but "
                "data.split.validation is 0; give the validation split a share, or drop --prune."
            )
    if trials is not None:
        random = random.model_copy(update={"trials": trials})
    sweep = config.sweep.model_copy(update={"random": random})  # type: ignore[union-attr]
    return kind, config.model_copy(update={"sweep": sweep})
