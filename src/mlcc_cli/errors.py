"""The one family of errors mlcc raises, each carrying the exit code the CLI should use.

Messages say what was wrong, where (file:line or config key) and what would fix it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

LISTED = 5  # names a message lists before "and N more" (a wide table has thousands)
# A flat YAML flow list: `[a, b, c]`, no nested brackets or mappings inside.
_FLOW_LIST = re.compile(r"\[([^\[\]{}]*)\]")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' Did you mean 'x'?' for the closest choice (ignoring case), or '' when none is close."""
    choices = [str(choice) for choice in choices]
    padded = [choice for choice in choices if choice != name and choice.strip() == name]
    if padded:  # "a, b, y" as a CSV header names ' b' and ' y'
        return (
            f" Did you mean {padded[0]!r}? The header writes the name with a space around it, "
            "as after the commas in 'a, b'; remove the spaces after the file's commas."
        )
    by_lower = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
    return f" Did you mean {by_lower[close[0]]!r}?" if close else ""


def listed(names: Sequence[str], most: int = LISTED) -> str:
    """The names joined by ", ": all of them, or the first `most` and "and N more", so a
    finding about 700 columns stays one readable line (the JSON keeps the whole list)."""
    shown = ", ".join(map(str, names[:most]))
    return shown + (f" and {len(names) - most:,} more" if len(names) > most else "")


def cut_lists(text: str, most: int = LISTED) -> tuple[str, int]:
    """`text` (a `--set` fix, a suggested step) with every flow list of more than 2 × `most`
    items cut to its first `most` and "… N more"; and how many items were cut in all (0: the
    text is whole). A shorter list stays whole, so the text still pastes."""
    cut = 0

    def shorten(match: re.Match[str]) -> str:
        nonlocal cut
        items = match.group(1).split(", ")
        if len(items) <= 2 * most:
            return match.group(0)
        cut += len(items) - most
        return f"[{', '.join(items[:most])}, … {len(items) - most:,} more]"

    return _FLOW_LIST.sub(shorten, text), cut


class MlccError(Exception):
    """Base of every error mlcc reports to a user instead of a traceback."""

    exit_code = 1


class ConfigError(MlccError):
    """The experiment file, a `--set` override or a command-line option is wrong (exit 2)."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  {problem}" for problem in self.problems)


class DataError(MlccError):
    """The data cannot be used as configured: missing file, bad values, wrong label (exit 2)."""

    exit_code = 2


class NotFittedError(MlccError):
    """A transform or model was used before `fit` learned its state."""

    exit_code = 1

    def __init__(self, owner: object) -> None:
        name = type(owner).__name__
        super().__init__(f"{name} is not fitted yet: call fit() before using it.")


class DownloadError(MlccError):
    """A public dataset could not be fetched or failed verification (exit 1)."""

    exit_code = 1
