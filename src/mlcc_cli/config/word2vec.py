"""The `model: {type: word2vec}` section: skip-gram word embeddings with negative sampling.

word2vec learns from plain text (a `.txt` corpus or a builtin corpus, see `CORPUS_SOURCES`),
not from a labelled table: each word learns to predict the words around it, so words that
share neighbours end up with similar vectors (the distributional hypothesis).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from mlcc_cli.config.base import StrictModel

# The builtin datasets that are text corpora (one sentence per row in a `text` column).
BUILTIN_CORPORA = ("pets_and_vehicles",)


def is_corpus_source(source: str) -> bool:
    """Whether `data.source` names text to learn word embeddings from: a .txt file or a
    builtin corpus."""
    name = source.removeprefix("builtin:").strip()
    return source.lower().endswith(".txt") or (
        source.startswith("builtin:") and name in BUILTIN_CORPORA
    )


class Word2VecConfig(StrictModel):
    """Skip-gram with negative sampling: each word's vector learns to tell the words seen
    around it from words drawn at random."""

    task: ClassVar[str] = "embedding"
    type: Literal["word2vec"] = Field(description="Model tag.")
    dimensions: int = Field(
        16, ge=1, description="Length of each word's embedding vector (the embedding size)."
    )
    window: int = Field(
        2,
        ge=1,
        description=(
            "Context window: the words up to this many positions before and after a word are "
            "its context (each gives one (word, context) training pair)."
        ),
    )
    negative: int = Field(
        5,
        ge=1,
        description=(
            "Negative samples per pair: random words, drawn from the unigram distribution "
            "raised to 0.75, that the model learns to tell from the real context word."
        ),
    )
    min_count: int = Field(
        2,
        ge=1,
        description="Words seen fewer times in the training sentences are dropped.",
    )
    subsample: float = Field(
        1e-3,
        ge=0,
        description=(
            "Threshold t of frequent-word subsampling: a word making up a share f of the "
            "training words is kept with probability (√(f/t) + 1)·t/f, so words like `the` "
            "give fewer pairs; 0 keeps every word."
        ),
    )
    vocabulary_size: int | None = Field(
        None,
        ge=1,
        description="Keep at most this many words (the most frequent); null: no cap.",
    )
