"""One finding of the split checks (`split_checks.check_splits`), as the doctor and reports
read it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class SplitCheck:
    """One problem with the split.

    `kind` is sorted_source | distribution_mismatch | shared_duplicates | class_balance |
    label_leak; `column` the feature or label concerned (None for whole rows); `message`
    says what, the evidence, why it matters and the fix; `evidence` holds the numbers as
    plain JSON values.
    """

    kind: str
    column: str | None
    message: str
    evidence: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The finding as a plain JSON object."""
        return asdict(self)
