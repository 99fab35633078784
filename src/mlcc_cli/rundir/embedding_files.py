"""A run's learned embeddings as files: embeddings.csv / embeddings-COLUMN.csv, written and read.

Two layouts exist: word tables (`token, count, d0..dK`: word2vec's embeddings.csv and a
text column's embeddings-COLUMN.csv) and an mlp's categorical embeddings (`category,
e1..eK`). Either way the first column names the row and the numeric vector columns are
those named d<i> or e<i>, in index order; `mlcc neighbors` reads both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.errors import DataError
from mlcc_cli.rundir.files import RunContents, write_columns_csv
from mlcc_cli.rundir.plots import draw_embeddings

WORD_EMBEDDINGS = "embeddings.csv"  # word2vec's, one row per vocabulary word
COLUMN_EMBEDDINGS = re.compile(r"^embeddings-(?P<column>.+)\.csv$")  # one per embedded column
VECTOR_COLUMN = re.compile(r"^[de](?P<index>\d+)$")


def embedding_table(
    tokens: list[str], counts: np.ndarray | list[int], vectors: np.ndarray
) -> dict[str, np.ndarray]:
    """The columns of a word embedding file: token, count, d0..dK (vectors: (V, K + 1))."""
    table = {
        "token": np.asarray(tokens, dtype=object),
        "count": np.asarray(counts, dtype=np.int64),
    }
    return table | {f"d{k}": vectors[:, k] for k in range(vectors.shape[1])}


def add_word_embeddings(contents: RunContents, model: Any, draw: bool = True) -> None:
    """A word-embedding model's vocabulary into model.json and, when `draw` (not for a
    diverged run, whose vectors are not numbers), embeddings.csv and plots/embeddings.png."""
    contents.model_json["vocabulary"] = model.vocabulary_state()
    if not draw:
        return
    tokens, counts, vectors = model.word_embeddings()
    contents.files[WORD_EMBEDDINGS] = partial(
        write_columns_csv, columns=embedding_table(tokens, counts, vectors)
    )
    contents.plots["embeddings.png"] = partial(
        draw_embeddings, vectors=vectors, names=tokens, column="words"
    )


@dataclass(frozen=True)
class Embedding:
    """One embedding file read back: row names and their vectors (n, dimensions)."""

    path: Path
    names: list[str]
    vectors: np.ndarray


def embedding_files(run_dir: Path) -> dict[str, Path]:
    """The run's embedding files by what they embed: "words" for embeddings.csv, else the
    column of embeddings-COLUMN.csv."""
    found: dict[str, Path] = {}
    if (run_dir / WORD_EMBEDDINGS).is_file():
        found["words"] = run_dir / WORD_EMBEDDINGS
    for path in sorted(run_dir.glob("embeddings-*.csv")):
        match = COLUMN_EMBEDDINGS.match(path.name)
        if match:
            found[match.group("column")] = path
    return found


def read_embedding(path: Path) -> Embedding:
    """Read an embedding file: the first column names the rows (kept as text, so a word
    such as `null` stays a word); the vector columns are d<i> / e<i> in index order."""
    try:
        frame = pd.read_csv(path, keep_default_na=False, na_filter=False, dtype=str)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise DataError(f"{path}: cannot be read as an embedding file ({error})") from None
    vector_columns = sorted(
        (int(match.group("index")), column)
        for column in frame.columns[1:]
        if (match := VECTOR_COLUMN.match(str(column)))
    )
    if frame.shape[1] < 2 or not vector_columns:
        raise DataError(
            f"{path}: has no vector columns (d0..dK or e1..eK); it is not an embedding file "
            "written by `mlcc train`"
        )
    try:
        vectors = frame[[column for _, column in vector_columns]].to_numpy(dtype=np.float64)
    except ValueError as error:
        raise DataError(f"{path}: a vector value is not a number ({error})") from None
    infinite = ~np.isfinite(vectors).all(axis=1)  # nan or inf: no cosine can be taken
    if infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        raise DataError(
            f"{path}:{row + 2}: the vector of {frame.iloc[row, 0]!r} holds a value that is not "
            "a finite number, so the file is damaged (or its run diverged); train the run "
            "again (`mlcc train` with the experiment's config)"
        )
    return Embedding(path, frame.iloc[:, 0].astype(str).tolist(), vectors)
