"""Neural networks (multilayer perceptrons) as estimators: a classifier and a regressor.

Both wrap mlcc's `Mlp` (`models/nn/mlp.py`): dense hidden layers, optional batch
normalisation and dropout, trained by backpropagation in mlcc's loop. The classifier's head is
a sigmoid for two classes and a softmax for more; the regressor's is linear (squared error).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlcc_cli.sklearn.base import MlccEstimator
from mlcc_cli.sklearn.classifier import MlccClassifier
from mlcc_cli.sklearn.regressor import MlccRegressor
from mlcc_cli.sklearn.settings import model_section


class MlpNetwork(MlccEstimator):
    """The network's parameters and fitted weights, shared by MLPClassifier and MLPRegressor.

    a_l = f(a_{l−1}·W_l + b_l) per hidden layer (batch-normalised before f when batch_norm,
    followed by inverted dropout in training); the output layer feeds the head. L2 and L1
    penalise the weight matrices only. Weights are drawn from random_state (he for the ReLU
    family, xavier for tanh and sigmoid).

    Parameters
    ----------
    hidden_units : units per hidden layer, input side first, e.g. (64, 32) (model.hidden_units).
    activation : "relu", "leaky_relu", "tanh" or "sigmoid".
    dropout : inverted-dropout rate after every hidden layer, in [0, 1); off when predicting.
    batch_norm : batch normalisation before each hidden activation.
    The others are `MlccEstimator`'s (here Adam with learning_rate 0.01 by default).

    Attributes: coefs_ — the weight matrices W1 … W{L+1}, each (inputs, outputs); biases
    and batch-norm γ, β are in model_.params.
    """

    def __init__(
        self,
        *,
        hidden_units: Sequence[int] = (16,),
        activation: str = "relu",
        dropout: float = 0.0,
        batch_norm: bool = False,
        learning_rate: float = 0.01,
        batch_size: int | str = 32,
        epochs: int = 10,
        optimizer: str = "adam",
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
        self.hidden_units = hidden_units
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
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

    def _task(self) -> str:
        """The head: regression, binary or multiclass (mlcc's model.task)."""
        raise NotImplementedError

    def _model_section(self) -> Any:
        settings = {
            "type": "mlp",
            "hidden_units": self.hidden_units,
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
            "task": self._task(),
            **self._penalties(),
        }
        return model_section(type(self).__name__, settings)

    def _publish_weights(self) -> None:
        params = self.model_.params
        self.coefs_ = [params[f"W{layer}"].copy() for layer in range(1, len(self.hidden_units) + 2)]


class MLPClassifier(MlpNetwork, MlccClassifier):
    """A neural network classifier: sigmoid head (log loss) for two classes, softmax
    (cross-entropy) for more. Parameters and attributes: `MlpNetwork`, `MlccEstimator`,
    plus classes_.

    Passes every check of `sklearn.utils.estimator_checks`.
    """

    def _task(self) -> str:
        return "binary" if len(self.classes_) == 2 else "multiclass"


class MLPRegressor(MlpNetwork, MlccRegressor):
    """A neural network regressor: linear head, mean squared error. Parameters and
    attributes: `MlpNetwork`, `MlccEstimator`.

    Passes every check of `sklearn.utils.estimator_checks`.
    """

    def _task(self) -> str:
        return "regression"
