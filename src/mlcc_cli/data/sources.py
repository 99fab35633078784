"""Where `data.source` points: a built-in dataset name or a file on disk.

Free of numpy and pandas, so `mlcc validate` can check a source instantly; `data.py` uses the
same functions when it loads.
"""

from __future__ import annotations

import errno
import os
import stat
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


NOT_FOUND = "not found"
_READS = "mlcc reads .csv, .parquet and .txt files"


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a data file, as a phrase following the path, or None.

    NOT_FOUND when nothing is there; otherwise what is there instead of a readable regular
    file: a folder, a named pipe (reading one would wait for a writer forever), a device, a
    symbolic link loop or a dangling link, or a file the user may not read.
    """
    try:
        mode = path.stat().st_mode  # follows symbolic links
    except OSError as error:
        if error.errno == errno.ELOOP:
            return (
                "is a symbolic link loop (following its links leads back to itself); point "
                "it, or data.source, at the real file"
            )
        if error.errno == errno.EACCES:
            return "cannot be reached: permission denied on a folder on its path"
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            if path.is_symlink():
                return f"is a symbolic link to {os.readlink(path)}, which does not exist"
            return NOT_FOUND
        return f"cannot be read ({error.strerror})"
    if stat.S_ISDIR(mode):
        return "is a folder; name a .csv, .parquet or .txt file in it"
    if stat.S_ISFIFO(mode):
        return f"is a named pipe (FIFO), not a regular file; {_READS} (save the data to one)"
    if not stat.S_ISREG(mode):
        return f"is a device or socket, not a regular file; {_READS}"
    if not os.access(path, os.R_OK):
        return "cannot be read: permission denied (check the file's permissions)"
    return None


def require_readable_file(path: Path, shown: str) -> None:
    """DataError `shown: 'path' <problem>` unless `path` is a readable regular file."""
    problem = file_problem(path)
    if problem is not None:
        raise DataError(f"{shown}: '{path}' {problem}")


def resolve_source_path(source: str, config_folder: Path) -> Path:
    """The file `source` names: absolute as given, else under the config folder, then the cwd."""
    path = Path(source).expanduser()
    candidates = [path] if path.is_absolute() else [config_folder / path, Path.cwd() / path]
    for candidate in candidates:
        problem = file_problem(candidate)
        if problem is None:
            return candidate.resolve()
        if problem != NOT_FOUND:
            raise DataError(f"data.source: {candidate} {problem}")
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
