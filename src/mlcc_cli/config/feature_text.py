"""Config model of the `text` feature step: a text column into a bag of tokens.

Its transform lives in `features/text.py`; the tokenizer and vocabulary rules in
`features/tokens.py`. `features.FeatureStep` is the union of every step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mlcc_cli.config.base import StrictModel


class TextConfig(StrictModel):
    """Text into tokens and a vocabulary: each row becomes the counts of its tokens."""

    type: Literal["text"] = Field(description="Transform tag.")
    columns: list[str] = Field(min_length=1, description="Text columns to tokenise.")
    vocabulary_size: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description=(
            "Keep at most this many tokens, the most frequent in the training split (ties in "
            "alphabetical order); null keeps every token seen min_count times."
        ),
    )
    min_count: int = Field(
        1,
        ge=1,
        description=(
            "Tokens seen fewer times in the training split share the out-of-vocabulary id "
            "(`<oov>`), as do tokens first seen in new rows."
        ),
    )
