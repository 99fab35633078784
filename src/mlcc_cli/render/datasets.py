"""`mlcc datasets`: the built-in datasets as a table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table


def datasets_table(rows: Sequence[Any]) -> Table:
    """Built-in datasets with their size and task."""
    table = Table(
        title="Built-in datasets (use as data.source: builtin:NAME)", title_justify="left"
    )
    for header, justify in (("name", "left"), ("rows", "right"), ("columns", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    table.add_column("task")
    table.add_column("description")
    for row in rows:
        table.add_row(row.name, f"{row.rows:,}", str(row.columns), row.task, row.description)
    return table
