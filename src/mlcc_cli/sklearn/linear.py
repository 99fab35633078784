"""Linear, Poisson and logistic (binary, softmax, one-vs-all) regression as estimators.

Each wraps the mlcc model of the same name (`models/linear.py`, `poisson.py`,
`multiclass.py`) trained by mlcc's loop, and shows its weights under scikit-learn's names and
shapes: coef_ (n_features,) and a float intercept_ for the regressors, coef_ (1, n_features)
or (n_classes, n_features) and intercept_ (1,) or (n_classes,) for the classifier, as
LinearRegression and LogisticRegression do.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field, TypeAdapter

from mlcc_cli.config.models import OneVsAllConfig, SoftmaxConfig
from mlcc_cli.models.poisson import not_counts
from mlcc_cli.sklearn.classifier import MlccClassifier
from mlcc_cli.sklearn.regressor import MlccRegressor
from mlcc_cli.sklearn.settings import model_section

MULTICLASS_SECTION: TypeAdapter[Any] = TypeAdapter(
    Annotated[SoftmaxConfig | OneVsAllConfig, Field(discriminator="type")]
)


class LinearRegressor(MlccRegressor):
    """Linear regression ŷ = X·w + b trained on mean squared error by mlcc.

    MSE = (1/n)·Σ(ŷ − y)² plus λ₁·Σ|w| + λ₂·Σw²; mini-batch steps of `optimizer` over
    `epochs` passes (mlcc's `LinearRegression`). Scale the features (StandardScaler in a
    Pipeline) so one learning_rate suits every weight. Parameters and the shared attributes
    are `MlccEstimator`'s.

    Attributes: coef_ (n_features,), intercept_ (float).

    Passes every check of `sklearn.utils.estimator_checks`.
    """

    def _model_section(self) -> Any:
        settings = {"type": "linear", **self._penalties()}
        return model_section(type(self).__name__, settings)

    def _publish_weights(self) -> None:
        self.coef_ = self.model_.coef_.copy()
        self.intercept_ = float(self.model_.intercept_[0])


class PoissonRegressor(MlccRegressor):
    """Poisson regression μ = exp(X·w + b) for counts, trained on mean Poisson deviance.

    D = (2/n)·Σ[y·log(y/μ) − y + μ] plus λ₁·Σ|w| + λ₂·Σw² (mlcc's `PoissonRegression`;
    λ₂ = l2 equals scikit-learn's PoissonRegressor(alpha=l2)). y must be counts: whole
    numbers ≥ 0, as mlcc's Poisson model requires (a non-integer y is a ValueError).

    Attributes: coef_ (n_features,), intercept_ (float: the log of the base rate).

    Expected failures of scikit-learn's estimator checks: check_regressors_train,
    check_regressor_data_not_an_array, check_regressors_no_decision_function,
    check_fit_idempotent, check_fit_check_is_fitted, check_n_features_in and
    check_n_features_in_after_fitting fit on continuous targets, which mlcc's Poisson model
    refuses as not being counts (tests/test_sklearn_estimators.py tests the same properties
    on counts).
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True  # counts are >= 0
        return tags

    def _model_section(self) -> Any:
        settings = {"type": "poisson", **self._penalties()}
        return model_section(type(self).__name__, settings)

    def _targets(self, y: np.ndarray, classes: Any = None, reset: bool = True) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        others = y[not_counts(y)]
        if len(others):  # mlcc's model would refuse them too, in config words
            raise ValueError(
                f"{type(self).__name__} needs counts (0, 1, 2, …) as targets, but {len(others)} "
                f"of y's {len(y)} values are not, e.g. {others[0].item()!r}; use LinearRegressor "
                "for other numbers"
            )
        return y

    def _publish_weights(self) -> None:
        self.coef_ = self.model_.coef_.copy()
        self.intercept_ = float(self.model_.intercept_[0])


class LogisticClassifier(MlccClassifier):
    """Logistic regression: p = σ(X·w + b) for two classes, softmax or one-vs-all for more.

    Two classes train mlcc's `LogisticRegression` (mean log loss); more train `Softmax`
    (cross-entropy over softmax(X·W + b)) or, with multiclass="one_vs_all", `OneVsAll`
    (one logistic model per class). Penalty λ₁·Σ|w| + λ₂·Σw² on the weights; l2 = λ₂
    corresponds to scikit-learn's LogisticRegression(C = 1/(2·λ₂·n_samples)).

    Parameters: multiclass — "softmax" or "one_vs_all" (model.type for more than two
    classes); the others are `MlccEstimator`'s.
    Attributes: classes_, coef_ (1, n_features) or (n_classes, n_features), intercept_ (1,)
    or (n_classes,).

    Passes every check of `sklearn.utils.estimator_checks`.
    """

    def __init__(
        self,
        *,
        multiclass: str = "softmax",
        learning_rate: float = 0.1,
        batch_size: int | str = 32,
        epochs: int = 10,
        optimizer: str = "sgd",
        l1: float = 0.0,
        l2: float = 0.0,
        l1_method: str = "exact",
        clip_norm: float | None = None,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 3,
        min_delta: float = 0.0,
        restore_best: bool = True,
        random_state: int | None = None,
    ) -> None:
        self.multiclass = multiclass
        super().__init__(
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            optimizer=optimizer,
            l1=l1,
            l2=l2,
            l1_method=l1_method,
            clip_norm=clip_norm,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            patience=patience,
            min_delta=min_delta,
            restore_best=restore_best,
            random_state=random_state,
        )

    def decision_function(self, X: Any) -> np.ndarray:
        """The scores z = X·w + b, shape (n_samples,) for two classes (z > 0 predicts
        classes_[1]), else (n_samples, n_classes)."""
        X = self._features(X)
        return self.model_.decision_function(X)

    def _binary(self) -> bool:
        return len(self.classes_) == 2

    def _model_section(self) -> Any:
        name = type(self).__name__
        settings = {"type": self.multiclass, **self._penalties()}
        # Checked with two classes too, so a misspelt choice never waits for a third class.
        multiclass = model_section(name, settings, "multiclass", MULTICLASS_SECTION)
        if not self._binary():
            return multiclass
        return model_section(name, settings | {"type": "logistic"})

    def _initial_sizes(self) -> tuple[Any, ...]:
        return () if self._binary() else (len(self.classes_),)

    def _publish_weights(self) -> None:
        coef = self.model_.coef_  # (n_features,) binary, (n_features, n_classes) otherwise
        self.coef_ = coef[None, :].copy() if self._binary() else coef.T.copy()
        self.intercept_ = self.model_.intercept_.copy()
