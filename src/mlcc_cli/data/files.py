"""Reading a .csv, .parquet or .txt file into a frame, with errors that name the file and line.

A .txt file is a text corpus (for word2vec): one sentence or document per line, read into a
one-column frame whose column is `text`; empty lines are skipped.

Everything that can go wrong with the file itself (empty, unparseable, corrupt, a stray word
in a column of numbers) is a `DataError` here, so later stages only see usable tables.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow

from mlcc_cli.data.csv_records import (
    RowPlaces,
    csv_header,
    not_utf8,
    row_width_error,
    unclosed_quote_error,
)
from mlcc_cli.data.finite import check_finite_columns
from mlcc_cli.data.sources import require_readable_file
from mlcc_cli.errors import DataError

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".txt")
TEXT_COLUMN = "text"  # the one column of a .txt corpus


# How to turn a table mlcc does not read into one it does (pandas reads them all).
_TO_CSV = ".to_csv(NEW_PATH.csv, index=False)"
CONVERSIONS = {
    ".gz": "; decompress it first (gunzip -k FILE), or read and save it as CSV with pandas",
    ".zip": "; unzip it first",
    ".tsv": f"; save it with commas: pandas.read_csv(PATH, sep='\\t'){_TO_CSV}",
    ".tab": f"; save it with commas: pandas.read_csv(PATH, sep='\\t'){_TO_CSV}",
    ".xlsx": f"; save it as CSV from the spreadsheet, or pandas.read_excel(PATH){_TO_CSV}",
    ".xls": f"; save it as CSV from the spreadsheet, or pandas.read_excel(PATH){_TO_CSV}",
    ".json": f"; convert it to a table: pandas.read_json(PATH){_TO_CSV}",
    ".jsonl": f"; convert it to a table: pandas.read_json(PATH, lines=True){_TO_CSV}",
    ".feather": f"; pandas.read_feather(PATH){_TO_CSV}",
}


def check_suffix(path: Path, setting: str = "data.source") -> None:
    """DataError unless `path` ends in a suffix mlcc can read (.csv, .parquet, .txt)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = f"a '{path.suffix}' file" if path.suffix else "a file without a suffix"
        convert = CONVERSIONS.get(suffix, "")
        raise DataError(
            f"{setting}: '{path}' is {kind}; mlcc reads .csv and .parquet tables and .txt "
            f"text corpora (or builtin:NAME, see `mlcc datasets`){convert}"
        )


def read_table(path: Path, setting: str = "data.source") -> pd.DataFrame:
    """Read a .csv, .parquet or .txt file; index = row_id (0-based position of the row).

    Raises DataError for an unsupported suffix, an empty or header-only file, a CSV line that
    does not parse, a corrupt Parquet file, or text in a column that is otherwise numbers.
    """
    check_suffix(path, setting)
    require_readable_file(path, setting)
    try:
        return _read_checked(path, setting)
    except OSError as error:  # lost between the check and the read, or an I/O failure
        raise DataError(f"{setting}: '{path}' cannot be read ({error.strerror or error})") from None


def _read_checked(path: Path, setting: str) -> pd.DataFrame:
    """`read_table` once the path is known to be a readable file."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return _read_text_lines(path)
    if path.stat().st_size == 0:
        raise DataError(
            f"{path}: the file is empty (0 bytes); it needs a header line naming the columns "
            "and one row per example"
        )
    is_csv = suffix == ".csv"
    frame = _read_csv(path) if is_csv else _read_parquet(path)
    if len(frame) == 0:
        raise DataError(
            f"{path}: has columns ({list_columns(list(frame.columns))}) but no data rows; "
            f"add rows or point {setting} at another file"
        )
    places = RowPlaces(path, is_csv)
    check_numeric_columns(frame, places)
    check_finite_columns(frame, places)
    frame.index = pd.RangeIndex(len(frame), name="row_id")
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    """pandas.read_csv with its failures turned into messages that name the file and line."""
    try:
        # low_memory=False: parse each column in one go, so a column never gets mixed types.
        # index_col=False: rows one value longer than the header would otherwise silently
        # become the index, shifting every column left by one; now pandas warns instead.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(path, low_memory=False, index_col=False)
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{path}: the file has no header line; the first line must name the columns"
        ) from None
    except pd.errors.ParserError as error:
        # pandas counts records, not file lines: name the line from a CSV reader instead
        located = None
        if "EOF inside string" in str(error):
            located = unclosed_quote_error(path)
        elif "Expected" in str(error):
            located = row_width_error(path, len(csv_header(path)))
        if located is not None:
            raise located from None
        detail = str(error).strip().split("C error: ")[-1]
        line = re.search(r"line (\d+)", detail)
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise DataError(
            f"{where}: cannot be read as CSV ({detail}); fix that line "
            "(usually a stray comma or an unclosed quote)"
        ) from None
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    header = csv_header(path)
    check_comma_separated(header, path)
    # pandas renames a repeated header `x` to `x.1`, hiding the clash; the header says it.
    check_unique_columns(header, path)
    longer = any(issubclass(w.category, pd.errors.ParserWarning) for w in caught)
    # A short row reads as missing values in its last columns: only such rows can be short,
    # and the scan stops after the last of them.
    gaps = np.flatnonzero(frame.iloc[:, -1].isna().to_numpy()) if frame.shape[1] else []
    if longer or len(gaps):
        misfit = row_width_error(path, frame.shape[1], None if longer else gaps.tolist())
        if misfit is not None:
            raise misfit
    return frame


OTHER_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def check_comma_separated(names: Sequence[str], path: Path) -> None:
    """DataError when a CSV header is one column holding another separator (`x;y`): the
    file separates values with it, and read as comma-separated it would be one text column."""
    if len(names) != 1:
        return
    for separator, called in OTHER_SEPARATORS.items():
        if separator in str(names[0]):
            shown = str(names[0]).replace("\t", "\\t")
            raise DataError(
                f"{path}: the header reads as a single column '{shown}': the file separates "
                f"its values with {called}, but mlcc reads comma-separated CSV; save it with "
                f"commas, e.g. pandas.read_csv(PATH, sep={separator!r}).to_csv(NEW_PATH, "
                "index=False)"
            )


def check_unique_columns(names: Sequence[str], path: Path) -> None:
    """DataError naming the file and the first column name that appears more than once.

    Empty header cells are left out: pandas names them `Unnamed: N`, which never clash.
    """
    counts = Counter(str(name) for name in names if str(name).strip())
    repeated = [name for name, count in counts.items() if count > 1]
    if repeated:
        name = repeated[0]
        others = f" (also {', '.join(map(repr, repeated[1:]))})" if len(repeated) > 1 else ""
        raise DataError(
            f"{path}: the header names column '{name}' {counts[name]} times{others}; every "
            "column needs its own name, so rename or remove the repeats"
        )


def _read_text_lines(path: Path) -> pd.DataFrame:
    """A .txt corpus: its non-empty lines (UTF-8) in a `text` column, index = row_id."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path}: is not UTF-8 text ({error.reason}); save the corpus as UTF-8"
        ) from None
    sentences = [line.strip() for line in lines if line.strip()]
    if not sentences:
        raise DataError(
            f"{path}: holds no text (only empty lines); a corpus needs one sentence or "
            "document per line"
        )
    return pd.DataFrame(
        {TEXT_COLUMN: sentences}, index=pd.RangeIndex(len(sentences), name="row_id")
    )


def _read_parquet(path: Path) -> pd.DataFrame:
    """pandas.read_parquet (pyarrow) with a corrupt or unreadable file turned into a DataError."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, pyarrow.ArrowException) as error:
        raise DataError(
            f"{path}: is not a readable Parquet file ({error}); re-export it, or save it as CSV"
        ) from None
    # Arrow's allocator keeps the freed Arrow table (as large as the frame) resident; hand it
    # back so training does not carry a dead copy of the data.
    pyarrow.default_memory_pool().release_unused()
    # A named index written by pandas is data (e.g. an id column); an unnamed one is not.
    frame = frame.reset_index(drop=all(name is None for name in frame.index.names))
    frame.columns = [str(column) for column in frame.columns]
    check_unique_columns(list(frame.columns), path)
    return frame


def check_numeric_columns(frame: pd.DataFrame, places: RowPlaces, row_offset: int = 0) -> None:
    """DataError for text columns that are mostly numbers: the odd value out is a typo.

    A column counts as numeric when at least half of its non-missing values parse as numbers.
    Genuinely textual columns (fewer numbers than that) are left for a later stage.
    `row_offset` is the row_id of the frame's first row (a chunk of a larger file).
    """
    problems = []
    for column, dtype in frame.dtypes.items():
        # By dtype first: looking every column up costs ~0.1 ms each (0.5 s at 5,000).
        if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
            continue
        values = frame[column]
        present = values.notna().to_numpy()
        try:
            parsed = pd.to_numeric(values, errors="coerce").notna().to_numpy()
        except (TypeError, ValueError):  # cells holding lists or other objects: not numbers
            continue
        n_present, n_numbers = int(present.sum()), int(parsed.sum())
        if n_numbers == n_present:
            continue
        offenders = np.flatnonzero(present & ~parsed)
        if _all_digit_grouped(values.iloc[offenders]):
            where = places(int(offenders[0]) + row_offset)
            problems.append(
                f"{where}: column '{column}' writes numbers with thousands separators "
                f"({values.iloc[offenders[0]]!r}), so it reads as text; save the file with plain "
                "numbers, e.g. pandas.read_csv(PATH, thousands=',').to_csv(NEW_PATH, index=False)"
            )
            continue
        if 2 * n_numbers < n_present:
            continue
        position = int(offenders[0])
        where = places(position + row_offset)
        more = f" (and {len(offenders) - 1} more)" if len(offenders) > 1 else ""
        problems.append(
            f"{where}: column '{column}' is numeric except for {values.iloc[position]!r}{more}; "
            "fix or remove that value (an empty cell marks it missing)"
        )
    if problems:
        raise DataError("\n".join(problems))


# 1,234 or -12,345,678.5: digits grouped by three with commas (quoted in a CSV cell)
_DIGIT_GROUPS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def _all_digit_grouped(values: pd.Series) -> bool:
    """True when every value is a number written with thousands separators (`5,612`)."""
    return bool(values.astype(str).str.strip().str.fullmatch(_DIGIT_GROUPS).all())


def list_columns(columns: list[str], limit: int = 12) -> str:
    """`a, b, c` or `a, b, ... (N columns)` when there are more than `limit`."""
    if len(columns) <= limit:
        return ", ".join(columns)
    return ", ".join(columns[:limit]) + f", ... ({len(columns)} columns)"
