"""Config models of the `model:` section, one class per model tag.

Every tag has a class in the model registry (`MODELS` in `models/registry.py`; a test checks
they agree). Each section says which task its model solves as `task`, known before any model
exists (the label is encoded for it): a class attribute for most, while `mlp` has a `task`
key, whose `auto` lets the label decide (`data/labels.resolve_task`).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from mlcc_cli.config.base import StrictModel
from mlcc_cli.config.cnn import CnnConfig
from mlcc_cli.config.embeddings import EMBEDDINGS_DESCRIPTION, EmbeddingEntry
from mlcc_cli.config.penalties import L1, L1_METHOD, L2, L1Method
from mlcc_cli.config.word2vec import Word2VecConfig


class LinearConfig(StrictModel):
    """Linear regression: prediction w·x + b, squared loss (RMSE reported)."""

    task: ClassVar[str] = "regression"
    type: Literal["linear"] = Field(description="Model tag.")
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(0.0, ge=0, description="L2 strength λ₂: penalty λ₂·Σw².")
    embeddings: dict[str, EmbeddingEntry] = Field(
        default_factory=dict,
        description=EMBEDDINGS_DESCRIPTION
        + " The model then reads the embedded vectors in place of the indicators or counts.",
    )


class LogisticConfig(StrictModel):
    """Logistic regression: probability σ(w·x + b), binary log loss."""

    task: ClassVar[str] = "binary"
    type: Literal["logistic"] = Field(description="Model tag.")
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(
        0.0,
        ge=0,
        description=(
            "L2 strength λ₂: penalty λ₂·Σw² on the mean log loss; equals scikit-learn's "
            "LogisticRegression(C=1/(2·λ₂·n_train))."
        ),
    )
    embeddings: dict[str, EmbeddingEntry] = Field(
        default_factory=dict,
        description=EMBEDDINGS_DESCRIPTION
        + " The model then reads the embedded vectors in place of the indicators or counts.",
    )


class PoissonConfig(StrictModel):
    """Poisson regression for counts: rate exp(w·x + b), mean Poisson deviance loss."""

    task: ClassVar[str] = "regression"
    type: Literal["poisson"] = Field(description="Model tag.")
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(
        0.0,
        ge=0,
        description=(
            "L2 strength λ₂: penalty λ₂·Σw² on the mean Poisson deviance; equals "
            "scikit-learn's PoissonRegressor(alpha=λ₂)."
        ),
    )


class SampledSoftmaxConfig(StrictModel):
    """Candidate sampling: train on the true class plus a few sampled negatives per example."""

    num_sampled: int = Field(
        ge=1,
        description=(
            "Negative classes drawn per example during training (uniformly, seeded); "
            "evaluation always uses the full softmax."
        ),
    )


class SoftmaxConfig(StrictModel):
    """Multinomial logistic regression: P(class k) = softmax(W·x + b)ₖ, cross-entropy loss."""

    task: ClassVar[str] = "multiclass"
    type: Literal["softmax"] = Field(description="Model tag.")
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(0.0, ge=0, description=L2)
    sampled_softmax: SampledSoftmaxConfig | None = Field(
        None, description="Train with candidate sampling (for many classes); off by default."
    )


class OneVsAllConfig(StrictModel):
    """One binary logistic classifier per class, trained together; predicts the most confident."""

    task: ClassVar[str] = "multiclass"
    type: Literal["one_vs_all"] = Field(description="Model tag.")
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(0.0, ge=0, description=L2)


class MultiLabelConfig(StrictModel):
    """Independent sigmoid outputs, one per label column of data.labels (several may be 1)."""

    task: ClassVar[str] = "multilabel"
    type: Literal["multi_label"] = Field(description="Model tag.")
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(0.0, ge=0, description=L2)


class MlpConfig(StrictModel):
    """A neural network: hidden layers of units, trained by backpropagation."""

    type: Literal["mlp"] = Field(description="Model tag.")
    hidden_units: list[int] = Field(
        min_length=1, description="Units per hidden layer, input side first, e.g. [64, 32]."
    )
    activation: Literal["relu", "leaky_relu", "tanh", "sigmoid"] = Field(
        "relu", description="Non-linearity of every hidden layer."
    )
    leaky_slope: float = Field(
        0.01, gt=0, lt=1, description="leaky_relu only: slope for negative inputs."
    )
    dropout: float | list[float] = Field(
        0.0,
        description=(
            "Inverted dropout rate after each hidden layer (one value for all, or one per "
            "layer); 0 ≤ rate < 1; off at evaluation."
        ),
    )
    batch_norm: bool = Field(
        False, description="Batch normalisation before each hidden activation."
    )
    init: Literal["auto", "he", "xavier"] = Field(
        "auto",
        description="Weight initialisation: `he` (ReLU family), `xavier` (tanh, sigmoid); "
        "`auto` picks by activation.",
    )
    task: Literal["auto", "regression", "binary", "multiclass"] = Field(
        "auto",
        description=(
            "Output head: `regression` (linear), `binary` (sigmoid), `multiclass` (softmax); "
            "`auto` decides from the label (text or few integer values: classes)."
        ),
    )
    embeddings: dict[str, EmbeddingEntry] = Field(
        default_factory=dict, description=EMBEDDINGS_DESCRIPTION
    )
    l1: float = Field(0.0, ge=0, description=L1)
    l1_method: L1Method = Field("exact", description=L1_METHOD)
    l2: float = Field(0.0, ge=0, description=L2)

    @field_validator("hidden_units")
    @classmethod
    def _positive_units(cls, units: list[int]) -> list[int]:
        if any(n <= 0 for n in units):
            raise ValueError(f"every layer needs at least one unit, got {units}")
        return units

    @model_validator(mode="after")
    def _dropout_per_layer(self) -> MlpConfig:
        rates = self.dropout if isinstance(self.dropout, list) else [self.dropout]
        if isinstance(self.dropout, list) and len(rates) != len(self.hidden_units):
            raise ValueError(
                f"dropout lists {len(rates)} rates for {len(self.hidden_units)} hidden layers"
            )
        if any(not 0.0 <= rate < 1.0 for rate in rates):
            raise ValueError(f"dropout rates must be in [0, 1), got {self.dropout}")
        return self

    def dropout_rates(self) -> list[float]:
        """One dropout rate per hidden layer."""
        if isinstance(self.dropout, list):
            return list(self.dropout)
        return [self.dropout] * len(self.hidden_units)


ModelConfig = Annotated[
    LinearConfig
    | LogisticConfig
    | PoissonConfig
    | SoftmaxConfig
    | OneVsAllConfig
    | MultiLabelConfig
    | MlpConfig
    | CnnConfig
    | Word2VecConfig,
    Field(discriminator="type"),
]
