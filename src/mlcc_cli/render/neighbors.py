"""Terminal rendering of `mlcc neighbors`: the nearest words as a table (computed elsewhere)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from mlcc_cli.render.layout import print_table

if TYPE_CHECKING:
    from mlcc_cli.workflows.neighbors import NeighborsResult


def neighbors_table(result: NeighborsResult) -> Table:
    """Rank, word and cosine similarity, most similar first."""
    table = Table(
        title=f"Nearest neighbours of {result.word!r} ({result.embedding}, {result.path.name})",
        title_justify="left",
    )
    table.add_column("rank", justify="right")
    table.add_column("word")
    table.add_column("cosine similarity", justify="right")
    for rank, neighbor in enumerate(result.neighbors, start=1):
        table.add_row(str(rank), neighbor.token, f"{neighbor.similarity:.3f}")
    return table


def render_neighbors(console: Console, result: NeighborsResult) -> None:
    """The neighbours table."""
    print_table(console, neighbors_table(result))
