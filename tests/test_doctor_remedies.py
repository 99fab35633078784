"""The run doctor's remedies, followed: each fix applied through the real CLI must cure what
it names without creating the next problem. Inputs offset from 0 (longitude, latitude) get
a z-score of every input; L1 that costs fit with no gap to close is weakened, not
strengthened; a split check's target leakage is a finding whose fix drops the column, a
sorted file split unshuffled one whose fix shuffles, and validation rows copied from training
one that says so instead of "no problems found"; and a learning rate taken from the range
test trains cleanly when applied."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli_helpers import HEALTHY_BREAST_CANCER, california_linear, train_json
from mlcc_cli.cli import app
from mlcc_cli.doctor.findings import fix_overrides
from mlcc_cli.doctor.range_test_rate import rate_for_batch, safe_learning_rate

runner = CliRunner()


def _found(payload: dict, kind: str) -> dict:
    [finding] = [f for f in payload["doctor"] if f["kind"] == kind]
    return finding


def _kinds(payload: dict) -> set[str]:
    return {f["kind"] for f in payload["doctor"] if f["severity"] == "warning"}


def _places(tmp_path: Path, rows: int = 2000) -> str:
    """Longitude −120 ± 2 and latitude 36 ± 2 (offsets, spreads under 10) and a centred
    rooms count; the label is linear in all three."""
    rng = np.random.default_rng(3)
    longitude = rng.normal(-120.0, 2.0, rows)
    latitude = rng.normal(36.0, 2.0, rows)
    rooms = rng.normal(0.0, 1.0, rows)
    value = 0.8 * (longitude + 120) - 0.6 * (latitude - 36) + rooms + rng.normal(0, 0.3, rows)
    frame = pd.DataFrame(
        {"longitude": longitude, "latitude": latitude, "rooms": rooms, "value": value}
    )
    frame.to_csv(tmp_path / "places.csv", index=False)
    return str(tmp_path / "places.csv")


def _places_config(source: str, features: list) -> dict:
    return {
        "name": "places",
        "seed": 1,
        "data": {"source": source, "label": "value"},
        "features": features,
        "model": {"type": "linear"},
        # small enough for longitude's squares (about 14,400) not to diverge
        "optimizer": {"type": "sgd", "learning_rate": 0.00002},
        "training": {"batch_size": 32, "epochs": 5, "periods": 5},
    }


@pytest.mark.parametrize(
    ("features", "fix"),
    [
        ([], "features.0={type: zscore}"),
        # a trailing z-score of some columns is widened to all, not followed by a second one
        (
            [{"type": "zscore", "columns": ["rooms"]}],
            "features.0={type: zscore, columns: [longitude, latitude, rooms]}",
        ),
    ],
)
def test_offset_inputs_are_unscaled_and_the_fix_zscores_every_input(
    tmp_path: Path, features: list, fix: str
) -> None:
    # Every spread is within 10× of the bias's 1: only the offsets are wrong for descent.
    config = _places_config(_places(tmp_path), features)
    before = train_json(tmp_path, config)
    finding = _found(before, "features_not_scaled")
    assert "longitude sits at" in finding["evidence"] and "latitude" in finding["evidence"]
    # the rate SGD needed for longitude's squares is far too small once z-scored: the fix
    # brings the rate a range test measures on the z-scored inputs
    [zscore, rate] = fix_overrides(finding["fix"][0])
    assert zscore == fix and float(rate.removeprefix("optimizer.learning_rate=")) > 0.001
    after = train_json(tmp_path, config, zscore, rate)
    assert after["status"] == "complete" and "features_not_scaled" not in _kinds(after)
    r2 = {n: p["metrics"]["validation"]["r2"] for n, p in (("b", before), ("a", after))}
    assert r2["a"] > r2["b"]


def test_centred_inputs_with_similar_spreads_are_not_flagged(tmp_path: Path) -> None:
    config = _places_config(_places(tmp_path), [{"type": "zscore"}])
    payload = train_json(tmp_path, config, "optimizer.learning_rate=0.05")
    assert "features_not_scaled" not in _kinds(payload)
    assert payload["metrics"]["validation"]["r2"] > 0.9


BREAST_CANCER = {**HEALTHY_BREAST_CANCER, "name": "l1"}


def test_l1_that_costs_fit_without_a_gap_is_weakened_not_strengthened(tmp_path: Path) -> None:
    strong = train_json(tmp_path, BREAST_CANCER, "model.l1=0.1")
    finding = _found(strong, "l1_sparsity")
    assert finding["severity"] == "warning" and "too strong" in finding["title"]
    assert "no gap" in finding["advice"]
    assert finding["fix"] == ["model.l1=0.01"]
    weaker = train_json(tmp_path, BREAST_CANCER, finding["fix"][0])
    loss = "log_loss"
    assert weaker["metrics"]["validation"][loss] < strong["metrics"]["validation"][loss]
    # Barely pruning and no gap to close: no push towards a stronger L1 (the user's call).
    tiny = _found(weaker, "l1_sparsity")
    assert tiny["severity"] == "info" and tiny["fix"] == []
    assert "strengthen" not in tiny["advice"]


def _leaky(tmp_path: Path, rows: int = 1500) -> str:
    """Five inputs, a label linear in them, and `leak`: the label itself."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(rows, 5))  # (rows, 5)
    y = x @ np.array([1.0, -0.5, 0.3, 0.0, 0.8]) + rng.normal(0, 1.0, rows)
    frame = pd.DataFrame({f"x{i}": x[:, i] for i in range(5)})
    frame["leak"], frame["y"] = y, y
    frame.to_csv(tmp_path / "leaky.csv", index=False)
    return str(tmp_path / "leaky.csv")


def test_a_split_checks_leak_is_a_finding_whose_fix_drops_the_column(tmp_path: Path) -> None:
    config = {
        "name": "leaky",
        "seed": 1,
        "data": {"source": _leaky(tmp_path), "label": "y"},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
        "training": {"batch_size": 32, "epochs": 5, "periods": 5},
    }
    payload = train_json(tmp_path, config)
    finding = _found(payload, "target_leakage")
    assert finding["severity"] == "warning" and "leak" in finding["evidence"]
    assert finding["fix"] == ["inputs=[x0, x1, x2, x3, x4]"]
    # Read back, the summary names it instead of "no problems found".
    human = runner.invoke(app, ["doctor", payload["run_dir"]])
    assert human.exit_code == 0
    assert "likely target leakage" in human.output and "no problems found" not in human.output
    assert "target leakage suspected" in human.output
    fixed = train_json(tmp_path, config, finding["fix"][0])
    assert "target_leakage" not in _kinds(fixed)
    model = json.loads((Path(fixed["run_dir"]) / "model.json").read_text())
    assert "leak" not in json.dumps(model.get("inputs"))


def _split_config(source: str, model: str, **data: object) -> dict:
    return {
        "name": "split",
        "seed": 1,
        "data": {"source": source, "label": "y", **data},
        "features": [{"type": "zscore"}],
        "model": {"type": model},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 5, "periods": 5},
    }


def test_a_sorted_file_split_unshuffled_is_the_root_cause_and_shuffling_fixes_it(
    tmp_path: Path,
) -> None:
    # Sorted by the label: unshuffled, validation holds only positives.
    rng = np.random.default_rng(5)
    y = np.sort(rng.integers(0, 2, 1000))
    x = rng.normal(size=(1000, 2)) + 1.5 * y[:, None]  # (1000, 2)
    pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y}).to_csv(tmp_path / "s.csv", index=False)
    config = _split_config(str(tmp_path / "s.csv"), "logistic", shuffle=False)
    before = train_json(tmp_path, config)
    finding = _found(before, "unshuffled_split")
    assert "sorted by y" in finding["evidence"] and "first 80%" in finding["evidence"]
    assert finding["fix"] == ["data.shuffle=true"]
    # what the lopsided validation split causes is named, not advised on separately
    assert "no better than the majority class" in finding["evidence"]
    assert _kinds(before) == {"unshuffled_split"}
    after = train_json(tmp_path, config, finding["fix"][0])
    assert "unshuffled_split" not in _kinds(after)

    def gap(payload: dict) -> float:  # |ln(validation loss / training loss)|
        losses = [payload["metrics"][split]["log_loss"] for split in ("validation", "train")]
        return abs(float(np.log(losses[0] / losses[1])))

    assert gap(after) < gap(before) / 2


def test_validation_rows_copied_from_training_are_a_finding(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2000, 3))  # (2000, 3)
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": x.sum(axis=1)})
    frame.loc[np.repeat(frame.index[:200], 3)].to_csv(tmp_path / "d.csv", index=False)
    payload = train_json(tmp_path, _split_config(str(tmp_path / "d.csv"), "linear"))
    finding = _found(payload, "validation_copies_training")
    assert finding["severity"] == "warning" and finding["fix"] == []
    copied, rows = map(int, re.findall(r"\d+", finding["evidence"])[:2])
    assert rows == 120 and copied > 60  # 3 copies of each row: most land on both sides
    human = runner.invoke(app, ["doctor", payload["run_dir"]])
    assert "validation rows copied from training" in human.output
    assert "no problems found" not in human.output
    # A few repeats in a large file are left to the split check's note.
    frame.loc[[*frame.index, *frame.index[:30]]].to_csv(tmp_path / "few.csv", index=False)
    few = train_json(tmp_path, _split_config(str(tmp_path / "few.csv"), "linear"))
    assert any(check["kind"] == "shared_duplicates" for check in few["split_checks"])
    assert "validation_copies_training" not in _kinds(few)


def test_the_range_tests_rate_keeps_an_order_of_magnitude_below_its_fastest_fall() -> None:
    rates = [0.001, 0.01, 0.1, 1.0]
    assert safe_learning_rate(rates, [5.0, 4.0, 2.0, float("inf")], 0.1) == pytest.approx(0.01)
    # a loss lowest before the steepest point: a tenth of that rate
    assert safe_learning_rate(rates, [5.0, 1.0, 2.0, 9.0], 0.1) == pytest.approx(0.001)
    assert safe_learning_rate(rates, [5.0, 5.0, 5.0, 5.0], None) is None


@pytest.mark.skipif(
    not os.environ.get("MLCC_DATASET_MIRROR"), reason="needs the California CSVs (mirror)"
)
@pytest.mark.parametrize("rate", [0.5, 1e-5])
def test_the_measured_learning_rate_trains_cleanly_when_applied(
    tmp_path: Path, rate: float
) -> None:
    # California's long tails make a rate that descends fastest for one batch of the range
    # test bounce over a whole run; the doctor's rate must not send it back.
    config = california_linear(rate, batch_size=64)
    before = train_json(tmp_path, config)
    finding = next(f for f in before["doctor"] if f["kind"].startswith("learning_rate_too"))
    assert "range test" in finding["advice"]
    after = train_json(tmp_path, config, finding["fix"][0])
    assert after["status"] == "complete"
    assert not {"learning_rate_too_high", "learning_rate_too_low"} & _kinds(after)
    assert after["metrics"]["validation"]["r2"] > 0.55


def test_the_range_tests_rate_shrinks_with_a_plain_sgd_batch_under_the_tests() -> None:
    assert rate_for_batch(0.0032, 32, 1) == pytest.approx(0.0001)
    assert rate_for_batch(0.0032, 32, 8) == pytest.approx(0.0008)
    assert rate_for_batch(0.0032, 64, 64) == pytest.approx(0.0032)  # same batch: as measured


@pytest.mark.skipif(
    not os.environ.get("MLCC_DATASET_MIRROR"), reason="needs the California CSVs (mirror)"
)
def test_a_batch_of_one_diverged_run_gets_a_rate_it_survives(tmp_path: Path) -> None:
    # One row a step through a ReLU network on house values in thousands: the range test's
    # rate for 32-row steps (1.8e-4) leaves it at validation R² 0.37, and with two more
    # inputs (total_rooms, population) diverges again.
    source = Path(os.environ["MLCC_DATASET_MIRROR"]) / "california_housing_train.csv"
    config = {
        "name": "one-row",
        "seed": 7,
        "data": {
            "source": str(source),
            "label": "median_house_value",
            "label_scale": 0.001,
            "split": {"train": 0.1, "validation": 0.2, "test": 0.7},
        },
        "features": [{"type": "zscore"}],
        "inputs": ["longitude", "latitude", "housing_median_age", "median_income"],
        "model": {"type": "mlp", "hidden_units": [16]},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 1, "epochs": 3, "periods": 5},
    }
    before = train_json(tmp_path, config)
    assert before["status"] == "diverged"
    finding = _found(before, "learning_rate_too_high")
    assert "times batch/32" in finding["advice"]
    after = train_json(tmp_path, config, finding["fix"][0])
    assert after["status"] == "complete" and after["metrics"]["validation"]["r2"] > 0.4
