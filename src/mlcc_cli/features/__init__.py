"""Feature engineering, one crash-course chapter per module.

- `base`: the `Transform` contract (fit, transform, JSON state) and `StatisticsTransform`
- `columns`: the column checks every transform shares (present, numeric, not the label)
- `synthetic`: new columns from old ones (ratio, expression; grammar in `expressions`)
- `scaling`: clip, z-score, min-max and log
- `imputation`: filling missing values (`impute` steps and `data.missing: mean|median`)
- `binning`: bucketize; `time_buckets`: time_bucket; `categorical`: one_hot and hash;
  `crosses`: cross; `polynomial`: polynomial; `cleaning`: drop_duplicates and filter;
  `projection`: pca
- `indicators`: how categorical columns are stored and expanded into indicators
- `pipeline`: the configured steps in order, the tag → class registry
- `step_columns`: the columns each configured step reads, creates and fills
- `design`: the model's inputs as one matrix (dense, or CSR when any input is categorical)
- `accumulators`: statistics learned chunk by chunk, for streaming (`StatisticsTransform`)

May import: `mlcc_cli.evaluation`, `mlcc_cli.config`, `mlcc_cli.errors` and numpy, pandas,
scipy, scikit-learn; never models, optim, data, rundir or anything above them.
"""

from mlcc_cli.features.base import Transform
from mlcc_cli.features.design import design_matrix, feature_names, select_inputs
from mlcc_cli.features.imputation import Impute
from mlcc_cli.features.pipeline import (
    TRANSFORMS,
    FeaturePipeline,
    build_transform,
)
from mlcc_cli.features.scaling import Clip, Log, MinMax, ZScore
from mlcc_cli.features.step_columns import columns_read, imputed_columns, policy_imputer_columns
from mlcc_cli.features.synthetic import Expression, Ratio

__all__ = [
    "TRANSFORMS",
    "Clip",
    "Expression",
    "FeaturePipeline",
    "Impute",
    "Log",
    "MinMax",
    "Ratio",
    "Transform",
    "ZScore",
    "build_transform",
    "columns_read",
    "design_matrix",
    "feature_names",
    "imputed_columns",
    "policy_imputer_columns",
    "select_inputs",
]
