"""How much signal a run's model found, judged by ranking (AUC) and R², not by the loss alone.

A log loss near the class prior's can mean two opposite things. Under heavy class imbalance
the loss is dominated by the many easy majority rows, so a model that ranks the rare
positives well (validation AUC clearly above 0.5) still lands near the prior's loss: it has
learned, and accuracy, the threshold and precision/recall are the lesson (`ranks_well`). A
model whose validation AUC is chance's (or R² ≈ 0) found no signal at all: either the model is
too simple for the relation, or the features carry none for this label (`no_signal_seen`) —
and a network whose training loss never left the prior's is not the too-simple kind
(`no_signal_finding`).

Chance's AUC spread is the Mann–Whitney statistic's under no signal (Hanley & McNeil 1982):
SE₀ = √((n₊ + n₋ + 1) / (12·n₊·n₋)) for n₊ positive and n₋ negative validation rows.
"""

from __future__ import annotations

import math

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding

CHANCE_AUC = 0.5
CHANCE_SPREADS = 3.0  # an AUC within 3 standard errors of 0.5 is chance's
CLEAR_AUC_MARGIN = 0.1  # ... and a ranking signal is clear at 0.6 or above (and beyond 3 SE₀)
CHANCE_AUC_FLOOR = 0.02  # never call an AUC further than this from 0.5 chance
UNKNOWN_AUC_SPREAD = 0.05  # the band when the validation rows are not known
HEAVY_IMBALANCE = 0.2  # a minority class at most 20% of the rows: accuracy misleads
CHANCE_R2 = 0.05  # a validation R² under 0.05 explains nothing beyond the mean
DATA_LESSON = "Datasets: labels and features (is there a signal to learn?)"


def _validation(evidence: RunEvidence) -> dict:
    return evidence.metrics.get("validation") or {}


def minority_share(evidence: RunEvidence) -> float | None:
    """The smaller class's share of the validation rows (binary), from the majority baseline."""
    baseline = _validation(evidence).get("baseline_accuracy")
    if evidence.task != "binary" or baseline is None:
        return None
    return 1.0 - float(baseline)


def auc_chance_spread(evidence: RunEvidence) -> float:
    """CHANCE_SPREADS × SE₀: how far from 0.5 a validation AUC wanders with no signal."""
    share, rows = minority_share(evidence), evidence.validation_rows
    if share is None or not rows:
        return UNKNOWN_AUC_SPREAD
    positives, negatives = share * rows, (1.0 - share) * rows
    if positives < 1 or negatives < 1:
        return UNKNOWN_AUC_SPREAD
    se0 = math.sqrt((positives + negatives + 1.0) / (12.0 * positives * negatives))
    return max(CHANCE_SPREADS * se0, CHANCE_AUC_FLOOR)


def validation_auc(evidence: RunEvidence) -> float | None:
    """metrics.json's validation AUC (binary), when finite."""
    auc = _validation(evidence).get("auc") if evidence.task == "binary" else None
    return float(auc) if isinstance(auc, int | float) and math.isfinite(auc) else None


def ranks_well(evidence: RunEvidence) -> bool:
    """A binary model with a clear ranking signal on heavily imbalanced data: validation AUC
    at least CLEAR_AUC_MARGIN and chance's spread above 0.5, the minority class at most
    HEAVY_IMBALANCE. Its log loss near the prior's is the rarity of the positives, not a
    model too simple."""
    auc, share = validation_auc(evidence), minority_share(evidence)
    if auc is None or share is None or share > HEAVY_IMBALANCE:
        return False
    return auc - CHANCE_AUC >= max(CLEAR_AUC_MARGIN, auc_chance_spread(evidence))


def ranking_note(evidence: RunEvidence) -> str:
    """`; validation AUC 0.755 and N% positives` for the evidence of a model that ranks well."""
    auc, share = validation_auc(evidence), minority_share(evidence)
    if auc is None or share is None:
        return ""
    return (
        f"; yet validation AUC is {auc:.3f} (chance is 0.5 ± {auc_chance_spread(evidence):.2f}): "
        f"the model ranks the {share:.1%} minority class above the rest, so the log loss sits "
        "near the prior's because that class is rare, not because nothing was learned"
    )


def no_signal_seen(evidence: RunEvidence) -> str | None:
    """Why the validation scores show no signal, or None: a binary AUC within chance's spread
    of 0.5, or a regression R² under CHANCE_R2."""
    auc = validation_auc(evidence)
    if auc is not None:
        spread = auc_chance_spread(evidence)
        if abs(auc - CHANCE_AUC) <= spread:
            return f"validation AUC {auc:.3f} is chance's 0.5 (± {spread:.2f})"
        return None
    r2 = _validation(evidence).get("r2") if evidence.task == "regression" else None
    if isinstance(r2, int | float) and math.isfinite(r2) and r2 < CHANCE_R2:
        return f"a validation R² under {CHANCE_R2} is what inputs unrelated to the label give"
    return None


def no_signal_finding(
    evidence: RunEvidence,
    plateau: str,
    seen: str,
    why: str = "the model is already a network with hidden layers",
) -> Finding:
    """A model flat at the trivial model's loss on training and validation, validation
    scores at chance, and more capacity known not to help (a network already, or flexible
    reference models doing no better: `nothing_to_win`): the data is the suspect."""
    return Finding(
        kind="no_signal",
        title="no signal in the features for this label",
        concept=DATA_LESSON,
        evidence=f"{plateau}; {seen}; and {why}",
        advice="a model that cannot fit even its own training rows better than the prior, "
        "where more capacity finds nothing either, is not short of capacity; check the data: "
        "that `data.label` is the column you meant, that labels and rows were not shuffled "
        "apart, and that the inputs can carry information about the label (without leaking "
        "it); more layers will not find a signal that is not there",
        fix=(),
    )


# More capacity must be able to win back at least 5 % of the trivial model's loss on the
# validation rows: less is within a refit's luck, and no fix of the model's would show it.
MIN_CAPACITY_GAIN = 0.05


def nothing_to_win(evidence: RunEvidence) -> str | None:
    """Why more capacity would not help, or None: training measured `capacity_gain` (the
    better of a linear refit and gradient-boosted trees on the run's own inputs, against the
    run's validation loss) under MIN_CAPACITY_GAIN of the trivial model's loss."""
    gain = evidence.capacity_gain
    if gain is None or gain >= MIN_CAPACITY_GAIN:
        return None
    return (
        "neither a linear refit nor gradient-boosted trees on the same inputs beats this "
        f"run's validation loss by {MIN_CAPACITY_GAIN:.0%} of the trivial model's (the better "
        f"wins back {gain:+.1%})"
    )


def little_signal_finding(evidence: RunEvidence, plateau: str, why: str) -> Finding:
    """A model near the trivial loss that flexible reference models cannot beat either: the
    inputs carry little signal for the label, the model learned what there is. A fact."""
    return Finding(
        kind="little_signal",
        title="a hard problem: little signal in these inputs",
        concept=DATA_LESSON,
        evidence=f"{plateau}; yet {why}",
        advice="the model has learned what these inputs say about the label, and neither more "
        "capacity nor more training will add to it; a better score needs better inputs "
        "(other columns, cleaner labels, more rows), not a different model",
        fix=(),
        severity="info",
    )
