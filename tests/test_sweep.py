"""`mlcc sweep`: grid expansion, seeds, parallel = serial, failures kept apart, reuse, errors."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.errors import ConfigError
from mlcc_cli.workflows.sweep.points import expand, parse_grid
from mlcc_cli.workflows.sweep.result import SweepPoint

runner = CliRunner()


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def experiment(tmp_path: Path) -> Path:
    """A tiny, fast regression: diabetes, linear model, one epoch."""
    config = {
        "name": "tiny",
        "seed": 5,
        "data": {"source": "builtin:diabetes", "split": {"train": 0.8, "validation": 0.2}},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 1, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def sweep_json(tmp_path: Path, *args: str | Path) -> tuple[int, dict]:
    result = mlcc("sweep", experiment(tmp_path), *args, "--json")
    return result.exit_code, json.loads(result.stdout)


def test_grid_expands_to_the_product_in_order() -> None:
    grid = parse_grid(["optimizer.learning_rate=0.01,0.1,1", "model.l2=0,0.001"])
    points = expand(grid, None)
    assert len(points) == 6
    assert [p.params for p in points[:2]] == [
        {"optimizer.learning_rate": "0.01", "model.l2": "0"},
        {"optimizer.learning_rate": "0.01", "model.l2": "0.001"},
    ]
    assert points[0].overrides == ["optimizer.learning_rate=0.01", "model.l2=0"]
    assert expand(grid, [1, 2])[1] == SweepPoint(points[0].params, 2)
    assert len({p.name for p in expand(grid, [1, 2])}) == 12  # one folder per run


@pytest.mark.parametrize(
    ("spec", "phrase"),
    [("model.l2=", "empty"), ("model.l2=1,,2", "empty"), ("model.l2=1,1", "repeated"),
     ("nokey", "KEY=V1"), ("seed=1,2", "--seeds")],
)  # fmt: skip
def test_bad_grid_specs_are_config_errors(spec: str, phrase: str) -> None:
    with pytest.raises(ConfigError, match=phrase):
        parse_grid([spec])


def test_sweep_json_has_the_spec_shape_and_files(tmp_path: Path) -> None:
    code, payload = sweep_json(
        tmp_path, "--grid", "optimizer.learning_rate=0.01,0.1", "--runs-dir", tmp_path / "runs"
    )
    assert code == 0
    sweep_dir = Path(payload["sweep_dir"])
    assert sweep_dir == tmp_path / "runs" / "tiny-sweep"
    assert [run["params"] for run in payload["runs"]] == [
        {"optimizer.learning_rate": 0.01},
        {"optimizer.learning_rate": 0.1},
    ]
    for run in payload["runs"]:
        assert {"run_dir", "status", "params", "metrics"} <= set(run)
        assert run["status"] == "complete"
        assert (Path(run["run_dir"]) / "metrics.json").is_file()
        assert Path(run["run_dir"]).parent == sweep_dir
        assert "rmse" in run["metrics"]["validation"]
    assert json.loads((sweep_dir / "sweep.json").read_text()) == payload
    rows = list(csv.DictReader((sweep_dir / "sweep.csv").open()))
    assert [row["optimizer.learning_rate"] for row in rows] == ["0.01", "0.1"]
    assert float(rows[0]["validation_rmse"]) == payload["runs"][0]["metrics"]["validation"]["rmse"]


def test_no_plots_sweeps_write_no_pictures_and_the_same_metrics(tmp_path: Path) -> None:
    grid = ("--grid", "optimizer.learning_rate=0.01,0.1")
    _, drawn = sweep_json(tmp_path, *grid, "--runs-dir", tmp_path / "drawn")
    code, bare = sweep_json(tmp_path, *grid, "--runs-dir", tmp_path / "bare", "--no-plots")
    assert code == 0
    for with_plots, without in zip(drawn["runs"], bare["runs"], strict=True):
        assert (Path(with_plots["run_dir"]) / "plots" / "loss.png").is_file()
        assert not (Path(without["run_dir"]) / "plots").exists()
        assert without["metrics"] == with_plots["metrics"]


def test_seeds_repeat_each_point_and_report_mean_and_std(tmp_path: Path) -> None:
    code, payload = sweep_json(
        tmp_path, "--grid", "model.l2=0", "--seeds", "3", "--runs-dir", tmp_path / "runs"
    )
    assert code == 0
    assert [run["seed"] for run in payload["runs"]] == [5, 6, 7]
    values = [run["metrics"]["validation"]["rmse"] for run in payload["runs"]]
    assert len(set(values)) == 3  # each seed a different split and shuffle
    (summary,) = payload["summary"]
    assert summary["mean"] == pytest.approx(statistics.fmean(values))
    assert summary["std"] == pytest.approx(statistics.stdev(values))


def test_parallel_and_serial_sweeps_give_identical_metrics(tmp_path: Path) -> None:
    pytest.importorskip("joblib")
    grid = ("--grid", "optimizer.learning_rate=0.01,0.1", "--grid", "model.l2=0,0.01")
    _, serial = sweep_json(tmp_path, *grid, "--runs-dir", tmp_path / "serial")
    _, parallel = sweep_json(tmp_path, *grid, "--runs-dir", tmp_path / "parallel", "--jobs", "2")
    assert [r["metrics"] for r in serial["runs"]] == [r["metrics"] for r in parallel["runs"]]
    assert [r["params"] for r in serial["runs"]] == [r["params"] for r in parallel["runs"]]


def test_a_diverging_point_is_marked_and_the_others_finish(tmp_path: Path) -> None:
    result = mlcc(
        "sweep", experiment(tmp_path), "--grid", "optimizer.learning_rate=0.05,1e30,0.01",
        "--runs-dir", tmp_path / "runs",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "diverged" in result.stdout and "learning_rate" in result.stdout
    payload = json.loads((tmp_path / "runs" / "tiny-sweep" / "sweep.json").read_text())
    assert [run["status"] for run in payload["runs"]] == ["complete", "diverged", "complete"]
    assert "diverged" in payload["runs"][1]["message"]


def test_skip_existing_reruns_nothing(tmp_path: Path) -> None:
    args = ("--grid", "model.l2=0,0.01", "--runs-dir", tmp_path / "runs")
    _, first = sweep_json(tmp_path, *args)
    sweep_dir = Path(first["sweep_dir"])
    before = {p: p.stat().st_mtime_ns for p in sweep_dir.glob("*/status.json")}
    code, second = sweep_json(tmp_path, *args, "--skip-existing")
    assert code == 0
    assert all(run["reused"] for run in second["runs"])
    assert {p: p.stat().st_mtime_ns for p in sweep_dir.glob("*/status.json")} == before
    assert sorted(p.name for p in sweep_dir.iterdir() if p.is_dir()) == sorted(
        Path(run["run_dir"]).name for run in first["runs"]
    )
    assert [r["metrics"] for r in second["runs"]] == [r["metrics"] for r in first["runs"]]


def test_skip_existing_reruns_a_point_whose_config_changed(tmp_path: Path) -> None:
    config = experiment(tmp_path)
    args = ("--grid", "model.l2=0", "--runs-dir", tmp_path / "runs", "--json")
    first = json.loads(mlcc("sweep", config, *args).stdout)
    config.write_text(config.read_text().replace("epochs: 1", "epochs: 2"))
    second = json.loads(mlcc("sweep", config, *args, "--skip-existing").stdout)
    assert second["runs"][0]["reused"] is False  # same folder name, different resolved config
    assert second["runs"][0]["run_dir"] == first["runs"][0]["run_dir"]
    assert second["runs"][0]["metrics"] != first["runs"][0]["metrics"]


@pytest.mark.parametrize(
    ("grid", "phrase"),
    [
        ("model.bogus=1,2", "model.bogus"),
        ("model.l2=", "model.l2"),
        ("training.epochs=1,abc", "training.epochs"),
    ],
)
def test_bad_grids_exit_2_naming_the_key_before_running(
    tmp_path: Path, grid: str, phrase: str
) -> None:
    result = mlcc("sweep", experiment(tmp_path), "--grid", grid, "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2
    assert phrase in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()  # validated before anything ran


def test_unknown_metric_is_a_config_error(tmp_path: Path) -> None:
    result = mlcc(
        "sweep", experiment(tmp_path), "--grid", "model.l2=0", "--metric", "auc",
        "--runs-dir", tmp_path / "runs",
    )  # fmt: skip
    assert result.exit_code == 2 and "--metric 'auc': a regression run records no" in result.stderr
    assert not (tmp_path / "runs").exists()  # known from the config: refused before training


def test_misspelt_metric_is_refused_before_any_point_trains(tmp_path: Path) -> None:
    result = mlcc(
        "sweep", experiment(tmp_path), "--grid", "model.l2=0,0.5", "--metric", "rsme",
        "--runs-dir", tmp_path / "runs", "--json",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--metric 'rsme'" in result.stderr and "Did you mean 'rmse'?" in result.stderr
    assert json.loads(result.stdout)["error"]["exit_code"] == 2
    assert not (tmp_path / "runs").exists()  # no point trained, no folder made


@pytest.mark.parametrize("seeds", ["0", "10001", str(10**29)])
def test_seeds_out_of_range_are_refused_at_once(tmp_path: Path, seeds: str) -> None:
    # 10**29 built a seed list of that length before the 10,000-point limit was checked:
    # the command never returned.
    result = mlcc(
        "sweep", experiment(tmp_path), "--grid", "model.l2=0", "--seeds", seeds,
        "--runs-dir", tmp_path / "runs",
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"--seeds {seeds}: use 1 to 10,000 seeds per point" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_metric_direction_and_ranking(tmp_path: Path) -> None:
    code, payload = sweep_json(
        tmp_path, "--grid", "model.l2=0,0.5", "--metric", "r2", "--runs-dir", tmp_path / "runs"
    )
    assert code == 0
    assert payload["metric"] == "r2" and payload["higher_is_better"] is True


def test_sweep_shows_the_doctors_warnings_per_point(tmp_path: Path) -> None:
    # The Goldilocks sweep: at 1e-4 the loss is still creeping down when training ends.
    config = experiment(tmp_path)
    settings = yaml.safe_load(config.read_text())
    settings["training"] = {"batch_size": 32, "epochs": 3, "periods": 6}
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    args = [config, "--grid", "optimizer.learning_rate=0.0001,0.05", "--runs-dir", tmp_path]
    result = mlcc("sweep", *args, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    for run in payload["runs"]:
        stored = json.loads((Path(run["run_dir"]) / "doctor.json").read_text())
        warnings = [f["kind"] for f in stored["findings"] if f["severity"] == "warning"]
        assert run["doctor"] == warnings
    by_rate = {run["params"]["optimizer.learning_rate"]: run["doctor"] for run in payload["runs"]}
    assert "learning_rate_too_low" in by_rate[0.0001]
    assert "learning_rate_too_low" not in by_rate[0.05]
    with open(Path(payload["sweep_dir"]) / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["doctor"] for row in rows] == [" ".join(run["doctor"]) for run in payload["runs"]]
    human = mlcc("sweep", *args)
    assert "doctor" in human.stdout and "learning rate too low" in " ".join(human.stdout.split())
    # Reused runs (--skip-existing) read their warnings back from doctor.json.
    again = json.loads(mlcc("sweep", *args, "--skip-existing", "--json").stdout)["runs"]
    assert all(run["reused"] for run in again)
    assert [run["doctor"] for run in again] == [run["doctor"] for run in payload["runs"]]


def test_a_sweep_never_moves_into_a_run_or_a_folder_of_other_files(tmp_path: Path) -> None:
    config = experiment(tmp_path)
    runs = tmp_path / "runs"
    trained = mlcc("train", config, "--runs-dir", runs, "--quiet", "--no-plots")
    run_dir = Path(trained.stdout.strip())
    notes = runs / "notes"
    notes.mkdir()
    (notes / "sweep.csv").write_text("my own table\n")
    for name, what in ((run_dir.name, "is a run directory"), ("notes", "holds no sweep")):
        result = mlcc("sweep", config, "--grid", "model.l2=0,0.01", "--runs-dir", runs,
                      "--name", name)  # fmt: skip
        assert result.exit_code == 2 and what in result.stderr, result.output
    assert (notes / "sweep.csv").read_text() == "my own table\n"
    assert not (run_dir / "sweep.json").exists() and not (run_dir / "sweep.csv").exists()
    again = ["sweep", config, "--grid", "model.l2=0,0.01", "--runs-dir", runs, "--name", "s"]
    assert mlcc(*again).exit_code == 0
    first = (runs / "s" / "sweep.json").read_bytes()
    refused = mlcc(*again)  # an earlier sweep of that name: its runs are never replaced
    assert refused.exit_code == 2 and "--skip-existing" in refused.stderr
    assert (runs / "s" / "sweep.json").read_bytes() == first
    assert mlcc(*again, "--skip-existing").exit_code == 0  # reused: its own folder


def test_a_second_sweep_of_a_config_gets_its_own_folder(tmp_path: Path) -> None:
    config, runs = experiment(tmp_path), tmp_path / "runs"
    for grid, folder in (("model.l2=0,0.01", "tiny-sweep"), ("model.l2=0.1", "tiny-sweep-2")):
        result = mlcc("sweep", config, "--grid", grid, "--runs-dir", runs, "--json")
        assert json.loads(result.stdout)["sweep_dir"] == str(runs / folder)
    assert len(json.loads((runs / "tiny-sweep" / "sweep.json").read_text())["runs"]) == 2


def test_list_values_are_swept_from_the_command_line_and_the_yaml(tmp_path: Path) -> None:
    """`hidden_units` lists hold commas of their own: `[4, 8],[16]` is two values."""
    config = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "configs" / "xor_mlp.yaml").read_text()
    )
    config["training"]["epochs"] = 1
    config["sweep"] = {"grid": {"model.hidden_units": [[4, 8], [16]]}}
    path = tmp_path / "xor.yaml"
    path.write_text(yaml.safe_dump(config))
    for args in ([], ["--grid", "model.hidden_units=[4,8],[16]"]):
        result = mlcc("sweep", path, *args, "--runs-dir", tmp_path / "runs", "--no-plots", "--json")
        assert result.exit_code == 0, result.output
        swept = [run["params"]["model.hidden_units"] for run in json.loads(result.stdout)["runs"]]
        assert swept == [[4, 8], [16]]
    assert parse_grid(["model.hidden_units=[4, 8],[16]"]) == [
        ("model.hidden_units", ["[4, 8]", "[16]"])
    ]
    with pytest.raises(ConfigError, match="balanced"):
        parse_grid(["model.hidden_units=[4, 8"])


def test_prediction_bias_ranks_by_distance_to_zero(tmp_path: Path) -> None:
    # A bias of −0.13 is worse than one of −0.02: ranked (and averaged over seeds) as |bias|,
    # not as a loss whose most negative value would win.
    args = ["--grid", "optimizer.learning_rate=0.0003,1", "--grid", "training.epochs=1"]
    args += ["--seeds", "2", "--metric", "prediction_bias", "--no-plots"]
    runs = tmp_path / "runs"
    config = Path(__file__).resolve().parent.parent / "configs" / "quickstart.yaml"
    payload = json.loads(mlcc("sweep", config, *args, "--runs-dir", runs, "--json").stdout)
    by_rate: dict[float, list[float]] = {}
    for run in payload["runs"]:
        bias = run["metrics"]["validation"]["prediction_bias"]
        by_rate.setdefault(run["params"]["optimizer.learning_rate"], []).append(abs(bias))
    means = {p["params"]["optimizer.learning_rate"]: p["mean"] for p in payload["summary"]}
    assert means == pytest.approx({rate: statistics.fmean(v) for rate, v in by_rate.items()})
    assert means[1] < means[0.0003]
    printed = mlcc("sweep", config, *args, "--runs-dir", tmp_path / "again").stdout
    assert "validation |prediction_bias| (lower is better)" in printed
    rows = [line for line in printed.splitlines() if line.startswith("│ ")]
    assert rows[0].startswith("│ 1 ") and rows[1].startswith("│ 0.0003 ")


def test_a_full_disk_while_writing_the_table_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message says the half-written files were removed: .sweep.json.partial too."""
    import errno

    real_write_text = Path.write_text

    def disk_full(self: Path, *args: object, **kwargs: object) -> int:
        if self.name.startswith(".sweep.json"):
            real_write_text(self, "half a table")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", disk_full)
    runs = tmp_path / "runs"
    result = mlcc("sweep", experiment(tmp_path), "--grid", "model.l2=0,0.1", "--runs-dir", runs)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "the disk is full" in result.stderr
    sweep_dir = runs / "tiny-sweep"
    assert sorted(p.name for p in sweep_dir.iterdir()) == ["model.l2-0", "model.l2-0.1"]


def test_a_regression_sweep_interrupted_before_any_training_ranks_by_rmse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the first point loads its data: no row knows its task yet, and the table
    was headed validation_log_loss for a linear model (report: 'no run has a log_loss')."""

    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mlcc_cli.workflows.sweep.run.run_point", ctrl_c)
    runs = tmp_path / "runs"
    code, payload = sweep_json(tmp_path, "--grid", "model.l2=0,0.1", "--runs-dir", runs)
    assert code == 130
    assert payload["metric"] == "rmse"
    assert [row["status"] for row in payload["runs"]] == ["interrupted", "interrupted"]
    header = (runs / "tiny-sweep" / "sweep.csv").read_text().splitlines()[0]
    assert "validation_rmse" in header and "log_loss" not in header
