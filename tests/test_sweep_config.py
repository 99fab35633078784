"""The `sweep:` section: YAML grid, random trials from the seed, --grid overrides, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.loading import load_config
from mlcc_cli.config.overrides import parse_scalar
from mlcc_cli.workflows.sweep.points import plan_points, yaml_scalar

runner = CliRunner()


def experiment(tmp_path: Path, sweep: dict[str, Any] | None, seed: int = 5) -> Path:
    """A tiny, fast regression (diabetes, linear model, one epoch) with a `sweep:` section."""
    config: dict[str, Any] = {
        "name": "tiny",
        "seed": seed,
        "data": {"source": "builtin:diabetes", "split": {"train": 0.8, "validation": 0.2}},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 1, "periods": 2},
    }
    if sweep is not None:
        config["sweep"] = sweep
    path = tmp_path / f"exp-{seed}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def points_of(path: Path, grid: list[str] | None = None, seeds: list[int] | None = None) -> list:
    return plan_points(load_config(path).config, grid or [], seeds)


RANDOM = {
    "trials": 4,
    "params": {
        "optimizer.learning_rate": {"type": "log_uniform", "low": 1e-4, "high": 1e-1},
        "model.l2": {"type": "uniform", "low": 0.0, "high": 0.5},
        "training.batch_size": {"type": "choice", "values": [16, 32, 64]},
    },
}


def test_yaml_grid_expands_to_the_product_in_order(tmp_path: Path) -> None:
    path = experiment(
        tmp_path, {"grid": {"optimizer.learning_rate": [0.01, 0.1], "model.l2": [0, 0.001, 0.1]}}
    )
    points = points_of(path)
    assert len(points) == 6
    assert points[0].params == {"optimizer.learning_rate": "0.01", "model.l2": "0"}
    assert points[1].params == {"optimizer.learning_rate": "0.01", "model.l2": "0.001"}
    assert points[-1].params == {"optimizer.learning_rate": "0.1", "model.l2": "0.1"}
    assert len(points_of(path, seeds=[5, 6])) == 12


def test_cli_grid_overrides_the_yaml_key_and_adds_keys(tmp_path: Path) -> None:
    path = experiment(
        tmp_path, {"grid": {"optimizer.learning_rate": [0.01, 0.1], "model.l2": [0, 1]}}
    )
    points = points_of(path, ["optimizer.learning_rate=0.5", "training.batch_size=8,16"])
    assert len(points) == 1 * 2 * 2
    assert list(points[0].params) == ["optimizer.learning_rate", "model.l2", "training.batch_size"]
    assert {p.params["optimizer.learning_rate"] for p in points} == {"0.5"}


def test_random_trials_are_reproducible_from_the_seed(tmp_path: Path) -> None:
    first = points_of(experiment(tmp_path, {"random": RANDOM}, seed=5))
    again = points_of(experiment(tmp_path, {"random": RANDOM}, seed=5))
    other = points_of(experiment(tmp_path, {"random": RANDOM}, seed=6))
    assert [p.params for p in first] == [p.params for p in again]
    assert [p.params for p in first] != [p.params for p in other]
    assert len(first) == 4 and len({p.name for p in first}) == 4


def test_random_values_are_within_bounds_and_passed_exactly(tmp_path: Path) -> None:
    sweep = {"random": {**RANDOM, "trials": 50}}
    points = points_of(experiment(tmp_path, sweep))
    rates = [parse_scalar(p.params["optimizer.learning_rate"]) for p in points]
    assert all(isinstance(r, float) and 1e-4 <= r < 1e-1 for r in rates)
    # Spread over the decades, as a log-uniform draw should be.
    assert min(rates) < 1e-3 and max(rates) > 1e-2
    assert all(0.0 <= parse_scalar(p.params["model.l2"]) < 0.5 for p in points)
    assert {parse_scalar(p.params["training.batch_size"]) for p in points} <= {16, 32, 64}
    # Folder names are rounded, the overrides exact.
    point = points[0]
    exact = point.params["optimizer.learning_rate"]
    assert f"optimizer.learning_rate-{parse_scalar(exact):.4g}" in point.name
    assert f"optimizer.learning_rate={exact}" in point.overrides


@pytest.mark.parametrize("value", [1e-5, 0.1, 1.2345678901234567, 3, True, "adam", "1"])
def test_values_round_trip_through_set_parsing(value: object) -> None:
    parsed = parse_scalar(yaml_scalar(value))
    assert parsed == value and type(parsed) is type(value)


def test_grid_times_random_times_seeds(tmp_path: Path) -> None:
    sweep = {"grid": {"training.periods": [1, 2]}, "random": {**RANDOM, "trials": 3}}
    assert len(points_of(experiment(tmp_path, sweep), seeds=[5, 6])) == 2 * 3 * 2


def test_a_yaml_sweep_runs_without_grid_option(tmp_path: Path) -> None:
    sweep = {"grid": {"optimizer.learning_rate": [0.01, 0.05]}}
    result = runner.invoke(
        app,
        ["sweep", str(experiment(tmp_path, sweep)), "--runs-dir", str(tmp_path / "runs"), "--json"],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert "optimizer.learning_rate" in json.dumps(rows)
    assert len(list((tmp_path / "runs" / "tiny-sweep").glob("optimizer.learning_rate-*"))) == 2


@pytest.mark.parametrize(
    ("sweep", "phrase"),
    [
        (
            {
                "random": {
                    "trials": 2,
                    "params": {"model.l2": {"type": "uniform", "low": 1, "high": 1}},
                }
            },
            "sweep.random.params.model.l2",
        ),
        (
            {
                "random": {
                    "trials": 2,
                    "params": {"model.l2": {"type": "log_uniform", "low": 0, "high": 1}},
                }
            },
            "sweep.random.params.model.l2",
        ),
        (
            {
                "random": {
                    "trials": 2,
                    "params": {"model.l2": {"type": "normal", "low": 0, "high": 1}},
                }
            },
            "sweep.random.params.model.l2",
        ),
        (
            {"random": {"trials": 2, "params": {"model.l2": {"type": "choice", "values": []}}}},
            "sweep.random.params.model.l2",
        ),
        (
            {"random": {"trials": 0, "params": {"model.l2": {"type": "choice", "values": [1]}}}},
            "sweep.random.trials",
        ),
        ({"grid": {"model.l2": []}}, "sweep.grid.model.l2"),
        ({"grid": {"model.l2": [0, 0]}}, "sweep.grid.model.l2"),
        ({"grid": {"seed": [1, 2]}}, "sweep.grid.seed"),
        ({"grid": {"model.bogus": [1, 2]}}, "model.bogus"),
        (
            {
                "random": {
                    "trials": 2,
                    "params": {"model.bogus": {"type": "uniform", "low": 0, "high": 1}},
                }
            },
            "model.bogus",
        ),
        (
            {
                "grid": {"model.l2": [0, 1]},
                "random": {
                    "trials": 1,
                    "params": {"model.l2": {"type": "uniform", "low": 0, "high": 1}},
                },
            },
            "sweep.random.params.model.l2",
        ),
        ({}, "sweep"),
    ],
)
def test_bad_sweep_sections_exit_2_naming_the_key(
    tmp_path: Path, sweep: dict[str, Any], phrase: str
) -> None:
    result = runner.invoke(
        app, ["sweep", str(experiment(tmp_path, sweep)), "--runs-dir", str(tmp_path / "runs")]
    )
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "runs").exists()  # nothing trained


def test_training_ignores_the_sweep_section(tmp_path: Path) -> None:
    path = experiment(tmp_path, {"random": RANDOM})
    result = runner.invoke(app, ["train", str(path), "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert any((tmp_path / "runs").iterdir())
