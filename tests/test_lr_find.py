"""`mlcc lr-find`: the learning-rate range test, its stop rule, suggestion and files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli_helpers import experiment
from mlcc_cli.cli import app
from mlcc_cli.workflows.lr_find import DIVERGENCE_FACTOR, learning_rate_grid, steepest_descent

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def mlcc(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_grid_is_geometric_from_min_to_max() -> None:
    grid = learning_rate_grid(1e-4, 1.0, 5)
    np.testing.assert_allclose(grid, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_steepest_descent_finds_the_fastest_fall() -> None:
    rates = np.geomspace(1e-4, 1.0, 5)
    # Falls slowly, then fastest between 1e-2 and 1e-1 (centred differences: 1e-2 steepest).
    assert steepest_descent(rates, np.array([1.0, 0.95, 0.8, 0.2, 0.15])) == pytest.approx(1e-2)
    assert steepest_descent(rates, np.array([1.0, 1.0, 1.1, 1.2, 1.3])) is None  # never falls
    assert steepest_descent(rates[:2], np.array([1.0, 0.5])) is None  # too few points


def test_quickstart_suggestion_trains_without_divergence(tmp_path: Path) -> None:
    config = ROOT / "configs" / "quickstart.yaml"
    result = mlcc("lr-find", config, "--runs-dir", tmp_path / "runs", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    suggestion = payload["suggestion"]
    assert 1e-6 < suggestion < 10
    assert len(payload["points"]) <= 100
    (folder,) = (tmp_path / "runs").iterdir()  # one folder, no staging left behind
    assert Path(payload["run_dir"]) == folder
    assert (folder / "plots" / "lr_find.png").stat().st_size > 0
    assert json.loads((folder / "lr_find.json").read_text())["suggestion"] == suggestion

    trained = mlcc(
        "train", config, "--set", f"optimizer.learning_rate={suggestion}",
        "--runs-dir", tmp_path / "train", "--json",
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    run_dir = Path(json.loads(trained.stdout)["run_dir"])
    assert json.loads((run_dir / "status.json").read_text())["status"] == "complete"


def test_the_curve_stops_at_divergence(tmp_path: Path) -> None:
    # An unscaled regression label and a network: the loss blows up long before η = 10.
    config = ROOT / "configs" / "exploding_gradients.yaml"
    result = mlcc("lr-find", config, "--runs-dir", tmp_path, "--max-lr", "10", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    points = payload["points"]
    assert len(points) < 100
    assert "exceeded" in payload["stop_reason"] or "not finite" in payload["stop_reason"]
    smoothed = [p["smoothed_loss"] for p in points]
    last, earlier = smoothed[-1], min(smoothed[:-1])
    assert last is None or last > DIVERGENCE_FACTOR * earlier
    assert all(s <= DIVERGENCE_FACTOR * earlier for s in smoothed[:-1])  # stopped at the first
    assert payload["suggestion"] < points[-1]["learning_rate"]


def test_human_output_names_the_suggestion(tmp_path: Path) -> None:
    config = ROOT / "configs" / "quickstart.yaml"
    result = mlcc("lr-find", config, "--runs-dir", tmp_path, "--steps", "30")
    assert result.exit_code == 0, result.output
    assert "suggested learning rate" in result.stdout
    assert "--set optimizer.learning_rate=" in result.stdout
    assert "steps a decade" not in result.stderr  # 30 steps over 7 decades: fine enough


def test_a_grid_too_coarse_to_trust_is_warned_about(tmp_path: Path) -> None:
    config = ROOT / "configs" / "quickstart.yaml"
    absurd = ["--min-lr", "1e-300", "--max-lr", "1e300"]
    result = mlcc("lr-find", config, "--runs-dir", tmp_path, *absurd, "--json")
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert "is 0.17 steps a decade" in warning and "--steps 6,001" in warning
    human = mlcc("lr-find", config, "--runs-dir", tmp_path, *absurd, "--steps", "50")
    assert "warning: --steps 50 over the 600 decades" in " ".join(human.stderr.split())
    fine = mlcc("lr-find", config, "--runs-dir", tmp_path, *absurd, "--steps", "1201", "--json")
    assert json.loads(fine.stdout)["warnings"] == []  # 2 a decade


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--min-lr", "1", "--max-lr", "1"], "--max-lr"),
        (["--min-lr", "0.1", "--max-lr", "0.01"], "--max-lr"),
        (["--min-lr", "0"], "--min-lr"),
        (["--steps", "2"], "--steps"),
    ],
)
def test_bad_range_exits_2(tmp_path: Path, args: list[str], phrase: str) -> None:
    config = ROOT / "configs" / "quickstart.yaml"
    result = mlcc("lr-find", config, "--runs-dir", tmp_path, *args)
    assert result.exit_code == 2
    assert phrase in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_lr_find_skips_the_doctors_measurements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_for_lr_find(*args: object, **kwargs: object) -> None:
        raise AssertionError("lr-find measured the split or the inputs for the doctor")

    monkeypatch.setattr("mlcc_cli.training.preparation.check_splits", not_for_lr_find)
    monkeypatch.setattr("mlcc_cli.training.preparation.input_statistics", not_for_lr_find)
    config = ROOT / "configs" / "quickstart.yaml"
    result = mlcc("lr-find", config, "--runs-dir", tmp_path / "runs", "--steps", "20", "--json")
    assert result.exit_code == 0, result.output


def test_a_blow_up_at_the_first_steps_shows_no_numpy_warning_or_broken_chart(
    tmp_path: Path,
) -> None:
    """model.l2 1e308 overflows the gradient at once: the range test stops after two points
    (one infinite, which the terminal chart cannot scale to), and training's divergence
    message, which runs the same test for its suggestion, comes without numpy's warnings."""
    config = experiment(tmp_path)
    said = {}
    for command, code in (("lr-find", 0), ("train", 1)):
        args = [command, str(config), "--set", "model.l2=1e308", "--runs-dir", str(tmp_path)]
        done = subprocess.run(
            [sys.executable, "-m", "mlcc_cli", *args], capture_output=True, text=True
        )
        said[command] = " ".join((done.stdout + done.stderr).split())
        assert done.returncode == code, said[command]
        assert "Traceback" not in said[command] and "Warning" not in said[command]
    assert "2 steps; stopped: batch loss not finite at learning rate" in said["lr-find"]
    assert "error: training diverged to NaN" in said["train"]
