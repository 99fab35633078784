"""The run directory writer: column tables written in slices read back exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlcc_cli.rundir import files as runs


@pytest.mark.parametrize("slice_rows", [1, 3, 10, 65_536])
def test_column_csv_is_the_same_whatever_the_slice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_rows: int
) -> None:
    monkeypatch.setattr(runs, "CSV_SLICE_ROWS", slice_rows)
    rng = np.random.default_rng(0)
    columns = {
        "row_id": np.arange(10, 0, -1),
        "label": rng.integers(0, 2, 10).astype(np.float64),
        "prediction": rng.random(10),
    }
    path = tmp_path / "p.csv"
    runs.write_columns_csv(path, columns)
    lines = path.read_text().splitlines()
    assert lines[0] == "row_id,label,prediction" and len(lines) == 11
    assert lines[1] == f"10,{float(columns['label'][0])!r},{float(columns['prediction'][0])!r}"
    back = pd.read_csv(path)
    for name, values in columns.items():
        np.testing.assert_array_equal(back[name].to_numpy(), values)  # repr round-trips
