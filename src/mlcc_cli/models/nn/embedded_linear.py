"""Linear and logistic regression that read some inputs through learned embeddings.

The crash course's sparse-text model: a review's bag of tokens becomes the count-weighted
sum of its tokens' vectors e = X_c·E (`embeddings.py`), and the linear model reads
[X_rest, e]: ŷ = [X_rest, X_c·E]·w + b (linear) or p = σ(…) (logistic). That is a network
without hidden layers, so it is an `Mlp` with `hidden_units: []` and a fixed head; E and w
are learned together by backpropagation. A config asks for it by giving `linear` or
`logistic` a `model.embeddings` mapping (see `LinearRegression.from_settings`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from mlcc_cli.models.nn.embeddings import embedding_settings
from mlcc_cli.models.nn.mlp import Mlp


class EmbeddedLinearModel(Mlp):
    """A linear model over [plain inputs, embedded inputs]; subclasses fix type and head.

    Parameters: embeddings (column → size or {dimensions, combiner}), l1, l2, seed.
    Weights: embedding_COLUMN (vocabulary, dimensions), W1 (inputs, 1), b1 (1,).
    """

    type: ClassVar[str]
    head: ClassVar[str]  # the Mlp head: regression or binary

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
    ) -> Self:
        """From a linear or logistic `model:` section with embeddings; the head is fixed."""
        keys = ("embeddings", "l1", "l2", "l1_method")
        fields = {key: settings[key] for key in keys if key in settings}
        return cls(hidden_units=(), task=cls.head, init="xavier", seed=seed or 0, **fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(embeddings={self.embeddings!r}, l1={self.l1}, l2={self.l2})"

    def divergence_advice(self) -> str:
        """No batch norm to offer: the model has no hidden layer."""
        return ""

    def underfitting_fixes(self) -> tuple[str, ...]:
        """Twice the dimensions of every embedding."""
        fixes = []
        for column, entry in self.embeddings.items():
            dimensions, _ = embedding_settings(entry)
            key = f"model.embeddings.{column}" + ("" if isinstance(entry, int) else ".dimensions")
            fixes.append(f"{key}={2 * dimensions}")
        return tuple(fixes)

    def overfitting_fixes(self) -> tuple[str, ...]:
        """No dropout or hidden layer to change: L2 (the doctor's general advice) remains."""
        return ()

    def stability_fixes(self) -> tuple[str, ...]:
        """Nothing model-specific: the learning rate and clip_norm are the levers."""
        return ()


class EmbeddedLinearRegression(EmbeddedLinearModel):
    """Linear regression on embedded inputs: ŷ = [X_rest, X_c·E_c, …]·w + b, mean squared
    error."""

    type = "linear"
    head = "regression"


class EmbeddedLogisticRegression(EmbeddedLinearModel):
    """Logistic regression on embedded inputs: p = σ([X_rest, X_c·E_c, …]·w + b), log loss."""

    type = "logistic"
    head = "binary"
