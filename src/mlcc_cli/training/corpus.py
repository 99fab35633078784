"""The corpus route of `experiment.run_experiment`: word embeddings learned from sentences.

For models that train on text (`trains_on = "corpus"`, word2vec): load the source's `text`
column, split the sentences (seeded, by `data.split`), tokenise them (`features/tokens.py`),
build the vocabulary on the training sentences, drop the other words, subsample frequent
words, and turn every sentence into skip-gram (center, context) pairs within the window.
The pairs train with the ordinary `training.train` loop, so the history, the loss curve, the
doctor, `compare` and `sweep` work as for any run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.loading import load_corpus, split_rows
from mlcc_cli.errors import DataError
from mlcc_cli.features import FeaturePipeline
from mlcc_cli.features.tokens import Vocabulary, build_vocabulary, tokenize_all
from mlcc_cli.models.registry import build_model
from mlcc_cli.models.word2vec import PAIR_COLUMNS
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.training.loop import plan_schedule, train
from mlcc_cli.training.plan import SPLITS, RunPlan, Trained, TrainingObserver, scored_splits

TASK = "embedding"
LABEL = "real_pair"  # what y says of each (center, context) row: 1, a pair seen in the text
# spawn_key of the subsampling generator under the run's seed (independent of the split and
# shuffle streams, so switching subsampling on or off moves no sentence to another split).
SUBSAMPLING_KEY = 7


def keep_probability(counts: np.ndarray, threshold: float) -> np.ndarray:
    """Mikolov's subsampling: P(keep word) = (√(f/t) + 1)·t/f, capped at 1.

    f is the word's share of all training words and t the threshold (`model.subsample`);
    t = 0 keeps every word. Words rarer than about t are always kept.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if threshold == 0 or len(counts) == 0:
        return np.ones(len(counts))
    share = counts / counts.sum()  # f
    return np.minimum((np.sqrt(share / threshold) + 1.0) * threshold / share, 1.0)


def subsample(
    sentences: Sequence[np.ndarray], keep: np.ndarray, rng: np.random.Generator
) -> list[np.ndarray]:
    """Each sentence's word ids with every word kept with probability keep[id] (one uniform
    draw per word, in sentence order)."""
    lengths = [len(sentence) for sentence in sentences]
    if not sum(lengths):
        return [np.asarray(s, dtype=np.int64) for s in sentences]
    ids = np.concatenate(sentences).astype(np.int64)
    kept = rng.random(len(ids)) < keep[ids]
    parts = np.split(np.arange(len(ids)), np.cumsum(lengths)[:-1])
    return [ids[rows[kept[rows]]] for rows in parts]


def skipgram_pairs(sentences: Sequence[np.ndarray], window: int) -> np.ndarray:
    """Every (center, context) pair of word ids at most `window` positions apart within a
    sentence, both directions, shape (n_pairs, 2) int64.

    Sentences are laid end to end; a pair counts only when both positions share a sentence.
    """
    if not sentences or not sum(len(s) for s in sentences):
        return np.zeros((0, 2), dtype=np.int64)
    ids = np.concatenate(sentences).astype(np.int64)
    sentence_of = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    pairs = []
    for distance in range(1, window + 1):
        left = np.flatnonzero(sentence_of[:-distance] == sentence_of[distance:])
        right = left + distance
        pairs.append(np.column_stack([ids[left], ids[right]]))  # the word after
        pairs.append(np.column_stack([ids[right], ids[left]]))  # the word before
    return np.concatenate(pairs)


def in_vocabulary(documents: list[list[str]], vocabulary: Vocabulary) -> list[np.ndarray]:
    """Each document's word ids, words outside the vocabulary dropped."""
    return [ids[ids != vocabulary.oov_id] for ids in map(vocabulary.ids, documents)]


def check_vocabulary(vocabulary: Vocabulary, negative: int, min_count: int) -> None:
    """DataError unless the vocabulary has the negative + 2 words negative sampling needs."""
    needed = negative + 2
    if len(vocabulary) < needed:
        raise DataError(
            f"model.negative: the training sentences keep {len(vocabulary)} distinct words "
            f"(seen at least model.min_count={min_count} times), but {negative} negative "
            f"samples per pair need at least model.negative + 2 = {needed}: the noise words "
            "are drawn from the vocabulary, and with fewer words they are mostly the center "
            "and context words themselves. Use a larger corpus, or lower model.min_count or "
            "model.negative."
        )


def corpus_pairs(
    config: ExperimentConfig, folder: Path
) -> tuple[dict[str, np.ndarray], Vocabulary, str, dict[str, int]]:
    """Skip-gram pairs per split (center, context ids), the training vocabulary, the source
    and the sentence count per split."""
    model = config.model
    texts, source = load_corpus(config.data, folder, config.seed)
    split_seed, _ = np.random.SeedSequence(config.seed).spawn(2)  # as the tables split
    positions = split_rows(
        len(texts),
        config.data.split,
        rng=np.random.default_rng(split_seed),
        shuffle=config.data.shuffle,
    )
    documents = {name: tokenize_all(texts.iloc[positions[name]]) for name in SPLITS}
    vocabulary = build_vocabulary(
        documents["train"], size=model.vocabulary_size, min_count=model.min_count
    )
    check_vocabulary(vocabulary, model.negative, model.min_count)
    keep = keep_probability(np.asarray(vocabulary.counts), model.subsample)
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(SUBSAMPLING_KEY,)))
    pairs = {
        name: skipgram_pairs(
            subsample(in_vocabulary(documents[name], vocabulary), keep, rng), model.window
        )
        for name in SPLITS
    }
    if len(pairs["train"]) == 0:
        raise DataError(
            f"data.source: no training sentence of {source} keeps two words within "
            f"model.window={model.window} of each other, so there is no (word, context) pair "
            "to learn from; use longer sentences or a larger corpus, lower model.min_count, "
            "or set model.subsample: 0 (it drops frequent words)"
        )
    return pairs, vocabulary, source, {name: len(positions[name]) for name in SPLITS}


def train_corpus(
    config: ExperimentConfig,
    folder: Path,
    used: list[str] | None,
    *,
    evaluate_test: bool = False,
    observer: TrainingObserver | None = None,
    clock: Callable[[], float] = time.perf_counter,
    timings: dict[str, float] | None = None,
) -> Trained:
    """Learn word embeddings from the source's sentences; the same `Trained` record as the
    table routes (no predictions: an embedding has no rows to predict).

    `used` is unused (a corpus has one column); `timings` (if given) receives the phase
    durations.
    """
    del used
    timings = {} if timings is None else timings
    tick = clock()
    pairs, vocabulary, source, sentences = corpus_pairs(config, folder)
    X = {name: rows.astype(np.float64) for name, rows in pairs.items() if len(rows)}
    y = {name: np.ones(len(rows)) for name, rows in X.items()}
    timings["load_and_prepare_s"] = clock() - tick
    training = config.training
    model = build_model(config.model, task=TASK, seed=config.seed)
    model.initialize(vocabulary.counts, vocabulary.tokens)
    if observer is not None:
        schedule = plan_schedule(
            len(X["train"]), training.batch_size, training.epochs, training.steps, training.periods
        )
        rows = {name: len(pairs[name]) for name in SPLITS}
        observer.started(
            RunPlan(
                source,
                rows,
                list(PAIR_COLUMNS),
                schedule,
                TASK,
                loss_label=model.loss_label,
                layers=model.layer_summary(),
            )
        )
    _, train_seed = np.random.SeedSequence(config.seed).spawn(2)
    tick = clock()
    outcome = train(
        model,
        build_optimizer(config.optimizer),
        X["train"],
        y["train"],
        X.get("validation"),
        y.get("validation"),
        training,
        rng=np.random.default_rng(train_seed),
        on_period=observer.period if observer is not None else None,
    )
    timings["train_s"] = clock() - tick
    tick = clock()
    metrics = {}
    if outcome.status != "diverged":
        for name in scored_splits(evaluate_test):
            if name in X:
                metrics[name] = {
                    "loss": model.loss(X[name], y[name]),
                    "pairs": len(X[name]),
                    "sentences": sentences[name],
                    "nonzero_weights": model.nonzero_weights(),
                }
    timings["evaluate_s"] = clock() - tick
    pipeline = FeaturePipeline([], label=LABEL).fit(pd.DataFrame({LABEL: [1.0]}))
    return Trained(
        model=model,
        outcome=outcome,
        metrics=metrics,
        predictions=None,
        pipeline=pipeline,
        inputs=list(PAIR_COLUMNS),
        feature_names=list(PAIR_COLUMNS),
        label=LABEL,
        classes=None,
        warnings=outcome.warnings,
        task=TASK,
    )
