"""`mlcc compare`: differing config keys, best metric per row, sweep folders, bad inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli_helpers import experiment
from mlcc_cli.cli import app
from mlcc_cli.evaluation.metric_names import (
    EVERY_SPLIT,
    LOWER,
    METRIC_DIRECTIONS,
    METRIC_NAMES,
    metric_direction,
)
from mlcc_cli.workflows.compare import compare_runs, flatten

runner = CliRunner()


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three tiny runs differing only in optimizer.learning_rate, all under one folder."""
    tmp_path = tmp_path_factory.mktemp("compare")
    config = {
        "name": "t",
        "seed": 3,
        "data": {"source": "builtin:breast_cancer", "split": {"train": 0.8, "validation": 0.2}},
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 64, "epochs": 2, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    run_dirs = []
    for rate in ("0.0001", "0.1", "0.5"):
        result = mlcc(
            "train", path, "--set", f"optimizer.learning_rate={rate}",
            "--runs-dir", tmp_path / "runs", "--name", f"lr{rate}", "--json",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        run_dirs.append(Path(json.loads(result.stdout)["run_dir"]))
    return run_dirs


def test_flatten_uses_dotted_keys_and_list_indices() -> None:
    flat = flatten({"a": {"b": [1, {"c": 2}]}, "d": 3, "e": []})
    assert flat == {"a.b.0": 1, "a.b.1.c": 2, "d": 3, "e": []}


def test_json_shows_only_the_differing_key_and_the_best_run(runs: list[Path]) -> None:
    result = mlcc("compare", *runs, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["differing_keys"] == ["optimizer.learning_rate"]  # name is excluded
    assert [run["config"] for run in payload["runs"]] == [
        {"optimizer.learning_rate": 0.0001},
        {"optimizer.learning_rate": 0.1},
        {"optimizer.learning_rate": 0.5},
    ]
    losses = [run["metrics"]["validation"]["log_loss"] for run in payload["runs"]]
    accuracies = [run["metrics"]["validation"]["accuracy"] for run in payload["runs"]]
    best = payload["best"]["validation"]
    assert best["log_loss"] == str(runs[losses.index(min(losses))])
    assert best["accuracy"] == str(runs[accuracies.index(max(accuracies))])
    assert best["log_loss"] != str(runs[0])  # a 1e-4 rate barely moves in two epochs
    assert {run["status"] for run in payload["runs"]} == {"complete"}
    assert payload["plot"] is None


def test_prediction_bias_is_ranked_by_distance_from_zero(runs: list[Path]) -> None:
    comparison = compare_runs(runs)
    biases = [run.metrics["validation"]["prediction_bias"] for run in comparison.runs]
    best = comparison.best["validation"]["prediction_bias"]
    assert abs(biases[best]) == min(abs(b) for b in biases)


def test_a_sweep_folder_expands_to_its_runs(runs: list[Path]) -> None:
    comparison = compare_runs([runs[0].parent])
    assert [run.run_dir for run in comparison.runs] == sorted(runs)


def test_table_and_png(runs: list[Path], tmp_path: Path) -> None:
    result = mlcc("compare", *runs[:2], "--output", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "optimizer.learning_rate" in result.stdout
    assert "validation_log_loss" in result.stdout
    assert "seed" not in result.stdout  # identical keys stay out of the table
    assert (tmp_path / "out" / "compare.png").stat().st_size > 0
    assert not list((tmp_path / "out").glob(".*"))  # no partial file left behind


def test_no_png_without_output(runs: list[Path], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert mlcc("compare", runs[0]).exit_code == 0
    assert not list(tmp_path.iterdir())


def test_output_with_no_plots_is_refused(runs: list[Path], tmp_path: Path) -> None:
    # --output receives only compare.png: with --no-plots it used to be ignored silently.
    result = mlcc("compare", runs[0], "--output", tmp_path / "out", "--no-plots", "--json")
    assert result.exit_code == 2
    assert "with --no-plots" in json.loads(result.stdout)["error"]["message"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda tmp: tmp / "missing", "no such run directory"),
        (lambda tmp: tmp, "not a run directory"),
        (lambda tmp: (tmp / "notes.txt").touch() or tmp / "notes.txt", "is a file, not a run"),
    ],
)
def test_bad_inputs_exit_2(tmp_path: Path, make, phrase: str) -> None:
    result = mlcc("compare", make(tmp_path))
    assert result.exit_code == 2
    assert phrase in result.stderr and "Traceback" not in result.output


def test_no_runs_is_a_usage_error() -> None:
    assert mlcc("compare").exit_code == 2


def test_each_run_shows_the_doctors_warnings(runs: list[Path], tmp_path: Path) -> None:
    payload = json.loads(mlcc("compare", *runs, "--json").stdout)
    for run in payload["runs"]:
        stored = json.loads((Path(run["run_dir"]) / "doctor.json").read_text())
        assert run["doctor"] == [
            f["kind"] for f in stored["findings"] if f["severity"] == "warning"
        ]
    older = tmp_path / runs[0].name  # a run from before the doctor: nothing to show
    shutil.copytree(runs[0], older)
    (older / "doctor.json").unlink()
    assert json.loads(mlcc("compare", older, runs[1], "--json").stdout)["runs"][0]["doctor"] == []
    assert "doctor" in mlcc("compare", *runs).stdout


def test_no_best_is_named_across_different_problems(tmp_path: Path) -> None:
    """A word2vec loss of 2.2 does not 'beat' a regression's squared error of 3,000."""
    runs = []
    for source, model in (("builtin:diabetes", "linear"), ("builtin:linear", "linear")):
        config = {
            "name": model,
            "data": {"source": source},
            "features": [{"type": "zscore"}],
            "model": {"type": model},
            "optimizer": {"type": "sgd", "learning_rate": 0.05},
            "training": {"batch_size": 32, "epochs": 1},
        }
        (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
        result = mlcc("train", tmp_path / "exp.yaml", "--runs-dir", tmp_path, "-q", "--no-plots")
        runs.append(result.stdout.strip())
    payload = json.loads(mlcc("compare", *runs, "--json").stdout)
    assert payload["best"]["validation"] == {}


def test_every_model_metric_is_ranked_and_no_property_of_the_data(tmp_path: Path) -> None:
    """Two real softmax runs on iris: weighted and macro F1 get a best run, found the way
    scikit-learn's f1_score directions say (higher); baseline_accuracy (the majority-class
    rate of the split) and nonzero_weights are shown but never ranked."""
    path = experiment(
        tmp_path,
        data={"source": "builtin:iris", "split": {"train": 0.6, "validation": 0.4}},
        model={"type": "softmax"},
        training={"batch_size": 16, "epochs": 3, "periods": 1},
    )
    run_dirs = []
    for rate in ("0.002", "0.5"):
        result = mlcc(
            "train", path, "--set", f"optimizer.learning_rate={rate}",
            "--runs-dir", tmp_path / "runs", "-q", "--no-plots",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        run_dirs.append(Path(result.stdout.strip()))
    result = mlcc("compare", *run_dirs, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for split in ("validation", "train"):
        metrics = [run["metrics"][split] for run in payload["runs"]]
        best = payload["best"][split]
        for name in ("weighted_f1", "macro_f1", "accuracy"):
            values = [m[name] for m in metrics]
            assert values[0] != values[1], name  # the two rates train apart in three epochs
            assert best[name] == str(run_dirs[values.index(max(values))]), name
        losses = [m["log_loss"] for m in metrics]
        assert best["log_loss"] == str(run_dirs[losses.index(min(losses))])
        assert metrics[0]["baseline_accuracy"] == metrics[1]["baseline_accuracy"]  # same data
        assert "baseline_accuracy" not in best and "nonzero_weights" not in best
    table = mlcc("compare", *run_dirs)
    assert table.exit_code == 0 and "validation_weighted_f1" in table.stdout


def test_a_sweep_refuses_to_rank_by_a_property_of_the_data(tmp_path: Path) -> None:
    grid = ["--grid", "model.l2=0,0.1", "--runs-dir", tmp_path / "runs"]
    result = mlcc("sweep", experiment(tmp_path), *grid, "--metric", "baseline_accuracy")
    assert result.exit_code == 2, result.output
    assert "--metric 'baseline_accuracy': is the same for a good and a bad model" in " ".join(
        result.stderr.split()
    )
    assert "auc" in result.stderr and not (tmp_path / "runs").exists()  # refused before work


def test_every_recorded_metric_has_a_declared_direction() -> None:
    """A new metric must say which way is better (or that it ranks nothing) where it is named."""
    named = {name for names in METRIC_NAMES.values() for name in names} | {EVERY_SPLIT}
    assert named == set(METRIC_DIRECTIONS)
    assert metric_direction("log_loss_spam") == LOWER  # a multi-label model's per-label loss
    assert metric_direction("baseline_accuracy") is None
