"""The names of the metrics metrics.json records per split, by task.

Kept apart from `metrics` (which computes them) so that what a metric may be called is known
before anything is trained: `mlcc sweep --metric` is checked against these names, and the
training table lists them in this order.
"""

from __future__ import annotations

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


def check_metric_name(metric: str, option: str = "--metric") -> None:
    """ConfigError unless some task records a metric called `metric` (before any training)."""
    known = sorted({name for names in METRIC_NAMES.values() for name in names} | {EVERY_SPLIT})
    if metric in known or (metric.startswith(PER_LABEL_PREFIX) and metric != PER_LABEL_PREFIX):
        return
    by_task = "; ".join(f"{task}: {', '.join(names)}" for task, names in METRIC_NAMES.items())
    raise ConfigError(
        f"{option} {metric!r}: no model records a metric of that name.{did_you_mean(metric, known)}"
        f" Validation metrics by task — {by_task} (and {EVERY_SPLIT} for every model)."
    )
