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

from typing import TYPE_CHECKING

from mlcc_cli.data.column_stats import (
    CONSTANT_MAX_DISTINCT,
    FEW_DISTINCT_MAX,
    MOSTLY_ZERO_SHARE,
    REDUNDANT_R,
)
from mlcc_cli.data.issues import number_text
from mlcc_cli.errors import listed

if TYPE_CHECKING:
    from mlcc_cli.data.column_stats import ColumnSummary
    from mlcc_cli.data.frame_report import FrameReport
from mlcc_cli.workflows.column_suggestions import (
    bucketize_steps,
    clip_steps,
    encode_steps,
    log_steps,
    long_tail,
    scale_steps,
)
from mlcc_cli.workflows.suggestion import (
    LIST_LIMIT,
    LOW_CORRELATION,
    NONLINEAR_GAIN,
    Suggestion,
    flow_yaml,
    listing,
    suggestion,
)


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
        evidence = "one value only: " + listing(
            [f"{n} ({number_text(report.column(n).min)})" for n in dropped]
        )
        suggestions.append(
            _leave_out("drop_constant", dropped, evidence, "no information", names, dropped)
        )
    varied = [c for c in numeric if c.unique > FEW_DISTINCT_MAX]
    varied_names = {c.name for c in varied}  # sets: a wide table has thousands of columns
    nonlinear = [
        r
        for r in report.correlations
        if r.column in varied_names
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
    long_tailed = [c for c in dense if long_tail(c)]
    suggestions += log_steps(long_tailed)
    tailed_names = {c.name for c in long_tailed}
    suggestions += [s for c in dense if c.name not in tailed_names for s in clip_steps(c)]
    for c in report.columns:
        if c.role != "label" and c.kind in ("text", "datetime") and c.unique > 1:
            suggestions += encode_steps(c)
    suggestions += bucketize_steps(nonlinear, report.label) + redundant + scale_steps(kept)
    return suggestions


def _duplicates(report: FrameReport) -> list[Suggestion]:
    duplicates = report.duplicates
    if not duplicates.count:
        return []
    first = duplicates.examples[0]
    evidence = (
        f"duplicated rows: {duplicates.count:,} "
        f"{'repeat earlier rows' if duplicates.count != 1 else 'repeats an earlier row'} "
        f"(e.g. row {first.row} = "
        f"row {first.same_as})"
    )
    advice = "drop them, so no example counts twice or sits in two splits"
    return [suggestion(evidence, advice, "drop_duplicates", [], {"type": "drop_duplicates"})]


def _missing(
    report: FrameReport, numeric: list[ColumnSummary], missing_policy: str | None
) -> list[Suggestion]:
    """Impute numeric gaps (a step for data files, data.missing for experiments); label gaps."""
    out = []
    # an empty column (count 0) has nothing to impute from: the constant rule leaves it out
    gaps = [c for c in numeric if c.missing and c.count]
    if gaps:
        names = [c.name for c in gaps]
        evidence = listing([f"{c.name}: {c.missing:,} missing" for c in gaps])
        if missing_policy == "error":
            # data.missing: error rejects the rows before any feature step runs, so only the
            # setting can help here.
            advice = "fill gaps with the training split's median"
            out.append(Suggestion("impute", names, evidence, advice, "data.missing: median"))
        else:
            advice = "fill gaps with the training split's median (or set data.missing: median)"
            step = {"type": "impute", "columns": names, "strategy": "median"}
            out.append(suggestion(evidence, advice, "impute", names, step))
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
        action = f"inputs: every feature but {listed(left_out)}"
    advice = f"{advice}; leave {listed(names)} out of inputs"
    return Suggestion(rule, list(names), evidence, advice, action)


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
    evidence = f"pairs with |r| > {REDUNDANT_R:g}: " + listing(pairs)
    advice = "each pair carries nearly the same information twice"
    return [_leave_out("drop_redundant", weaker_ones, evidence, advice, features, dropped)]
