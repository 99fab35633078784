"""Odd but plausible data and configs a new user feeds the CLI: each either trains correctly
or is refused in one paragraph that names the key and the fix, with no run written.

Every case runs the real CLI on a small file written to tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tests.cli_helpers import experiment, mlcc


def _table(n: int = 60) -> pd.DataFrame:
    """x, z and a 0/1 label y that follows x; deterministic."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=n).round(3)
    z = rng.normal(size=n).round(3)
    return pd.DataFrame({"x": x, "z": z, "y": (x + 0.3 * z > 0).astype(int)})


def _train(tmp_path: Path, frame: pd.DataFrame, *sets: str, **data: Any) -> Any:
    """Write `frame` to d.csv and train the small logistic experiment on it with `data` keys
    and `--set`s."""
    frame.to_csv(tmp_path / "d.csv", index=False)
    path = experiment(tmp_path, data={"source": "d.csv", "label": "y", **data}, features=[])
    overrides = [arg for item in sets for arg in ("--set", item)]
    return mlcc("train", path, *overrides, "--runs-dir", tmp_path / "runs", "--json")


def _refused(result: Any, *phrases: str, code: int = 2) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in " ".join(result.stderr.split()), result.stderr


STREAM = {"streaming": True, "chunk_rows": 7, "shuffle_buffer": 40}


def test_streaming_drops_a_chunk_whose_labels_are_all_missing(tmp_path: Path) -> None:
    frame = _table().astype({"y": float})
    frame.loc[7:13, "y"] = np.nan  # the whole second chunk is unlabelled
    result = _train(tmp_path, frame, missing="drop", **STREAM)
    assert result.exit_code == 0, result.output
    status = json.loads((Path(json.loads(result.stdout)["run_dir"]) / "status.json").read_text())
    assert any("dropped 7 of 60 rows" in warning for warning in status["warnings"])


def test_streaming_a_file_with_no_labels_at_all_says_so(tmp_path: Path) -> None:
    frame = _table().astype({"y": float})
    frame["y"] = np.nan
    result = _train(tmp_path, frame, missing="drop", **STREAM)
    _refused(result, "every one of its 60 rows misses its label 'y'", "data.missing=drop")
    assert not (tmp_path / "runs").exists()


def test_a_split_missing_a_fraction_names_the_default_and_the_fix(tmp_path: Path) -> None:
    path = experiment(tmp_path, data={"source": "d.csv", "split": {"train": 0.8, "test": 0.2}})
    result = mlcc("validate", path)
    _refused(result, "got 1.2 (0.8 + 0.2 + 0.2)", "validation 0.2", "data.split.validation: 0")


def test_evaluate_a_multiclass_run_lists_no_empty_plot_folder(tmp_path: Path) -> None:
    frame = _table()
    frame["y"] = np.where(frame["x"] > 0.5, "hi", np.where(frame["x"] < -0.5, "lo", "mid"))
    trained = _train(tmp_path, frame, "model.type=softmax")
    assert trained.exit_code == 0, trained.output
    run_dir = Path(json.loads(trained.stdout)["run_dir"])
    result = mlcc("evaluate", run_dir)
    assert result.exit_code == 0, result.output
    assert "plots" not in result.stdout and not (run_dir / "evaluate").exists()


def test_time_bucket_on_times_with_mixed_utc_offsets_says_which_zone(tmp_path: Path) -> None:
    frame = _table()
    frame["when"] = [f"2024-03-01 {h % 24:02d}:00:00+00:00" for h in range(len(frame))]
    frame.loc[5, "when"] = "2024-03-01 05:00:00+02:00"
    step = "features=[{type: time_bucket, column: when, unit: hour}]"
    result = _train(tmp_path, frame, step, "inputs=[x, when_hour]")
    _refused(result, "column 'when' mixes UTC offsets", "write every value in one zone")
    assert "Traceback" not in result.output and "utc=True" not in result.output


def test_the_word_na_in_a_text_column_is_explained_and_an_impute_step_keeps_it(
    tmp_path: Path,
) -> None:
    frame = _table()
    frame["region"] = np.where(frame["z"] > 0, "NA", "EU")  # NA: North America
    steps = "features=[{type: one_hot, columns: [region]}]"
    result = _train(tmp_path, frame, steps, "inputs=[x, region]")
    _refused(result, "column 'region':", "cells reading NA", "strategy: constant")
    kept = (
        "features=[{type: impute, columns: [region], strategy: constant, fill_value: NA},"
        " {type: one_hot, columns: [region]}]"
    )
    result = _train(tmp_path, frame, kept, "inputs=[x, region]")
    assert result.exit_code == 0, result.output
    model = json.loads((Path(json.loads(result.stdout)["run_dir"]) / "model.json").read_text())
    assert {"region_NA", "region_EU"} <= set(model["feature_names"])


def test_a_header_with_spaces_after_its_commas_is_named(tmp_path: Path) -> None:
    frame = _table()
    lines = ["x, z, y", *(f"{r.x}, {r.z}, {r.y}" for r in frame.itertuples())]
    (tmp_path / "spaced.csv").write_text("\n".join(lines) + "\n")
    result = _train(tmp_path, frame, "data.source=spaced.csv")
    _refused(result, "Did you mean ' y'?", "remove the spaces after the file's commas")


def test_a_sweep_folder_given_as_a_run_names_one_of_its_runs(tmp_path: Path) -> None:
    _table().to_csv(tmp_path / "d.csv", index=False)
    path = experiment(tmp_path, data={"source": "d.csv", "label": "y"}, features=[])
    runs = tmp_path / "runs"
    grid = "optimizer.learning_rate=0.1,1e9"
    swept = mlcc("sweep", path, "--grid", grid, "--runs-dir", runs, "--no-plots")
    assert swept.exit_code == 1, swept.output  # the 1e9 point diverges
    sweep = runs / "t-sweep"
    for command in (("doctor", sweep), ("evaluate", sweep), ("predict", sweep, tmp_path / "d.csv")):
        result = mlcc(*command)
        _refused(result, "it is a sweep folder: pass one of its 2 runs", "learning_rate-0.1.")


def test_an_indicator_named_like_a_file_column_is_refused(tmp_path: Path) -> None:
    frame = _table()
    frame["city"] = np.where(frame["z"] > 0, "paris", "rome")
    frame["city_paris"] = frame["z"] * 2  # also the name of city's 'paris' indicator
    steps = "features=[{type: one_hot, columns: [city]}]"
    result = _train(tmp_path, frame, steps, "inputs=[x, city, city_paris]")
    _refused(result, "two model features would be named 'city_paris'", "'city' and 'city_paris'")
    assert not (tmp_path / "runs").exists()


def test_config_conflicts_say_how_to_resolve_them(tmp_path: Path) -> None:
    path = experiment(tmp_path)
    result = mlcc("validate", path, "--set", "training.steps=5")
    _refused(result, "not both (epochs 2, steps 5)", "--set training.epochs=null")
    stop = "training.early_stopping={patience: 1}"
    no_validation = "data.split={train: 1.0, validation: 0}"
    result = mlcc("validate", path, "--set", stop, "--set", no_validation)
    _refused(result, "give validation a share of data.split, or remove training.early_stopping")


def test_early_stopping_patience_beyond_the_periods_is_warned_about(tmp_path: Path) -> None:
    path = experiment(tmp_path)  # 2 periods
    never = "training.early_stopping={patience: 2}"
    result = mlcc("validate", path, "--set", never)
    assert result.exit_code == 0, result.output
    warning = "training.early_stopping.patience 2 can never be reached in 2 periods"
    assert warning in " ".join(result.stderr.split())
    assert json.loads(mlcc("validate", path, "--set", never, "--json").stdout)["warnings"]
    reachable = mlcc("validate", path, "--set", never, "--set", "training.periods=3")
    assert reachable.exit_code == 0 and "patience" not in reachable.stderr
    trained = mlcc("train", path, "--set", never, "--runs-dir", tmp_path / "runs", "--json")
    assert trained.exit_code == 0, trained.output
    assert any(warning in w for w in json.loads(trained.stdout)["warnings"])


def test_evaluating_a_split_whose_data_file_is_gone_says_to_put_it_back(tmp_path: Path) -> None:
    trained = _train(tmp_path, _table())
    assert trained.exit_code == 0, trained.output
    run_dir = json.loads(trained.stdout)["run_dir"]
    (tmp_path / "d.csv").unlink()
    for extra in ((), ("--allow-changed-data",)):
        result = mlcc("evaluate", run_dir, *extra)
        _refused(result, "d.csv can no longer be read (moved or deleted)", "put the file back")
        assert "data.source: file" not in result.stderr


def test_a_training_split_with_one_class_is_refused(tmp_path: Path) -> None:
    frame = _table()
    frame["y"] = 0
    frame.loc[len(frame) - 1, "y"] = 1  # the only positive row, last: validation's
    result = _train(tmp_path, frame, shuffle=False)
    _refused(result, "the training split holds only class 0", "every row of class 1")
    assert "Set data.stratify: true" in " ".join(result.stderr.split())
    assert not (tmp_path / "runs").exists()
    stratified = _train(tmp_path, frame, shuffle=False, stratify=True)
    assert stratified.exit_code == 0, stratified.output
    # Streaming cannot stratify: it is offered the shuffle, which streaming does support.
    streamed = _train(tmp_path, frame, shuffle=False, **STREAM)
    _refused(streamed, "the training split holds only class 0", "Set data.shuffle: true")
    assert "stratify: true" not in streamed.stderr
    followed = _train(tmp_path, frame, shuffle=True, **STREAM)  # the positive row trains
    assert followed.exit_code == 0, followed.output


def test_multi_label_refuses_a_repeated_label_and_a_stray_data_label(tmp_path: Path) -> None:
    data = {"source": "d.csv", "labels": ["y", "y"]}
    path = experiment(tmp_path, data=data, model={"type": "multi_label"})
    _refused(mlcc("validate", path), "data.labels: lists 'y' twice")
    data = {"source": "d.csv", "label": "x", "labels": ["y", "z"]}
    path = experiment(tmp_path, data=data, model={"type": "multi_label"})
    _refused(mlcc("validate", path), "data.label ('x') and data.labels (y, z) are both set")


def test_label_scale_on_a_classifier_is_refused_not_ignored(tmp_path: Path) -> None:
    for data in ({}, STREAM):
        result = _train(tmp_path, _table(), "data.label_scale=0.001", **data)
        _refused(result, "data.label_scale is 0.001, but this model classifies (task binary)")


def test_a_text_label_for_an_mlp_regressor_names_the_mlp(tmp_path: Path) -> None:
    frame = _table()
    frame["y"] = np.where(frame["y"] == 1, "yes", "no")
    model = "model={type: mlp, hidden_units: [4], task: regression}"
    result = _train(tmp_path, frame, model)
    _refused(result, "but a regression model (model.type mlp) predicts a number")


def test_gaps_in_a_text_column_the_model_leaves_out_drop_no_rows(tmp_path: Path) -> None:
    frame = _table()
    frame["note"] = np.where(np.arange(len(frame)) % 3 == 0, None, "ok")
    kept = _train(tmp_path, frame)
    assert kept.exit_code == 0, kept.output  # data.missing: error has nothing to name
    result = _train(tmp_path, frame, missing="drop")
    assert result.exit_code == 0, result.output
    status = json.loads((Path(json.loads(result.stdout)["run_dir"]) / "status.json").read_text())
    assert not any("dropped" in warning for warning in status["warnings"])
    assert any("left out column(s) 'note'" in warning for warning in status["warnings"])
    read = _train(tmp_path, frame, "features=[{type: one_hot, columns: [note]}]")
    _refused(read, "column 'note': 20 missing")


def test_evaluate_refuses_a_split_that_no_longer_matches_the_runs_predictions(
    tmp_path: Path,
) -> None:
    trained = _train(tmp_path, _table())
    assert trained.exit_code == 0, trained.output
    run_dir = Path(json.loads(trained.stdout)["run_dir"])
    saved = run_dir / "predictions-validation.csv"
    rows = pd.read_csv(saved)
    rows.assign(row_id=rows["row_id"] + 1000).to_csv(saved, index=False)  # as an older rule's
    _refused(mlcc("evaluate", run_dir), "picks validation rows other than the 12 the run scored")
    allowed = mlcc("evaluate", run_dir, "--allow-changed-data")
    assert allowed.exit_code == 0, allowed.output
