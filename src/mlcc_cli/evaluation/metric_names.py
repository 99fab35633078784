"""The names of the metrics metrics.json records per split, by task.

Kept apart from `metrics` (which computes them) so that what a metric may be called is known
before anything is trained: `mlcc sweep --metric` is checked against these names, and the
training table lists them in this order.
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


def check_metric_name(
    metric: str, tasks: Collection[str] | None = None, option: str = "--metric", note: str = ""
) -> None:
    """ConfigError unless a run of one of `tasks` records a metric called `metric` (any task's
    when `tasks` is None); `note` follows the tasks' name, saying how they were found."""
    chosen = list(METRIC_NAMES) if tasks is None else sorted(tasks)
    known = sorted({name for task in chosen for name in METRIC_NAMES[task]} | {EVERY_SPLIT})
    per_label = "multilabel" in chosen and metric.startswith(PER_LABEL_PREFIX)
    if metric in known or (per_label and metric != PER_LABEL_PREFIX):
        return
    by_task = "; ".join(f"{task}: {', '.join(METRIC_NAMES[task])}" for task in chosen)
    whose = "no model records" if tasks is None else f"a {' or '.join(chosen)} run{note} records no"
    raise ConfigError(
        f"{option} {metric!r}: {whose} metric of that name.{did_you_mean(metric, known)}"
        f" Validation metrics by task — {by_task} (and {EVERY_SPLIT} for every model)."
    )
