"""What `mlcc inspect` suggests: feature steps (or settings) to try, each with its evidence.

The crash course's remedies, each a plain comparison against a named threshold below:

- drop_duplicates: rows repeating an earlier row.
- impute: numeric inputs with gaps (for an experiment with data.missing: error, the setting
  data.missing: median instead, since that policy rejects rows before any step runs);
  drop_missing_label: rows without a label (data.missing: drop).
- drop_constant: inputs with at most CONSTANT_MAX_DISTINCT value (leave out of `inputs`).
- log (log1p): non-negative inputs whose skew within [p01, p99] exceeds LONG_TAIL_SKEW.
- clip: otherwise, max − p99 > EXTREME_TAIL_GAP · (p99 − median) (mirrored at the low end);
  the bound is the 99th (1st) percentile. Mostly-zero columns get neither log nor clip.
- one_hot: text columns (min_frequency when values are rare, max_categories above
  ONE_HOT_MAX_VALUES; ids and free text skipped); time_bucket: date columns.
- bucketize: |r| < LOW_CORRELATION with the label but η − |r| ≥ NONLINEAR_GAIN.
- drop_redundant: inputs with |r| > REDUNDANT_R between them: leave out the one less
  correlated with the label (features suggested for bucketize are exempt).
- zscore: the largest feature std exceeds the smallest by more than SCALE_RATIO.

Each suggestion carries the config text (one-line YAML) to paste into the experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from mlcc_cli.data.issues import (
    CONSTANT_MAX_DISTINCT,
    FEW_DISTINCT_MAX,
    MOSTLY_ZERO_SHARE,
    RARE_COUNT,
    REDUNDANT_R,
    is_identifier,
    number_text,
)

if TYPE_CHECKING:
    from mlcc_cli.data.column_stats import ColumnSummary, Correlation, FrameReport

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


def _step(evidence: str, advice: str, rule: str, columns: list[str], step: dict) -> Suggestion:
    return Suggestion(rule, columns, evidence, advice, flow_yaml(step), step)


def _bound(value: float) -> float:
    """A clip bound rounded to 4 significant digits, as a person would write it."""
    return float(f"{value:.4g}")


# ---------------------------------------------------------------------- suggestions


def suggest_steps(
    report: FrameReport, inputs: list[str] | None, missing_policy: str | None
) -> list[Suggestion]:
    """Feature steps (or settings) worth trying on `report`'s table, in the order to apply them.

    Numeric rules look at the model's `inputs` (every numeric feature when None); text and
    date rules at every text or date column, since the model cannot use those yet.
    `missing_policy` is the experiment's data.missing (None for a data file).
    """
    numeric = [
        c
        for c in report.columns
        if c.kind == "numeric" and c.role != "label" and (inputs is None or c.name in inputs)
    ]
    names = [c.name for c in numeric]
    suggestions = _duplicates(report) + _missing(report, numeric, missing_policy)
    dropped = [c.name for c in numeric if c.unique <= CONSTANT_MAX_DISTINCT]
    if dropped:
        evidence = "one value only: " + _listing(
            [f"{n} ({number_text(report.column(n).min)})" for n in dropped]
        )
        suggestions.append(
            _leave_out("drop_constant", dropped, evidence, "no information", names, dropped)
        )
    varied = [c for c in numeric if c.unique > FEW_DISTINCT_MAX]
    nonlinear = [
        r
        for r in report.correlations
        if r.column in {c.name for c in varied}
        and r.r is not None
        and r.eta is not None
        and abs(r.r) < LOW_CORRELATION
        and r.eta - abs(r.r) >= NONLINEAR_GAIN
    ]
    # Once bucketized, a feature is no longer a straight-line copy of its partner (latitude
    # and longitude are the crash course's example), so those pairs are not redundant.
    candidates = set(names) - set(dropped) - {r.column for r in nonlinear}
    redundant = _redundant(report, candidates, names, dropped)  # extends `dropped`
    kept = [c for c in varied if c.name not in dropped]
    # A mostly-zero column's "tail" is its non-zero values: neither log nor clip is the cure.
    dense = [c for c in kept if not (c.zero_share or 0) > MOSTLY_ZERO_SHARE]
    long_tailed = [c for c in dense if _long_tail(c)]
    suggestions += _log(long_tailed)
    suggestions += [s for c in dense if c not in long_tailed for s in _clip(c)]
    for c in report.columns:
        if c.role != "label" and c.kind in ("text", "datetime") and c.unique > 1:
            suggestions += _encode(c)
    suggestions += _bucketize(nonlinear, report.label) + redundant + _scale(kept)
    return suggestions


def _listing(items: list[str]) -> str:
    """The first EVIDENCE_ITEMS items, comma separated, with an ellipsis for the rest."""
    more = ", …" if len(items) > EVIDENCE_ITEMS else ""
    return ", ".join(items[:EVIDENCE_ITEMS]) + more


def _duplicates(report: FrameReport) -> list[Suggestion]:
    duplicates = report.duplicates
    if not duplicates.count:
        return []
    first = duplicates.examples[0]
    evidence = (
        f"duplicated rows: {duplicates.count:,} repeat earlier rows (e.g. row {first.row} = "
        f"row {first.same_as})"
    )
    advice = "drop them, so no example counts twice or sits in two splits"
    return [_step(evidence, advice, "drop_duplicates", [], {"type": "drop_duplicates"})]


def _missing(
    report: FrameReport, numeric: list[ColumnSummary], missing_policy: str | None
) -> list[Suggestion]:
    """Impute numeric gaps (a step for data files, data.missing for experiments); label gaps."""
    out = []
    gaps = [c for c in numeric if c.missing]
    if gaps:
        names = [c.name for c in gaps]
        evidence = _listing([f"{c.name}: {c.missing:,} missing" for c in gaps])
        if missing_policy == "error":
            # data.missing: error rejects the rows before any feature step runs, so only the
            # setting can help here.
            advice = "fill gaps with the training split's median"
            out.append(Suggestion("impute", names, evidence, advice, "data.missing: median"))
        else:
            advice = "fill gaps with the training split's median (or set data.missing: median)"
            step = {"type": "impute", "columns": names, "strategy": "median"}
            out.append(_step(evidence, advice, "impute", names, step))
    label = next((c for c in report.columns if c.role == "label"), None)
    if label is not None and label.missing and missing_policy in (None, "error"):
        evidence = f"label {label.name}: {label.missing:,} missing"
        advice = "rows without a label cannot teach the model; drop them"
        action = "data.missing: drop"
        out.append(Suggestion("drop_missing_label", [label.name], evidence, advice, action))
    return out


def _leave_out(
    rule: str,
    names: list[str],
    evidence: str,
    advice: str,
    features: list[str],
    left_out: list[str],
) -> Suggestion:
    """Leave `names` out of `inputs`: the remaining list when it is short enough to write.

    `left_out` holds every column suggested for leaving out so far (`names` among them), so
    the list given is the one that follows all those suggestions.
    """
    kept = [name for name in features if name not in left_out]
    if 0 < len(kept) <= LIST_LIMIT:
        action = f"inputs: {flow_yaml(kept)}"
    else:
        action = f"inputs: every feature but {', '.join(left_out)}"
    advice = f"{advice}; leave {', '.join(names)} out of inputs"
    return Suggestion(rule, list(names), evidence, advice, action)


def _long_tail(c: ColumnSummary) -> bool:
    """A non-negative column whose bulk (within p01–p99) is skewed beyond LONG_TAIL_SKEW."""
    return c.body_skew is not None and c.body_skew > LONG_TAIL_SKEW and float(c.min or 0) >= 0


def _log(columns: list[ColumnSummary]) -> list[Suggestion]:
    """One log step for every long-tailed column."""
    if not columns:
        return []
    names = [c.name for c in columns]
    if len(columns) == 1:
        c = columns[0]
        evidence = f"{c.name}: long tail (skew {c.skew:.1f}; {c.body_skew:.1f} within p01–p99)"
    else:
        evidence = "long tails: " + _listing([f"{c.name} (skew {c.skew:.1f})" for c in columns])
    # log1p rather than log: it accepts zeros, which new rows may hold.
    step = {"type": "log", "columns": names, "log1p": True}
    return [_step(evidence, "log scaling compresses a long tail", "log", names, step)]


def _clip(c: ColumnSummary) -> list[Suggestion]:
    """clip at p01 / p99 when a few values lie far beyond them (EXTREME_TAIL_GAP)."""
    if c.p01 is None or c.p99 is None or c.median is None:
        return []
    low, high = float(c.min or 0), float(c.max or 0)
    step: dict[str, Any] = {"type": "clip", "columns": [c.name]}
    parts = []
    if c.p01 < c.median and (c.p01 - low) > EXTREME_TAIL_GAP * (c.median - c.p01):
        step["min"] = _bound(c.p01)
        parts.append(f"min {number_text(low)} vs 1st percentile {number_text(c.p01)}")
    if c.p99 > c.median and (high - c.p99) > EXTREME_TAIL_GAP * (c.p99 - c.median):
        step["max"] = _bound(c.p99)
        parts.append(f"max {number_text(high)} vs 99th percentile {number_text(c.p99)}")
    if not parts:
        return []
    evidence = f"{c.name}: {' and '.join(parts)} (median {number_text(c.median)})"
    return [_step(evidence, "clip the extreme outliers", "clip", [c.name], step)]


def _encode(c: ColumnSummary) -> list[Suggestion]:
    """one_hot for text categories, time_bucket for dates; nothing for ids or free text."""
    if c.kind == "datetime":
        span_days = (_days(c.max) - _days(c.min)) if c.min and c.max else 0.0
        unit = "month" if span_days >= 365 else "day_of_week" if span_days >= 14 else "hour"
        evidence = f"{c.name}: dates from {c.min} to {c.max}"
        advice = "a model cannot use raw dates; bucket them"
        step = {"type": "time_bucket", "column": c.name, "unit": unit}
        return [_step(evidence, advice, "time_bucket", [c.name], step)]
    if is_identifier(c):
        return []
    step: dict[str, Any] = {"type": "one_hot", "columns": [c.name]}
    evidence = f"{c.name}: text with {c.unique:,} values"
    advice = "a model needs numbers; one-hot gives each value its own indicator"
    if c.unique > ONE_HOT_MAX_VALUES:
        step["max_categories"] = ONE_HOT_MAX_VALUES
        advice += f"; keep the {ONE_HOT_MAX_VALUES} most frequent (or hash them)"
    elif c.rare_values:
        step["min_frequency"] = RARE_COUNT
        evidence += f" ({c.rare_values} seen fewer than {RARE_COUNT} times)"
        advice += "; rare ones share one out-of-vocabulary indicator"
    return [_step(evidence, advice, "one_hot", [c.name], step)]


def _days(iso: float | str) -> float:
    import pandas as pd

    return pd.Timestamp(str(iso)).value / 86_400e9


def _bucketize(nonlinear: list[Correlation], label: str | None) -> list[Suggestion]:
    """One bucketize step for features whose buckets explain the label far better than a line."""
    if not nonlinear:
        return []
    names = [r.column for r in nonlinear]
    if len(nonlinear) == 1:
        r = nonlinear[0]
        evidence = (
            f"{r.column}: correlation with {label} small (r = {r.r:+.2f}), but its {BUCKETS} "
            f"quantile buckets explain it (η = {r.eta:.2f})"
        )
    else:
        evidence = "small r but large η over quantile buckets: " + _listing(
            [f"{r.column} (r {r.r:+.2f}, η {r.eta:.2f})" for r in nonlinear]
        )
    advice = "the relation is not a straight line; bucketize to learn one weight per range"
    step = {"type": "bucketize", "columns": names, "bins": BUCKETS, "strategy": "quantile"}
    return [_step(evidence, advice, "bucketize", names, step)]


def _redundant(
    report: FrameReport, candidates: set[str], features: list[str], dropped: list[str]
) -> list[Suggestion]:
    """Leave out one feature of each highly correlated pair: the one less tied to the label.

    Pairs are taken strongest first; a column kept for one pair stays kept, and a pair with a
    column already left out needs nothing more. `dropped` (constant columns) grows in place.
    """
    strength = {c.column: abs(c.r) for c in report.correlations if c.r is not None}
    kept: set[str] = set()
    weaker_ones, pairs = [], []
    for pair in report.redundant_pairs:
        first, second = pair.first, pair.second
        if not {first, second} <= candidates or first in dropped or second in dropped:
            continue
        weaker, keep = second, first
        if strength.get(first, 0.0) < strength.get(second, 0.0):
            weaker, keep = first, second
        if weaker in kept and keep not in kept:  # kept for a stronger pair: drop the partner
            weaker, keep = keep, weaker
        kept.add(keep)
        dropped.append(weaker)
        weaker_ones.append(weaker)
        pairs.append(f"{first} ~ {second} ({pair.r:+.2f})")
    if not pairs:
        return []
    evidence = f"pairs with |r| > {REDUNDANT_R:g}: " + _listing(pairs)
    advice = "each pair carries nearly the same information twice"
    return [_leave_out("drop_redundant", weaker_ones, evidence, advice, features, dropped)]


def _scale(varied: list[ColumnSummary]) -> list[Suggestion]:
    """z-score when feature spreads differ by more than SCALE_RATIO (standardised ones kept)."""
    spread = [c for c in varied if c.std is not None and c.std > 0]
    if len(spread) < 2:
        return []
    widest = max(spread, key=lambda c: c.std or 0.0)
    narrowest = min(spread, key=lambda c: c.std or 0.0)
    ratio = (widest.std or 0.0) / (narrowest.std or 1.0)
    if ratio <= SCALE_RATIO:
        return []
    # Columns already near mean 0, std 1 (an earlier zscore) need nothing more.
    unscaled = [
        c.name for c in spread if not (abs(c.mean or 0.0) < 0.1 and 0.9 < (c.std or 0) < 1.1)
    ]
    step: dict[str, Any] = {"type": "zscore"}
    if len(unscaled) <= LIST_LIMIT:
        step["columns"] = unscaled
    evidence = (
        f"feature spreads differ {ratio:,.0f}×: {widest.name} std {number_text(widest.std)} vs "
        f"{narrowest.name} std {number_text(narrowest.std)}"
    )
    advice = "gradient descent converges faster when features share one scale"
    return [_step(evidence, advice, "zscore", unscaled, step)]
