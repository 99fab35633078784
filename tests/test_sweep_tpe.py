"""`mlcc sweep --search tpe [--prune median]`: Optuna trials as ordinary runs, pruning,
serial reproducibility, --jobs and Dask, and the option errors."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from test_sweep import mlcc  # the CLI runner

pytest.importorskip("optuna")
ROOT = Path(__file__).resolve().parent.parent
TRIALS = 10  # configs/diabetes_tpe.yaml's sweep.random.trials


def experiment(tmp_path: Path, validation: float = 0.2, **sweep: object) -> Path:
    """A tiny regression whose learning rate spans 1e-5 (learns nothing in 2 epochs) to 0.05."""
    split = {"train": 1 - validation, "validation": validation}
    config = {
        "name": "tiny",
        "seed": 5,
        "data": {"source": "builtin:diabetes", "split": split},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
        "training": {"batch_size": 32, "epochs": 2, "periods": 4},
        "sweep": sweep
        or {
            "random": {
                "trials": 2,
                "params": {
                    "optimizer.learning_rate": {"type": "log_uniform", "low": 1e-5, "high": 0.05},
                    "model.l2": {"type": "choice", "values": [0, 0.01]},
                },
            }
        },
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def tpe(config: Path, runs: Path, *args: str) -> tuple[int, dict, str]:
    result = mlcc("sweep", config, "--search", "tpe", "--no-plots", "--runs-dir", runs, *args)
    payload = json.loads(result.stdout) if "--json" in args and result.exit_code == 0 else {}
    return result.exit_code, payload, result.output


def readme_example() -> list[str]:
    """The README's TPE command, its arguments after `mlcc sweep`, config paths absolute."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Bayesian search (TPE) with pruning", 1)[1]
    match = re.search(r"```sh\n(mlcc sweep [^`]*?)\n```", section)
    assert match, "the README section has no mlcc sweep example"
    args = match.group(1).replace("\\\n", " ").split()[2:]
    return [str(ROOT / a) if a.startswith("configs/") else a for a in args]


@pytest.fixture(scope="module")
def pruned_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict]:
    """The README example (a serial TPE sweep with median pruning), as --json."""
    runs = tmp_path_factory.mktemp("tpe") / "runs"
    args = [*readme_example(), "--no-plots", "--runs-dir", str(runs)]
    result = mlcc("sweep", *args, "--json")
    assert result.exit_code == 0, result.output  # pruned trials are no failure
    return args, json.loads(result.stdout)


def test_each_trial_is_an_ordinary_run_listed_in_sweep_csv(pruned_sweep: tuple) -> None:
    _, payload = pruned_sweep
    sweep_dir = Path(payload["sweep_dir"])
    runs = payload["runs"]
    assert [run["trial"] for run in runs] == list(range(TRIALS))
    run_dirs = sorted(p for p in sweep_dir.iterdir() if p.is_dir())
    assert [Path(run["run_dir"]) for run in runs] == run_dirs
    assert all(re.fullmatch(r"trial-\d{4}__optimizer\.learning_rate-.*", p.name) for p in run_dirs)
    for run in runs:
        status = json.loads((Path(run["run_dir"]) / "status.json").read_text())
        assert status["status"] == run["status"] in ("complete", "pruned")
        config = yaml.safe_load((Path(run["run_dir"]) / "config.yaml").read_text())
        assert config["optimizer"]["learning_rate"] == run["params"]["optimizer.learning_rate"]
        assert 1e-5 <= run["params"]["optimizer.learning_rate"] < 0.1
    rows = list(csv.DictReader((sweep_dir / "sweep.csv").open()))
    assert [row["trial"] for row in rows] == [str(n) for n in range(TRIALS)]
    assert [row["status"] for row in rows] == [run["status"] for run in runs]
    study = payload["study"]
    assert Path(study["journal"]) == sweep_dir / "optuna.journal"
    optuna = pytest.importorskip("optuna")
    stored = optuna.load_study(
        study_name=study["name"],
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(study["journal"])
        ),
    )
    assert len(stored.trials) == TRIALS
    best = min(
        (r for r in runs if r["status"] == "complete"),
        key=lambda r: r["metrics"]["validation"]["rmse"],
    )
    assert stored.best_value == best["metrics"]["validation"]["rmse"]


def test_median_pruning_stops_slow_trials_and_keeps_them(pruned_sweep: tuple) -> None:
    _, payload = pruned_sweep
    pruned = [run for run in payload["runs"] if run["status"] == "pruned"]
    assert pruned, "no trial was pruned"
    assert all(run["trial"] >= 5 for run in pruned)  # the pruner waits for 5 finished trials
    for run in pruned:
        status = json.loads((Path(run["run_dir"]) / "status.json").read_text())
        assert status["steps_done"] < status["total_steps"]
        assert "--prune median" in status["message"] and "median" in run["message"]
        assert run["metrics"]["validation"]["rmse"] > 0  # scored, as a shorter run
    # Never ranked: the summary has no mean for a pruned point.
    ranked = {json.dumps(s["params"]) for s in payload["summary"] if s["mean"] is not None}
    assert not ranked & {json.dumps(run["params"]) for run in pruned}


def test_pruned_trials_show_in_the_table_compare_and_doctor(pruned_sweep: tuple) -> None:
    _, payload = pruned_sweep
    sweep_dir = Path(payload["sweep_dir"])
    pruned = [run for run in payload["runs"] if run["status"] == "pruned"]
    compared = mlcc("compare", sweep_dir, "--json")
    assert compared.exit_code == 0, compared.output
    statuses = {Path(r["run_dir"]).name: r["status"] for r in json.loads(compared.stdout)["runs"]}
    assert {statuses[Path(run["run_dir"]).name] for run in pruned} == {"pruned"}
    doctor = mlcc("doctor", pruned[0]["run_dir"])
    assert doctor.exit_code == 0 and "pruned by a sweep" in doctor.output


def test_a_serial_sweep_is_reproducible_from_the_seed(pruned_sweep: tuple, tmp_path: Path) -> None:
    args, first = pruned_sweep
    again = mlcc("sweep", *args[:-1], tmp_path / "again")  # the human table this time
    assert again.exit_code == 0, again.output
    second = json.loads((tmp_path / "again" / "diabetes-tpe-sweep" / "sweep.json").read_text())
    for key in ("params", "status", "metrics"):
        assert [r[key] for r in second["runs"]] == [r[key] for r in first["runs"]]
    # Pruned trials are listed but not ranked, and the study is named.
    assert "pruned" in again.stdout and "not ranked" in again.stdout
    assert "optuna.journal" in again.stdout


def test_trials_option_grid_choices_and_parallel_jobs(tmp_path: Path) -> None:
    code, payload, output = tpe(experiment(tmp_path), tmp_path / "runs", "--trials", "3",
                                "--grid", "model.l2=0,0.5", "--jobs", "2", "--json")  # fmt: skip
    assert code == 0, output
    assert sorted(run["trial"] for run in payload["runs"]) == [0, 1, 2]
    assert len({json.dumps(run["params"]) for run in payload["runs"]}) == 3
    assert all(run["status"] == "complete" for run in payload["runs"])
    # A --grid key joins the space as a choice of its values (replacing the random key).
    assert {run["params"]["model.l2"] for run in payload["runs"]} <= {0, 0.5}


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0",  # any free port: two test workers may each start one
    ) as cluster:  # fmt: skip
        yield cluster.scheduler_address


def test_trials_run_as_dask_tasks(tmp_path: Path, scheduler: str) -> None:
    code, payload, output = tpe(experiment(tmp_path), tmp_path / "runs", "--trials", "2",
                                "--prune", "median", "--executor", "dask", "--scheduler",
                                scheduler, "--json")  # fmt: skip
    assert code == 0, output
    assert [run["trial"] for run in payload["runs"]] == [0, 1]
    assert all((Path(run["run_dir"]) / "metrics.json").is_file() for run in payload["runs"])


@pytest.mark.parametrize(
    ("args", "sweep", "phrase"),
    [
        (("--search", "tpe"), {"grid": {"model.l2": [0, 0.1]}}, "sweep.random.params"),
        (("--search", "grid", "--prune", "median"), None, "only with --search tpe"),
        (("--search", "random", "--prune", "median"), None, "only with --search tpe"),
        (("--search", "tpe", "--trials", "0"), None, "--trials 0"),
        (("--search", "tpe", "--trials", "10001"), None, "--trials 10001"),
        (("--search", "grid", "--trials", "3", "--grid", "model.l2=0"), None, "--trials"),
        (("--search", "tpe", "--seeds", "2"), None, "--seeds"),
        (("--search", "bayes"), None, "choose one of grid, random, tpe"),
        (("--search", "tpe", "--prune", "hyperband"), None, "choose one of none, median"),
    ],
)
def test_bad_search_options_exit_2(
    tmp_path: Path, args: tuple[str, ...], sweep: dict | None, phrase: str
) -> None:
    config = experiment(tmp_path, **(sweep or {}))
    result = mlcc("sweep", config, *args, "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()  # nothing trained, nothing written


def test_a_bad_value_in_the_space_is_refused_before_training(tmp_path: Path) -> None:
    config = experiment(
        tmp_path,
        random={
            "trials": 2,
            "params": {"training.batch_size": {"type": "choice", "values": [8, 0]}},
        },
    )
    result = mlcc("sweep", config, "--search", "tpe", "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2, result.output
    assert "sweep.random.params.training.batch_size: the value 0 would make" in result.stderr
    assert mlcc("validate", config).exit_code == 2  # validate reads the space too
    assert not (tmp_path / "runs").exists()


def test_pruning_without_a_validation_split_exits_2(tmp_path: Path) -> None:
    config = experiment(tmp_path, validation=0.0)
    result = mlcc("sweep", config, "--search", "tpe", "--prune", "median")
    assert result.exit_code == 2, result.output
    assert "data.split.validation is 0" in result.stderr


def test_missing_optuna_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)  # import fails
    result = mlcc("sweep", experiment(tmp_path), "--search", "tpe")
    assert result.exit_code == 2
    assert "pip install 'mlcc-cli[tune]'" in result.stderr
