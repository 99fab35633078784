"""Tables laid out for the terminal's width: whole names at 80 columns, never cut to "…".

A rich table squeezed below its natural width folds or truncates its cells, so a table of
long names turns into "validat…" rows or one character per line. `fit_table` instead tries,
in order: the table as built; its dotted or multi-word headers stacked on several lines; the
table split into several tables of whole columns, each repeating the key columns (the names
a row is read by). Only a column too wide for the terminal on its own is folded, and then
cut nowhere: rich's ellipsis is replaced by folding everywhere.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

UNBOUNDED = 10_000  # a width no table reaches: measuring at it gives natural widths
HEADER_BREAK = re.compile(r"(?<=\.)(?=\w)| ")  # after a dot inside a dotted key, or a space


def fit_table(console: Console, table: Table, keys: int = 1) -> list[Table]:
    """`table` laid out in `console.width`: as built, or with stacked headers, or split into
    tables of whole columns that each repeat the first `keys` columns."""
    width = console.width
    table = _with_columns(table, [_never_ellipsis(c) for c in table.columns])
    if needed_width(console, table) <= width:
        return [table]
    stacked = _with_columns(table, [_stacked(console, c) for c in table.columns])
    if needed_width(console, stacked) <= width or keys <= 0:
        return [_fitted_or_folded(console, stacked)]
    key_columns = stacked.columns[:keys]
    groups: list[list[Column]] = []
    for column in stacked.columns[keys:]:
        if groups and _fits(console, stacked, [*key_columns, *groups[-1], column]):
            groups[-1].append(column)
        else:
            groups.append([column])
    # As many parts as the greedy packing needs, but with their columns shared out evenly.
    values = stacked.columns[keys:]
    bounds = [round(i * len(values) / len(groups)) for i in range(len(groups) + 1)]
    even = [values[start:end] for start, end in itertools.pairwise(bounds)]
    if all(_fits(console, stacked, [*key_columns, *group]) for group in even):
        groups = even
    parts = [_with_columns(stacked, [*key_columns, *group]) for group in groups]
    return _numbered([_fitted_or_folded(console, part) for part in parts])


def print_table(console: Console, table: Table, keys: int = 1) -> None:
    """Print `table` fitted to the console (`fit_table`)."""
    for part in fit_table(console, table, keys):
        console.print(part)


def needed_width(console: Console, table: Table) -> int:
    """The narrowest the table renders without breaking a word or a no_wrap cell."""
    options = console.options.update_width(UNBOUNDED)
    probe = _with_columns(
        table,
        [
            replace(c, min_width=_widest(console, options, c)) if c.no_wrap else c
            for c in table.columns
        ],
    )
    return Measurement.get(console, options, probe).minimum


def _fits(console: Console, table: Table, columns: Sequence[Column]) -> bool:
    return needed_width(console, _with_columns(table, columns)) <= console.width


def _fitted_or_folded(console: Console, table: Table) -> Table:
    """Last resort for a table too wide even alone: every column may fold, none is cut."""
    if needed_width(console, table) <= console.width:
        return table
    return _with_columns(table, [replace(c, no_wrap=False, overflow="fold") for c in table.columns])


def _widest(console: Console, options: ConsoleOptions, column: Column) -> int:
    cells = [column.header, *column.cells]
    return max(Measurement.get(console, options, cell).maximum for cell in cells)


def _with_columns(table: Table, columns: Sequence[Column]) -> Table:
    """A copy of `table` (title, box, rows' styles and sections) holding `columns`."""
    part = copy.copy(table)
    part.columns = [replace(column, _index=index) for index, column in enumerate(columns)]
    return part


def _never_ellipsis(column: Column) -> Column:
    # Folding keeps every character; an ellipsis makes "validation_auc…" rows ambiguous.
    return replace(column, overflow="fold") if column.overflow == "ellipsis" else column


def _stacked(console: Console, column: Column) -> Column:
    """The column with a plain-text header wider than its cells broken after dots and at
    spaces ("optimizer.\\nlearning_rate")."""
    header = column.header
    if not isinstance(header, str) or "[" in header:
        return column
    options = console.options.update_width(UNBOUNDED)
    cells = max((Measurement.get(console, options, c).maximum for c in column.cells), default=0)
    if cell_len(header) <= cells:
        return column
    return replace(column, header=Text("\n".join(HEADER_BREAK.split(header))))


def _numbered(parts: list[Table]) -> list[Table]:
    """Titles say "(1/2)", "(2/2)"; the caption stays under the last part."""
    if len(parts) == 1:
        return parts
    for number, part in enumerate(parts, start=1):
        suffix = f" ({number}/{len(parts)})"
        if isinstance(part.title, Text):
            part.title = part.title + Text(suffix)
        elif part.title:
            part.title = f"{part.title}{suffix}"
        if number < len(parts):
            part.caption = None
    return parts
