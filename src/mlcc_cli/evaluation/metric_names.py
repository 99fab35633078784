"""The names of the metrics metrics.json records per split, by task, and which way is better.

Kept apart from `metrics` (which computes them) so that what a metric may be called is known
before anything is trained: `mlcc sweep --metric` is checked against these names, and the
training table lists them in this order. `METRIC_DIRECTIONS` is the one place that says how a
ranking of runs reads each metric (`mlcc compare`, sweeps, reports and MLflow summaries).
"""

from __future__ import annotations

from collections.abc import Collection

from mlcc_cli.errors import ConfigError, did_you_mean

# Per task, in the order the training table shows them; every split also records
# `nonzero_weights`, and a multi-label model one `log_loss_LABEL` per label.
METRIC_NAMES: dict[str, tuple[str, ...]] = {
    "regression": ("rmse", "mae", "r2", "loss", "prediction_bias"),
    "binary": (
        "log_loss",
        "accuracy",
        "baseline_accuracy",
        "precision",
        "recall",
        "f1",
        "auc",
        "average_precision",
        "prediction_bias",
    ),
    "multiclass": ("log_loss", "accuracy", "baseline_accuracy", "macro_f1", "weighted_f1"),
    "multilabel": ("log_loss", "subset_accuracy", "hamming_loss", "micro_f1", "macro_f1"),
    "embedding": ("loss", "pairs", "sentences"),
}
EVERY_SPLIT = "nonzero_weights"
PER_LABEL_PREFIX = "log_loss_"

HIGHER = "higher"  # a larger value is the better model
LOWER = "lower"  # losses and errors
NEAREST_ZERO = "nearest zero"  # best at 0 from either side: ranked on |value|
# Per metric name, which value is the better model; None for what is no quality of the
# model: a property of the data (baseline_accuracy, the majority-class rate; an embedding
# corpus's pairs and sentences) or the model's size (nonzero_weights), which is the same for
# a good and a bad model of the same shape. A None metric is shown but never ranked.
METRIC_DIRECTIONS: dict[str, str | None] = {
    "rmse": LOWER,
    "mae": LOWER,
    "r2": HIGHER,
    "loss": LOWER,
    "prediction_bias": NEAREST_ZERO,
    "log_loss": LOWER,
    "accuracy": HIGHER,
    "baseline_accuracy": None,
    "precision": HIGHER,
    "recall": HIGHER,
    "f1": HIGHER,
    "auc": HIGHER,
    "average_precision": HIGHER,
    "macro_f1": HIGHER,
    "weighted_f1": HIGHER,
    "micro_f1": HIGHER,
    "subset_accuracy": HIGHER,
    "hamming_loss": LOWER,
    "pairs": None,
    "sentences": None,
    EVERY_SPLIT: None,
}


def metric_direction(metric: str) -> str | None:
    """HIGHER, LOWER or NEAREST_ZERO for a metric of the model; None for one that ranks no
    model (a property of the data or of the model's size) or an unknown name."""
    if metric.startswith(PER_LABEL_PREFIX) and metric != PER_LABEL_PREFIX:
        return LOWER  # a multi-label model's log loss on one label
    return METRIC_DIRECTIONS.get(metric)


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of `metric` means a better model."""
    return metric_direction(metric) == HIGHER


def ranking_value(metric: str, value: float) -> float:
    """What a ranking of runs by `metric` compares: |value| for a metric best at 0 (a
    prediction bias of −5 is no better than +5), else the value itself."""
    return abs(value) if metric_direction(metric) == NEAREST_ZERO else value


def rank_key(metric: str, value: float) -> float | None:
    """`value` as a number where smaller is the better model (−value when higher is better,
    |value| when nearest zero is); None for a metric that ranks no model."""
    direction = metric_direction(metric)
    if direction is None:
        return None
    return -value if direction == HIGHER else ranking_value(metric, value)


def check_metric_name(
    metric: str, tasks: Collection[str] | None = None, option: str = "--metric", note: str = ""
) -> None:
    """ConfigError unless a run of one of `tasks` records a metric called `metric` (any task's
    when `tasks` is None); `note` follows the tasks' name, saying how they were found."""
    chosen = list(METRIC_NAMES) if tasks is None else sorted(tasks)
    known = sorted({name for task in chosen for name in METRIC_NAMES[task]} | {EVERY_SPLIT})
    per_label = "multilabel" in chosen and metric.startswith(PER_LABEL_PREFIX)
    if metric in known or (per_label and metric != PER_LABEL_PREFIX):
        if metric_direction(metric) is None:
            ranked = [name for name in known if metric_direction(name) is not None]
            raise ConfigError(
                f"{option} {metric!r}: is the same for a good and a bad model (a property of "
                f"the data or of the model's size), so it ranks nothing; rank by a metric of "
                f"the model: {', '.join(ranked)}."
            )
        return
    by_task = "; ".join(f"{task}: {', '.join(METRIC_NAMES[task])}" for task in chosen)
    whose = "no model records" if tasks is None else f"a {' or '.join(chosen)} run{note} records no"
    raise ConfigError(
        f"{option} {metric!r}: {whose} metric of that name.{did_you_mean(metric, known)}"
        f" Validation metrics by task — {by_task} (and {EVERY_SPLIT} for every model)."
    )
