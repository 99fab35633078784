"""Text columns through the real CLI: builtin:reviews, run files, save/load, OOV on predict."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.data import SyntheticConfig
from mlcc_cli.data.builtin import load_builtin
from mlcc_cli.data.reviews import NEGATIVE_WORDS, POSITIVE_WORDS
from mlcc_cli.rundir.saved import load_run

runner = CliRunner()
CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _mlcc(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _train(tmp_path: Path, *sets: str) -> Path:
    args = ["train", CONFIGS / "reviews_embeddings.yaml", "--runs-dir", tmp_path / "runs"]
    args += ["--json", "--quiet", "--set", "data.synthetic.samples=600"]
    for setting in sets:
        args += ["--set", setting]
    result = _mlcc(*args)
    assert result.exit_code == 0, result.output
    return Path(json.loads(result.stdout)["run_dir"])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _train(tmp_path_factory.mktemp("text"))


def test_reviews_are_seeded_balanced_and_hold_their_sentiment_words() -> None:
    first = load_builtin("reviews", SyntheticConfig(samples=200), 7)
    again = load_builtin("reviews", SyntheticConfig(samples=200), 7)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == ["review", "target"]
    assert first["target"].mean() == 0.5
    positive = first.loc[first["target"] == 1, "review"].str.cat(sep=" ")
    negative = first.loc[first["target"] == 0, "review"].str.cat(sep=" ")
    assert sum(positive.count(w) for w in POSITIVE_WORDS) > 3 * sum(
        positive.count(w) for w in NEGATIVE_WORDS
    )
    assert sum(negative.count(w) for w in NEGATIVE_WORDS) > 3 * sum(
        negative.count(w) for w in POSITIVE_WORDS
    )


def test_logistic_on_a_2d_text_embedding_learns_sentiment_and_writes_its_tokens(
    run_dir: Path,
) -> None:
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["validation"]["accuracy"] >= 0.9
    table = pd.read_csv(run_dir / "embeddings-review.csv", keep_default_na=False)
    assert list(table.columns) == ["token", "count", "d0", "d1"]
    assert table["token"].iloc[-1] == "<oov>"
    assert (run_dir / "plots" / "embeddings-review.png").stat().st_size > 1000
    state = json.loads((run_dir / "model.json").read_text())
    vocabulary = state["pipeline"]["transforms"][0]["fitted"]["vocabulary_"]["review"]
    assert table["token"].tolist() == [*vocabulary, "<oov>"]
    # Opinion words end up on opposite sides of the embedding: the learned direction that
    # the logistic weights read separates them.
    vectors = table.set_index("token")[["d0", "d1"]]
    run = load_run(run_dir)
    direction = run.model.params["W1"][-2:, 0]  # weights of the two embedded dimensions
    score = vectors.to_numpy() @ direction
    by_token = dict(zip(table["token"], score, strict=True))
    assert min(by_token[w] for w in POSITIVE_WORDS if w in by_token) > max(
        by_token[w] for w in NEGATIVE_WORDS if w in by_token
    )


def test_predict_tokenises_new_text_and_unseen_words_share_the_oov_id(
    run_dir: Path, tmp_path: Path
) -> None:
    rows = pd.DataFrame(
        {
            "review": [
                "A GREAT, wonderful movie!",
                "awful and boring",
                "qwerty asdfgh",
                None,
            ]
        }
    )
    rows.to_csv(tmp_path / "new.csv", index=False)
    result = _mlcc("predict", run_dir, tmp_path / "new.csv", "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    p = pd.read_csv(tmp_path / "out.csv")["prediction"].to_numpy()
    assert p[0] > 0.9 > 0.1 > p[1]
    # Texts of one unseen word each: the same counts (one <oov>), the same prediction.
    single = pd.DataFrame({"review": ["qwerty", "zxcvbn"]})
    single.to_csv(tmp_path / "single.csv", index=False)
    assert (
        _mlcc("predict", run_dir, tmp_path / "single.csv", "-o", tmp_path / "s.csv").exit_code == 0
    )
    q = pd.read_csv(tmp_path / "s.csv")["prediction"].to_numpy()
    assert q[0] == q[1]
    assert np.isfinite(p[3])  # a missing text has no tokens: still a prediction


@pytest.mark.parametrize(
    "model",
    [
        "model={type: mlp, hidden_units: [6], "
        "embeddings: {review: {dimensions: 4, combiner: sqrtn}}}",
        "model={type: logistic}",
        "model.embeddings.review=3",
    ],
    ids=["mlp-sqrtn", "bag-of-words-logistic", "old-size-form"],
)
def test_every_text_model_form_trains(tmp_path: Path, model: str) -> None:
    run_dir = _train(tmp_path, model, "training.epochs=4")
    assert json.loads((run_dir / "metrics.json").read_text())["validation"]["accuracy"] >= 0.85


def _write(tmp_path: Path, frame: pd.DataFrame, **changes: object) -> Path:
    frame.to_csv(tmp_path / "rows.csv", index=False)
    config = {
        "name": "text",
        "data": {"source": "rows.csv", "label": "y"},
        "features": [{"type": "text", "columns": ["review"]}],
        "model": {"type": "logistic", "embeddings": {"review": {"dimensions": 2}}},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 4, "epochs": 1},
        **changes,
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.mark.parametrize(
    "review, changes, expected",
    [
        (["", None] * 10, {}, "features.0 (text): text column 'review' holds no tokens"),
        (list(range(20)), {}, "column 'review' holds numbers, not text"),
        (
            ["good film"] * 20,
            {"model": {"type": "logistic", "embeddings": {"x": 2}}},
            "model.embeddings.x: input 'x' is numeric",
        ),
        (
            ["good film"] * 20,
            {
                "model": {
                    "type": "logistic",
                    "embeddings": {"review": {"dimensions": 2, "combiner": "max"}},
                }
            },
            "model.embeddings.review",
        ),
        (
            ["good film"] * 20,
            {"data": {"source": "rows.csv", "label": "y", "streaming": True}},
            "streaming",
        ),
    ],
    ids=["empty-column", "numbers", "numeric-embedding", "bad-combiner", "streaming"],
)
def test_bad_text_input_exits_2_naming_the_step_or_key(
    tmp_path: Path, review: list, changes: dict, expected: str
) -> None:
    frame = pd.DataFrame({"review": review, "x": np.arange(20.0), "y": [0, 1] * 10})
    result = _mlcc("train", _write(tmp_path, frame, **changes), "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
