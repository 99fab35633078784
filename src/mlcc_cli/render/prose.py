"""Paragraphs and shell commands that wrap inside the terminal and keep their indent.

rich wraps a printed line back to column 0, so an indented finding loses its shape at 80
columns, and a command printed with soft_wrap runs past the edge. Here a paragraph wraps
under its own first character (a hanging indent), and a command to paste breaks between its
words with ` \\` continuations.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

CONTINUATION = " \\"
# A `--set 'KEY=VALUE'` word at the end of a line: the value may break at its spaces.
QUOTED_SET = re.compile(r"^(?P<head>.*--set '[^'=\s]+=)(?P<value>[^']*')$")


def hanging(
    lead: str | Text, body: Sequence[RenderableType] | RenderableType, indent: int = 0
) -> Hanging:
    """`lead` (a bullet, a label) then `body`, whose wrapped lines start under its first
    character; `body` may be several paragraphs, one per line. `indent` spaces go before all."""
    first = Text(" " * indent) + (Text(lead) if isinstance(lead, str) else lead)
    paragraphs = list(body) if isinstance(body, list | tuple) else [body]
    return Hanging(first, paragraphs)


class Hanging:
    """Paragraphs wrapped to the width left after `first` (the lead), each line under the
    paragraphs' first character, `first` before the first line. Lines end where their text
    does: a rich table would pad every line with spaces to the full width, which a file or a
    pipe then keeps."""

    def __init__(self, first: Text, paragraphs: list[RenderableType]) -> None:
        self.first, self.paragraphs = first, paragraphs

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lead_width = self.first.cell_len
        width = max(1, options.max_width - lead_width)
        inner = options.update_width(width)
        indent = Text(" " * lead_width)
        for number, paragraph in enumerate(self.paragraphs):
            if isinstance(paragraph, str):
                paragraph = Text(paragraph)
            if isinstance(paragraph, Text):
                rendered = [list(line.render(console)) for line in paragraph.wrap(console, width)]
            else:
                rendered = console.render_lines(paragraph, inner, pad=False)
            for row, segments in enumerate(rendered or [[]]):
                start = self.first if number == 0 and row == 0 else indent
                yield from start.render(console)
                yield from _rstrip(segments)
                yield Segment.line()


def _rstrip(segments: Sequence[Segment]) -> list[Segment]:
    """`segments` without the trailing spaces a rendered line may end with."""
    kept = list(segments)
    while kept and not kept[-1].control and not kept[-1].text.rstrip(" "):
        kept.pop()
    if kept and not kept[-1].control:
        last = kept[-1]
        kept[-1] = Segment(last.text.rstrip(" "), last.style)
    return kept


def print_path(console: Console, label: str, path: str, note: str = "") -> None:
    """ "LABEL PATH NOTE" on one line when it fits; else the note goes below, under the path.
    The path itself never breaks (soft_wrap), so it can be copied."""
    line = Text(f"{label} ", style="bold") + Text(path)
    if note and line.cell_len + 1 + cell_len(note) <= console.width:
        line.append(f" {note}")
        note = ""
    console.print(line, soft_wrap=True)
    if note:
        console.print(hanging(" " * (len(label) + 1), Text(note)))


def wrapped_command(units: Sequence[str], width: int, indent: int = 4) -> str:
    """A shell command in lines of at most `width` characters, for pasting as printed.

    `units` are its words, already shell-quoted, a flag with its value as one unit
    ("--set 'KEY=VALUE'"). Units that do not fit go on continuation lines (the line before
    ends in ` \\`), indented by `indent`. A `--set '...'` too long for a line of its own breaks
    at spaces inside its quoted value: the shell keeps the line break inside the quotes, and
    YAML reads a line break plus indent in a flow collection or plain scalar as one space.
    Any other word longer than a line is kept whole.
    """
    margin = " " * indent
    lines: list[str] = []
    current = ""
    for unit in units:
        joined = f"{current} {unit}" if current.strip() else current + unit
        if len(joined) + len(CONTINUATION) <= width or not current.strip():
            current = joined
        else:
            lines.append(current + CONTINUATION)
            current = margin + unit
        if len(current) + len(CONTINUATION) > width:
            *inside_quotes, current = _broken_value(current, width, margin * 2)
            lines.extend(inside_quotes)
    lines.append(current)
    return "\n".join(lines)


def _broken_value(line: str, width: int, margin: str) -> list[str]:
    """`line` broken at the spaces of its trailing `--set 'KEY=VALUE'` value (continuations
    indented by `margin`); unchanged when it does not end in one."""
    match = QUOTED_SET.match(line)
    if match is None:
        return [line]
    # The head (everything up to the value) must not break: its spaces become NULs meanwhile.
    head = match["head"].replace(" ", "\0")
    pieces = textwrap.wrap(
        head + match["value"],
        width=width - len(CONTINUATION),
        subsequent_indent=margin,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [piece.replace("\0", " ") for piece in pieces]
