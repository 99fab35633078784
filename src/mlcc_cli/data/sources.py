"""Where `data.source` points: a built-in dataset name or a file on disk.

Free of numpy and pandas, so `mlcc validate` can check a source instantly; `data.py` uses the
same functions when it loads.
"""

from __future__ import annotations

from pathlib import Path

from mlcc_cli.data.public_datasets import dataset_for_file
from mlcc_cli.errors import DataError, did_you_mean

BUILTIN_PREFIX = "builtin:"
# scikit-learn's bundled copies, then the seeded synthetic generators, then the image datasets
# and the text datasets (word2vec's corpus, the movie reviews);
# the loaders in data/builtin.py are tested to cover exactly these names, in this order.
BUILTIN_DATASETS = (
    "breast_cancer",
    "iris",
    "wine",
    "digits",
    "diabetes",
    "xor",
    "circles",
    "spiral",
    "gaussian",
    "linear",
    "digits_images",
    "shapes",
    "pets_and_vehicles",
    "reviews",
)


def builtin_name(source: str) -> str | None:
    """The dataset name of a `builtin:NAME` source (checked), or None for a file source."""
    if not source.startswith(BUILTIN_PREFIX):
        return None
    name = source.removeprefix(BUILTIN_PREFIX).strip()
    if name not in BUILTIN_DATASETS:
        raise DataError(
            f"data.source: unknown builtin dataset '{name}'."
            f"{did_you_mean(name, BUILTIN_DATASETS)} Builtin datasets: "
            f"{', '.join(BUILTIN_DATASETS)} (see `mlcc datasets`)."
        )
    return name


def resolve_source_path(source: str, config_folder: Path) -> Path:
    """The file `source` names: absolute as given, else under the config folder, then the cwd."""
    path = Path(source).expanduser()
    candidates = [path] if path.is_absolute() else [config_folder / path, Path.cwd() / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
        if candidate.is_dir():
            raise DataError(
                f"data.source: {candidate} is a folder; name a .csv, .parquet or .txt file"
            )
    looked = " and ".join(str(candidate.resolve()) for candidate in dict.fromkeys(candidates))
    fetchable = dataset_for_file(path.name)
    fix = (
        f"run `mlcc datasets fetch {fetchable}` to download it into ./datasets/"
        if fetchable
        else "check the path in data.source, or use builtin:NAME (see `mlcc datasets`)"
    )
    raise DataError(f"data.source: file '{source}' not found (looked for {looked}); {fix}")


def locate_data_source(source: str, config_folder: Path) -> str:
    """`builtin:NAME` as given (name checked) or the resolved path of the file that exists."""
    if builtin_name(source) is not None:
        return source
    return str(resolve_source_path(source, config_folder))
