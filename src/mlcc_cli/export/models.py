"""Each trained model as the scikit-learn estimator computing the same predictions, our weights in.

| our model | scikit-learn | weights |
|---|---|---|
| linear | LinearRegression | coef_ = w, intercept_ = b |
| logistic | LogisticRegression | coef_ (1, d), intercept_ (1,), classes_ = the run's |
| poisson | PoissonRegressor | coef_, intercept_ (ŷ = exp(x·w + b)) |
| softmax | LogisticRegression (multinomial) | coef_ = Wᵀ (K, d), intercept_ (K,) |
| one_vs_all | OneVsRestClassifier(LogisticRegression) | one binary model per class |
| mlp | MLPRegressor / MLPClassifier | coefs_, intercepts_ (batch norm folded in) |

Each estimator is fitted on a few placeholder rows, which builds its private state (label
binarizer, output activation, link function), and then given our weights. Two exact
rewrites keep the predictions equal: batch normalisation in evaluation mode is an affine map
per unit, folded into the layer's weights and bias; and one-hot's `<other>` indicator,
which the exported encoder leaves out, is folded into the first layer (`fold_other`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlcc_cli.errors import ConfigError
from mlcc_cli.models.linear import LinearRegression, LogisticRegression
from mlcc_cli.models.multiclass import OneVsAll, Softmax
from mlcc_cli.models.nn import Cnn, Mlp
from mlcc_cli.models.nn.embedded_linear import EmbeddedLinearModel
from mlcc_cli.models.nn.layers import BATCH_NORM_EPS
from mlcc_cli.models.poisson import PoissonRegression

# Our hidden activations by scikit-learn's names; leaky_relu has none.
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}


@dataclass(frozen=True)
class Block:
    """One model input's columns: `width` exported ones (the last one for a missing value
    when `missing`), and our `<other>` indicator after them when `other`."""

    width: int
    other: bool = False
    missing: bool = False


def fold_other(
    W: np.ndarray, b: np.ndarray, blocks: Sequence[Block]
) -> tuple[np.ndarray, np.ndarray]:
    """The first layer without the `<other>` rows, computing the same x·W + b.

    A one-hot value sets one indicator of its block, a vocabulary value's or `<other>` (o),
    which the exported encoder leaves out (it sets none for such values). So
    Σ_k w_k·x_k + w_o·x_o equals Σ_k (w_k − w_o)·x_k + w_o: each vocabulary row loses w_o
    and the bias gains it. A missing value sets no indicator of ours; the exported encoder
    sets its own `missing` indicator, whose row −w_o takes the bias's w_o back. W is
    (n_columns, n_units) in our design-matrix order; returns (W', b') in the exported order.
    """
    rows: list[np.ndarray] = []
    b = b.astype(np.float64, copy=True)
    position = 0
    for block in blocks:
        n_vocabulary = block.width - block.missing
        columns = W[position : position + n_vocabulary]  # (n_vocabulary, n_units)
        position += n_vocabulary
        if block.other:
            other = W[position]  # (n_units,)
            position += 1
            columns = columns - other
            b += other
            if block.missing:
                columns = np.vstack([columns, -other])
        rows.append(columns)
    if position != W.shape[0]:
        raise ConfigError(
            f"the exported inputs make {position} model columns but the model reads "
            f"{W.shape[0]}; an input holds categories the run did not record (a category "
            "column of a Parquet file?), so this run cannot be exported."
        )
    return np.concatenate(rows, axis=0), b


def _fitted(estimator: Any, n_features: int, targets: np.ndarray) -> Any:
    """`estimator` fitted on placeholder rows (n_features wide, one per target value).

    One solver iteration is enough for placeholders (a full fit costs a tenth of a second);
    the estimator's own max_iter is put back afterwards, in OneVsRest's clones too.
    """
    X = np.random.default_rng(0).normal(size=(len(targets), n_features))
    iterations = {k: v for k, v in estimator.get_params().items() if k.endswith("max_iter")}
    estimator.set_params(**dict.fromkeys(iterations, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a placeholder fit need not converge
        estimator.fit(X, targets)
    estimator.set_params(**iterations)
    for clone in getattr(estimator, "estimators_", []):
        clone.set_params(**{key.rsplit("__", 1)[-1]: v for key, v in iterations.items()})
    return estimator


def _classes(classes: Sequence[Any] | None, n_classes: int) -> np.ndarray:
    return np.asarray(list(classes) if classes else list(range(n_classes)))


def _linear(model: LinearRegression, classes: Any, blocks: Sequence[Block]) -> Any:
    """LinearRegression: ŷ = x·w + b."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.linear_model import LinearRegression as SklearnLinear

    W, b = fold_other(model.coef_[:, None], model.intercept_, blocks)
    estimator = _fitted(SklearnLinear(), W.shape[0], np.array([0.0, 1.0]))
    estimator.coef_, estimator.intercept_ = W[:, 0], np.float64(b[0])
    return estimator


def _poisson(model: PoissonRegression, classes: Any, blocks: Sequence[Block]) -> Any:
    """PoissonRegressor: ŷ = exp(x·w + b)."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.linear_model import PoissonRegressor

    W, b = fold_other(model.coef_[:, None], model.intercept_, blocks)
    estimator = _fitted(PoissonRegressor(), W.shape[0], np.array([0.0, 1.0]))
    estimator.coef_, estimator.intercept_ = W[:, 0], np.float64(b[0])
    return estimator


def _logistic_of(W: np.ndarray, b: np.ndarray, classes: np.ndarray) -> Any:
    """LogisticRegression with scores x·W + b (W (d, K)); binary when W has one column."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.linear_model import LogisticRegression as SklearnLogistic

    codes = np.arange(max(len(classes), 2))
    estimator = _fitted(SklearnLogistic(), W.shape[0], codes)
    estimator.coef_, estimator.intercept_ = W.T.copy(), b.copy()
    estimator.classes_ = classes
    return estimator


def _logistic(model: LogisticRegression, classes: Any, blocks: Sequence[Block]) -> Any:
    W, b = fold_other(model.coef_[:, None], model.intercept_, blocks)
    return _logistic_of(W, b, _classes(classes, 2))


def _softmax(model: Softmax, classes: Any, blocks: Sequence[Block]) -> Any:
    W, b = fold_other(model.coef_, model.intercept_, blocks)  # (d, K ≥ 3), (K,)
    return _logistic_of(W, b, _classes(classes, model.n_classes_))


def _one_vs_all(model: OneVsAll, classes: Any, blocks: Sequence[Block]) -> Any:
    """OneVsRestClassifier: P(k) = σ(x·w_k + b_k) / Σ_j σ(x·w_j + b_j), as ours."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.linear_model import LogisticRegression as SklearnLogistic
    from sklearn.multiclass import OneVsRestClassifier

    W, b = fold_other(model.coef_, model.intercept_, blocks)  # (d, K), (K,)
    codes = np.arange(W.shape[1])
    estimator = _fitted(OneVsRestClassifier(SklearnLogistic()), W.shape[0], codes)
    for k, binary in enumerate(estimator.estimators_):
        binary.coef_, binary.intercept_ = W[:, k][None, :].copy(), b[k : k + 1].copy()
    estimator.label_binarizer_.classes_ = _classes(classes, W.shape[1])
    return estimator


def _dense_layers(model: Mlp) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W_l, b_l) of every layer in evaluation mode, batch normalisation folded in.

    Batch norm with running averages: u = γ·(z − μ)/√(σ² + ε) + β = z·s + (β − μ·s) with
    s = γ/√(σ² + ε), so W_l·s and β − μ·s replace W_l and the bias.
    """
    p = model.params
    layers = []
    for layer in range(1, model.n_layers + 2):
        W = p[f"W{layer}"]
        if model.batch_norm and layer <= model.n_layers:
            s = p[f"gamma{layer}"] / np.sqrt(model.running_var_[layer] + BATCH_NORM_EPS)
            layers.append((W * s, p[f"beta{layer}"] - model.running_mean_[layer] * s))
        else:
            layers.append((W, p[f"b{layer}"]))
    return layers


def _mlp_refusal(model: Mlp) -> str | None:
    """Why this network has no scikit-learn MLP equivalent, or None."""
    if model.embedding_input_ is not None:
        return (
            "model.embeddings: scikit-learn's MLP has no learned embedding layer; train "
            "without model.embeddings (one-hot inputs) to export the run."
        )
    if model.activation not in ACTIVATIONS:
        return (
            f"model.activation {model.activation}: scikit-learn's MLP has no such activation; "
            f"train with one of {', '.join(ACTIVATIONS)} to export the run."
        )
    return None


def _mlp(model: Mlp, classes: Any, blocks: Sequence[Block]) -> Any:
    """MLPRegressor or MLPClassifier (logistic or softmax output) with our layers."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    layers = _dense_layers(model)
    layers[0] = fold_other(*layers[0], blocks)
    settings = {
        "hidden_layer_sizes": tuple(model.hidden_units),
        "activation": ACTIVATIONS[model.activation],
    }
    n_features = layers[0][0].shape[0]
    if model.task == "regression":
        estimator = _fitted(MLPRegressor(**settings), n_features, np.array([0.0, 1.0]))
    else:
        names = _classes(classes, max(model.n_outputs_, 2))
        estimator = _fitted(MLPClassifier(**settings), n_features, np.arange(len(names)))
        estimator.classes_ = names
        estimator._label_binarizer.classes_ = names  # predict() maps outputs back through it
    estimator.coefs_ = [W.copy() for W, _ in layers]
    estimator.intercepts_ = [b.copy() for _, b in layers]
    return estimator


MODEL_EXPORTERS: dict[type, Callable[[Any, Any, Sequence[Block]], Any]] = {
    LinearRegression: _linear,
    LogisticRegression: _logistic,
    PoissonRegression: _poisson,
    Softmax: _softmax,
    OneVsAll: _one_vs_all,
    Mlp: _mlp,
}
# Why the other models cannot be exported, by their class (or a base class).
REFUSALS: dict[type, str] = {
    EmbeddedLinearModel: "model.embeddings: scikit-learn's linear models have no learned "
    "embedding layer; train without model.embeddings (one-hot inputs) to export the run.",
    Cnn: "model (cnn): scikit-learn has no convolutional network.",
}


def model_refusal(model: Any) -> str | None:
    """Why `model` has no faithful scikit-learn equivalent (naming its config key), or None."""
    if type(model) is Mlp:
        return _mlp_refusal(model)
    if type(model) in MODEL_EXPORTERS:
        return None
    return next(
        (text for cls, text in REFUSALS.items() if isinstance(model, cls)),
        f"model ({model.type}): scikit-learn has no estimator predicting the same way.",
    )


def export_model(model: Any, classes: Sequence[Any] | None, blocks: Sequence[Block]) -> Any:
    """The fitted scikit-learn estimator predicting as `model` does on the exported columns.

    `classes` are the run's class names (classifiers); `blocks` the model inputs' columns in
    design-matrix order. The caller checks `model_refusal` first.
    """
    return MODEL_EXPORTERS[type(model)](model, classes, blocks)
