"""Reading a .csv or .parquet file a chunk of rows at a time, never the whole table.

Each chunk is a pandas frame of at most `chunk_rows` rows whose index continues the file's
row_id (the 0-based row position, as in memory), so every later stage can point back at the
exact row. Parquet is read with `ParquetFile.iter_batches`, CSV with pyarrow's streaming
reader in blocks of at most `chunk_rows` rows and 2 MiB. File problems are the same
`DataError`s the in-memory loader raises, located by file:line (CSV) or row (Parquet).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from mlcc_cli.data.csv_records import (
    RowPlaces,
    csv_header,
    ends_rows_with_a_comma,
    not_utf8,
    row_width_error,
)
from mlcc_cli.data.files import (
    check_comma_separated,
    check_numeric_columns,
    check_suffix,
    check_unique_columns,
)
from mlcc_cli.data.finite import check_finite_columns
from mlcc_cli.data.sources import require_readable_file
from mlcc_cli.errors import DataError

# Bytes of a CSV file looked at to size its blocks.
_CSV_SAMPLE_BYTES = 1 << 16
_MIN_BLOCK_BYTES = 1 << 12
_MAX_BLOCK_BYTES = 1 << 21
_PARQUET_BUFFER = 1 << 18
_CONVERSION = re.compile(r"In CSV column #(\d+): CSV conversion error to \w+: invalid value '(.*)'")
_COMMA_FIELD = "\x00after the last comma"  # no header names a column this
# What marks a missing number: pyarrow's defaults plus the two pandas adds, as in memory.
_NULL_VALUES = [*pa_csv.ConvertOptions().null_values, "<NA>", "None"]
_UNNAMED_INDEX = re.compile(r"__index_level_\d+__")


class ChunkReader:
    """Iterates a .csv or .parquet file as frames of at most `chunk_rows` rows.

    Only `columns` are read (None: all), in file order. CSV integer columns are read as
    float64 and all-empty ones as float64, because types are inferred from the first block
    and a later block may hold decimals or values.

    Attributes
    ----------
    column_names : list[str]
        Every column of the file, in the order the in-memory loader gives them.
    """

    def __init__(self, path: Path, chunk_rows: int, columns: Sequence[str] | None = None) -> None:
        check_suffix(path)
        require_readable_file(path, "data.source")
        if path.stat().st_size == 0:
            raise DataError(
                f"{path}: the file is empty (0 bytes); it needs a header line naming the columns "
                "and one row per example"
            )
        self.path = path
        self.chunk_rows = chunk_rows
        self.is_csv = path.suffix.lower() == ".csv"
        self._places = RowPlaces(path, self.is_csv)
        if self.is_csv:
            # rows ending in a stray comma read as in memory: the extra field gets a name
            # pyarrow can expect (the header read by `csv`), and is never included
            self._names = csv_header(path)
            commas = ends_rows_with_a_comma(path, len(self._names))
            self._comma_field = _COMMA_FIELD if commas else None
            self._csv_types, self._block_size = self._inspect_csv()
            self.column_names = list(self._csv_types)
        else:
            self._parquet = self._open_parquet()
            self.column_names = self._parquet_columns()
        wanted = None if columns is None else set(columns)
        self.columns = [c for c in self.column_names if wanted is None or c in wanted]

    def __iter__(self) -> Iterator[pd.DataFrame]:
        """Frames of chunk_rows rows (the last may be shorter), index = row_id, in file order."""
        start = 0
        for batch in self._regrouped():
            frame = self._frame(batch, start)
            start += len(frame)
            yield frame

    def _regrouped(self) -> Iterator[pa.RecordBatch]:
        """The raw batches regrouped into batches of exactly chunk_rows rows (the last fewer)."""
        held: list[pa.RecordBatch] = []
        rows = 0
        for batch in self.record_batches():
            held.append(batch)
            rows += batch.num_rows
            while rows >= self.chunk_rows:
                table = pa.Table.from_batches(held)
                yield table.slice(0, self.chunk_rows).combine_chunks().to_batches()[0]
                held = table.slice(self.chunk_rows).to_batches()
                rows -= self.chunk_rows
        if rows:
            yield pa.Table.from_batches(held).combine_chunks().to_batches()[0]

    def count_rows(self) -> int:
        """Rows in the file: Parquet metadata, or one pass over a CSV's first column."""
        if not self.is_csv:
            return int(self._parquet.metadata.num_rows)
        return sum(batch.num_rows for batch in self._csv_batches(self.column_names[:1]))

    def record_batches(self) -> Iterator[pa.RecordBatch]:
        """The file's raw Arrow batches: at most chunk_rows rows (CSV: at most 2 MiB of text)."""
        if self.is_csv:
            yield from self._csv_batches(self.columns)
            return
        stored = [c for c in self.columns if c in self._parquet.schema_arrow.names]
        try:
            batches = self._parquet.iter_batches(batch_size=self.chunk_rows, columns=stored)
            for batch in batches:
                # Drop pandas metadata so an index stored in the file stays a plain column.
                yield batch.replace_schema_metadata(None)
        except (OSError, ValueError, pa.ArrowException) as error:
            raise self._unreadable_parquet(error) from None

    # ----------------------------------------------------------------- parquet

    def _open_parquet(self) -> pq.ParquetFile:
        try:
            # pre_buffer (pyarrow's default) caches every column chunk it reads ahead, up to
            # the whole file; a buffered stream reads each column 256 KiB at a time instead,
            # so memory stays near one batch even with million-row row groups.
            return pq.ParquetFile(self.path, pre_buffer=False, buffer_size=_PARQUET_BUFFER)
        except (OSError, ValueError, pa.ArrowException) as error:
            raise self._unreadable_parquet(error) from None

    def _unreadable_parquet(self, error: Exception) -> DataError:
        return DataError(
            f"{self.path}: is not a readable Parquet file ({error}); re-export it, or save it "
            "as CSV"
        )

    def _parquet_columns(self) -> list[str]:
        """Columns as `pd.read_parquet(...).reset_index()` shows them: named index first.

        An unnamed index pandas stored is not data and is left out, as in memory; a named
        RangeIndex is stored only as metadata and is rebuilt from the row_id in `_frame`.
        """
        schema = self._parquet.schema_arrow
        index_columns = (schema.pandas_metadata or {}).get("index_columns", [])
        self._range_index: dict[str, tuple[int, int]] = {}
        named: list[str] = []
        for entry in index_columns:
            if isinstance(entry, dict):
                if entry.get("kind") == "range" and entry.get("name") is not None:
                    self._range_index[str(entry["name"])] = (entry["start"], entry["step"])
                    named.append(str(entry["name"]))
            elif not _UNNAMED_INDEX.fullmatch(entry):
                named.append(entry)
        stored = {entry for entry in index_columns if isinstance(entry, str)}
        check_unique_columns(schema.names, self.path)
        return named + [str(name) for name in schema.names if name not in stored]

    # --------------------------------------------------------------------- csv

    def _inspect_csv(self) -> tuple[dict[str, pa.DataType], int]:
        """Column types to read with, and a block size of at most chunk_rows rows.

        The block is chunk_rows × the shortest data line in the first 64 KiB, so blocks rarely
        hold more rows than that, but at most 2 MiB: pyarrow holds a few dozen blocks at once,
        and small blocks parse as fast. At least 4 KiB and twice the longest line seen.
        """
        with self.path.open("rb") as handle:
            sample = handle.read(_CSV_SAMPLE_BYTES)
        lines = sample.split(b"\n")
        complete = lines[1:-1] if len(lines) > 2 else lines[1:]
        lengths = [len(line) + 1 for line in complete if line.strip()] or [len(sample) + 1]
        longest = max(len(line) + 1 for line in lines)
        block = min(self.chunk_rows * min(lengths), _MAX_BLOCK_BYTES)
        block = max(block, 2 * longest, _MIN_BLOCK_BYTES)
        reader = self._open_csv(block, None, None)
        try:
            names = reader.schema.names
        except UnicodeDecodeError:  # the header line
            raise not_utf8(self.path) from None
        check_comma_separated(names, self.path)
        # pyarrow keeps repeated names, but a name -> type map would silently drop them.
        check_unique_columns(names, self.path)
        types = {}
        for field in reader.schema:
            inferred = field.type
            if pa.types.is_binary(inferred):  # pyarrow's type for text that is not UTF-8
                raise not_utf8(self.path)
            # Integers become float64 so a later decimal or gap parses; an all-empty first
            # block says nothing, and a number is the likelier content.
            if pa.types.is_integer(inferred) or pa.types.is_null(inferred):
                inferred = pa.float64()
            types[field.name] = inferred
        return types, block

    def _open_csv(
        self,
        block_size: int,
        columns: Sequence[str] | None,
        types: dict[str, pa.DataType] | None,
    ) -> pa_csv.CSVStreamingReader:
        read = pa_csv.ReadOptions(block_size=block_size)
        included = list(columns) if columns else None
        if self._comma_field is not None:
            read = pa_csv.ReadOptions(
                block_size=block_size, column_names=[*self._names, self._comma_field], skip_rows=1
            )
            included = included or self._names
        convert = pa_csv.ConvertOptions(
            column_types=types or {}, include_columns=included, null_values=_NULL_VALUES
        )
        try:
            return pa_csv.open_csv(
                self.path,
                read_options=read,
                # a quoted value may span lines, as in memory (RFC 4180); measured no slower
                parse_options=pa_csv.ParseOptions(newlines_in_values=True),
                convert_options=convert,
            )
        except pa.ArrowInvalid as error:
            raise self._csv_error(error) from None

    def _csv_batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        reader = self._open_csv(self._block_size, columns, self._csv_types)
        try:
            yield from reader
        except pa.ArrowInvalid as error:
            raise self._csv_error(error) from None

    def _csv_error(self, error: pa.ArrowInvalid) -> DataError:
        """A pyarrow CSV failure as the in-memory loader words it, with file:line if found."""
        detail = str(error).strip()
        if "invalid UTF8" in detail:
            return not_utf8(self.path)
        conversion = _CONVERSION.search(detail)
        if conversion is None:
            # pyarrow's "Expected 9 columns, got 4" names no line
            misfit = row_width_error(self.path, len(self._names))
            if misfit is not None:
                return misfit
            return DataError(
                f"{self.path}: cannot be read as CSV ({detail}); fix that line (usually a stray "
                "comma or an unclosed quote)"
            )
        column = self.column_names[int(conversion.group(1))]
        value = conversion.group(2)
        row = self._find_value(column, value)
        where = self._places(row) if row is not None else str(self.path)
        return DataError(
            f"{where}: column '{column}' is numeric except for {value!r}; fix or remove that "
            "value (an empty cell marks it missing)"
        )

    def _find_value(self, column: str, value: str) -> int | None:
        """Row position of the first cell of `column` equal to `value` (a second, text pass)."""
        reader = self._open_csv(self._block_size, [column], {column: pa.string()})
        start = 0
        try:
            for batch in reader:
                cells = batch.column(0).to_numpy(zero_copy_only=False)
                hits = np.flatnonzero(cells == value)
                if hits.size:
                    return start + int(hits[0])
                start += batch.num_rows
        except pa.ArrowInvalid as error:  # e.g. the value is not UTF-8 text either
            raise self._csv_error(error) from None
        return None

    # ------------------------------------------------------------------ frames

    def _frame(self, batch: pa.RecordBatch, start: int) -> pd.DataFrame:
        """One batch as a frame with index row_id = start, start + 1, ...; text checked."""
        # One block per column: no consolidating copy of the whole chunk, a lower peak.
        frame = batch.to_pandas(split_blocks=True)
        frame.columns = [str(column) for column in frame.columns]
        row_id = pd.RangeIndex(start, start + len(frame), name="row_id")
        for name, (first, step) in getattr(self, "_range_index", {}).items():
            if name in self.columns:
                frame[name] = first + step * row_id.to_numpy()
        if list(frame.columns) != self.columns:
            frame = frame[self.columns]
        frame.index = row_id
        check_numeric_columns(frame, self._places, row_offset=start)
        check_finite_columns(frame, self._places, row_offset=start)
        return frame

    def __repr__(self) -> str:
        return f"ChunkReader({str(self.path)!r}, chunk_rows={self.chunk_rows})"
