"""`extends:`: a config merged over other files, through the real CLI (train, validate, sweep)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cli_helpers import mlcc
from mlcc_cli.config.composition import MAX_EXTENDS_DEPTH

ROOT = Path(__file__).resolve().parent.parent

BASE = """\
name: base
seed: 3
data:
  source: builtin:breast_cancer
  split: {train: 0.8, validation: 0.2}
features:
  - {type: zscore}
  - {type: clip, columns: [mean_area], max: 3}
model:
  type: logistic
  l2: 0.001
optimizer:
  type: sgd
  learning_rate: 0.1
  momentum: 0.5
training:
  batch_size: 32
  epochs: 2
  periods: 2
"""

CHILD = """\
extends: base.yaml
name: child
features:
  - {type: minmax}
optimizer:
  learning_rate: 0.05
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def line_of(path: Path, text: str) -> int:
    """The 1-based line of `path` holding `text`."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def trained_config(config: Path, runs: Path, *extra: str) -> dict:
    """Train `config` (no plots) and return the run's saved config.yaml."""
    result = mlcc("train", config, "--runs-dir", runs, "--no-plots", "--json", *extra)
    assert result.exit_code == 0, result.output
    run_dir = Path(json.loads(result.stdout)["run_dir"])
    return yaml.safe_load((run_dir / "config.yaml").read_text())


def test_child_merges_over_base_in_the_saved_run_config(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    saved = trained_config(write(tmp_path, "child.yaml", CHILD), tmp_path / "runs")
    assert "extends" not in saved
    assert saved["name"] == "child"
    assert saved["optimizer"]["learning_rate"] == 0.05  # the child's value
    assert saved["optimizer"]["momentum"] == 0.5  # merged: kept from the base's section
    assert saved["model"]["l2"] == 0.001 and saved["training"]["epochs"] == 2
    assert [step["type"] for step in saved["features"]] == ["minmax"]  # lists replace
    # The run is re-runnable from its own config.yaml.
    assert (
        mlcc("validate", next((tmp_path / "runs").glob("child-*")) / "config.yaml").exit_code == 0
    )


def test_set_overrides_an_inherited_value(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", CHILD)
    saved = trained_config(child, tmp_path / "runs", "--set", "optimizer.momentum=0.9")
    assert saved["optimizer"]["momentum"] == 0.9
    assert saved["optimizer"]["learning_rate"] == 0.05


def test_three_file_chain_and_validate_json_names_the_files(tmp_path: Path) -> None:
    write(tmp_path / "shared", "base.yaml", BASE)
    write(
        tmp_path / "shared",
        "adam.yaml",
        "extends: base.yaml\noptimizer: {type: adam, learning_rate: 0.02}\n",
    )
    top = write(tmp_path / "runs_of_mine", "top.yaml", "extends: ../shared/adam.yaml\nseed: 9\n")
    result = mlcc("validate", top, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["files"] == [
        str(tmp_path / "shared" / "base.yaml"),
        str(tmp_path / "shared" / "adam.yaml"),
        str(top),
    ]
    saved = trained_config(top, tmp_path / "runs")
    assert saved["seed"] == 9 and saved["model"]["l2"] == 0.001
    # Another type replaces the whole section: sgd's momentum does not leak into adam.
    assert saved["optimizer"]["type"] == "adam" and "momentum" not in saved["optimizer"]
    assert saved["optimizer"]["beta1"] == 0.9  # adam's default


def test_validate_says_which_files_were_merged(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", CHILD)
    result = mlcc("validate", child)
    assert result.exit_code == 0, result.output
    assert f"merged in order: {tmp_path / 'base.yaml'} → {child}" in result.stdout


def test_a_list_of_bases_merges_in_order(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path, "slow.yaml", "optimizer: {learning_rate: 0.01}\ntraining: {epochs: 1}\n")
    write(tmp_path, "fast.yaml", "optimizer: {learning_rate: 0.5}\n")
    top = write(tmp_path, "top.yaml", "extends: [base.yaml, slow.yaml, fast.yaml]\n")
    saved = trained_config(top, tmp_path / "runs")
    assert saved["optimizer"]["learning_rate"] == 0.5  # the last file wins
    assert saved["training"]["epochs"] == 1 and saved["optimizer"]["momentum"] == 0.5


def test_a_cycle_is_refused_naming_the_chain(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    result = mlcc("validate", a)
    assert result.exit_code == 2
    assert f"{tmp_path / 'b.yaml'}:2: extends:" in result.stderr
    assert f"{a} → {tmp_path / 'b.yaml'} → {a}" in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_base_names_the_child_line_and_the_path_looked_for(tmp_path: Path) -> None:
    child = write(tmp_path, "child.yaml", "name: x\nextends: ../nowhere/base.yaml\n")
    result = mlcc("train", child, "--runs-dir", tmp_path / "runs")
    assert result.exit_code == 2
    assert f"{child}:2: extends:" in result.stderr
    assert str(tmp_path.parent / "nowhere" / "base.yaml") in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("value", ["3", "''", "[base.yaml, {a: 1}]", "null"])
def test_extends_must_name_files(tmp_path: Path, value: str) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", f"seed: 1\nextends: {value}\n")
    result = mlcc("validate", child)
    assert result.exit_code == 2
    assert f"{child}:2: extends: must be the path of another config file" in result.stderr


def test_a_chain_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "c0.yaml", BASE)
    for n in range(1, MAX_EXTENDS_DEPTH + 1):
        write(tmp_path, f"c{n}.yaml", f"extends: c{n - 1}.yaml\n")
    assert mlcc("validate", tmp_path / f"c{MAX_EXTENDS_DEPTH - 1}.yaml").exit_code == 0
    result = mlcc("validate", tmp_path / f"c{MAX_EXTENDS_DEPTH}.yaml")
    assert result.exit_code == 2
    assert f"a chain of more than {MAX_EXTENDS_DEPTH} files" in result.stderr


def test_errors_point_at_the_file_and_line_each_value_came_from(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", BASE.replace("l2: 0.001", "l2: -1"))
    child = write(tmp_path, "child.yaml", CHILD.replace("0.05", "-0.05") + "  nesterv: true\n")
    result = mlcc("validate", child)
    assert result.exit_code == 2
    assert f"{base}:{line_of(base, 'l2:')}: model.l2: must be >= 0" in result.stderr
    rate_line = line_of(child, "learning_rate")
    assert f"{child}:{rate_line}: optimizer.learning_rate: must be > 0" in result.stderr
    assert f"{child}:{line_of(child, 'nesterv')}: optimizer.nesterv: unknown key" in result.stderr


def test_each_file_passes_the_yaml_guards(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", BASE + "seed: 4\n")
    child = write(tmp_path, "child.yaml", CHILD)
    result = mlcc("validate", child)
    assert result.exit_code == 2
    assert f"{base}:{len(BASE.splitlines()) + 1}: seed: key 'seed' is given twice" in result.stderr


def test_home_and_absolute_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write(tmp_path / "home", "base.yaml", BASE)
    by_home = write(tmp_path / "a", "child.yaml", "extends: ~/base.yaml\nseed: 5\n")
    by_path = write(tmp_path / "b", "child.yaml", f"extends: {tmp_path / 'home' / 'base.yaml'}\n")
    for child in (by_home, by_path):
        result = mlcc("validate", child, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["files"][0] == str(tmp_path / "home" / "base.yaml")


def test_a_relative_data_source_is_read_next_to_the_base_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    frame = pd.DataFrame({"x": x, "y": 3 * x + rng.normal(scale=0.1, size=200)})
    write(tmp_path / "project", "rows.csv", frame.to_csv(index=False))
    write(
        tmp_path / "project",
        "base.yaml",
        "data: {source: rows.csv, label: y}\nmodel: {type: linear}\n"
        "optimizer: {type: sgd, learning_rate: 0.1}\ntraining: {epochs: 1}\n",
    )
    child = write(tmp_path / "project" / "variants", "child.yaml", "extends: ../base.yaml\n")
    monkeypatch.chdir(child.parent)  # neither the child's folder nor the cwd holds rows.csv
    result = mlcc("validate", child, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == str(tmp_path / "project" / "rows.csv")


def test_sweep_points_are_the_merged_config(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", CHILD)
    runs = tmp_path / "runs"
    args = ["sweep", child, "--grid", "training.periods=1,2", "--runs-dir", runs]
    result = mlcc(*args, "--no-plots", "--json")
    assert result.exit_code == 0, result.output
    saved = [yaml.safe_load(path.read_text()) for path in runs.glob("*/*/config.yaml")]
    assert sorted(config["training"]["periods"] for config in saved) == [1, 2]
    assert all(config["optimizer"]["momentum"] == 0.5 for config in saved)


def test_the_shipped_example_and_the_readme_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text()
    example = Path("configs/quickstart_adam.yaml")
    assert "extends:" + example.read_text().split("extends:", 1)[1] in readme
    shown = readme.split(f"$ mlcc validate {example}\n", 1)[1].split("```", 1)[0]
    result = mlcc("validate", example)
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()) == " ".join(shown.split())


def test_set_extends_says_extends_belongs_in_the_file(tmp_path: Path) -> None:
    # It used to read "unknown key 'extends'; did you mean 'extends'?".
    config = write(tmp_path, "base.yaml", BASE)
    result = mlcc("validate", config, "--set", "extends=other.yaml", "--json")
    assert result.exit_code == 2
    message = json.loads(result.stdout)["error"]["message"]
    assert message.startswith("--set extends: `extends:` is read from the config file")
    assert "did you mean" not in message
