"""mlcc's models as scikit-learn estimators: fit, predict, Pipeline, GridSearchCV.

    from mlcc_cli.sklearn import LogisticClassifier
    make_pipeline(StandardScaler(), LogisticClassifier(learning_rate=0.1)).fit(X, y)

Each estimator trains with mlcc's own models, optimizers and training loop (the ones behind
`mlcc train`) and follows scikit-learn's estimator API; they pass scikit-learn's estimator
checks, except where an estimator's docstring lists an expected failure (README: "Using mlcc
from scikit-learn").

- `base`: the shared parameters, fit and partial_fit; `classifier`: labels ↔ class codes
- `settings`: parameters → mlcc's validated config sections
- `linear`: LinearRegressor, PoissonRegressor, LogisticClassifier; `mlp`: MLPClassifier,
  MLPRegressor

May import: training and everything below it (models, optim, rundir, config, errors) and
scikit-learn at module level, since only users who want these estimators import them (never
the CLI); never workflows, doctor, render or commands.
"""

from mlcc_cli.sklearn.linear import LinearRegressor, LogisticClassifier, PoissonRegressor
from mlcc_cli.sklearn.mlp import MLPClassifier, MLPRegressor

__all__ = [
    "LinearRegressor",
    "LogisticClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "PoissonRegressor",
]
