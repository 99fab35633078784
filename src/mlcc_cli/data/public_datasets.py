"""The public datasets `mlcc datasets fetch` can download, and what their verified files hold."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """One file of a public dataset and what its verified content looks like."""

    name: str
    rows: int  # data rows, header excluded
    sha256: str  # of the content with CRLF normalised to LF
    header: str  # the first line, exactly


@dataclass(frozen=True)
class RemoteDataset:
    """A public dataset: its files and a line for `mlcc datasets`."""

    name: str
    description: str
    files: tuple[RemoteFile, ...]


_CALIFORNIA_HEADER = (
    '"longitude","latitude","housing_median_age","total_rooms","total_bedrooms",'
    '"population","households","median_income","median_house_value"'
)

FETCHABLE: dict[str, RemoteDataset] = {
    "california_housing": RemoteDataset(
        name="california_housing",
        description="1990 California census blocks; label median_house_value (MLCC exercises).",
        files=(
            RemoteFile(
                "california_housing_train.csv",
                17000,
                "bb9ca4041a66e0ed691cb825188f16fdab518435c4950a080951be2fdfe30d4d",
                _CALIFORNIA_HEADER,
            ),
            RemoteFile(
                "california_housing_test.csv",
                3000,
                "be3f531aac5aca44fe1c04fd888b4aa68a9a69f69c05d0eb2e0473dfe702dda2",
                _CALIFORNIA_HEADER,
            ),
        ),
    ),
}


def dataset_for_file(file_name: str) -> str | None:
    """The fetchable dataset that provides `file_name` (e.g. 'california_housing'), if any."""
    for dataset in FETCHABLE.values():
        if any(remote.name == file_name for remote in dataset.files):
            return dataset.name
    return None
