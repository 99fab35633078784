"""The text step, token bags and embedding combiners, against scikit-learn and closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from mlcc_cli.config.feature_text import TextConfig
from mlcc_cli.errors import DataError
from mlcc_cli.features import FeaturePipeline
from mlcc_cli.features.design import design_matrix, feature_names, indicator_ranges
from mlcc_cli.features.text import Text
from mlcc_cli.features.tokens import (
    OOV_TOKEN,
    TOKEN_PATTERN,
    build_vocabulary,
    tokenize_all,
)
from mlcc_cli.models.nn.embeddings import EmbeddingInput, combine, embedding_name
from mlcc_cli.models.registry import model_from_settings

TEXTS = [
    "The cat sat on the mat.",
    "The DOG didn't sit; the dog ran!",
    None,
    "",
    "cat and dog, cat and mat",
    "a zebra",
]


def _fitted(**params: object) -> Text:
    frame = pd.DataFrame({"review": TEXTS, "y": [1, 0, 1, 0, 1, 0]})
    return Text(["review"], key="features.0", label="y", **params).fit(frame)


def test_tokens_are_scikit_learns_lower_cased_matches_of_the_documented_pattern() -> None:
    analyzer = CountVectorizer(token_pattern=TOKEN_PATTERN).build_analyzer()
    assert tokenize_all(TEXTS) == [analyzer(t) if t else [] for t in TEXTS]
    assert tokenize_all(["The DOG didn't sit; a b"]) == [["the", "dog", "didn't", "sit", "a", "b"]]


def test_vocabulary_keeps_frequent_tokens_most_frequent_first_then_alphabetically() -> None:
    vocabulary = build_vocabulary(tokenize_all(TEXTS), size=4, min_count=2)
    # the 4, cat 3, dog 3, and 2, mat 2; capped at 4, ties broken alphabetically
    assert vocabulary.tokens == ["the", "cat", "dog", "and"]
    assert vocabulary.counts == [4, 3, 3, 2]
    assert vocabulary.oov_id == 4
    assert vocabulary.ids(["dog", "zebra"]).tolist() == [2, 4]


def test_token_counts_equal_count_vectorizer_with_the_rest_in_the_oov_column() -> None:
    step = _fitted(min_count=2)
    vocabulary = step.vocabulary_["review"]
    new = pd.DataFrame({"review": ["Cat cat unseen words, the MAT", None, "the the the"]})
    X = design_matrix(step.transform(new), ["review"]).toarray()
    oracle = CountVectorizer(token_pattern=TOKEN_PATTERN, vocabulary=vocabulary)
    texts = new["review"].fillna("")
    expected = oracle.transform(texts).toarray()
    all_tokens = np.array([len(tokens) for tokens in tokenize_all(new["review"])])
    np.testing.assert_array_equal(X[:, :-1], expected)
    np.testing.assert_array_equal(X[:, -1], all_tokens - expected.sum(axis=1))
    names = feature_names(step.transform(new), ["review"])
    assert names == [f"review_{t}" for t in vocabulary] + [f"review_{OOV_TOKEN}"]


def test_state_round_trip_and_the_vocabulary_is_fitted_on_the_training_rows_only() -> None:
    step = _fitted(vocabulary_size=3)
    again = Text.from_state(step.get_state())
    frame = pd.DataFrame({"review": ["zebra zebra cat"]})
    assert again.vocabulary_ == step.vocabulary_ == {"review": ["the", "cat", "dog"]}
    np.testing.assert_array_equal(
        design_matrix(again.transform(frame), ["review"]).toarray(), [[0, 1, 0, 2]]
    )


def test_token_bags_survive_row_selection_copies_and_concatenation() -> None:
    step = _fitted()
    frame = pd.DataFrame({"x": np.arange(6.0), "review": TEXTS})
    out = step.transform(frame)
    X = design_matrix(out, ["x", "review"]).toarray()
    picked = out.iloc[[4, 0]].copy()
    np.testing.assert_array_equal(design_matrix(picked, ["x", "review"]).toarray(), X[[4, 0]])
    joined = pd.concat([out.iloc[:2], out.iloc[2:]])
    np.testing.assert_array_equal(design_matrix(joined, ["x", "review"]).toarray(), X)
    assert indicator_ranges(out, ["x", "review"]) == {"review": (1, X.shape[1])}
    assert len(pd.concat([out, out.iloc[:1]]).drop_duplicates()) == len(out)


def test_missing_and_empty_texts_have_no_tokens_and_the_pipeline_runs_the_step() -> None:
    pipeline = FeaturePipeline([TextConfig(type="text", columns=["review"])], label="y")
    frame = pd.DataFrame({"review": TEXTS, "y": [0, 1] * 3})
    X = design_matrix(pipeline.fit_transform(frame), ["review"])
    assert sparse.issparse(X)
    assert X.toarray()[2:4].sum() == 0


@pytest.mark.parametrize(
    "values, message",
    [
        ([None, "", "  ,; "], "holds no tokens"),
        ([1.0, 2.0, 3.0], "holds numbers, not text"),
    ],
)
def test_a_column_without_text_is_refused_by_name(values: list, message: str) -> None:
    frame = pd.DataFrame({"review": values, "y": [0, 1, 0]})
    with pytest.raises(DataError, match=f"features.0 \\(text\\): .*'review'.*{message}"):
        Text(["review"], key="features.0", label="y").fit(frame)


# ------------------------------------------------------------------ combiners


def _counts(rng: np.random.Generator) -> sparse.csr_array:
    counts = rng.poisson(0.6, size=(7, 5)).astype(np.float64)
    counts[3] = 0.0  # a text without tokens
    return sparse.csr_array(counts)


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_combiners_equal_a_dense_count_matrix_product(combiner: str) -> None:
    rng = np.random.default_rng(0)
    counts = _counts(rng)
    E = rng.normal(size=(5, 3))  # (vocabulary, dimensions)
    dense = counts.toarray()
    norms = {
        "sum": np.ones(7),
        "mean": dense.sum(axis=1),
        "sqrtn": np.sqrt((dense**2).sum(axis=1)),
    }[combiner]
    expected = np.zeros((7, 3))
    for row in range(7):
        if norms[row]:
            expected[row] = sum(dense[row, t] * E[t] for t in range(5)) / norms[row]
    X = sparse.hstack([sparse.csr_array(rng.normal(size=(7, 2))), counts], format="csr")
    embedded = EmbeddingInput(
        {"review": (2, 7)}, {"review": {"dimensions": 3, "combiner": combiner}}, 7
    )
    a0, _ = embedded.forward(X, {embedding_name("review"): E})
    np.testing.assert_allclose(a0.toarray()[:, 2:], expected, atol=1e-12)
    np.testing.assert_allclose(combine(dense, combiner) @ E, expected, atol=1e-12)


def _numeric_gradient(model, X, y, name: str, eps: float = 1e-6) -> np.ndarray:
    param = model.params[name]
    grad = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        saved = param[index]
        param[index] = saved + eps
        up = model.loss(X, y)
        param[index] = saved - eps
        down = model.loss(X, y)
        param[index] = saved
        grad[index] = (up - down) / (2 * eps)
    return grad


@pytest.mark.parametrize(
    "settings",
    [
        {"type": "mlp", "hidden_units": [4], "activation": "tanh", "task": "binary"},
        {"type": "logistic", "l1": 0.0, "l2": 0.0},
        {"type": "linear", "l1": 0.0, "l2": 0.0},
    ],
    ids=["mlp", "logistic", "linear"],
)
@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
def test_gradients_through_text_embeddings_match_finite_differences(
    settings: dict, combiner: str
) -> None:
    rng = np.random.default_rng(1)
    counts = _counts(rng)
    X = sparse.hstack([sparse.csr_array(rng.normal(size=(7, 2))), counts], format="csr")
    y = (rng.random(7) > 0.5).astype(np.float64)
    if settings["type"] == "linear":
        y = rng.normal(size=7)
    embeddings = {"review": {"dimensions": 3, "combiner": combiner}}
    model = model_from_settings({**settings, "embeddings": embeddings}, seed=3)
    model.initialize(7, None, embedding_columns={"review": (2, 7)})
    _, grads = model.loss_and_gradients(X, y)
    for name in model.params:
        numeric = _numeric_gradient(model, X, y, name)
        scale = max(1.0, float(np.abs(numeric).max()))
        assert np.abs(grads[name] - numeric).max() / scale < 1e-6, name


def test_linear_and_logistic_with_embeddings_keep_their_tag_and_head() -> None:
    entry = {"review": {"dimensions": 2, "combiner": "mean"}}
    logistic = model_from_settings({"type": "logistic", "l1": 0, "l2": 0, "embeddings": entry})
    linear = model_from_settings({"type": "linear", "l1": 0, "l2": 0, "embeddings": {"c": 4}})
    assert (logistic.type, logistic.task) == ("logistic", "binary")
    assert (linear.type, linear.task) == ("linear", "regression")
    assert linear.underfitting_fixes() == ("model.embeddings.c=8",)
    assert logistic.underfitting_fixes() == ("model.embeddings.review.dimensions=4",)
    plain = model_from_settings({"type": "logistic", "l1": 0, "l2": 0, "embeddings": {}})
    assert type(plain).__name__ == "LogisticRegression"
