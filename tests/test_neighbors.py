"""`mlcc neighbors`: cosine ranking on hand-written embedding files of both layouts, the
`--column` choice, and the errors (unknown word, no embedding, ambiguous run)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.rundir.embedding_files import embedding_table, read_embedding
from mlcc_cli.rundir.files import write_columns_csv
from mlcc_cli.workflows.neighbors import cosine_similarities, nearest_neighbors

runner = CliRunner()
WORDS = ["dog", "cat", "car", "null", "zero"]
VECTORS = np.array([[1.0, 0.1], [0.9, 0.3], [-0.2, 1.0], [0.5, -0.5], [0.0, 0.0]])


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def word_run(tmp_path: Path) -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    table = embedding_table(WORDS, [5, 4, 3, 2, 1], VECTORS)
    write_columns_csv(run_dir / "embeddings.csv", table)
    return run_dir


def test_embedding_table_columns() -> None:
    table = embedding_table(WORDS, [5, 4, 3, 2, 1], VECTORS)
    assert list(table) == ["token", "count", "d0", "d1"]
    np.testing.assert_array_equal(table["d1"], VECTORS[:, 1])


def test_neighbours_are_ranked_by_cosine_similarity(tmp_path: Path) -> None:
    run_dir = word_run(tmp_path)
    result = nearest_neighbors(run_dir, "dog", k=4)
    unit = VECTORS[:4] / np.linalg.norm(VECTORS[:4], axis=1, keepdims=True)
    expected = {WORDS[i]: float(unit[i] @ unit[0]) for i in (1, 2, 3)} | {"zero": 0.0}
    assert [n.token for n in result.neighbors] == sorted(expected, key=lambda w: -expected[w])
    for neighbor in result.neighbors:
        assert neighbor.similarity == pytest.approx(expected[neighbor.token], abs=1e-12)


def test_a_zero_vector_scores_zero_not_nan() -> None:
    similarity = cosine_similarities(VECTORS, 4)
    np.testing.assert_array_equal(similarity, np.zeros(5))


def test_words_like_null_stay_words(tmp_path: Path) -> None:
    embedding = read_embedding(word_run(tmp_path) / "embeddings.csv")
    assert embedding.names == WORDS
    result = mlcc("neighbors", tmp_path / "run", "NULL", "--k", "2", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["word"] == "null" and len(payload["neighbors"]) == 2
    assert set(payload) == {"run_dir", "word", "embedding", "neighbors"}


def test_human_output_is_a_table(tmp_path: Path) -> None:
    result = mlcc("neighbors", word_run(tmp_path), "dog", "--k", "2")
    assert result.exit_code == 0, result.output
    assert "cosine similarity" in result.stdout and "cat" in result.stdout


def mlp_run(tmp_path: Path) -> Path:
    """A run with two categorical embeddings in the mlp layout (category, e1..eK)."""
    run_dir = tmp_path / "mlp-run"
    run_dir.mkdir()
    cities = {"category": np.array(["paris", "lyon", "tokyo"], dtype=object)}
    cities |= {"e1": np.array([1.0, 0.9, -1.0]), "e2": np.array([0.0, 0.2, 0.1])}
    write_columns_csv(run_dir / "embeddings-city.csv", cities)
    colours = {"category": np.array(["red", "blue"], dtype=object), "e1": np.array([1.0, 2.0])}
    write_columns_csv(run_dir / "embeddings-colour.csv", colours)
    return run_dir


def test_column_picks_one_of_several_embeddings(tmp_path: Path) -> None:
    run_dir = mlp_run(tmp_path)
    ambiguous = mlcc("neighbors", run_dir, "paris")
    assert ambiguous.exit_code == 2
    assert "city, colour" in ambiguous.stderr and "--column" in ambiguous.stderr
    chosen = mlcc("neighbors", run_dir, "paris", "--column", "city", "--json")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(chosen.stdout)["neighbors"][0]["token"] == "lyon"
    unknown = mlcc("neighbors", run_dir, "paris", "--column", "cty")
    assert unknown.exit_code == 2 and "Did you mean 'city'?" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["dgo"], "Close matches: dog"),
        (["dog", "--k", "0"], "--k"),
    ],
)
def test_bad_requests_exit_2(tmp_path: Path, args: list[str], phrase: str) -> None:
    result = mlcc("neighbors", word_run(tmp_path), *args)
    assert result.exit_code == 2
    assert phrase in result.stderr


def test_a_run_without_embeddings_says_which_runs_have_them(tmp_path: Path) -> None:
    result = mlcc("neighbors", tmp_path, "dog")
    assert result.exit_code == 2
    assert "word2vec" in result.stderr and "model.embeddings" in result.stderr
    missing = mlcc("neighbors", tmp_path / "nowhere", "dog")
    assert missing.exit_code == 2 and "no such folder" in missing.stderr


def test_a_diverged_run_says_why_it_has_no_embedding(tmp_path: Path) -> None:
    (tmp_path / "status.json").write_text(json.dumps({"status": "diverged"}))
    result = mlcc("neighbors", tmp_path, "dog")
    assert result.exit_code == 2 and "diverged" in result.stderr


def test_a_vector_that_is_not_finite_names_its_line(tmp_path: Path) -> None:
    # an infinite value made every cosine NaN, with numpy's warning and exit 0
    run_dir = word_run(tmp_path)
    table = embedding_table(WORDS, [5, 4, 3, 2, 1], np.where(VECTORS == 0.3, np.inf, VECTORS))
    write_columns_csv(run_dir / "embeddings.csv", table)
    result = mlcc("neighbors", run_dir, "dog")
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert (
        f"{run_dir / 'embeddings.csv'}:3: the vector of 'cat' holds a value that is not" in message
    )
