"""A class missing from a held-out split is flagged only when chance cannot explain it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import binom

from cli_helpers import experiment, mlcc
from mlcc_cli.data.split_checks import check_splits


def three_classes(n: int, seed: int = 0) -> pd.DataFrame:
    """n rows, classes 0/1/2 in turn, each a shifted Gaussian blob in two features."""
    rng = np.random.default_rng(seed)
    target = np.arange(n) % 3
    x = 1.5 * target[:, None] + rng.normal(size=(n, 2))  # (n, 2)
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": target})


def test_a_handful_of_validation_rows_missing_a_class_is_not_a_split_problem(
    tmp_path: Path,
) -> None:
    """40 rows, validation 10 %: four rows miss one of three equal classes about half the
    time (3 · (2/3)⁴ ≈ 0.59), so no seed's run may say the split lacks a class."""
    three_classes(40).to_csv(tmp_path / "tiny.csv", index=False)
    config = experiment(
        tmp_path,
        data={
            "source": str(tmp_path / "tiny.csv"),
            "label": "target",
            "split": {"train": 0.85, "validation": 0.1, "test": 0.05},
        },
        model={"type": "softmax"},
    )
    missing_seen = 0
    for seed in range(6):
        args = ["train", config, "--runs-dir", tmp_path / "runs", "--json", "--no-plots"]
        result = mlcc(*args, "--set", f"seed={seed}")
        assert result.exit_code == 0, result.output
        run_dir = Path(json.loads(result.stdout)["run_dir"])
        labels = pd.read_csv(run_dir / "predictions-validation.csv")["label"]
        missing_seen += labels.nunique() < 3
        doctor = json.loads((run_dir / "doctor.json").read_text())
        assert [c for c in doctor["split_checks"] if c["kind"] == "class_balance"] == []
        assert "has no rows of class" not in result.output
    assert missing_seen  # the situation under test did occur


def test_a_class_kept_out_of_a_large_split_is_still_flagged() -> None:
    """Unshuffled, class 2 only in the first 80 % of the file: 100 validation rows without a
    class that is ⅓ of training cannot be chance ((⅔)¹⁰⁰ ≈ 2e-18)."""
    frame = three_classes(1000)
    frame.loc[800:, "target"] = frame.loc[800:, "target"].replace(2, 0)
    y = frame["target"].to_numpy(float)
    positions = {
        "train": np.arange(800),
        "validation": np.arange(800, 900),
        "test": np.arange(900, 1000),
    }
    checks = check_splits(frame, y, positions, label="target", task="multiclass", shuffle=False)
    [balance] = [c for c in checks if c.kind == "class_balance"]
    assert "validation has no rows of class 2" in balance.message
    assert "test has no rows of class 2" in balance.message
    assert binom.pmf(0, 100, 1 / 3) < 1e-15


def test_a_rare_class_missing_from_a_mid_sized_split_is_chance() -> None:
    """A 2 % class is missing from 90 rows with probability 0.98⁹⁰ ≈ 0.16: not flagged."""
    rng = np.random.default_rng(4)
    n = 1000
    target = rng.choice(3, size=n, p=[0.49, 0.49, 0.02])
    frame = pd.DataFrame({"x1": rng.normal(size=n), "target": target})
    y = frame["target"].to_numpy(float)
    order = rng.permutation(n)
    train = order[:900]
    validation = order[900:][target[order[900:]] != 2][:90]  # the rare class missed it
    positions = {"train": train, "validation": validation, "test": np.arange(0)}
    checks = check_splits(frame, y, positions, label="target", task="multiclass", shuffle=True)
    assert [c for c in checks if c.kind == "class_balance"] == []
