"""MLflow tracking: `--track URI` on train, sweep and exercise check, and `mlcc track`.

Every run is logged to a real local store (MLflow's file store in a folder, or sqlite) and
read back with `MlflowClient`. The README's example runs once for the module; the other
tests train tiny runs without plots, since mlflow's import and a new sqlite database (its
schema migrations) already cost seconds.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_helpers import experiment, mlcc, runner
from mlcc_cli.tracking.names import (
    KEY_LIMIT,
    PARAM_VALUE_LIMIT,
    TAG_VALUE_LIMIT,
    clip,
    flatten_config,
    mlflow_name,
    unique_names,
)
from mlcc_cli.tracking.records import read_run

ROOT = Path(__file__).resolve().parent.parent
ALLOW_FILE_STORE = "MLFLOW_ALLOW_FILE_STORE"


@pytest.fixture(autouse=True)
def no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """MLflow 3 reports usage to its makers unless told not to; tests send nothing."""
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")


def reader(uri: str) -> Any:
    """An MlflowClient on `uri`, as a user reading the store would make it."""
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


def file_store(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client on the file store in `folder` (MLflow 3 asks for the opt-in to read it)."""
    # mlcc sets the opt-in only while it logs; a reader sets its own.
    assert ALLOW_FILE_STORE not in os.environ
    monkeypatch.setenv(ALLOW_FILE_STORE, "true")
    return reader(folder.resolve().as_uri())


def readme_commands() -> list[list[str]]:
    """The `mlcc ...` lines of the README's "Tracking with MLflow" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Tracking with MLflow\n", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)[0]
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("mlcc ")]


@pytest.fixture(scope="module")
def readme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder where the README's example ran: a run in ./mlruns, a sweep in mlflow.db."""
    folder = tmp_path_factory.mktemp("tracking")
    (folder / "configs").mkdir()
    shutil.copy(ROOT / "configs" / "quickstart.yaml", folder / "configs")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        commands = readme_commands()
        assert [args[0] for args in commands] == ["train", "sweep"]
        for args in commands:
            result = mlcc(*args)
            assert result.exit_code == 0, result.output
            assert "logged runs/quickstart" in result.stdout
            assert "INFO" not in result.stderr and "Warning" not in result.stderr
        yield folder


def test_readme_train_logs_config_history_metrics_doctor_and_files(
    readme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (run_dir,) = (readme / "runs").glob("quickstart-2*")
    client = file_store(readme / "mlruns", monkeypatch)
    found = client.get_experiment_by_name("quickstart")
    (run,) = client.search_runs([found.experiment_id])
    assert run.info.run_name == run_dir.name and run.info.status == "FINISHED"

    # Params: the resolved config, flattened; each reads back as its config value.
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert run.data.params == flatten_config(config)
    assert yaml.safe_load(run.data.params["optimizer.learning_rate"]) == 0.1
    assert yaml.safe_load(run.data.params["features.0.type"]) == "zscore"
    assert run.data.params["data.split.validation"] == "0.15"

    # One value per history row per column, at the row's period.
    with (run_dir / "history.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    periods = [int(row["period"]) for row in rows]
    assert periods == list(range(1, 11))
    for column in ("train_loss", "validation_loss", "learning_rate", "validation_accuracy"):
        history = client.get_metric_history(run.info.run_id, column)
        assert [m.step for m in history] == periods
        assert [m.value for m in history] == [float(row[column]) for row in rows]

    # Final metrics per split.
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for split in ("train", "validation"):
        for name, value in metrics[split].items():
            assert run.data.metrics[f"{split}/{name}"] == pytest.approx(value, rel=1e-12)

    # Doctor findings as tags.
    findings = json.loads((run_dir / "doctor.json").read_text())["findings"]
    assert findings, "the breast cancer data's long tails always draw a finding"
    warnings = [f["kind"] for f in findings if f["severity"] == "warning"]
    assert run.data.tags["mlcc.doctor"] == " ".join(dict.fromkeys(warnings))
    for finding in findings:
        assert finding["title"] in run.data.tags[f"mlcc.doctor.{finding['kind']}"]
    assert run.data.tags["mlcc.run_dir"] == str(run_dir.resolve())
    assert run.data.tags["mlcc.status"] == "complete"

    # The run's files as artifacts, byte for byte.
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "history.csv", "metrics.json", "model.npz", "plots"} <= artifacts
    plots = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert {"plots/loss.png", "plots/roc.png"} <= plots
    stored = Path(client.download_artifacts(run.info.run_id, "config.yaml", str(readme)))
    assert stored.read_bytes() == (run_dir / "config.yaml").read_bytes()


def test_readme_sweep_is_a_parent_run_with_its_points_as_children(readme: Path) -> None:
    sweep_dir = readme / "runs" / "quickstart-sweep"
    client = reader("sqlite:///" + str(readme / "mlflow.db"))
    found = client.get_experiment_by_name("quickstart")
    runs = client.search_runs([found.experiment_id])
    (parent,) = [run for run in runs if "mlflow.parentRunId" not in run.data.tags]
    children = [run for run in runs if run is not parent]
    assert parent.info.run_name == "quickstart-sweep" and parent.info.status == "FINISHED"
    assert parent.data.params["swept.optimizer.learning_rate"] == "[0.1, 1]"
    assert parent.data.params["sweep.metric"] == "log_loss"
    points = json.loads((sweep_dir / "sweep.json").read_text())["runs"]
    best = min(point["metrics"]["validation"]["log_loss"] for point in points)
    assert parent.data.metrics["best/validation/log_loss"] == pytest.approx(best)
    assert {a.path for a in client.list_artifacts(parent.info.run_id)} == {
        "sweep.csv",
        "sweep.json",
    }
    assert {run.data.tags["mlflow.parentRunId"] for run in children} == {parent.info.run_id}
    assert sorted(run.info.run_name for run in children) == sorted(
        Path(point["run_dir"]).name for point in points
    )
    for child in children:
        assert child.data.params["optimizer.learning_rate"] in ("0.1", "1.0")
        assert "validation/log_loss" in child.data.metrics
    # A sqlite store keeps its artifacts beside the database, apart from the file store.
    assert (readme / "mlartifacts").is_dir()
    assert not any((readme / "mlruns").glob(f"*/{parent.info.run_id}"))


def test_track_completes_run_and_sweep_folders(
    readme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlcc_cli.cli import app

    monkeypatch.chdir(readme)
    (run_dir,) = (readme / "runs").glob("quickstart-2*")
    words = {
        "_MLCC_COMPLETE": "complete_bash",
        "COMP_WORDS": "mlcc track runs/q",
        "COMP_CWORD": "2",
    }
    result = runner.invoke(app, [], env=words, prog_name="mlcc")
    assert result.stdout.split() == [f"runs/{run_dir.name}", "runs/quickstart-sweep/"]


def test_train_json_names_the_run_and_mlcc_track_logs_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = experiment(tmp_path)
    store = tmp_path / "store"
    args = ["train", config, "--runs-dir", tmp_path / "runs", "--no-plots", "--json"]
    trained = mlcc(*args, "--track", store)
    assert trained.exit_code == 0, trained.output
    payload = json.loads(trained.stdout)
    run_dir = Path(payload["run_dir"])
    assert payload["mlflow"]["uri"] == store.resolve().as_uri()

    tracked = mlcc("track", run_dir, "--uri", store.resolve().as_uri(), "--json")
    assert tracked.exit_code == 0, tracked.output
    (again,) = json.loads(tracked.stdout)["runs"]
    assert again["path"] == str(run_dir)

    client = file_store(store, monkeypatch)
    first = client.get_run(payload["mlflow"]["run_id"])
    second = client.get_run(again["run_id"])
    assert first.info.experiment_id == second.info.experiment_id == again["experiment_id"]
    assert first.data.params == second.data.params
    assert first.data.tags["mlcc.run_dir"] == second.data.tags["mlcc.run_dir"]
    assert len(client.get_metric_history(second.info.run_id, "train_loss")) == 2  # 2 periods


def test_sweep_json_names_the_parent_and_each_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = experiment(tmp_path)
    store = tmp_path / "store"
    args = ["sweep", config, "--grid", "model.l2=0,0.01", "--runs-dir", tmp_path / "runs"]
    result = mlcc(*args, "--no-plots", "--json", "--track", store)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    ids = payload["mlflow"]["runs"]
    assert sorted(ids) == sorted(run["run_dir"] for run in payload["runs"])
    client = file_store(store, monkeypatch)
    for run_id in ids.values():
        child = client.get_run(run_id)
        assert child.data.tags["mlflow.parentRunId"] == payload["mlflow"]["run_id"]


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the sha256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_store_that_takes_no_writes_is_refused_before_training(tmp_path: Path) -> None:
    store = Path("/sys/mlcc-store")  # a folder that cannot be made, even by root (EPERM)
    args = ["train", experiment(tmp_path), "--runs-dir", tmp_path / "runs", "--no-plots"]
    result = mlcc(*args, "--track", store)
    assert result.exit_code == 2, result.output
    assert f"--track {store}: cannot write there (operation not permitted in /sys" in (
        " ".join(result.stderr.split())
    )
    assert "choose a folder you can write to" in result.stderr
    assert not (tmp_path / "runs").exists() and not store.exists()  # nothing trained


def test_a_store_that_fails_keeps_the_run_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = experiment(tmp_path)
    store = Path("/sys/mlcc-store")  # a folder that cannot be made, even by root (EPERM)
    # As if the store had failed only once the run was trained (a disk gone read-only).
    monkeypatch.setattr("mlcc_cli.tracking.store.check_folder_writable", lambda *args: None)
    args = ["train", config, "--runs-dir", tmp_path / "runs", "--no-plots", "--json"]
    result = mlcc(*args, "--track", store)
    assert result.exit_code == 1
    payload = json.loads(result.stdout)  # still the run's object, now with the failure
    run_dir = Path(payload["run_dir"])
    assert payload["status"] == "complete"
    assert json.loads((run_dir / "status.json").read_text())["status"] == "complete"
    uri = store.as_uri()
    assert payload["mlflow"] == {"uri": uri, "error": payload["mlflow"]["error"]}
    assert f"--track {uri}:" in result.stderr and "could not be logged" in result.stderr
    assert f"mlcc track {run_dir} --uri {uri}" in " ".join(result.stderr.split())
    assert not store.exists()

    before = tree(run_dir)
    again = mlcc("track", run_dir, "--uri", uri)
    assert again.exit_code == 1
    assert f"--uri {uri}:" in again.stderr and "Traceback" not in again.output
    assert tree(run_dir) == before


def test_sqlite_database_that_cannot_be_opened_fails_at_once(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    (tmp_path / "folder.db").mkdir()  # MLflow alone would retry this for ~100 s
    result = mlcc("track", run_dir, "--uri", f"sqlite:///{tmp_path / 'folder.db'}")
    assert result.exit_code == 2 and "no such folder" in result.stderr  # paths come first
    config = experiment(tmp_path)
    trained = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--no-plots", "-q")
    run_dir = Path(trained.stdout.strip())
    result = mlcc("track", run_dir, "--uri", f"sqlite:///{tmp_path / 'folder.db'}")
    assert result.exit_code == 1
    assert "unable to open database file" in result.stderr


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_server_that_does_not_answer_fails_at_once(tmp_path: Path) -> None:
    config = experiment(tmp_path)
    trained = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--no-plots", "-q")
    run_dir = Path(trained.stdout.strip())
    before = tree(run_dir)
    uri = f"http://127.0.0.1:{_closed_port()}"
    # MLflow alone would retry this 7 times over ~4 minutes
    result = mlcc("track", run_dir, "--uri", uri)
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"no tracking server answers at 127.0.0.1:{uri.rsplit(':', 1)[1]}" in message
    assert f"mlcc track {run_dir} --uri {uri}" in message and "Traceback" not in message
    assert tree(run_dir) == before


def test_a_server_that_accepts_but_never_answers_fails_in_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A socket that accepts and stays silent: MLflow alone would wait 120 s x 7 retries."""
    monkeypatch.setattr("mlcc_cli.tracking.session.SERVER_TIMEOUT_S", 0.5)
    config = experiment(tmp_path)
    trained = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--no-plots", "-q")
    run_dir = Path(trained.stdout.strip())
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        uri = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = mlcc("track", run_dir, "--uri", uri)
    assert result.exit_code == 1, result.output
    assert "accepted the connection but sent no HTTP answer" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("foo://host", "MLflow has no tracking store for `foo:` URIs"),
        (" ", "give a tracking store"),
        ("http://127.0.0.1:99999", "not a usable address (Port out of range"),
        ("https://[::1", "not a usable address (Invalid IPv6 URL)"),
        ("sqlite://", "an in-memory database, gone when mlcc exits"),
    ],
)
def test_a_bad_uri_is_refused_before_training(tmp_path: Path, uri: str, message: str) -> None:
    config = experiment(tmp_path)
    result = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--track", uri)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "runs").exists()  # nothing was trained


def test_without_mlflow_the_install_command_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if not installed
    config = experiment(tmp_path)
    result = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--track", tmp_path / "s")
    assert result.exit_code == 2
    assert "pip install 'mlcc-cli[mlflow]'" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_track_refuses_a_path_that_is_no_run_or_sweep(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = mlcc("track", tmp_path / "empty", "--uri", tmp_path / "store")
    assert result.exit_code == 2
    assert f"{tmp_path / 'empty'}: is neither an mlcc run directory" in result.stderr
    assert not (tmp_path / "store").exists()  # nothing logged, no store made


def test_track_refuses_to_log_one_run_twice(tmp_path: Path) -> None:
    # `mlcc track RUN RUN` made two MLflow runs of one run directory.
    config = experiment(tmp_path)
    trained = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--no-plots", "-q")
    run_dir = Path(trained.stdout.strip())
    result = mlcc("track", run_dir, tmp_path / "runs" / run_dir.name, "--uri", tmp_path / "store")
    assert result.exit_code == 2, result.output
    assert "would be logged twice" in result.stderr
    assert not (tmp_path / "store").exists()  # nothing logged, no store made


def test_exercise_check_tracks_a_diverged_run_as_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Exercise 10 diverges as shipped (the learner's task is to fix it).
    args = ["exercise", "check", "10", "--set", "training.epochs=1", "--json"]
    result = mlcc(*args, "--runs-dir", tmp_path / "runs", "--track", tmp_path / "store")
    assert result.exit_code == 1  # the goal fails; the tracking did not
    payload = json.loads(result.stdout)
    assert payload["status"] == "diverged" and "error" not in payload["mlflow"]
    run = file_store(tmp_path / "store", monkeypatch).get_run(payload["mlflow"]["run_id"])
    assert run.info.status == "FAILED" and run.data.tags["mlcc.status"] == "diverged"


# ------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "mapped"),
    [
        ("validation/rmse", "validation/rmse"),
        ("train_loss", "train_loss"),
        ("f1@class:setosa", "f1_class_setosa"),
        ("a//b", "a/_/b"),
        ("/a/", "_/a/_"),
        ("../x", "_/x"),
        ("größe (m²)", "größe _m²_"),
    ],
)
def test_mlflow_name_maps_what_mlflow_refuses(name: str, mapped: str) -> None:
    from mlflow.utils.validation import path_not_unique, validate_param_and_metric_name

    assert mlflow_name(name) == mapped
    assert validate_param_and_metric_name(mapped) and not path_not_unique(mapped)


def test_unique_names_never_merge_two_names() -> None:
    names = unique_names(["a:b", "a_b", "a b", "x" * 300], limit=KEY_LIMIT)
    assert names == {"a:b": "a_b", "a_b": "a_b_2", "a b": "a b", "x" * 300: "x" * KEY_LIMIT}


def test_limits_are_mlflows_and_long_values_are_cut() -> None:
    from mlflow.utils import validation

    assert KEY_LIMIT == validation.MAX_ENTITY_KEY_LENGTH
    assert PARAM_VALUE_LIMIT == validation.MAX_PARAM_VAL_LENGTH
    assert TAG_VALUE_LIMIT == validation.MAX_TAG_VAL_LENGTH
    assert clip("abc", 3) == "abc"
    assert clip("abcd", 3) == "ab…" and len(clip("x" * 9000, PARAM_VALUE_LIMIT)) == 6000


def test_flatten_config_walks_mappings_and_feature_lists() -> None:
    config = {
        "model": {"type": "mlp", "hidden_units": [32, 16], "embeddings": {}},
        "features": [{"type": "zscore", "columns": None}, {"type": "clip", "upper": 0.99}],
        "name": "t",
    }
    assert flatten_config(config) == {
        "model.type": "mlp",
        "model.hidden_units": "[32, 16]",
        "model.embeddings": "{}",
        "features.0.type": "zscore",
        "features.0.columns": "null",
        "features.1.type": "clip",
        "features.1.upper": "0.99",
        "name": "t",
    }


def test_a_long_config_value_is_cut_to_mlflows_limit(tmp_path: Path) -> None:
    columns = [f"column_{i:04d}" for i in range(1000)]
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    config = {"name": "t", "features": [{"type": "zscore", "columns": columns}]}
    (run_dir / "config.yaml").write_text(yaml.safe_dump(config))
    (run_dir / "status.json").write_text(json.dumps({"status": "complete"}))
    (run_dir / "metrics.json").write_text(json.dumps({"validation": {"rmse": 1.5}}))
    (run_dir / "history.csv").write_text("period,step,train_loss\n1,10,0.5\n2,20,\n")
    record = read_run(run_dir)
    value = record.params["features.0.columns"]
    assert len(value) == PARAM_VALUE_LIMIT and value.endswith("…")
    assert record.history == [("step", 1, 10.0), ("train_loss", 1, 0.5), ("step", 2, 20.0)]
    assert record.metrics == {"validation/rmse": 1.5}


@pytest.mark.parametrize("form", ["folder", "file_uri", "sqlite", "store_is_a_file"])
def test_a_store_under_a_file_is_refused_before_training(tmp_path: Path, form: str) -> None:
    blocker = tmp_path / "a-file"  # a file where a folder of the store's path should be
    blocker.write_text("not a folder\n")
    track = {
        "folder": str(blocker / "mlruns"),
        "file_uri": (blocker / "mlruns").as_uri(),
        "sqlite": f"sqlite:///{blocker / 'mlflow.db'}",
        "store_is_a_file": str(blocker),
    }[form]
    config = experiment(tmp_path)
    result = mlcc("train", config, "--runs-dir", tmp_path / "runs", "--track", track)
    assert result.exit_code == 2, result.output
    assert f"--track {track}: {blocker} is a file" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()  # refused before training: nothing written
    assert blocker.read_text() == "not a folder\n"
