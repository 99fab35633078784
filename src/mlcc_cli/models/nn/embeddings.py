"""Embeddings: a categorical input enters the network as a small learned dense vector.

A categorical column reaches the design matrix as a block of one-hot (or multi-hot)
indicator columns X_c (n, vocabulary). Its embedding is e_c = X_c·E_c with E_c
(vocabulary, size): for one-hot rows that is exactly the lookup of row E_c[category].
The network's first layer then reads a₀ = [X_rest, e_c1, e_c2, …], the other columns
followed by every embedding, so W1 has n_rest + Σ sizes rows.
Gradient: with g = ∂loss/∂e_c (n, size), ∂loss/∂E_c = X_cᵀ·g, sparse-safe like Xᵀδ.

A text column's block holds token counts, so e_c = Σ_t count_t·E_c[t]: the count-weighted
sum of its tokens' vectors (combiner `sum`). `mean` divides each row by its token count,
`sqrtn` by √(Σ count²) (TensorFlow's combiners); both are the same product with a rescaled
X_c, so the gradient is the rescaled X_cᵀ·g. A one-hot row has a single 1: all three agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mlcc_cli.errors import ConfigError
from mlcc_cli.models.linear_base import is_sparse
from mlcc_cli.models.nn.layers import init_weights


def embedding_name(column: str) -> str:
    """The parameter holding `column`'s embedding matrix."""
    return f"embedding_{column}"


def embedding_settings(entry: Any) -> tuple[int, str]:
    """(dimensions, combiner) of a `model.embeddings` entry: a size, or a mapping (or config)
    with `dimensions` and an optional `combiner` (default sum)."""
    if isinstance(entry, (int, np.integer)):
        return int(entry), "sum"
    if isinstance(entry, Mapping):
        return int(entry["dimensions"]), str(entry.get("combiner", "sum"))
    return int(entry.dimensions), str(entry.combiner)


def combine(block: Any, combiner: str) -> Any:
    """The rows of X_c rescaled for `combiner`: sum as is; mean ÷ Σ count; sqrtn ÷ √(Σ count²).

    Rows without tokens stay zero (their embedding is the zero vector).
    """
    if combiner == "sum":
        return block
    squared = block.multiply(block) if is_sparse(block) else block * block
    totals = np.asarray((block if combiner == "mean" else squared).sum(axis=1)).ravel()
    norms = totals if combiner == "mean" else np.sqrt(totals)  # (n,)
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    if is_sparse(block):
        # deferred: scipy.sparse, already imported by whoever made this sparse block
        from scipy import sparse

        return sparse.csr_array(sparse.diags_array(scale) @ block)
    return block * scale[:, None]


class EmbeddingInput:
    """Splits X into plain columns and indicator blocks, and embeds the blocks.

    Parameters: blocks — column → (start, stop) of its indicator (or token-count) columns
    in X; settings — column → its `model.embeddings` entry (a size, or dimensions and
    combiner); n_features — X's width.
    """

    def __init__(
        self, blocks: Mapping[str, tuple[int, int]], settings: Mapping[str, Any], n_features: int
    ) -> None:
        sizes = {column: embedding_settings(entry)[0] for column, entry in settings.items()}
        self.combiners = {column: embedding_settings(e)[1] for column, e in settings.items()}
        missing = sorted(set(sizes) - set(blocks))
        if missing:
            raise ConfigError(
                f"model.embeddings names {missing}, which are not categorical inputs; embed "
                "one-hot, hashed or bucketized input columns, or a text step's columns"
            )
        self.columns = list(sizes)
        self.sizes = dict(sizes)
        self.blocks = {column: tuple(blocks[column]) for column in self.columns}
        embedded = np.zeros(n_features, dtype=bool)
        for start, stop in self.blocks.values():
            embedded[start:stop] = True
        self.rest = np.flatnonzero(~embedded)  # columns that enter the network as they are
        self.width = len(self.rest) + sum(self.sizes.values())  # rows of W1

    def __repr__(self) -> str:
        return (
            f"EmbeddingInput(blocks={self.blocks!r}, sizes={self.sizes!r}, "
            f"combiners={self.combiners!r})"
        )

    def vocabulary(self, column: str) -> int:
        """Indicator columns of `column`: the rows of its embedding matrix."""
        start, stop = self.blocks[column]
        return stop - start

    def initial_matrices(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Each column's embedding matrix E_c (vocabulary, size), xavier-drawn in column order."""
        return {
            embedding_name(column): init_weights("xavier", self.vocabulary(column), size, rng)
            for column, size in self.sizes.items()
        }

    def forward(self, X: Any, params: Mapping[str, np.ndarray]) -> tuple[Any, list[Any]]:
        """a₀ = [X_rest, X_c·E_c, …] and the (combined) blocks X_c, kept for the backward pass."""
        blocks = [
            combine(X[:, start:stop], self.combiners[column])
            for column, (start, stop) in self.blocks.items()
        ]
        embedded = [
            np.asarray(block @ params[embedding_name(c)])  # (n, size)
            for c, block in zip(self.columns, blocks, strict=True)
        ]
        rest = X[:, self.rest]
        if is_sparse(rest):
            # deferred: scipy.sparse, already imported by whoever made this sparse X
            from scipy import sparse

            a0 = sparse.hstack([rest, *embedded], format="csr")
        else:
            a0 = np.hstack([rest, *embedded])
        return a0, blocks

    def backward(self, blocks: list[Any], grad_embedded: np.ndarray) -> dict[str, np.ndarray]:
        """∂loss/∂E_c = X_cᵀ·g_c, given g = ∂loss/∂[e_c1, e_c2, …] (n, Σ sizes)."""
        grads, offset = {}, 0
        for column, block in zip(self.columns, blocks, strict=True):
            size = self.sizes[column]
            g = grad_embedded[:, offset : offset + size]  # (n, size)
            grads[embedding_name(column)] = np.asarray(block.T @ g)  # (vocabulary, size)
            offset += size
        return grads
