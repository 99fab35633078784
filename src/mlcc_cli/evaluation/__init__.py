"""The numbers of `mlcc evaluate`, by crash-course chapter: a core package (no rich, no typer).

- `classification`: ROC/AUC, precision-recall, the threshold table, the confusion matrix and
  the majority-class baseline of a binary classifier.
- `buckets`: prediction bias per quantile bucket (calibration; regression residuals).
- `multiclass`: per-class precision/recall/F1/AUC, averages and the N×N confusion matrix.
- `multilabel`: per-label precision/recall/F1/log loss of a multi-label classifier.
- `examples`: the examples with the highest loss.
- `slices`: the headline metrics per value or quantile bucket of a column (fairness).
- `report`: `EvaluationReport`, joining them for one set of scored rows.
- `metrics`: the metric set metrics.json records per split; `values`: JSON-safe numbers.

Every metric is scikit-learn's on the run's own predictions; `render.evaluation` prints
the result, `rundir.evaluation_plots` draws it.

May import: config, errors, numpy, pandas, scipy, scikit-learn (numbers only: nothing above).
"""

from mlcc_cli.evaluation.buckets import (
    N_BUCKETS,
    Bucket,
    RegressionEvaluation,
    evaluate_regression,
    prediction_buckets,
    quantile_buckets,
)
from mlcc_cli.evaluation.classification import (
    Baseline,
    BinaryEvaluation,
    ConfusionMatrix,
    PrecisionRecallCurve,
    RocCurve,
    evaluate_binary,
    precision_recall_of,
    roc_of,
)
from mlcc_cli.evaluation.examples import (
    DEFAULT_WORST,
    WorstExample,
    example_loss,
    worst_examples,
    worst_positions,
)
from mlcc_cli.evaluation.multiclass import ClassRow, MulticlassEvaluation, evaluate_multiclass
from mlcc_cli.evaluation.multilabel import LabelRow, MultilabelEvaluation, evaluate_multilabel
from mlcc_cli.evaluation.report import EvaluationReport, build_report
from mlcc_cli.evaluation.slices import (
    DEFAULT_SLICE_BUCKETS,
    SliceReport,
    SliceRow,
    evaluate_slices,
    slice_codes,
    slice_metrics,
)
from mlcc_cli.evaluation.thresholds import (
    GRID_THRESHOLDS,
    ThresholdRow,
    threshold_row,
    threshold_rows,
    threshold_table,
)

__all__ = [
    "DEFAULT_SLICE_BUCKETS",
    "DEFAULT_WORST",
    "GRID_THRESHOLDS",
    "N_BUCKETS",
    "Baseline",
    "BinaryEvaluation",
    "Bucket",
    "ClassRow",
    "ConfusionMatrix",
    "EvaluationReport",
    "LabelRow",
    "MulticlassEvaluation",
    "MultilabelEvaluation",
    "PrecisionRecallCurve",
    "RegressionEvaluation",
    "RocCurve",
    "SliceReport",
    "SliceRow",
    "ThresholdRow",
    "WorstExample",
    "build_report",
    "evaluate_binary",
    "evaluate_multiclass",
    "evaluate_multilabel",
    "evaluate_regression",
    "evaluate_slices",
    "example_loss",
    "precision_recall_of",
    "prediction_buckets",
    "quantile_buckets",
    "roc_of",
    "slice_codes",
    "slice_metrics",
    "threshold_row",
    "threshold_rows",
    "threshold_table",
    "worst_examples",
    "worst_positions",
]
