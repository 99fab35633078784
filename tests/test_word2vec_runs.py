"""word2vec through the real CLI: `mlcc train` on the example, its run files, `mlcc neighbors`
finding every word's group, the other commands on the run, and bad input exiting 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.data.corpus import WORD_GROUPS
from mlcc_cli.models.word2vec import Word2Vec
from mlcc_cli.rundir.files import read_model

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "configs" / "word2vec_pets.yaml"
runner = CliRunner()


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    result = mlcc("train", EXAMPLE, "--runs-dir", runs, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["status"] == "complete"
    assert payload["metrics"]["validation"]["loss"] < payload["metrics"]["train"]["loss"] + 0.5
    return Path(payload["run_dir"])


def test_every_group_word_has_its_nearest_neighbour_in_its_group(run_dir: Path) -> None:
    group_of = {word: group for group, words in WORD_GROUPS.items() for word in words}
    strays = {}
    for word, group in group_of.items():
        result = mlcc("neighbors", run_dir, word, "--k", "1", "--json")
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert payload["run_dir"] == str(run_dir) and payload["word"] == word
        nearest = payload["neighbors"][0]
        if group_of.get(nearest["token"]) != group:
            strays[word] = nearest["token"]
    assert strays == {}


def test_the_run_holds_the_embedding_files_and_vocabulary(run_dir: Path) -> None:
    table = pd.read_csv(run_dir / "embeddings.csv", keep_default_na=False)
    assert list(table.columns) == ["token", "count", *(f"d{k}" for k in range(16))]
    assert (run_dir / "plots" / "embeddings.png").is_file()
    assert (run_dir / "plots" / "loss.png").is_file()
    state, arrays = read_model(run_dir)
    assert state["vocabulary"]["tokens"] == table["token"].tolist()
    assert state["vocabulary"]["counts"] == table["count"].tolist()
    assert table["count"].is_monotonic_decreasing  # most frequent first
    settings = {k: v for k, v in state["model"].items() if k != "type"}
    model = Word2Vec.from_saved(settings, state["vocabulary"], arrays)
    vectors = table[[f"d{k}" for k in range(16)]].to_numpy()
    np.testing.assert_array_equal(model.word_embeddings()[2], vectors)
    history = pd.read_csv(run_dir / "history.csv")
    assert history["validation_loss"].notna().all()


@pytest.mark.parametrize("command", [["evaluate"], ["predict", "rows.csv"]])
def test_evaluate_and_predict_point_at_neighbors(run_dir: Path, command: list[str]) -> None:
    result = mlcc(command[0], run_dir, *command[1:])
    assert result.exit_code == 2
    assert "mlcc neighbors" in result.stderr and "Traceback" not in result.output


def test_doctor_and_compare_read_the_run(run_dir: Path) -> None:
    assert mlcc("doctor", run_dir, "--json").exit_code == 0
    compared = mlcc("compare", run_dir, run_dir, "--json")
    assert compared.exit_code == 0, compared.output


def test_a_sweep_ranks_word2vec_runs_by_validation_loss(tmp_path: Path) -> None:
    result = mlcc("sweep", EXAMPLE, "--grid", "model.window=1,2", "--runs-dir", tmp_path, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["metric"] == "loss"
    assert [run["status"] for run in payload["runs"]] == ["complete", "complete"]


def test_lr_find_on_a_corpus_exits_2_clearly() -> None:
    result = mlcc("lr-find", EXAMPLE)
    assert result.exit_code == 2
    assert "word2vec" in result.stderr


# ------------------------------------------------------------------------- bad input


def _experiment(tmp_path: Path, lines: list[str] | None = None, **model: object) -> Path:
    if lines is not None:
        (tmp_path / "corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = {
        "name": "w",
        "data": {"source": "corpus.txt" if lines is not None else "builtin:pets_and_vehicles"},
        "model": {"type": "word2vec", **model},
        "optimizer": {"type": "adam", "learning_rate": 0.01},
        "training": {"epochs": 1, "periods": 1},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


ANIMALS = ["dog", "cat", "cow", "pig", "hen", "fox", "owl", "bee", "ant", "elk", "yak"]


@pytest.mark.parametrize(
    ("lines", "model", "key"),
    [
        (["dog cat"] * 10, {"negative": 5}, "model.negative"),  # 2 words, 7 needed
        ([], {}, "no text"),  # an empty corpus
        (ANIMALS * 3, {"subsample": 0}, "model.window"),  # one word per sentence: no pairs
        (None, {"window": 0}, "model.window"),
        (None, {"dimensions": 0}, "model.dimensions"),
    ],
    ids=["too-few-words", "empty", "one-word-sentences", "window-0", "dimensions-0"],
)
def test_bad_input_exits_2_naming_the_key(
    tmp_path: Path, lines: list[str] | None, model: dict[str, object], key: str
) -> None:
    result = mlcc("train", _experiment(tmp_path, lines, **model), "--runs-dir", tmp_path)
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert "Traceback" not in result.output


def test_a_corpus_is_refused_to_table_models_and_a_label_to_word2vec(tmp_path: Path) -> None:
    config = yaml.safe_load(_experiment(tmp_path, ["the dog barks"]).read_text())
    config["model"] = {"type": "logistic"}
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    refused = mlcc("validate", tmp_path / "exp.yaml")
    assert refused.exit_code == 2 and "only model.type word2vec" in refused.stderr
    labelled = mlcc("validate", _experiment(tmp_path), "--set", "data.label=text")
    assert labelled.exit_code == 2 and "data.label" in labelled.stderr
