"""Where a CSV's data rows sit in the file, and rows whose field count differs from the header.

pandas numbers data rows, not file lines: a blank line it skips or a quoted value spanning
lines moves every later row's line. Messages that point at a line therefore re-read the file
with Python's `csv` module (the same RFC 4180 quoting) only when a message needs a line, so
reading a well-formed file costs nothing extra.
"""

from __future__ import annotations

import collections
import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlcc_cli.errors import DataError


def csv_header(path: Path) -> list[str]:
    """The CSV's first record (its column names) as written, quotes and a BOM handled."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise not_utf8(path) from None


def _data_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first file line, fields) of every data record; blank lines skipped as pandas does."""
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        next(reader, None)  # the header
        end_of_previous = reader.line_num
        for record in reader:
            start, end_of_previous = end_of_previous + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            yield start, record


@dataclass(frozen=True)
class RowPlaces:
    """Names where a data row (0-based position) sits: `path:line` in a CSV, `path (data row
    N)` in a Parquet file, for messages that send the user to the offending value."""

    path: Path | str
    is_csv: bool

    def __call__(self, row: int) -> str:
        if not self.is_csv:
            return f"{self.path} (data row {row + 1})"
        for position, (line, _) in enumerate(_data_records(Path(self.path))):
            if position == row:
                return f"{self.path}:{line}"
        return f"{self.path}:{row + 2}"  # changed since it was read: the header + row count


def row_width_error(path: Path, width: int, rows: Sequence[int] | None = None) -> DataError | None:
    """The error naming the first data record with fewer than `width` fields, or with a value
    beyond them; None if all fit (empty trailing fields, `1,2,3,`, fit: pandas drops them).
    `rows`: only these data rows (0-based positions, ascending) can misfit, so the scan stops
    after the last of them."""
    wanted = None if rows is None else set(rows)
    last = None if rows is None else max(rows, default=-1)
    for position, (line, record) in enumerate(_data_records(path)):
        if last is not None and position > last:
            break
        if wanted is not None and position not in wanted:
            continue
        count = len(record)
        if count < width and any("\n" in value for value in record):
            return _unclosed_quote(path, line)
        if count < width:
            fix = "add the missing values (an empty cell between commas marks a value missing)"
        elif any(value.strip() for value in record[width:]):
            fix = (
                "remove the extra values, or name their column in the header (when every row "
                "is longer, the header is missing a name)"
            )
        else:
            continue
        return DataError(
            f"{path}:{line}: has {count} values but the header names {width} columns; {fix}"
        )
    return None


def not_utf8(path: Path) -> DataError:
    """The error for a file that is not UTF-8, naming the first line that does not decode."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = raw[error.start : error.start + 1].hex()
                where, detail = f"{path}:{number}", f"byte 0x{byte} is not UTF-8"
                break
        else:  # undecodable only across a line break, or changed since: name the file
            where, detail = str(path), "it is not UTF-8"
    return DataError(
        f"{where}: cannot be read as text ({detail}; the file was probably saved as Latin-1 or "
        "Windows-1252); save it as UTF-8 (e.g. Excel's 'CSV UTF-8', or "
        f"iconv -f cp1252 -t utf-8 {path.name} > utf8.csv)"
    )


def _unclosed_quote(path: Path, line: int) -> DataError:
    return DataError(
        f'{path}:{line}: a value opens a quote (") that is never closed, so the row runs on '
        "across line breaks; close the quote or remove it"
    )


def unclosed_quote_error(path: Path) -> DataError | None:
    """The error naming the line where a never-closed quote starts: it swallows the rest of
    the file, so it is the last record, one whose value spans lines."""
    last = collections.deque(_data_records(path), maxlen=1)
    if not last:
        return None
    line, record = last[0]
    if not any("\n" in value for value in record):
        return None
    return _unclosed_quote(path, line)


def ends_rows_with_a_comma(path: Path, width: int) -> bool:
    """True when the first data row has one empty value beyond the header's `width` (`1,2,3,`
    under `a,b,c`): rows that end in a stray comma, which pandas reads as if it were not there."""
    first = next(_data_records(path), None)
    return first is not None and len(first[1]) == width + 1 and not first[1][-1].strip()
