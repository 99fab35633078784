"""What `mlcc inspect` learns about one table: its columns, duplicates, correlations, findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlcc_cli.data.column_stats import ColumnSummary


@dataclass
class DataFinding:
    """Something notable about the data, with its evidence; `column` is None for whole rows."""

    kind: str  # duplicates | missing | constant | few_values | mostly_zero | rare_values |
    # empty_categories | identifier | outliers | redundant
    column: str | None
    detail: str


@dataclass
class DuplicateRow:
    """A row that repeats an earlier one; both are row ids (0-based positions in the source)."""

    row: int
    same_as: int


@dataclass
class Duplicates:
    """Rows equal in every column to an earlier row: how many, and the first few."""

    count: int
    examples: list[DuplicateRow] = field(default_factory=list)


@dataclass
class Correlation:
    """Pearson r of a feature with the label, and the correlation ratio η over quantile buckets.

    η² = Σ_k n_k (ȳ_k − ȳ)² / Σ_i (y_i − ȳ)², the share of the label's variance explained by
    the feature's K = ETA_BUCKETS quantile buckets, corrected for chance as adjusted R² is:
    1 − (1 − η²)(n − 1)/(n − K), floored at 0 (with K means, η² > 0 even for pure noise).
    η well above |r| means a relation that is not a straight line (bucketizing can model it).
    """

    column: str
    r: float | None
    eta: float | None = None


@dataclass
class RedundantPair:
    """Two features whose Pearson |r| exceeds the redundancy threshold."""

    first: str
    second: str
    r: float


@dataclass
class FrameReport:
    """The statistics of one table: the loaded data, or the training split after the features."""

    title: str
    rows: int
    label: str | None
    columns: list[ColumnSummary]
    duplicates: Duplicates
    correlations: list[Correlation]
    redundant_pairs: list[RedundantPair]
    findings: list[DataFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ranked_columns(self) -> list[ColumnSummary]:
        """The columns most telling about the label first: the label, then by max(|r|, η)
        with it, strongest first; columns without a correlation follow in table order."""
        strength = {c.column: max(abs(c.r or 0.0), c.eta or 0.0) for c in self.correlations}
        # sorted is stable: ties, and every column of a table without a label, keep their order
        return sorted(self.columns, key=lambda c: (c.role != "label", -strength.get(c.name, -1.0)))

    def column(self, name: str) -> ColumnSummary:
        """The summary of column `name` (KeyError if absent)."""
        for summary in self.columns:
            if summary.name == name:
                return summary
        raise KeyError(name)
