"""Rows of the benchmark table, best-of-N timing and the Markdown rendering."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

MB = 1_000_000  # decimal megabytes, as in "2,000,000 × 32 float64 = 512 MB"
COLUMNS = ("what", "engine", "mlcc", "reference", "ref.", "ratio", "target", "meets")


@dataclass
class Row:
    """One line of the table: a measurement, what it is compared with, and the target ratio."""

    what: str
    value: float | None  # seconds, or bytes when unit == "MB"
    engine: str = ""
    reference: str = ""
    reference_value: float | None = None
    target: float | None = None  # the largest acceptable value / reference_value
    unit: str = "s"

    @property
    def ratio(self) -> float | None:
        """value / reference_value, or None without a reference."""
        if self.value is None or not self.reference_value:
            return None
        return self.value / self.reference_value

    @property
    def verdict(self) -> str:
        """'yes' or 'NO' against the target; '—' for rows without one."""
        ratio = self.ratio
        if self.target is None or ratio is None:
            return "—"
        return "yes" if ratio <= self.target else "NO"

    def cells(self) -> tuple[str, ...]:
        """The row's table cells, formatted."""
        ratio = self.ratio
        return (
            self.what,
            self.engine,
            quantity(self.value, self.unit),
            self.reference,
            quantity(self.reference_value, self.unit),
            "" if ratio is None else f"{ratio:.2f}×",
            "" if self.target is None else f"≤ {self.target:g}×",
            self.verdict,
        )


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Fastest of `repeat` calls of `run`, in seconds of time.perf_counter."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def quantity(value: float | None, unit: str) -> str:
    """Seconds as µs / ms / s with three significant digits; bytes as MB."""
    if value is None:
        return ""
    if unit == "MB":
        return f"{value / MB:,.0f} MB"
    if value < 1e-3:
        return f"{value * 1e6:.3g} µs"
    if value < 1.0:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def render_table(rows: list[Row]) -> list[str]:
    """A Markdown table whose columns are padded to line up in a terminal too."""
    cells = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    numeric = {2, 4, 5}  # right-aligned: times, reference times, ratios

    def line(values: tuple[str, ...]) -> str:
        padded = (
            v.rjust(w) if i in numeric else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (w + 1) + ":" if i in numeric else "-" * (w + 2) for i, w in enumerate(widths)
    )
    return [line(cells[0]), rule + "|", *(line(c) for c in cells[1:])]


def markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A Markdown table of text cells, padded so its columns line up in a terminal too."""
    widths = [max(len(line[i]) for line in (header, *rows)) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


def progress(message: str) -> None:
    """Say on stderr what runs now (the table goes to stdout)."""
    print(f"… {message}", file=sys.stderr, flush=True)
