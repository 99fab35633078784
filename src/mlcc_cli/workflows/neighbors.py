"""`mlcc neighbors RUN WORD`: the nearest words (or categories) in a run's learned embedding.

Similarity is the cosine of the angle between two vectors, a·b / (‖a‖·‖b‖): 1 for the same
direction, 0 for unrelated (orthogonal) ones. The vectors come from the run's embeddings.csv
(word2vec) or embeddings-COLUMN.csv (an mlp's `model.embeddings`, a text column's words).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.errors import ConfigError, DataError, did_you_mean
from mlcc_cli.rundir.embedding_files import Embedding, embedding_files, read_embedding
from mlcc_cli.rundir.records import recorded_status

DEFAULT_NEIGHBORS = 10
CLOSE_MATCHES = 3  # spellings suggested for an unknown word


@dataclass(frozen=True)
class Neighbor:
    """One nearby word and its cosine similarity to the asked word."""

    token: str
    similarity: float


@dataclass(frozen=True)
class NeighborsResult:
    """What `mlcc neighbors` shows: the word, where its vector came from, its neighbours."""

    run_dir: Path
    word: str
    embedding: str  # "words" (embeddings.csv) or the embedded column
    path: Path
    neighbors: list[Neighbor]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir),
            "word": self.word,
            "embedding": self.embedding,
            "neighbors": [{"token": n.token, "similarity": n.similarity} for n in self.neighbors],
        }


def cosine_similarities(vectors: np.ndarray, row: int) -> np.ndarray:
    """cos(vectors[row], vectors[i]) for every row i, shape (n,); a zero vector scores 0."""
    norms = np.linalg.norm(vectors, axis=1)  # (n,)
    # A zero vector has no direction: dividing by 1 instead of 0 scores it 0, not NaN.
    unit = vectors / np.where(norms > 0, norms, 1.0)[:, None]
    return unit @ unit[row]


def nearest(embedding: Embedding, row: int, k: int) -> list[Neighbor]:
    """The k rows most similar to `row` (itself left out), most similar first; ties keep the
    file's order (the most frequent word first in a word table)."""
    similarity = cosine_similarities(embedding.vectors, row)
    order = [i for i in np.argsort(-similarity, kind="stable") if i != row][:k]
    return [Neighbor(embedding.names[i], float(similarity[i])) for i in order]


def choose_embedding(run_dir: Path, column: str | None) -> tuple[str, Path]:
    """The embedding file `--column` names, or the run's only one."""
    if not run_dir.is_dir():
        raise DataError(
            f"run {run_dir}: no such folder; pass a run directory printed by `mlcc train`"
        )
    files = embedding_files(run_dir)
    if not files and recorded_status(run_dir) == "diverged":
        raise DataError(
            f"run {run_dir}: training diverged, so its vectors are not numbers and no "
            "embedding was written; train again with a lower optimizer.learning_rate"
        )
    if not files:
        raise DataError(
            f"run {run_dir}: has no learned embedding; embeddings come from word2vec runs "
            "(model.type: word2vec, embeddings.csv) and mlp runs with model.embeddings "
            "(embeddings-COLUMN.csv)"
        )
    if column is not None:
        if column not in files:
            raise ConfigError(
                f"--column: run {run_dir} has no embedding of {column!r}."
                f"{did_you_mean(column, files)} Its embeddings: {', '.join(files)}."
            )
        return column, files[column]
    if len(files) > 1:
        raise ConfigError(
            f"run {run_dir}: has several embeddings ({', '.join(files)}); pick one with "
            "--column COLUMN"
        )
    return next(iter(files.items()))


def find_word(embedding: Embedding, word: str) -> int:
    """The row of `word` (as written, else lower-cased as the tokenizer does); DataError
    suggesting close spellings when neither is there."""
    names = embedding.names
    for candidate in (word, word.lower()):
        if candidate in names:
            return names.index(candidate)
    close = difflib.get_close_matches(word.lower(), names, n=CLOSE_MATCHES)
    hint = f" Close matches: {', '.join(close)}." if close else ""
    raise DataError(
        f"WORD: {word!r} is not in {embedding.path.name} ({len(names):,} entries; words "
        f"below model.min_count or beyond model.vocabulary_size are left out).{hint}"
    )


def nearest_neighbors(
    run_dir: Path, word: str, k: int = DEFAULT_NEIGHBORS, column: str | None = None
) -> NeighborsResult:
    """The `k` nearest neighbours of `word` by cosine similarity in the run's embedding."""
    if k < 1:
        raise ConfigError(f"--k: {k} is below 1; ask for at least one neighbour")
    name, path = choose_embedding(run_dir, column)
    embedding = read_embedding(path)
    row = find_word(embedding, word)
    return NeighborsResult(run_dir, embedding.names[row], name, path, nearest(embedding, row, k))
