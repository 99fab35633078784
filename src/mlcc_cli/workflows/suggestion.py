"""A suggested feature step (or setting) with its evidence, and the thresholds the rules use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from mlcc_cli.errors import listed

if TYPE_CHECKING:
    pass

LONG_TAIL_SKEW = 1.5  # skew within [p01, p99] above this: the bulk itself has a long tail
EXTREME_TAIL_GAP = 5.0  # (max − p99) / (p99 − median) above this: a few extreme outliers
LOW_CORRELATION = 0.3  # |r| below this: a straight line explains little of the label
NONLINEAR_GAIN = 0.1  # η − |r| at least this: buckets see a relation a straight line misses
BUCKETS = 10  # quantile buckets suggested for a bucketize step (as η is measured)
ONE_HOT_MAX_VALUES = 50  # more values than this: keep the most frequent ones (max_categories)
SCALE_RATIO = 10.0  # largest / smallest feature std above this: features need a common scale
LIST_LIMIT = 10  # longer column lists are left out of a suggested step (it then means "all")
EVIDENCE_ITEMS = 4  # columns or pairs named in one line of evidence


@dataclass
class Suggestion:
    """A change to try, in crash-course terms: the evidence, the advice and the config text.

    `step` is a feature step to append to `features:` (None when the change is a setting,
    such as `inputs` or `data.missing`); `action` is what to write in the config, as YAML.
    """

    rule: str  # drop_duplicates | impute | drop_missing_label | drop_constant | log | clip |
    # one_hot | time_bucket | bucketize | drop_redundant | zscore
    columns: list[str]
    evidence: str
    advice: str
    action: str
    step: dict[str, Any] | None = None


def flow_yaml(value: object) -> str:
    """One-line YAML as a config file would hold it: `{type: clip, columns: [x], max: 4.2}`."""
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


def suggestion(evidence: str, advice: str, rule: str, columns: list[str], step: dict) -> Suggestion:
    return Suggestion(rule, columns, evidence, advice, flow_yaml(step), step)


def bound(value: float) -> float:
    """A clip bound rounded to 4 significant digits, as a person would write it."""
    return float(f"{value:.4g}")


def listing(items: list[str]) -> str:
    """The first EVIDENCE_ITEMS items, comma separated, and how many more there are."""
    return listed(items, EVIDENCE_ITEMS)
