"""word2vec's maths and corpus preparation, checked against oracles: finite differences for
the gradients, the formulas for the noise distribution and subsampling, a direct loop for
the skip-gram pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlcc_cli.config.data import DataConfig, SyntheticConfig
from mlcc_cli.config.word2vec import Word2VecConfig
from mlcc_cli.data.builtin import builtin_catalog
from mlcc_cli.data.corpus import WORD_GROUPS, pets_and_vehicles
from mlcc_cli.data.loading import load_corpus, load_dataset
from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.models.registry import build_model
from mlcc_cli.models.word2vec import Word2Vec, negative_sampling_loss, noise_distribution
from mlcc_cli.training.corpus import keep_probability, skipgram_pairs, subsample


def _tables(rng: np.random.Generator, n_words: int = 7, size: int = 4) -> tuple:
    return rng.normal(0, 0.5, (n_words, size)), rng.normal(0, 0.5, (n_words, size))


def test_negative_sampling_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(0)
    input_vectors, output_vectors = _tables(rng)
    centers = np.array([0, 3, 3, 5, 1])  # repeated ids: the scatter must add, not overwrite
    contexts = np.array([1, 2, 4, 0, 1])
    negatives = rng.integers(7, size=(5, 3))

    def loss(w_in: np.ndarray, w_out: np.ndarray) -> float:
        return negative_sampling_loss(w_in, w_out, centers, contexts, negatives)[0]

    _, grad_in, grad_out = negative_sampling_loss(
        input_vectors, output_vectors, centers, contexts, negatives
    )
    for table, grad, which in ((input_vectors, grad_in, 0), (output_vectors, grad_out, 1)):
        numeric = np.zeros_like(table)
        step = 1e-6
        for index in np.ndindex(table.shape):
            up, down = table.copy(), table.copy()
            up[index] += step
            down[index] -= step
            args_up = (up, output_vectors) if which == 0 else (input_vectors, up)
            args_down = (down, output_vectors) if which == 0 else (input_vectors, down)
            numeric[index] = (loss(*args_up) - loss(*args_down)) / (2 * step)
        relative = np.linalg.norm(numeric - grad) / np.linalg.norm(numeric + grad)
        assert relative < 1e-6


def test_loss_is_the_formula_for_one_pair() -> None:
    v, u_o, u_k = np.array([[0.3, -0.2]]), np.array([[0.5, 0.1]]), np.array([[-0.4, 0.7]])
    input_vectors = v
    output_vectors = np.vstack([u_o, u_k])
    loss, _, _ = negative_sampling_loss(
        input_vectors, output_vectors, np.array([0]), np.array([0]), np.array([[1]])
    )

    def sigma(x: float) -> float:
        return 1 / (1 + np.exp(-x))

    expected = -np.log(sigma(u_o[0] @ v[0])) - np.log(sigma(-(u_k[0] @ v[0])))
    assert loss == pytest.approx(expected, rel=1e-12)


def test_noise_distribution_is_counts_to_the_three_quarters() -> None:
    counts = np.array([100, 10, 1])
    expected = counts**0.75 / np.sum(counts**0.75)
    np.testing.assert_allclose(noise_distribution(counts), expected, rtol=1e-12)
    model = Word2Vec(negative=2, seed=1).initialize([100, 10, 1, 1])
    drawn = model._draw_negatives(50_000, np.random.default_rng(0))
    shares = np.bincount(drawn.ravel(), minlength=4) / drawn.size
    np.testing.assert_allclose(shares, noise_distribution([100, 10, 1, 1]), atol=0.01)


def test_keep_probability_is_mikolovs_formula() -> None:
    counts = np.array([500, 300, 150, 49, 1])
    t = 0.01
    f = counts / counts.sum()
    expected = np.minimum((np.sqrt(f / t) + 1) * t / f, 1.0)
    np.testing.assert_allclose(keep_probability(counts, t), expected, rtol=1e-12)
    assert keep_probability(counts, t)[-1] == 1.0  # a rare word is always kept
    np.testing.assert_array_equal(keep_probability(counts, 0.0), np.ones(5))


def test_subsampling_keeps_words_at_their_probability() -> None:
    sentences = [np.zeros(40_000, dtype=np.int64), np.ones(40_000, dtype=np.int64)]
    kept = subsample(sentences, np.array([0.25, 1.0]), np.random.default_rng(0))
    assert len(kept[0]) / 40_000 == pytest.approx(0.25, abs=0.01)
    assert len(kept[1]) == 40_000


@pytest.mark.parametrize("window", [1, 2, 3])
def test_skipgram_pairs_match_a_direct_loop(window: int) -> None:
    sentences = [np.array([4, 1, 2, 7, 3]), np.array([5]), np.array([], dtype=np.int64)]
    sentences.append(np.array([6, 0, 6]))
    expected = [
        (int(s[i]), int(s[j]))
        for s in sentences
        for i in range(len(s))
        for j in range(max(0, i - window), min(len(s), i + window + 1))
        if j != i
    ]
    pairs = skipgram_pairs(sentences, window)
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert sorted(map(tuple, pairs.tolist())) == sorted(expected)


def test_evaluation_loss_is_deterministic_and_training_draws_fresh_negatives() -> None:
    model = Word2Vec(dimensions=3, negative=2, seed=4).initialize([5, 4, 3, 2, 1])
    model.output_vectors[:] = np.random.default_rng(1).normal(size=model.output_vectors.shape)
    X, y = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 0.0]]), np.ones(3)
    assert model.loss(X, y) == model.loss(X, y)
    first, _ = model.loss_and_gradients(X, y)
    second, _ = model.loss_and_gradients(X, y)
    assert first != second  # the training generator moved on


def test_same_seed_same_vectors_and_protocol_answers() -> None:
    config = Word2VecConfig(type="word2vec", dimensions=5)
    one = build_model(config, task="embedding", seed=3).initialize([3, 2, 1])
    two = build_model(config, task="embedding", seed=3).initialize([3, 2, 1])
    np.testing.assert_array_equal(one.input_vectors, two.input_vectors)
    assert one.input_vectors.shape == one.output_vectors.shape == (3, 5)
    assert one.trains_on == "corpus" and one.kernel is None
    assert "model.dimensions=10" in one.underfitting_fixes()
    assert one.layer_summary() == [
        ("input vectors (embeddings)", "(3, 5)", 15),
        ("output vectors", "(3, 5)", 15),
    ]


def test_an_uninitialized_model_is_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="Word2Vec"):
        Word2Vec().predict(np.array([[0.0, 1.0]]))


def test_vocabulary_and_vectors_round_trip() -> None:
    model = Word2Vec(dimensions=2, seed=0).initialize([4, 2, 2], ["dog", "cat", "null"])
    model.output_vectors += 0.5
    settings = {"dimensions": 2, "window": 2, "negative": 5, "min_count": 2}
    arrays = {name: array.copy() for name, array in model.params.items()}
    again = Word2Vec.from_saved(settings, model.vocabulary_state(), arrays)
    assert again.vocabulary_state() == {"tokens": ["dog", "cat", "null"], "counts": [4, 2, 2]}
    for name, array in model.params.items():
        np.testing.assert_array_equal(again.params[name], array)


# ------------------------------------------------------------------------ the corpus


def test_builtin_corpus_is_seeded_and_made_of_group_words() -> None:
    synthetic = SyntheticConfig(samples=200)
    frame = pets_and_vehicles(synthetic, np.random.default_rng(1))
    again = pets_and_vehicles(synthetic, np.random.default_rng(1))
    assert list(frame.columns) == ["text"] and len(frame) == 200
    assert frame.equals(again)
    words = {w for sentence in frame["text"] for w in sentence.split()}
    group_words = {w for ws in WORD_GROUPS.values() for w in ws}
    assert group_words <= words
    assert words - group_words <= {"the", "a", "my", "near", "and"}
    info = {entry.name: entry for entry in builtin_catalog()}["pets_and_vehicles"]
    assert (info.columns, info.task) == (1, "embedding")


def test_a_txt_corpus_loads_its_non_empty_lines(tmp_path: Path) -> None:
    (tmp_path / "corpus.txt").write_text("the dog barks\n\n  \ncafé au lait\n", encoding="utf-8")
    texts, source = load_corpus(DataConfig(source="corpus.txt"), tmp_path, seed=0)
    assert texts.tolist() == ["the dog barks", "café au lait"]
    assert source == str((tmp_path / "corpus.txt").resolve())


def test_a_table_loader_refuses_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "corpus.txt").write_text("the dog barks\n", encoding="utf-8")
    with pytest.raises(DataError, match="word2vec"):
        load_dataset(DataConfig(source="corpus.txt", label="y"), tmp_path, seed=0)


def test_a_corpus_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    (tmp_path / "corpus.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(DataError, match="UTF-8"):
        load_corpus(DataConfig(source="corpus.txt"), tmp_path, seed=0)
