"""The `model.embeddings` mapping: which inputs enter a model through a learned embedding.

An entry is either the old short form `{city: 8}` (8 dimensions, combiner sum) or the long
form `{review: {dimensions: 8, combiner: mean}}`; both are kept as written in the resolved
config. Used by `mlp` and, as their input layer, by `linear` and `logistic`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mlcc_cli.config.base import StrictModel

Combiner = Literal["sum", "mean", "sqrtn"]


class EmbeddingConfig(StrictModel):
    """One embedded input: the size of its vectors and how a row's tokens are combined."""

    dimensions: int = Field(ge=1, le=10_000, description="Length of each learned vector.")
    combiner: Combiner = Field(
        "sum",
        description=(
            "How a row with several tokens (a text column's bag of tokens) becomes one vector: "
            "`sum` Σ count·vector (the crash course's count-weighted sum), `mean` that sum "
            "divided by the token count, `sqrtn` divided by √(Σ count²). A one-hot row holds "
            "one category, so all three give its vector."
        ),
    )


# The short form's size: the same bounds as `dimensions`.
EmbeddingEntry = Annotated[int, Field(ge=1, le=10_000)] | EmbeddingConfig

EMBEDDINGS_DESCRIPTION = (
    "Inputs that enter through a learned embedding: a categorical input (one_hot, hash, "
    "bucketize or cross output) or a text step's column, each with its size, e.g. {city: 8}, "
    "or with a combiner for a bag of tokens, e.g. {review: {dimensions: 8, combiner: mean}}; "
    "saved to embeddings-COLUMN.csv."
)


def embedding_dimensions(entry: EmbeddingEntry) -> tuple[int, str]:
    """(dimensions, combiner) of an entry in either form."""
    if isinstance(entry, EmbeddingConfig):
        return entry.dimensions, entry.combiner
    return int(entry), "sum"
