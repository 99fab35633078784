"""Text as a bag of tokens: the crash course's sparse input for words.

A review such as "Great plot, great cast" cannot enter a model as a string. The `text` step
lower-cases and tokenises it (`tokens.TOKEN_PATTERN`), keeps a vocabulary learned on the
training split (the most frequent tokens, each seen at least `min_count` times, at most
`vocabulary_size`), and replaces the column by its token ids; tokens outside the vocabulary,
including words first seen in new rows, share one out-of-vocabulary id. The design matrix
then expands each row into its token counts (`token_bags`): a linear model learns one weight
per token, and `model.embeddings` maps the counts to the count-weighted sum of learned token
vectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.features.base import StatisticsTransform
from mlcc_cli.features.columns import is_numeric, require_columns, require_not_label
from mlcc_cli.features.token_bags import token_bags
from mlcc_cli.features.tokens import Vocabulary, tokenize_all, vocabulary_from_counts


class TokenCounts:
    """How often each token occurs in a column's training texts, merged chunk by chunk."""

    def __init__(self) -> None:
        self.count = 0  # texts seen (missing ones included: they hold no tokens)
        self.tokens = 0
        self.counts: Counter[str] = Counter()

    def add(self, texts: pd.Series) -> None:
        """Count the tokens of one chunk of the column."""
        for tokens in tokenize_all(texts):
            self.counts.update(tokens)
            self.tokens += len(tokens)
        self.count += len(texts)

    def __repr__(self) -> str:
        return f"TokenCounts(texts={self.count}, tokens={self.tokens}, distinct={len(self.counts)})"


class Text(StatisticsTransform):
    """Tokenise text columns and replace each by its token ids in a training vocabulary.

    Attributes
    ----------
    vocabulary_ : dict[str, list[str]]
        Per column, the kept tokens, most frequent first; id i is vocabulary_[column][i] and
        id len(vocabulary_[column]) is out-of-vocabulary (`<oov>`).
    token_counts_ : dict[str, list[int]]
        Per column, how often each kept token occurs in the training split.
    n_tokens_ : dict[str, int]
        Per column, distinct tokens in the training split (kept or not).
    """

    tag = "text"
    params = ("columns", "vocabulary_size", "min_count", "key", "label")
    fitted = ("feature_names_in_", "vocabulary_", "token_counts_", "n_tokens_", "warnings_")
    numeric_inputs = False

    def __init__(
        self,
        columns: Sequence[str],
        vocabulary_size: int | None = None,
        min_count: int = 1,
        *,
        key: str = "text",
        label: str | None = None,
    ) -> None:
        self.columns = columns
        self.vocabulary_size = vocabulary_size
        self.min_count = min_count
        self.key = key
        self.label = label

    def _new_statistic(
        self, rng: np.random.Generator | None, sample_size: int | None
    ) -> TokenCounts:
        return TokenCounts()  # exact counts: no sample needed

    def _columns_to_learn(self, frame: pd.DataFrame) -> list[str]:
        require_not_label(self.columns, self.label, self.where)
        require_columns(frame, self.columns, self.where)
        for column in self.columns:
            # An all-missing column reads as float: it has no tokens rather than numbers.
            if is_numeric(frame[column]) and frame[column].notna().any():
                raise DataError(
                    f"{self.where}: column {column!r} holds numbers, not text; tokenise text "
                    "columns only (a number column goes in as it is, or through one_hot or "
                    "bucketize)."
                )
        return list(self.columns)

    def _values(self, frame: pd.DataFrame, column: str) -> pd.Series:
        return frame[column]

    def _learn(self, statistics: dict[str, TokenCounts]) -> None:
        """Choose each column's vocabulary from its token counts."""
        self.vocabulary_, self.token_counts_, self.n_tokens_ = {}, {}, {}
        self.warnings_ = []
        for column, counted in statistics.items():
            if counted.tokens == 0:
                raise DataError(
                    f"{self.where}: text column {column!r} holds no tokens in the training "
                    "split (every value is empty or missing); fill the column with text or "
                    "leave it out of the step."
                )
            vocabulary = vocabulary_from_counts(
                counted.counts, self.vocabulary_size, self.min_count
            )
            if not vocabulary.tokens:
                self.warnings_.append(
                    f"{self.where}: no token of column {column!r} occurs min_count = "
                    f"{self.min_count} times in the training split, so every token is "
                    "out-of-vocabulary; lower min_count."
                )
            self.vocabulary_[column] = vocabulary.tokens
            self.token_counts_[column] = vocabulary.counts
            self.n_tokens_[column] = len(counted.counts)

    def vocabulary(self, column: str) -> Vocabulary:
        """The fitted vocabulary of `column`."""
        self._check_fitted()
        return Vocabulary(self.vocabulary_[column], self.token_counts_[column])

    def notes(self) -> list[str]:
        """How many distinct training tokens each column keeps."""
        return [
            f"{self.where}: column {column!r}: {len(kept)} of {self.n_tokens_[column]} distinct "
            "training tokens kept in the vocabulary; the rest share `<oov>`."
            for column, kept in self.vocabulary_.items()
        ]

    def _transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column in self.feature_names_in_:
            vocabulary = self.vocabulary(column)
            bags = [vocabulary.ids(tokens) for tokens in tokenize_all(frame[column])]
            frame[column] = token_bags(bags, vocabulary.tokens, frame.index)
        return frame
