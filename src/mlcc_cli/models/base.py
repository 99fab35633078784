"""What the training loop, the run directory, the doctor and the reports ask every model.

"Ask the model, not its tag": each model class declares, as class attributes and methods,
everything the rest of mlcc needs to know about its kind (task, loss, compiled kernel,
streaming support, advice), and the rest of mlcc reads them; only `models/` and `config/`
compare a `type:` tag. `TrainableModel` is the whole protocol; `Model` holds the answers most
models give, so a model class declares only where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

import numpy as np
import pandas as pd

Matrix = Any  # a design matrix: a dense ndarray or a scipy.sparse matrix (see linear_base)

# `loss_name` values: the losses as plots and reports name them.
SQUARED_ERROR = "mean squared error"
LOG_LOSS = "log loss"
# How the optimizer applies L1 (`Model.l1_method`): soft-threshold every weight every step, or
# Tsuruoka et al.'s cumulative penalty on the weights a batch touches (scikit-learn's SGD).
EXACT_L1, CUMULATIVE_L1 = "exact", "cumulative"

# One row of a model's layer table: (layer, output shape, parameter count).
LayerRow = tuple[str, str, int]


@dataclass(frozen=True)
class ImageViews:
    """What an image model shows of itself: its first layer's filters and what each block
    makes of a few images (plots/filters.png and plots/feature_maps.png)."""

    filters: np.ndarray  # (k, k, filters): first-layer kernels, averaged over input channels
    images: np.ndarray  # (n, height, width): the input images, averaged over channels
    feature_maps: list[np.ndarray]  # per block, its output (n, h_i, w_i, channels_i)


class TrainableModel(Protocol):
    """What the rest of mlcc needs from a model; every class in MODELS provides it.

    Attributes
    ----------
    type : the config tag (`model.type`); saved with the state, never compared outside models/.
    task : regression | binary | multiclass | multilabel — what the model predicts, hence the
        label encoding and the metric set reported. A class attribute, except for `Mlp`, whose
        head follows its config or the label.
    loss_name : the training loss as plots name it (SQUARED_ERROR, LOG_LOSS, ...); RMSE is read
        off the loss only when it is SQUARED_ERROR.
    loss_label : the loss as the training table heads it ("MSE", "log loss", ...).
    kernel : key of the compiled (numba) kernel that can train it (`MODEL_KINDS` in
        training/kernels/dense.py or multiclass.py), or None: the numpy path only.
    numpy_step_seconds : what one numpy-path step costs in call overhead, for the engine
        choice (training/engine.py): a linear model's step is a few array calls, a network's
        dozens.
    supports_streaming : whether `data.streaming` can train it chunk by chunk.
    trains_on : what it learns from: "table" (a design matrix of labelled rows, the in-memory
        or streaming route) or "corpus" (sentences of text, training/corpus.py: word2vec).
    layer_diagnostics : whether it records per-layer gradient norms and dead ReLUs each period
        (`layer_grad_norms`, `hidden_activations`; history.csv grad_norm_W*, dead_relu_*).
    l1, l1_names, n_features_in_, params : penalty, the parameters L1 touches, input width, the
        live parameter arrays optimizers update.
    l1_method : how the optimizer applies L1: EXACT_L1 ("exact"), a soft-threshold of every
        weight every step, or CUMULATIVE_L1 ("cumulative"), Tsuruoka et al.'s penalty on the
        weights a batch touches (`l1_rows`), as scikit-learn's SGD.
    """

    type: ClassVar[str]
    task: str
    loss_name: str
    loss_label: str
    kernel: str | None
    numpy_step_seconds: float
    supports_streaming: ClassVar[bool]
    trains_on: ClassVar[str]
    layer_diagnostics: ClassVar[bool]
    l1: float
    l1_names: tuple[str, ...]
    l1_method: str
    n_features_in_: int | None

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
    ) -> Self: ...
    @property
    def params(self) -> dict[str, np.ndarray]: ...
    def initialize(self, n_features: int) -> Any: ...
    def loss_and_gradients(
        self, X: Matrix, y: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]: ...
    def loss(self, X: Matrix, y: np.ndarray) -> float: ...
    def predict(self, X: Matrix) -> np.ndarray: ...
    def predict_scores(self, X: Matrix) -> np.ndarray: ...
    def validate_targets(self, y: np.ndarray) -> None: ...
    def metric_losses(self, y: np.ndarray, scores: np.ndarray) -> np.ndarray | None: ...
    @classmethod
    def check_label_column(cls, values: pd.Series, column: str) -> None: ...
    def nonzero_weights(self) -> int: ...
    def l1_rows(self, X: Matrix) -> np.ndarray | None: ...
    def divergence_advice(self) -> str: ...
    def underfitting_fixes(self) -> tuple[str, ...]: ...
    def overfitting_fixes(self) -> tuple[str, ...]: ...
    def stability_fixes(self) -> tuple[str, ...]: ...
    def count_label_fixes(self) -> tuple[str, ...]: ...
    def layer_summary(self, n_classes: int | None = None) -> list[LayerRow] | None: ...
    def image_views(self, X: Matrix) -> ImageViews | None: ...
    def trivial_loss(self, y: np.ndarray) -> float | None: ...


def _entropy(share: np.ndarray) -> float:
    """−Σ p·ln p over the non-zero shares: the log loss of predicting the shares themselves."""
    share = share[share > 0]
    return float(-(share * np.log(share)).sum())


def binary_entropy(p: float) -> float:
    """Log loss of always predicting P(class 1) = p for labels whose share of 1s is p."""
    return _entropy(np.array([p, 1.0 - p]))


class Model:
    """The answers most models give to what `TrainableModel` asks.

    No compiled kernel, no streaming, no per-layer diagnostics, no extra advice; built from
    its config section alone. Subclasses declare `type`, `task`, `loss_name` and `loss_label`
    and override whatever else differs.
    """

    type: ClassVar[str]
    task: str
    kernel: ClassVar[str | None] = None
    numpy_step_seconds: ClassVar[float] = 30e-6  # forward, gradient, update: a few calls
    supports_streaming: ClassVar[bool] = False
    trains_on: ClassVar[str] = "table"
    layer_diagnostics: ClassVar[bool] = False
    l1_method: str = EXACT_L1

    def l1_rows(self, X: Matrix) -> np.ndarray | None:
        """Rows of each L1 parameter's first axis a batch X touches (cumulative L1): all."""
        return None

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
    ) -> Self:
        """A model from its `model:` section's fields (all but `type`), not yet initialized.

        `task` is the task resolved from the label and `seed` the run's seed; a model whose
        task is fixed and that draws nothing at random ignores both.
        """
        return cls(**settings)

    def metric_losses(self, y: np.ndarray, scores: np.ndarray) -> np.ndarray | None:
        """Each example's data loss from `predict_scores` output, shape (n,), when the model
        trains on a loss other than its task's usual one (squared error, log loss); None when
        the metric set's own loss is the model's."""
        return None

    @classmethod
    def check_label_column(cls, values: pd.Series, column: str) -> None:
        """Raise `DataError` naming `column` and the first bad row (its row id) when the label
        column holds values this model cannot learn from; most models accept any value their
        task's label encoding accepts."""

    def predict_scores(self, X: Matrix) -> np.ndarray:
        """What the metrics score: P(class 1) (binary, (n,)), class probabilities (multiclass,
        (n, n_classes)), P(label j) per label (multilabel, (n, n_labels)) or ŷ (regression,
        (n,))."""
        if self.task == "binary":
            return self.predict_proba(X)[:, 1]
        if self.task in ("multiclass", "multilabel"):
            return self.predict_proba(X)
        return self.predict(X)

    def divergence_advice(self) -> str:
        """More to say when training diverged ("; ..." appended to the message), or ""."""
        return ""

    def underfitting_fixes(self) -> tuple[str, ...]:
        """Config edits (`key=value`) that give this model more capacity (the doctor's
        underfitting advice, after weaker regularisation)."""
        return ()

    def overfitting_fixes(self) -> tuple[str, ...]:
        """Config edits that regularise this model beyond early stopping and model.l2."""
        return ()

    def stability_fixes(self) -> tuple[str, ...]:
        """Config edits of this model that steady vanishing or exploding gradients (the
        doctor's fixes besides the optimizer's clip_norm and the activation)."""
        return ()

    def count_label_fixes(self) -> tuple[str, ...]:
        """Config edits that model a long-tailed label of whole counts better than this model
        does (the doctor's long-tailed label advice); () when there is none."""
        return ()

    def layer_summary(self, n_classes: int | None = None) -> list[LayerRow] | None:
        """The layer table `mlcc train` prints before training: (layer, output shape,
        parameters) per layer, from the hyperparameters alone (`n_classes`: the label's class
        count, which sizes a multiclass head); None for models without layers to show."""
        return None

    def image_views(self, X: Matrix) -> ImageViews | None:
        """Filters and feature maps of the images in X (a few rows), for models that look at
        images; None for the others."""
        return None

    def trivial_loss(self, y: np.ndarray) -> float | None:
        """The data loss of the model that ignores its inputs, on labels y: predicting their
        mean (regression: the variance, or the model's own loss of the mean) or their class
        shares (log loss = the entropy −Σ p·ln p; multi-label: summed over labels). The
        yardstick of "barely learned" and of a finite divergence; None when unknown."""
        y = np.asarray(y, dtype=np.float64)
        if len(y) == 0:
            return None
        if self.task == "regression":
            mean = np.full(len(y), y.mean())
            losses = self.metric_losses(y, mean)
            return float(np.mean((y - mean) ** 2 if losses is None else losses))
        if self.task == "binary":
            return binary_entropy(float(y.mean()))
        if self.task == "multiclass":
            return _entropy(np.bincount(y.astype(np.int64)) / len(y))
        if self.task == "multilabel":
            return float(sum(binary_entropy(float(p)) for p in y.mean(axis=0)))
        return None
