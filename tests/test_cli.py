"""The real `mlcc` entry point: commands, streams, exit codes and the bad-input table."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.datasets import load_breast_cancer
from typer.testing import CliRunner

from cli_helpers import experiment, mlcc

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "configs" / "quickstart.yaml"
runner = CliRunner()


# ---------------------------------------------------------------------------- train


def test_train_writes_the_spec_run_directory(tmp_path: Path) -> None:
    result = mlcc("train", experiment(tmp_path), "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 0, result.output
    run_dir = Path(result.stdout.strip().splitlines()[-1].split()[-1])
    assert run_dir.parent == tmp_path / "runs"
    assert run_dir.name.startswith("t-")
    names = {p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*")}
    assert {
        "config.yaml",
        "history.csv",
        "metrics.json",
        "model.npz",
        "model.json",
        "predictions-validation.csv",
        "plots/loss.png",
        "plots/roc.png",
        "status.json",
    } <= names
    history = pd.read_csv(run_dir / "history.csv")
    assert list(history.columns[:8]) == [
        "period",
        "step",
        "epoch",
        "examples_seen",
        "train_loss",
        "validation_loss",
        "learning_rate",
        "grad_norm",
    ]
    assert len(history) == 2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics) == {"train", "validation"}
    for key in ("log_loss", "accuracy", "precision", "recall", "f1", "auc", "prediction_bias"):
        assert key in metrics["validation"]
    assert metrics["train"]["nonzero_weights"] == 30
    assert json.loads((run_dir / "status.json").read_text())["status"] == "complete"
    assert "Metrics" in result.stdout and "Training" in result.stdout
    assert not list((tmp_path / "runs").glob(".*"))  # no staging folder left behind


@pytest.mark.parametrize(
    ("data_shuffle", "requested", "expected"),
    [(True, None, "windows"), (False, None, "rows"), (True, "rows", "rows")],
)
def test_status_records_the_shuffle_auto_chose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_shuffle: bool, requested, expected
) -> None:
    # Pretend every matrix is large and every run long, so `auto` has its choices to make on
    # a small dataset.
    monkeypatch.setattr("mlcc_cli.training.engine.AUTO_WINDOWS_MIN_BYTES", 1)
    monkeypatch.setattr("mlcc_cli.training.engine.COMPILED_FIXED_SECONDS", 0.0)
    split = {"train": 0.8, "validation": 0.2}
    training = {"batch_size": 32, "epochs": 2, "periods": 2}
    if requested is not None:
        training["shuffle"] = requested
    data = {"source": "builtin:breast_cancer", "split": split, "shuffle": data_shuffle}
    path = experiment(tmp_path, data=data, training=training)
    result = mlcc("train", path, "--runs-dir", tmp_path / "runs", "--quiet")
    assert result.exit_code == 0, result.output
    status = json.loads((Path(result.stdout.strip()) / "status.json").read_text())
    assert status["training"] == {"engine": "compiled", "shuffle": expected}


def test_auto_keeps_a_small_run_on_numpy_and_a_long_one_compiled(tmp_path: Path) -> None:
    """A 455-row run of 30 epochs would take the numpy loop well under the half second that
    loading numba costs; 2,000 epochs of it would not."""
    from mlcc_cli.training.engine import numpy_run_seconds

    runs = tmp_path / "runs"
    for epochs, engine in ((30, "numpy"), (2_000, "compiled")):
        steps = epochs * 15  # ⌈455 / 32⌉ batches an epoch
        assert (numpy_run_seconds(steps, 32, 30, 30e-6) < 0.5) == (engine == "numpy")
        training = {"batch_size": 32, "steps": steps, "periods": 1}
        path = experiment(tmp_path, training=training)
        result = mlcc("train", path, "--runs-dir", runs, "--quiet", "--no-plots")
        assert result.exit_code == 0, result.output
        status = json.loads((Path(result.stdout.strip()) / "status.json").read_text())
        assert status["training"]["engine"] == engine


def test_train_json_prints_exactly_one_object(tmp_path: Path) -> None:
    result = mlcc("train", experiment(tmp_path), "--runs-dir", tmp_path / "runs", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload["metrics"]) == {"train", "validation"}
    assert Path(payload["run_dir"]).is_dir()
    assert "Training" in result.stderr  # human output went to stderr


def test_train_quiet_prints_only_the_path(tmp_path: Path) -> None:
    result = mlcc("train", experiment(tmp_path), "--runs-dir", tmp_path / "runs", "-q")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1
    assert Path(result.stdout.strip()).is_dir()


def test_test_split_only_with_flag(tmp_path: Path) -> None:
    data = {"source": "builtin:diabetes", "split": {"train": 0.6, "validation": 0.2, "test": 0.2}}
    path = experiment(tmp_path, data=data, model={"type": "linear"})
    runs = tmp_path / "runs"
    without = json.loads(mlcc("train", path, "--runs-dir", runs, "--json").stdout)
    with_test = json.loads(mlcc("train", path, "--runs-dir", runs, "--json", "--test").stdout)
    assert set(without["metrics"]) == {"train", "validation"}
    assert set(with_test["metrics"]) == {"train", "validation", "test"}
    assert set(with_test["metrics"]["test"]) >= {"rmse", "mae", "r2", "loss", "nonzero_weights"}


def test_same_config_and_seed_give_identical_files(tmp_path: Path) -> None:
    path = experiment(tmp_path)
    first = Path(
        json.loads(mlcc("train", path, "--runs-dir", tmp_path / "a", "--json").stdout)["run_dir"]
    )
    second = Path(
        json.loads(mlcc("train", path, "--runs-dir", tmp_path / "b", "--json").stdout)["run_dir"]
    )
    for name in ("metrics.json", "history.csv", "predictions-validation.csv", "config.yaml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_set_changes_one_hyperparameter_and_is_saved(tmp_path: Path) -> None:
    args = ["--set", "optimizer.learning_rate=0.5", "--set", "training.batch_size=full"]
    result = mlcc("train", experiment(tmp_path), *args, "--runs-dir", tmp_path / "r", "--json")
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((Path(json.loads(result.stdout)["run_dir"]) / "config.yaml").read_text())
    assert saved["optimizer"]["learning_rate"] == 0.5
    assert saved["training"]["batch_size"] == "full"
    assert saved["training"]["early_stopping"] is None  # defaults are filled in


def test_divergence_exits_1_with_advice_and_keeps_the_run(tmp_path: Path) -> None:
    path = experiment(
        tmp_path,
        data={"source": "builtin:diabetes"},
        features=[],
        model={"type": "linear"},
        optimizer={"type": "sgd", "learning_rate": 1000.0},
    )
    result = mlcc("train", path, "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 1
    assert "learning_rate" in result.stderr and "Traceback" not in result.output
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert json.loads((run_dir / "status.json").read_text())["status"] == "diverged"


def test_divergence_suggests_zscore_only_for_inputs_on_different_scales(tmp_path: Path) -> None:
    """The quickstart's inputs are z-scored: a zscore step would change nothing there."""
    result = mlcc(
        "train", QUICKSTART, "--set", "optimizer.learning_rate=1000", "--runs-dir", tmp_path / "q"
    )
    assert result.exit_code == 1
    assert "set optimizer.clip_norm, or both" in result.stderr and "zscore" not in result.stderr
    unscaled = tmp_path / "unscaled.csv"
    table = load_breast_cancer(as_frame=True).frame  # spans from 0.005 to 4,000
    table.to_csv(unscaled, index=False)
    path = experiment(
        tmp_path,
        data={"source": str(unscaled), "label": "target"},
        features=[],
        model={"type": "logistic"},
        optimizer={"type": "sgd", "learning_rate": 10.0},
    )
    result = mlcc("train", path, "--runs-dir", tmp_path / "u")
    assert result.exit_code == 1
    assert "or scale features with zscore" in result.stderr


def test_early_stopping_is_reported(tmp_path: Path) -> None:
    training = {
        "batch_size": 1,
        "epochs": 30,
        "periods": 30,
        "early_stopping": {"patience": 1, "min_delta": 1.0},
    }
    result = mlcc(
        "train", experiment(tmp_path, training=training), "--runs-dir", tmp_path, "--json"
    )
    payload = json.loads(result.stdout)
    assert payload["stopped_early"] is True
    assert payload["periods"] < 30


def test_ctrl_c_exits_130_and_keeps_an_interrupted_run(tmp_path: Path) -> None:
    """A real SIGINT to a real process, as a person pressing Ctrl-C would send."""
    path = experiment(
        tmp_path,
        data={"source": "builtin:linear", "synthetic": {"samples": 20000, "features": 5}},
        features=[],
        model={"type": "linear"},
        optimizer={"type": "sgd", "learning_rate": 0.001},
        training={"batch_size": 1, "steps": 10**9, "periods": 10**4},
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "mlcc_cli", "train", str(path), "--runs-dir", str(tmp_path / "r")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # blocks until the schedule line: training is about to start
        if line.startswith("schedule"):
            break
    time.sleep(1.0)  # let it enter the training loop
    assert process.poll() is None, "training ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    (run_dir,) = (tmp_path / "r").iterdir()
    assert json.loads((run_dir / "status.json").read_text())["status"] == "interrupted"


# ------------------------------------------------------------------ other commands


def test_validate_schema_and_datasets() -> None:
    ok = mlcc("validate", ROOT / "configs" / "quickstart.yaml")
    assert ok.exit_code == 0 and "valid" in ok.stdout
    schema = json.loads(mlcc("schema").stdout)
    assert "optimizer" in schema["properties"]
    listing = mlcc("datasets")
    assert listing.exit_code == 0
    for name in ("breast_cancer", "iris", "wine", "digits", "diabetes", "xor", "spiral"):
        assert name in listing.stdout
    rows = json.loads(mlcc("datasets", "--json").stdout)["datasets"]
    assert {r["name"]: r["rows"] for r in rows}["breast_cancer"] == 569


def test_readme_config_reference_matches_the_schema() -> None:
    reference = mlcc("schema", "--markdown").stdout
    assert reference.strip() in (ROOT / "README.md").read_text()


def test_module_entry_point_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mlcc_cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "train" in result.stdout


@pytest.mark.parametrize(
    "args", [["--help"], ["validate", str(ROOT / "configs" / "quickstart.yaml")], ["schema"]]
)
def test_fast_paths_do_not_import_numerical_libraries(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mlcc_cli", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert "typer" in imported  # the probe does see imports
    assert not imported & {"numpy", "pandas", "scipy", "sklearn"}


# ------------------------------------------------------------------ bad input table


def _csv(tmp_path: Path, name: str, text: str) -> str:
    (tmp_path / name).write_text(text)
    return name


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Each case: CLI arguments and a phrase the one-paragraph error must contain."""
    good = [{"type": "zscore"}]
    linear = {"type": "linear"}
    small = "a,b,y\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n5,6,0\n6,7,1\n7,8,0\n8,9,1\n9,1,0\n1,1,1\n"
    cases: dict[str, tuple[dict[str, object], str, list[str]]] = {
        "unknown key": ({"modle": linear}, "modle: unknown key 'modle'; did you mean 'model'?", []),
        "wrong type": (
            {"optimizer": {"type": "sgd", "learning_rate": "fast"}},
            "optimizer.learning_rate",
            [],
        ),
        "negative learning rate": (
            {"optimizer": {"type": "sgd", "learning_rate": -1}},
            "optimizer.learning_rate: must be > 0, got -1",
            [],
        ),
        "split not summing to 1": (
            {"data": {"source": "builtin:iris", "split": {"train": 0.5, "validation": 0.2}}},
            "must sum to 1",
            [],
        ),
        "missing data file": ({"data": {"source": "nope.csv", "label": "y"}}, "nope.csv", []),
        "missing label column": (
            {"data": {"source": _csv(tmp_path, "s.csv", small), "label": "why"}},
            "why",
            [],
        ),
        "text in numeric column": (
            {
                "data": {
                    "source": _csv(tmp_path, "t.csv", small.replace("5,6,0", "five,6,0")),
                    "label": "y",
                }
            },
            "t.csv:6",
            [],
        ),
        "empty csv": ({"data": {"source": _csv(tmp_path, "e.csv", ""), "label": "y"}}, "e.csv", []),
        "header-only csv": (
            {"data": {"source": _csv(tmp_path, "h.csv", "a,b,y\n"), "label": "y"}},
            "h.csv",
            [],
        ),
        "single-class label": (
            {
                "data": {
                    "source": _csv(tmp_path, "o.csv", small.replace(",1\n", ",0\n")),
                    "label": "y",
                }
            },
            "two",
            [],
        ),
        "NaN without a policy": (
            {
                "data": {
                    "source": _csv(tmp_path, "n.csv", small.replace("2,3,1", "2,,1")),
                    "label": "y",
                }
            },
            "data.missing",
            [],
        ),
        "unsafe expression": (
            {
                "features": [
                    {
                        "type": "expression",
                        "name": "x",
                        "expression": "__import__('os').system('echo hi')",
                    }
                ]
            },
            "features.0.expression",
            [],
        ),
        "--set on non-existent path": ({}, "no item 5", ["--set", "features.5.max=4"]),
        "unreadable parquet": (
            {"data": {"source": _csv(tmp_path, "p.parquet", "not parquet"), "label": "y"}},
            "p.parquet",
            [],
        ),
        "unknown builtin": ({"data": {"source": "builtin:mnist"}}, "builtin", []),
        "log of non-positive": (
            {
                "data": {"source": "builtin:linear"},
                "model": linear,
                "features": [{"type": "log", "columns": ["x1"]}],
            },
            "features.0",
            [],
        ),
        "division by zero": (
            {
                "data": {
                    "source": _csv(tmp_path, "z.csv", small.replace("9,1,0", "9,0,0")),
                    "label": "y",
                },
                "features": [{"type": "ratio", "name": "r", "numerator": "a", "denominator": "b"}],
            },
            "features.0",
            [],
        ),
        "unknown input column": ({"inputs": ["mean_radius", "nope"]}, "inputs", []),
        "non-numeric input": (
            {
                "data": {
                    "source": _csv(
                        tmp_path,
                        "c.csv",
                        "a,c,y\n" + "".join(f"{i},{'xy'[i % 2]}z,{i % 2}\n" for i in range(20)),
                    ),
                    "label": "y",
                },
                "features": [],
                "inputs": ["a", "c"],
            },
            "one_hot",
            [],
        ),
        "bad run name": ({}, "--name", ["--name", "a/b"]),
        "section not a mapping": (
            {"data": {"source": "builtin:iris", "split": [0.8, 0.2]}},
            "data.split: must be a mapping (key: value) with keys from: train, validation, test",
            [],
        ),
        "fractional integer": (
            {"seed": 1.5},
            "seed: must be a whole number, got 1.5",
            [],
        ),
        "list too short": (
            {"features": [{"type": "cross", "columns": ["a"]}]},
            "features.0.columns: needs at least 2 items, got ['a']",
            [],
        ),
        "model written as a word": (
            {"model": "linear"},
            "model: must be a mapping (key: value) with a 'type' key and that type's settings, "
            "e.g. {type: linear}; got 'linear'",
            [],
        ),
        "empty column": (
            {
                "data": {
                    "source": _csv(
                        tmp_path,
                        "e.csv",
                        "a,e,b,y\n" + "".join(f"{i},,{i % 3},{i % 2}\n" for i in range(12)),
                    ),
                    "label": "y",
                    "missing": "mean",
                }
            },
            "column 'e' is empty in all 12 rows, so no data.missing policy can help",
            [],
        ),
        # a step on every column beside an embedding: the memory check once crashed on it
        "embedding beside an all-columns step": (
            {
                "data": {"source": "builtin:reviews", "synthetic": {"samples": 200}},
                "features": [
                    {"type": "text", "columns": ["review"], "vocabulary_size": 50},
                    {"type": "zscore"},
                ],
                "model": {"type": "logistic", "embeddings": {"review": 2}},
            },
            "features.1 (zscore): found no numeric columns to work on",
            [],
        ),
        "empty data source": ({"data": {"source": ""}}, "data.source: must not be empty", []),
        "data source a folder": (
            {"data": {"source": ".", "label": "y"}},
            "is a folder; name a .csv, .parquet or .txt file in it",
            [],
        ),
        "run name read as a number": (
            {"name": 1.5},
            "name: must be text, got 1.5, which YAML reads as a number; put the value in quotes",
            [],
        ),
        "misspelt sweep grid key": (
            {"sweep": {"grid": {"optimizer.learning_rat": [0.1, 1]}}},
            "sweep.grid.optimizer.learning_rat: the value 0.1 would make the config invalid "
            "(optimizer.learning_rat: unknown key 'learning_rat'; did you mean 'learning_rate'?)",
            [],
        ),
        "repeated sweep grid value": (
            {"sweep": {"grid": {"model.l2": [0.1, 0.1]}}},
            "sweep.grid.model.l2: a value is repeated in [0.1, 0.1]",
            [],
        ),
        "quantity as a logistic label": (
            {"data": {"source": "builtin:diabetes"}, "model": {"type": "logistic"}},
            "a quantity to predict, not two classes. Predict it with regression "
            "(--set model.type=linear), or ask a yes/no question of it with data.label_above",
            [],
        ),
        "early stopping without validation": (
            {
                "data": {"source": "builtin:iris", "split": {"train": 1.0, "validation": 0.0}},
                "training": {"early_stopping": {"patience": 2}},
            },
            "validation",
            [],
        ),
    }
    built = {}
    for label, (sections, phrase, extra) in cases.items():
        sub = tmp_path / label.replace(" ", "_").replace("-", "_")
        sub.mkdir()
        for csv_file in tmp_path.glob("*.*"):
            if csv_file.is_file() and csv_file.suffix != ".yaml":
                (sub / csv_file.name).write_bytes(csv_file.read_bytes())
        if "features" not in sections:
            sections = {**sections, "features": good}
        built[label] = (["train", str(experiment(sub, **sections)), *extra], phrase)
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("data:\n  source: builtin:iris\n  split: {train: 0.8\n")
    built["malformed yaml"] = (["train", str(malformed)], "malformed.yaml:4")
    tabbed = tmp_path / "tabbed.yaml"
    tabbed.write_text("data:\n\tsource: builtin:iris\n")
    built["tab indentation"] = (
        ["train", str(tabbed)],
        "tabbed.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token "
        "(while scanning for the next token). YAML indents with spaces only",
    )
    built["missing config file"] = (["train", str(tmp_path / "none.yaml")], "none.yaml")
    return built


BAD_INPUT_NAMES = [
    "unknown key",
    "wrong type",
    "negative learning rate",
    "split not summing to 1",
    "missing data file",
    "missing label column",
    "text in numeric column",
    "empty csv",
    "header-only csv",
    "single-class label",
    "NaN without a policy",
    "unsafe expression",
    "--set on non-existent path",
    "unreadable parquet",
    "unknown builtin",
    "log of non-positive",
    "division by zero",
    "unknown input column",
    "non-numeric input",
    "bad run name",
    "section not a mapping",
    "model written as a word",
    "list too short",
    "fractional integer",
    "tab indentation",
    "early stopping without validation",
    "quantity as a logistic label",
    "misspelt sweep grid key",
    "repeated sweep grid value",
    "empty data source",
    "data source a folder",
    "run name read as a number",
    "empty column",
    "embedding beside an all-columns step",
    "malformed yaml",
    "missing config file",
]


@pytest.mark.parametrize("case", BAD_INPUT_NAMES)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.chdir(tmp_path)
    args, phrase = _bad_inputs(tmp_path)[case]
    result = mlcc(*args, "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert phrase in result.stderr, result.stderr
    assert not (tmp_path / "runs").exists()  # nothing written for a rejected experiment


def test_failure_leaves_earlier_runs_untouched(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    good = mlcc("train", experiment(tmp_path), "--runs-dir", runs, "--json")
    before = {p: p.read_bytes() for p in runs.rglob("*") if p.is_file()}
    bad = experiment(tmp_path, optimizer={"type": "sgd", "learning_rate": -1})
    assert mlcc("train", bad, "--runs-dir", runs).exit_code == 2
    assert good.exit_code == 0
    assert {p: p.read_bytes() for p in runs.rglob("*") if p.is_file()} == before


def test_a_saved_row_index_in_the_csv_is_pointed_out(tmp_path: Path) -> None:
    # pandas' to_csv keeps the index by default: an unnamed first column of row numbers
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    pd.DataFrame({"x": x, "y": 2 * x + rng.normal(scale=0.1, size=60)}).to_csv(
        tmp_path / "indexed.csv"
    )
    config = tmp_path / "indexed.yaml"
    config.write_text(
        "data: {source: indexed.csv, label: y}\nfeatures: [{type: zscore}]\nmodel: {type: linear}\n"
        "optimizer: {type: sgd, learning_rate: 0.05}\ntraining: {batch_size: 8, epochs: 2}\n"
    )
    result = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any("'Unnamed: 0' have an empty name in the file's header" in w for w in warnings)
    named = tmp_path / "named.csv"
    pd.read_csv(tmp_path / "indexed.csv", index_col=0).to_csv(named, index=False)
    config.write_text(config.read_text().replace("indexed.csv", "named.csv"))
    clean = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--json", "--no-plots")
    assert not any("Unnamed" in w for w in json.loads(clean.stdout)["warnings"])


@pytest.mark.parametrize(
    ("label", "warning"),
    [
        ([3.5], "label 'y' has the same value (3.5) in every row"),
        ([0, 1], "label 'y' only takes two values (0, 1)"),
    ],
)
def test_a_constant_or_two_valued_regression_label_is_warned_about(
    tmp_path: Path, label: list[float], warning: str
) -> None:
    rows = "".join(f"{i},{i % 7},{label[i % len(label)]}\n" for i in range(60))
    (tmp_path / "flat.csv").write_text("a,b,y\n" + rows)
    path = experiment(tmp_path, data={"source": "flat.csv", "label": "y"}, model={"type": "linear"})
    result = mlcc("train", path, "--runs-dir", tmp_path / "runs", "--no-plots")
    assert result.exit_code == 0, result.output
    assert warning in " ".join(result.output.split())
