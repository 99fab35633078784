"""data.bundled: the breast cancer table read without scikit-learn equals sklearn's loader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets

from mlcc_cli.config.data import SyntheticConfig
from mlcc_cli.data import bundled
from mlcc_cli.data.builtin import identifier, load_builtin


def test_breast_cancer_equals_scikit_learns_loader_exactly() -> None:
    ours = load_builtin("breast_cancer", SyntheticConfig(), 0)
    oracle = datasets.load_breast_cancer(as_frame=True).frame.rename(columns=identifier)
    pd.testing.assert_frame_equal(ours, oracle, check_exact=True)


def test_breast_cancer_falls_back_to_scikit_learn_without_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bundled, "_sklearn_data_file", lambda name: None)
    frame = bundled.breast_cancer(identifier)(SyntheticConfig(), np.random.default_rng(0))
    assert frame.shape == (569, 31)
    assert frame.columns[0] == "mean_radius"
    assert frame.columns[-1] == "target"


@pytest.mark.parametrize(("name", "rows"), [("iris", 150), ("wine", 178), ("diabetes", 442)])
def test_other_bundled_tables_load_through_scikit_learn(name: str, rows: int) -> None:
    frame = load_builtin(name, SyntheticConfig(), 0)
    assert len(frame) == rows
    assert frame.columns[-1] == "target"
