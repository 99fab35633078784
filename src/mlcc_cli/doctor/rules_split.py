"""Doctor rules on the split itself: a validation split too small to judge the model by, and
what the split checks found that the model's scores inherit: target leakage in a column the
model reads, a sorted file split without shuffling, validation rows copied from training.

Every over/underfitting verdict compares losses or metrics measured on the validation rows;
with a handful of rows those numbers move by chance more than with the model, so the finding
names the verdicts it makes untrustworthy (`diagnose.ROOT_CAUSES`) instead of letting them
stand as advice.
"""

from __future__ import annotations

import math

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.errors import listed

# Rows below which one validation loss is mostly chance: the standard error of a mean over n
# rows is σ/√n, ≥ 18 % of σ under 30 rows — the size of the gaps the other rules flag.
MIN_VALIDATION_ROWS = 30
LARGEST_VALIDATION_SHARE = 0.5  # never suggest giving validation more than half the data
SPLIT_LESSON = "Datasets: dividing the original dataset (training, validation and test sets)"


def _larger_split(evidence: RunEvidence, rows: int) -> str | None:
    """A `data.split={...}` that gives validation MIN_VALIDATION_ROWS rows and one to spare,
    taken from training; None when even LARGEST_VALIDATION_SHARE of the data would not."""
    split = evidence.config.data.split
    if split.validation <= 0:
        return None
    total = rows / split.validation  # the rows the split divided, as this share implies
    # one row to spare: the total is inferred from a rounded split, and stratifying moves
    # a split's size by a row
    share = math.ceil(100 * (MIN_VALIDATION_ROWS + 1) / total) / 100
    train = split.train - (share - split.validation)
    if share > LARGEST_VALIDATION_SHARE or train <= 0:
        return None
    shares = f"train: {format_number(train)}, validation: {format_number(share)}"
    return f"data.split={{{shares}, test: {format_number(split.test)}}}"


def validation_is_chance(evidence: RunEvidence) -> bool:
    """Whether the validation split is known to hold 1 to MIN_VALIDATION_ROWS − 1 rows."""
    rows = evidence.validation_rows
    return rows is not None and 0 < rows < MIN_VALIDATION_ROWS


def validation_too_small(evidence: RunEvidence) -> list[Finding]:
    """Fewer than MIN_VALIDATION_ROWS validation rows: its loss and metrics are mostly
    chance (standard error σ/√n), so no verdict drawn from them can be trusted."""
    if not validation_is_chance(evidence):
        return []
    rows = int(evidence.validation_rows or 0)
    fix = _larger_split(evidence, rows)
    more = "give validation a larger share of the data" if fix else "collect more data"
    return [
        Finding(
            kind="validation_too_small",
            title="validation split too small",
            concept=SPLIT_LESSON,
            evidence=f"the validation split has {rows} row{'s' if rows != 1 else ''}, fewer "
            f"than the {MIN_VALIDATION_ROWS} a loss measured on it needs before it says more "
            "about the model than about which rows landed there",
            advice=f"verdicts drawn from so few rows (overfitting, bias, threshold) are mostly "
            f"chance; {more} so validation holds at least {MIN_VALIDATION_ROWS} rows",
            fix=(fix,) if fix else (),
        )
    ]


LEAK_CHECK = "label_leak"  # the split check's kind (data/split_checks.py)
LEAK_LESSON = "Datasets: labels and features (target leakage)"


def _inputs_without(evidence: RunEvidence, leaking: list[str]) -> str | None:
    """`inputs=[...]`: the columns the model reads, the leaking ones left out; None when the
    remaining list is unknown or empty. The model reads `inputs` as configured, else every
    numeric column reaching it (the input statistics' columns)."""
    reads = list(evidence.config.inputs or evidence.inputs)
    kept = [column for column in reads if column not in leaking]
    if not kept or len(kept) == len(reads):
        return None
    return f"inputs=[{', '.join(kept)}]"


def target_leakage(evidence: RunEvidence) -> list[Finding]:
    """A split check found columns that alone separate the label (`label_leak`: AUC ≥ 0.999
    on training rows) and the model reads them: its scores measure the leak, not what it
    will do on new rows where the answer is not yet known. Fix: the inputs without them."""
    reads = set(evidence.config.inputs or evidence.inputs)
    leaks = [
        check
        for check in evidence.split_checks
        if check.get("kind") == LEAK_CHECK and check.get("column") in reads
    ]
    if not leaks:
        return []
    leaking = [str(check["column"]) for check in leaks]
    auc = (leaks[0].get("evidence") or {}).get("auc")
    fix = _inputs_without(evidence, leaking)
    return [
        Finding(
            kind="target_leakage",
            title="target leakage suspected",
            concept=LEAK_LESSON,
            evidence=f"the split check found that {leaking[0]} alone separates the label"
            + (f" (AUC {float(auc):.3f} on training rows)" if isinstance(auc, int | float) else "")
            + (f"; also {listed(leaking[1:])}" if len(leaking) > 1 else "")
            + ", and the model reads it: its scores measure the leak, not the model",
            advice="a feature computed from the answer, or only known after it, is missing when "
            "the model is used on new rows; drop it from the inputs and train again (if it "
            "truly is known in advance, the problem is simply easy)",
            fix=(fix,) if fix else (),
        )
    ]


SORTED_CHECK = "sorted_source"  # the split checks' kinds (data/split_checks.py)
COPIES_CHECK = "shared_duplicates"
# A tenth of validation copied from training pulls its loss visibly towards training's: a few
# stray repeats in a large file (left to the split check's note) do not.
MIN_COPIED_SHARE = 0.1
SHUFFLE_LESSON = "Datasets: dividing the original dataset (shuffle before splitting)"


def unshuffled_split(evidence: RunEvidence) -> list[Finding]:
    """A file in a meaningful order (split check `sorted_source`: |Spearman ρ| ≥ 0.5 between
    a column and the row number) split with data.shuffle false: training holds the first rows,
    validation the last, so validation scores describe other examples. Fix: shuffle."""
    if evidence.config.data.shuffle:
        return []
    sorted_by = [check for check in evidence.split_checks if check.get("kind") == SORTED_CHECK]
    if not sorted_by:
        return []
    columns = [str(check.get("column")) for check in sorted_by]
    rho = (sorted_by[0].get("evidence") or {}).get("spearman_rho")
    how = [f"Spearman ρ {float(rho):+.2f} against the row number"] if rho is not None else []
    how += [f"also {listed(columns[1:])}"] if len(columns) > 1 else []
    train = evidence.config.data.split.train
    return [
        Finding(
            kind="unshuffled_split",
            title="sorted file split without shuffling",
            concept=SHUFFLE_LESSON,
            evidence=f"the file looks sorted by {columns[0]}"
            + (f" ({'; '.join(how)})" if how else "")
            + f" and data.shuffle is false: training took the first {train:.0%} of the rows "
            "and validation and test the rows after them",
            advice="validation then holds a different kind of example than training, so its "
            "loss and metrics say little about new rows drawn like the whole file; shuffle "
            "before splitting (unless the order is time and validation must be the future)",
            fix=("data.shuffle=true",),
        )
    ]


def validation_copies_training(evidence: RunEvidence) -> list[Finding]:
    """At least MIN_COPIED_SHARE of the validation rows are exact copies of training rows
    (split check `shared_duplicates`): validation scores the model on examples it memorised,
    so it overstates how the model does on new rows and hides overfitting. No `--set` fix:
    the file must be de-duplicated before splitting."""
    copies = [check for check in evidence.split_checks if check.get("kind") == COPIES_CHECK]
    counts = (copies[0].get("evidence") or {}) if copies else {}
    copied, rows = counts.get("validation"), evidence.validation_rows
    if not isinstance(copied, int) or not rows or copied < MIN_COPIED_SHARE * rows:
        return []
    return [
        Finding(
            kind="validation_copies_training",
            title="validation rows copied from training",
            concept=SPLIT_LESSON,
            evidence=f"{copied:,} of the {rows:,} validation rows ({copied / rows:.0%}) are exact "
            "copies of training rows (every column, label included)",
            advice="the model is scored on examples it has already seen, so validation (and the "
            "overfitting check, and early stopping) says it does better than it will on new "
            "rows; de-duplicate the file before splitting (a drop_duplicates feature step only "
            "compares rows within one split)",
            fix=(),
        )
    ]
