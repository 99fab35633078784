"""Split checks on wide tables: thousands of tests per check must not raise alarms by chance.

At a fixed p < 0.001 per column, 1,000 KS tests of columns that do not differ flag about
one column per split by chance; the checks control the false discovery rate across the
columns instead (Benjamini–Hochberg), and still flag the columns that really differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.data import SplitConfig
from mlcc_cli.data.split_checks import SplitCheck, check_splits
from mlcc_cli.data.splitting import split_rows

runner = CliRunner()
SPLIT = SplitConfig(train=0.8, validation=0.1, test=0.1)
CHANCE_KINDS = ("sorted_source", "distribution_mismatch")  # tested once per column


def iid(rows: int, columns: int, seed: int) -> pd.DataFrame:
    """Independent standard normal columns x0, x1, … and a coin-flip label `sold`."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        rng.normal(size=(rows, columns)), columns=[f"x{i}" for i in range(columns)]
    )
    frame["sold"] = rng.integers(0, 2, size=rows)
    return frame


def checks(frame: pd.DataFrame, *, shuffle: bool, seed: int = 0) -> list[SplitCheck]:
    y = frame["sold"].to_numpy(dtype=float)
    positions = split_rows(len(frame), SPLIT, rng=np.random.default_rng(seed), shuffle=shuffle)
    return check_splits(frame, y, positions, label="sold", task="binary", shuffle=shuffle)


@pytest.mark.parametrize("seed", range(5))
def test_a_random_split_of_a_wide_iid_table_is_not_flagged(seed: int) -> None:
    # 500 columns × 2 held-out splits: about one false alarm a seed at p < 0.001 per test.
    findings = checks(iid(200, 500, seed), shuffle=True, seed=seed)
    assert [(f.kind, f.column) for f in findings if f.kind in CHANCE_KINDS] == []


@pytest.mark.parametrize("seed", range(5))
def test_few_unshuffled_rows_of_many_columns_do_not_look_sorted(seed: int) -> None:
    # 40 rows: |Spearman ρ| ≥ 0.5 against the row number happens to 1 column in 1,000.
    findings = checks(iid(40, 300, seed), shuffle=False, seed=seed)
    assert [(f.kind, f.column) for f in findings if f.kind in CHANCE_KINDS] == []


def shifted(rows: int = 200, columns: int = 500) -> pd.DataFrame:
    """An i.i.d. wide table whose last 20 rows (the test split, unshuffled) differ in three
    columns by two standard deviations, and whose x9 follows the row number."""
    frame = iid(rows, columns, seed=7)
    frame.loc[rows - 20 :, ["x3", "x100", "x400"]] += 2.0
    frame["x9"] = np.sort(frame["x9"].to_numpy())
    return frame


def test_columns_that_really_differ_are_still_flagged_among_many() -> None:
    findings = checks(shifted(), shuffle=False)
    mismatch = {f.column: f.evidence for f in findings if f.kind == "distribution_mismatch"}
    assert set(mismatch) == {"x3", "x100", "x400", "x9"}  # x9: the file's tail holds its top
    for column in ("x3", "x100", "x400"):
        assert mismatch[column]["split"] == "test" and mismatch[column]["tests"] == 1000
        assert mismatch[column]["p_value"] <= mismatch[column]["q_value"] < 1e-3
    assert [f.column for f in findings if f.kind == "sorted_source"] == ["x9"]


def test_cli_inspect_flags_only_the_shifted_columns_and_names_the_correction(
    tmp_path: Path,
) -> None:
    shifted().to_csv(tmp_path / "wide.csv", index=False)
    config = {
        "name": "wide",
        "data": {
            "source": "wide.csv",
            "label": "sold",
            "shuffle": False,
            "split": SPLIT.model_dump(),
        },
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
    }
    (tmp_path / "wide.yaml").write_text(yaml.safe_dump(config))
    result = runner.invoke(app, ["inspect", str(tmp_path / "wide.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    flagged = {
        f["column"] for f in document["split_checks"] if f["kind"] == "distribution_mismatch"
    }
    assert flagged == {"x3", "x100", "x400", "x9"}
    message = next(f["message"] for f in document["split_checks"] if f["column"] == "x3")
    assert "after the Benjamini–Hochberg correction for 1,000 tests" in message
