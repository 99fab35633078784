"""word2vec: skip-gram with negative sampling (SGNS), word vectors learned from neighbours.

Every (center word c, context word o) pair seen within the window is a positive example;
`negative` noise words k, drawn from the unigram distribution raised to 0.75, are negatives.
With v = input_vectors[c] (the embedding kept) and u = output_vectors[·], the loss is

    L = −log σ(u_oᵀ v) − Σ_k log σ(−u_kᵀ v)          (averaged over the batch)

so a word's vector moves towards the output vectors of the words around it and away from
random ones: words that share neighbours end up with similar vectors.

A training example is one row (center id, context id) of X, with y = 1 (a real pair); the
training loop hands X over as float64, exact for any id below 2⁵³.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np

from mlcc_cli.errors import NotFittedError
from mlcc_cli.models.base import LayerRow, Model

NEGATIVE_SAMPLING = "negative-sampling loss"
NOISE_POWER = 0.75  # Mikolov et al.: the unigram distribution raised to 3/4
PAIR_COLUMNS = ("center_word", "context_word")  # the two columns of X
# spawn_key of the model's generators under the run's seed: the initial vectors, the
# negatives drawn while training, and the fixed negatives every loss evaluation redraws (so a
# period's validation loss never depends on how many batches ran before it).
INITIAL_VECTORS_KEY, TRAINING_NEGATIVES_KEY, EVALUATION_NEGATIVES_KEY = 4, 5, 6
EVALUATION_CHUNK = 8192  # pairs scored at once when measuring the loss (bounds the memory)


def noise_distribution(counts: Sequence[int] | np.ndarray) -> np.ndarray:
    """P(k) = count_k^0.75 / Σ_j count_j^0.75: the distribution negatives are drawn from.

    Raising the counts to 0.75 draws rare words more often than their share of the text.
    """
    weights = np.asarray(counts, dtype=np.float64) ** NOISE_POWER
    return weights / weights.sum()


def negative_sampling_loss(
    input_vectors: np.ndarray,
    output_vectors: np.ndarray,
    centers: np.ndarray,
    contexts: np.ndarray,
    negatives: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray]:
    """The mean SGNS loss of a batch and its gradients for both vector tables.

    L = (1/B) Σ_b [−log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c)]; with g⁺ = σ(u_oᵀv_c) − 1 and
    g_k = σ(u_kᵀv_c): ∂L/∂v_c = (g⁺ u_o + Σ_k g_k u_k)/B, ∂L/∂u_o = g⁺ v_c/B,
    ∂L/∂u_k = g_k v_c/B, summed over every row where a word appears (np.add.at scatter).

    Parameters
    ----------
    input_vectors, output_vectors : (vocabulary, dimensions)
    centers, contexts : (B,) word ids; negatives : (B, K) noise word ids

    Returns
    -------
    loss, grad of input_vectors, grad of output_vectors (both (vocabulary, dimensions))
    """
    # deferred: scipy.special, only for word2vec models
    from scipy.special import expit

    batch = len(centers)
    v = input_vectors[centers]  # (B, D)
    u_context = output_vectors[contexts]  # (B, D)
    u_noise = output_vectors[negatives]  # (B, K, D)
    positive = np.einsum("bd,bd->b", u_context, v)  # (B,)
    negative = np.einsum("bkd,bd->bk", u_noise, v)  # (B, K)
    # −log σ(x) = log(1 + e^(−x)), computed without overflow for large |x|.
    loss = (np.logaddexp(0.0, -positive).sum() + np.logaddexp(0.0, negative).sum()) / batch
    g_positive = (expit(positive) - 1.0) / batch  # (B,)
    g_negative = expit(negative) / batch  # (B, K)
    grad_v = g_positive[:, None] * u_context + np.einsum("bk,bkd->bd", g_negative, u_noise)
    grad_input = np.zeros_like(input_vectors)
    np.add.at(grad_input, centers, grad_v)
    grad_output = np.zeros_like(output_vectors)
    np.add.at(grad_output, contexts, g_positive[:, None] * v)
    noise_grads = g_negative[:, :, None] * v[:, None, :]  # (B, K, D)
    np.add.at(grad_output, negatives.ravel(), noise_grads.reshape(-1, v.shape[1]))
    return float(loss), grad_input, grad_output


class Word2Vec(Model):
    """Skip-gram with negative sampling over a vocabulary of words.

    The constructor stores the hyperparameters (the corpus ones, window, min_count, subsample
    and vocabulary_size, are read by the corpus training route); `initialize` sizes the
    vectors for the vocabulary's words and counts.

    Attributes
    ----------
    input_vectors : (vocabulary, dimensions) the word embeddings (embeddings.csv)
    output_vectors : (vocabulary, dimensions) each word's vector as a context word
    tokens_, counts_ : the vocabulary's words, most frequent first, and their training counts
    noise_ : (vocabulary,) the negative-sampling distribution (`noise_distribution`)
    """

    type: ClassVar[str] = "word2vec"
    task = "embedding"
    loss_name = NEGATIVE_SAMPLING
    loss_label = "NS loss"
    # What it learns from: sentences of text (training/corpus.py), not a design matrix.
    trains_on: ClassVar[str] = "corpus"
    l1 = 0.0
    l1_names: tuple[str, ...] = ()

    def __init__(
        self,
        dimensions: int = 16,
        window: int = 2,
        negative: int = 5,
        min_count: int = 2,
        subsample: float = 1e-3,
        vocabulary_size: int | None = None,
        seed: int | None = None,
    ) -> None:
        self.dimensions = dimensions
        self.window = window
        self.negative = negative
        self.min_count = min_count
        self.subsample = subsample
        self.vocabulary_size = vocabulary_size
        self.seed = seed
        self.n_features_in_: int | None = None

    def __repr__(self) -> str:
        return (
            f"Word2Vec(dimensions={self.dimensions}, window={self.window}, "
            f"negative={self.negative}, min_count={self.min_count}, "
            f"subsample={self.subsample:g}, vocabulary_size={self.vocabulary_size})"
        )

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], *, task: str | None = None, seed: int | None = None
    ) -> Self:
        """A model from its `model:` section; `seed` (the run's) seeds its vectors and
        negatives, `task` is always `embedding`."""
        return cls(**settings, seed=seed)

    def _generator(self, key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed or 0, spawn_key=(key,)))

    def initialize(self, counts: Sequence[int], tokens: Sequence[str] | None = None) -> Self:
        """Vectors for a vocabulary of len(counts) words (`counts`: training occurrences).

        Input vectors ~ U(−0.5, 0.5)/dimensions and output vectors 0, as word2vec.c starts.
        """
        n_words, size = len(counts), self.dimensions
        self.tokens_ = list(tokens) if tokens is not None else [str(i) for i in range(n_words)]
        self.counts_ = np.asarray(counts, dtype=np.int64)
        self.noise_ = noise_distribution(self.counts_)
        start = self._generator(INITIAL_VECTORS_KEY)
        self.input_vectors = (start.random((n_words, size)) - 0.5) / size
        self.output_vectors = np.zeros((n_words, size))
        self.rng_ = self._generator(TRAINING_NEGATIVES_KEY)
        self.n_features_in_ = len(PAIR_COLUMNS)
        return self

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {"input_vectors": self.input_vectors, "output_vectors": self.output_vectors}

    def _pairs(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """(center ids, context ids) of X's rows; NotFittedError before `initialize`,
        ValueError for a matrix of another width."""
        if self.n_features_in_ is None:
            raise NotFittedError(self)
        ids = np.asarray(X).astype(np.int64)
        if ids.ndim != 2 or ids.shape[1] != len(PAIR_COLUMNS):
            raise ValueError(f"X must be (n_pairs, 2) word-id pairs, got shape {ids.shape}")
        return ids[:, 0], ids[:, 1]

    def _draw_negatives(self, n_pairs: int, rng: np.random.Generator) -> np.ndarray:
        """(n_pairs, negative) noise word ids drawn from `noise_` (a real context word may be
        drawn too; with a vocabulary of more than a few words it rarely is)."""
        return rng.choice(len(self.noise_), size=(n_pairs, self.negative), p=self.noise_)

    def loss_and_gradients(self, X: Any, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """The batch's SGNS loss and gradients, with fresh negatives from the model's generator."""
        centers, contexts = self._pairs(X)
        negatives = self._draw_negatives(len(centers), self.rng_)
        loss, grad_input, grad_output = negative_sampling_loss(
            self.input_vectors, self.output_vectors, centers, contexts, negatives
        )
        return loss, {"input_vectors": grad_input, "output_vectors": grad_output}

    def trivial_loss(self, y: np.ndarray) -> float | None:
        """(1 + negative)·ln 2: the loss of all-zero vectors, which score every pair σ(0) = ½."""
        return (1 + self.negative) * float(np.log(2.0))

    def loss(self, X: Any, y: np.ndarray) -> float:
        """The mean SGNS loss over X's pairs, with negatives from a generator made afresh for
        every call: the same pairs always score the same."""
        centers, contexts = self._pairs(X)
        rng = self._generator(EVALUATION_NEGATIVES_KEY)
        total = 0.0
        for start in range(0, len(centers), EVALUATION_CHUNK):
            rows = slice(start, start + EVALUATION_CHUNK)
            v = self.input_vectors[centers[rows]]  # (b, D)
            negatives = self._draw_negatives(len(v), rng)
            positive = np.einsum("bd,bd->b", self.output_vectors[contexts[rows]], v)
            negative = np.einsum("bkd,bd->bk", self.output_vectors[negatives], v)
            total += np.logaddexp(0.0, -positive).sum() + np.logaddexp(0.0, negative).sum()
        return float(total / max(len(centers), 1))

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(real pair) = σ(u_oᵀ v_c) for each (center, context) row, shape (n,)."""
        # deferred: scipy.special, only for word2vec models
        from scipy.special import expit

        centers, contexts = self._pairs(X)
        scores = np.einsum("bd,bd->b", self.output_vectors[contexts], self.input_vectors[centers])
        return expit(scores)

    def predict(self, X: Any) -> np.ndarray:
        """1.0 where the model takes a (center, context) row for a real pair (P ≥ 0.5), else 0:
        the training table's accuracy is the share of real pairs it recognises."""
        return (self.predict_proba(X) >= 0.5).astype(np.float64)

    def predict_scores(self, X: Any) -> np.ndarray:
        return self.predict_proba(X)

    def validate_targets(self, y: np.ndarray) -> None:
        """Every training row is a real pair, so every target is 1."""
        if not np.all(np.asarray(y) == 1.0):
            raise ValueError("word2vec's targets are all 1 (each row is a real context pair)")

    def nonzero_weights(self) -> int:
        return int(np.count_nonzero(self.input_vectors) + np.count_nonzero(self.output_vectors))

    def word_embeddings(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(words, training counts (V,), input vectors (V, dimensions)): the learned embedding."""
        return list(self.tokens_), self.counts_.copy(), self.input_vectors.copy()

    def vocabulary_state(self) -> dict[str, list[Any]]:
        """The vocabulary as model.json keeps it: words and counts, row order of the vectors."""
        return {"tokens": list(self.tokens_), "counts": [int(n) for n in self.counts_]}

    @classmethod
    def from_saved(
        cls, settings: dict[str, Any], vocabulary: dict[str, list[Any]], arrays: dict[str, Any]
    ) -> Self:
        """The model a run saved: its `model:` settings, model.json's vocabulary and the
        model.npz arrays."""
        model = cls(**settings).initialize(vocabulary["counts"], vocabulary["tokens"])
        for name, array in model.params.items():
            array[...] = arrays[name]
        return model

    def divergence_advice(self) -> str:
        return (
            "; word2vec trains steadily with optimizer.type adam and learning_rate 0.01 (see "
            "configs/word2vec_pets.yaml)"
        )

    def underfitting_fixes(self) -> tuple[str, ...]:
        return (f"model.dimensions={2 * self.dimensions}", f"model.window={self.window + 1}")

    def overfitting_fixes(self) -> tuple[str, ...]:
        return (
            f"model.dimensions={max(2, self.dimensions // 2)}",
            f"model.min_count={self.min_count + 1}",
        )

    def layer_summary(self, n_classes: int | None = None) -> list[LayerRow] | None:
        """The two vector tables, once `initialize` knows the vocabulary; None before."""
        if self.n_features_in_ is None:
            return None
        shape = f"({len(self.tokens_)}, {self.dimensions})"
        size = len(self.tokens_) * self.dimensions
        return [("input vectors (embeddings)", shape, size), ("output vectors", shape, size)]
