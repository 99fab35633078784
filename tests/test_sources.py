"""Resolving `data.source` without numpy/pandas: builtin names and file paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcc_cli.data.loading import builtin_catalog
from mlcc_cli.data.sources import BUILTIN_DATASETS, locate_data_source
from mlcc_cli.errors import DataError


def test_builtin_names_match_the_loaders() -> None:
    assert tuple(info.name for info in builtin_catalog()) == BUILTIN_DATASETS


def test_locate_data_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "near.csv").write_text("a\n1\n")
    (tmp_path / "cwd.csv").write_text("a\n1\n")
    (tmp_path / "configs" / "both.csv").write_text("a\n1\n")
    (tmp_path / "both.csv").write_text("a\n1\n")
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "configs"
    assert locate_data_source("near.csv", folder) == str(folder / "near.csv")
    assert locate_data_source("cwd.csv", folder) == str(tmp_path / "cwd.csv")
    assert locate_data_source("both.csv", folder) == str(folder / "both.csv")  # config first
    assert locate_data_source("builtin:iris", folder) == "builtin:iris"


@pytest.mark.parametrize(
    ("source", "phrase"),
    [
        ("builtin:irs", "Did you mean 'iris'?"),
        ("datasets/california_housing_train.csv", "mlcc datasets fetch california_housing"),
        ("nowhere.csv", "not found"),
        ("configs", "is a folder"),
    ],
)
def test_bad_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, phrase: str
) -> None:
    (tmp_path / "configs").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as caught:
        locate_data_source(source, tmp_path / "elsewhere")
    assert phrase in str(caught.value)
    assert str(caught.value).startswith("data.source:")
