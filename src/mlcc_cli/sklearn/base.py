"""What every mlcc estimator shares: fit and partial_fit through mlcc's own training loop.

An estimator turns its parameters into mlcc's config sections (`settings.py`), builds the
model and optimizer from mlcc's registries, and calls `training.loop.train`, the loop behind
`mlcc train`: the same epochs, shuffling, engines, L1 proximal steps, early stopping and
divergence checks. Subclasses say which model their parameters describe and which fitted
attributes (coef_, classes_, ...) scikit-learn users expect to read.
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import MlccError
from mlcc_cli.models.registry import build_model
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.rundir.files import history_rows
from mlcc_cli.sklearn.settings import (
    check_fraction,
    early_stopping_section,
    optimizer_section,
    seed_sequence,
    training_section,
)
from mlcc_cli.training.loop import train

# What predict and fit accept: dense arrays (any numeric dtype, as float64) or scipy sparse
# matrices, which mlcc trains on as CSR without densifying them.
INPUT_CHECKS: dict[str, Any] = {"accept_sparse": "csr", "dtype": np.float64}


class MlccEstimator(BaseEstimator):
    """Training through mlcc's loop, with the parameters every estimator shares.

    Parameters
    ----------
    learning_rate : step size of each update (mlcc's optimizer.learning_rate), > 0.
    batch_size : examples per step (training.batch_size), an int >= 1 or "full"; a batch
        larger than the data is the whole data.
    epochs : passes over the training data (training.epochs), >= 1.
    optimizer : "sgd", "adagrad", "adam" or "ftrl" (optimizer.type), each with mlcc's
        defaults for its other settings.
    l1, l2 : penalty strengths λ₁·Σ|w| (a proximal step, exact zeros) and λ₂·Σw² (model.l1,
        model.l2); biases are never penalised.
    l1_method : "exact" (soft-threshold every weight every step) or "cumulative" (the
        cumulative penalty scikit-learn's SGDClassifier uses; model.l1_method).
    clip_norm : cap on the global gradient norm (optimizer.clip_norm), or None.
    early_stopping : hold out validation_fraction of the rows (stratified for classifiers),
        measure validation loss after every epoch, stop after `patience` epochs without an
        improvement larger than `min_delta`, and put back the best epoch's weights when
        `restore_best` (training.early_stopping).
    random_state : int seed of the shuffle, the validation split and any initial weights, or
        None for fresh randomness; the same int gives the same model.
    The defaults here (LinearRegressor, PoissonRegressor): plain SGD at learning_rate 0.01,
    batches of 32, 10 epochs (mlcc's default), no penalty; scale the features first.

    Attributes
    ----------
    model_ : the trained mlcc model (`mlcc_cli.models`), whose `get_state()` is what a run
        directory would save.
    optimizer_ : the mlcc optimizer, with its state (moments, accumulators) for partial_fit.
    history_ : pandas DataFrame, one row per epoch: train_loss, validation_loss (with early
        stopping), learning_rate, grad_norm and the task's metrics, as history.csv.
    n_iter_ : epochs run (fewer than `epochs` when early stopping stopped training).
    n_features_in_, feature_names_in_ : the columns fit saw.
    """

    def __init__(
        self,
        *,
        learning_rate: float = 0.01,
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
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.optimizer = optimizer
        self.l1 = l1
        self.l2 = l2
        self.l1_method = l1_method
        self.clip_norm = clip_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.random_state = random_state

    def _penalties(self) -> dict[str, Any]:
        """The model section's penalty keys: l1, l2 and l1_method."""
        return {"l1": self.l1, "l2": self.l2, "l1_method": self.l1_method}

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR input trains without being densified
        return tags

    # ------------------------------------------------------------ what subclasses say

    def _model_section(self) -> Any:
        """The validated `model:` section these parameters describe (`model_section`)."""
        raise NotImplementedError

    def _initial_sizes(self) -> tuple[Any, ...]:
        """What `model.initialize` needs besides the feature count (the class count)."""
        return ()

    def _targets(self, y: np.ndarray, classes: Any = None, reset: bool = True) -> np.ndarray:
        """y as the float labels the mlcc model trains on (classifiers: class codes)."""
        raise NotImplementedError

    def _stratify(self, targets: np.ndarray) -> np.ndarray | None:
        """Labels to stratify the early-stopping split by (classifiers), or None."""
        return None

    def _publish_weights(self) -> None:
        """Copy the model's weights into scikit-learn's attribute names (coef_, ...)."""

    # ------------------------------------------------------------------ training

    def fit(self, X: Any, y: Any) -> Self:
        """Train a new model on X (n_samples, n_features) and y (n_samples,); returns self."""
        name = type(self).__name__
        X, y = validate_data(self, X, y, reset=True, **self._fit_checks())
        targets = self._targets(y, reset=True)
        early = None
        if self.early_stopping:
            early = early_stopping_section(name, self.patience, self.min_delta, self.restore_best)
        training = training_section(name, self.batch_size, self.epochs, early)
        split_seed, shuffle_seed, weight_seed = self._seeds()
        self._start(X.shape[1], shuffle_seed, weight_seed)
        X_validation = y_validation = None
        if early is not None:
            X, X_validation, targets, y_validation = train_test_split(
                X,
                targets,
                test_size=check_fraction(name, "validation_fraction", self.validation_fraction),
                random_state=int(split_seed.generate_state(1)[0]),
                stratify=self._stratify(targets),
            )
        self._run(X, targets, X_validation, y_validation, training)
        return self

    def _partial_fit(self, X: Any, y: Any, classes: Any = None) -> Self:
        """One epoch over (X, y) with the weights and optimizer state of the calls before."""
        first = not hasattr(self, "model_")
        X, y = validate_data(self, X, y, reset=first, **self._fit_checks())
        targets = self._targets(y, classes=classes, reset=first)
        training = training_section(type(self).__name__, self.batch_size, 1)
        if first:  # the streams fit uses, so one call equals fit(epochs=1)
            self._start(X.shape[1], *self._seeds()[1:])
        self._run(X, targets, None, None, training)
        return self

    def _seeds(self) -> list[np.random.SeedSequence]:
        """The three random streams of a fit: validation split, shuffle, initial weights."""
        return seed_sequence(type(self).__name__, self.random_state).spawn(3)

    def _start(
        self,
        n_features: int,
        shuffle_seed: np.random.SeedSequence,
        weight_seed: np.random.SeedSequence,
    ) -> None:
        """A fresh model, optimizer and shuffle generator; no history yet."""
        name = type(self).__name__
        section = self._model_section()
        optimizer = optimizer_section(name, self.optimizer, self.learning_rate, self.clip_norm)
        model = build_model(section, seed=int(weight_seed.generate_state(1)[0]))
        try:
            model.initialize(n_features, *self._initial_sizes())
        except MlccError as error:
            raise ValueError(f"{name}: {error}") from error
        self.model_ = model
        self.optimizer_ = build_optimizer(optimizer)
        self._shuffle_rng = np.random.default_rng(shuffle_seed)
        self.history_ = pd.DataFrame()
        self.n_iter_ = 0

    def _run(
        self,
        X: Any,
        targets: np.ndarray,
        X_validation: Any,
        y_validation: np.ndarray | None,
        training: TrainingConfig,
    ) -> None:
        """mlcc's training loop on the prepared arrays; history, n_iter_ and weights after."""
        name = type(self).__name__
        try:
            result = train(
                self.model_,
                self.optimizer_,
                X,
                targets,
                X_validation,
                y_validation,
                training,
                self._shuffle_rng,
            )
        except MlccError as error:  # bad labels for the model, and the like
            raise ValueError(f"{name}: {error}") from error
        if result.status == "diverged":
            self._report_divergence(result.steps_done)
        if result.status == "interrupted":  # as scikit-learn's MLP: keep what was learned
            warnings.warn(f"{name}: {result.message}", UserWarning, stacklevel=3)
        header, rows = history_rows(result.history)
        epochs = pd.DataFrame(rows, columns=header)
        epochs["epoch"] = epochs["period"] = self.n_iter_ + np.arange(1, len(rows) + 1)
        self.history_ = pd.concat([self.history_, epochs], ignore_index=True)
        self.n_iter_ += len(rows)
        self._publish_weights()

    def _report_divergence(self, steps_done: int) -> None:
        """A diverged run, as mlcc reports it: a ConvergenceWarning while the weights are
        finite (the model is kept, as a diverged run directory keeps its weights), a
        ValueError once they are not (there is no model left to predict with)."""
        name = type(self).__name__
        advice = (
            f"training diverged after {steps_done} steps with learning_rate="
            f"{self.learning_rate:g}; try a lower learning_rate (e.g. "
            f"{self.learning_rate / 10:g}), set clip_norm, or scale the features (StandardScaler)"
        )
        if not all(np.isfinite(param).all() for param in self.model_.params.values()):
            raise ValueError(f"{name}: {advice}")
        message = f"{name}: {advice}; the model keeps the weights training stopped at"
        warnings.warn(message, ConvergenceWarning, stacklevel=4)

    def _fit_checks(self) -> dict[str, Any]:
        """validate_data's options for fit: INPUT_CHECKS, numeric y for regressors."""
        return INPUT_CHECKS

    def _features(self, X: Any) -> Any:
        """X checked against what fit saw (feature count and names), as float64 or CSR."""
        check_is_fitted(self)
        return validate_data(self, X, reset=False, **INPUT_CHECKS)
