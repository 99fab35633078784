"""What the run doctor reports: one finding per problem, in crash-course terms.

A finding names the concept the run illustrates, the evidence (numbers, and the period where
it began) and a next step written as `--set KEY=VALUE` overrides that paste straight into
`mlcc train CONFIG`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One thing the doctor noticed about a run."""

    kind: str  # rule tag, e.g. learning_rate_too_high (stable: scripts and tests match it)
    title: str  # short headline, e.g. "learning rate too high"
    concept: str  # the crash-course lesson it illustrates
    evidence: str  # the numbers behind it, in one sentence
    advice: str  # what to do and why, in one sentence
    # --set KEY=VALUE overrides; the first is the suggested next step. One fix may need two
    # settings together (inputs z-scored and a rate for their new units): FIX_JOINER joins them.
    fix: tuple[str, ...]
    period: int | None = None  # the period where the problem began, when it has one
    severity: str = "warning"  # warning | info (facts worth knowing, e.g. L1 sparsity)

    def to_json(self) -> dict[str, Any]:
        """The finding as doctor.json stores it (fix as a list)."""
        return {**asdict(self), "fix": list(self.fix)}


FIX_JOINER = " --set "  # between the settings of one fix, as they paste after `--set`


def fix_overrides(fix: str) -> list[str]:
    """The `--set` overrides one fix applies together (most fixes are one)."""
    return fix.split(FIX_JOINER)


def format_number(value: float) -> str:
    """A value for a `--set` override, short (3 significant digits): 0.003, 1e-05, 250."""
    return f"{value:.3g}"
