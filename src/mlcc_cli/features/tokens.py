"""Text into tokens, and tokens into a vocabulary: what the text step and word2vec share.

Tokenising follows scikit-learn's `CountVectorizer` analyzer (lower-case, then every match
of `TOKEN_PATTERN`): a token is a run of letters, digits or underscores, optionally with one
apostrophe inside ("don't", "cat's"); punctuation and whitespace separate tokens. A
vocabulary keeps the tokens seen at least `min_count` times, most frequent first (ties in
alphabetical order), at most `size` of them; every other token maps to the out-of-vocabulary
id, which is the vocabulary's length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

# Words with at most one inner apostrophe; single letters count ("a", "i").
TOKEN_PATTERN = r"(?u)\b\w+(?:'\w+)?\b"
OOV_TOKEN = "<oov>"  # how files and plots name the out-of-vocabulary id


def tokenizer() -> Callable[[str], list[str]]:
    """The analyzer that splits one text into its lower-cased tokens (scikit-learn's)."""
    from sklearn.feature_extraction.text import (  # deferred: scikit-learn, text steps only
        CountVectorizer,
    )

    return CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True).build_analyzer()


def tokenize_all(texts: Iterable[object]) -> list[list[str]]:
    """Each text's tokens; a missing value (None, NaN) has none."""
    analyze = tokenizer()
    return [analyze(text) if isinstance(text, str) else [] for text in texts]


@dataclass(frozen=True)
class Vocabulary:
    """Tokens kept, most frequent first, and how often each was seen in the fitted texts."""

    tokens: list[str]
    counts: list[int]

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def oov_id(self) -> int:
        """The id of every token not in the vocabulary: one past the last token's."""
        return len(self.tokens)

    @cached_property
    def index(self) -> dict[str, int]:
        """Token → id."""
        return {token: i for i, token in enumerate(self.tokens)}

    def ids(self, tokens: list[str]) -> np.ndarray:
        """Each token's id (`oov_id` for the unknown ones), shape (len(tokens),)."""
        index, oov = self.index, self.oov_id
        return np.fromiter((index.get(t, oov) for t in tokens), dtype=np.int64, count=len(tokens))


def build_vocabulary(
    documents: Iterable[list[str]], size: int | None = None, min_count: int = 1
) -> Vocabulary:
    """The vocabulary of tokenised documents (see `vocabulary_from_counts`)."""
    counter: Counter[str] = Counter()
    for tokens in documents:
        counter.update(tokens)
    return vocabulary_from_counts(counter, size, min_count)


def vocabulary_from_counts(
    counts: Mapping[str, int], size: int | None = None, min_count: int = 1
) -> Vocabulary:
    """Tokens seen ≥ min_count times, the `size` most frequent (ties broken alphabetically,
    so the result never depends on the order the texts came in)."""
    kept = sorted(
        ((token, n) for token, n in counts.items() if n >= min_count),
        key=lambda item: (-item[1], item[0]),
    )
    if size is not None:
        kept = kept[:size]
    return Vocabulary([token for token, _ in kept], [n for _, n in kept])
