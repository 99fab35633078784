"""Bags of tokens: how the text step stores a tokenised column in the pipeline's frame.

After the `text` step a text column holds, per row, the ids of its tokens in the step's
vocabulary (the out-of-vocabulary id for the rest), as a pandas extension column whose dtype
carries the vocabulary. Like a category column it costs a few integers per row until the
design matrix expands it, into the row's token counts: a sparse block of width
vocabulary + 1 (the last column counts out-of-vocabulary tokens), named `COLUMN_TOKEN`.
The crash course's "sparse vector of token counts" is exactly that block's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, take

from mlcc_cli.features.tokens import OOV_TOKEN

if TYPE_CHECKING:
    from scipy import sparse


class TokenBagDtype(ExtensionDtype):
    """The dtype of a token-bag column: its vocabulary (ids 0..V−1; V is out-of-vocabulary)."""

    name = "token_bag"
    type = tuple
    na_value = None
    _metadata: ClassVar[tuple[str, ...]] = ("tokens",)

    def __init__(self, tokens: Sequence[str] = ()) -> None:
        self.tokens = tuple(tokens)

    def __repr__(self) -> str:
        return f"TokenBagDtype({len(self.tokens)} tokens)"

    @classmethod
    def construct_array_type(cls) -> type[TokenBagArray]:
        """The array class pandas builds for this dtype."""
        return TokenBagArray

    @property
    def width(self) -> int:
        """Columns the bag expands into: one per token plus the out-of-vocabulary count."""
        return len(self.tokens) + 1

    def labels(self) -> list[str]:
        """What each count column counts: the vocabulary, then OOV_TOKEN."""
        return [*self.tokens, OOV_TOKEN]


class TokenBagArray(ExtensionArray):
    """Per row, an int64 array of token ids (a missing text has no tokens, never NA)."""

    def __init__(self, bags: Sequence[np.ndarray], dtype: TokenBagDtype) -> None:
        self._bags = np.empty(len(bags), dtype=object)  # (n_rows,) of int64 arrays
        self._bags[:] = [np.asarray(bag, dtype=np.int64) for bag in bags]
        self._dtype = dtype

    @classmethod
    def _from_sequence(
        cls, scalars: Sequence[Any], *, dtype: Any = None, copy: bool = False
    ) -> Self:
        return cls([np.asarray(s if s is not None else (), np.int64) for s in scalars], dtype)

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: TokenBagArray) -> Self:
        return cls(list(values), original.dtype)

    @property
    def dtype(self) -> TokenBagDtype:
        return self._dtype

    def __len__(self) -> int:
        return len(self._bags)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, np.integer)):
            return tuple(int(i) for i in self._bags[item])
        return type(self)(list(self._bags[item]), self._dtype)

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        if not isinstance(other, TokenBagArray) or len(other) != len(self):
            return np.zeros(len(self), dtype=bool)
        pairs = zip(self._bags, other._bags, strict=True)
        return np.array([np.array_equal(a, b) for a, b in pairs], dtype=bool)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        rows = np.empty(len(self), dtype=object)  # (n_rows,) of id tuples: what numpy sees
        rows[:] = [tuple(bag.tolist()) for bag in self._bags]
        return rows

    @property
    def nbytes(self) -> int:
        return int(sum(bag.nbytes for bag in self._bags))

    def isna(self) -> np.ndarray:
        return np.zeros(len(self), dtype=bool)

    def take(self, indices: Any, *, allow_fill: bool = False, fill_value: Any = None) -> Self:
        picked = take(self._bags, indices, allow_fill=allow_fill, fill_value=None)
        return type(self)([() if bag is None else bag for bag in picked], self._dtype)

    def copy(self) -> Self:
        return type(self)(list(self._bags), self._dtype)

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[TokenBagArray]) -> Self:
        return cls([bag for array in to_concat for bag in array._bags], to_concat[0].dtype)

    def _values_for_factorize(self) -> tuple[np.ndarray, Any]:
        return self.__array__(), None  # hashable per-row keys, for duplicates and nunique

    def counts(self) -> sparse.csr_array:
        """Each row's token counts: CSR of shape (n_rows, vocabulary + 1), summed duplicates."""
        lengths = np.fromiter((len(bag) for bag in self._bags), dtype=np.int64, count=len(self))
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        ids = np.concatenate([*self._bags, np.empty(0, np.int64)])
        shape = (len(self), self._dtype.width)
        # deferred: scipy.sparse, imported only once a text column is expanded
        from scipy import sparse

        block = sparse.csr_array((np.ones(len(ids)), ids, indptr), shape=shape)
        block.sum_duplicates()  # a token seen twice in a row is one entry holding 2
        return block


def token_bags(bags: Sequence[np.ndarray], tokens: Sequence[str], index: pd.Index) -> pd.Series:
    """A token-bag column from each row's token ids, on the frame's index."""
    return pd.Series(TokenBagArray(bags, TokenBagDtype(tokens)), index=index)


def is_token_bag(series: pd.Series) -> bool:
    """True for the columns the text step makes."""
    return isinstance(series.dtype, TokenBagDtype)


def count_block(series: pd.Series) -> sparse.csr_array:
    """The token counts of a token-bag column: CSR (n_rows, vocabulary + 1)."""
    return series.array.counts()
