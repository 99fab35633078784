"""Doctor rules on generalisation: overfitting, underfitting, and a too-easy validation split.

They compare the training and validation curves (history.csv, data losses without the
penalty) and the final metrics. As in `rules_learning_rate`, a difference counts only when it
is large both relative to the losses and on the problem's scale (`curves.yardstick`), so two
losses near zero never make a finding.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.doctor.curves import (
    TINY,
    clipped_metric_note,
    losses,
    noise,
    usable,
    yardstick,
)
from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number
from mlcc_cli.doctor.fixes import unique_keys
from mlcc_cli.doctor.penalty import l2_fix
from mlcc_cli.doctor.rules_learning_rate import learning_rate_too_low
from mlcc_cli.doctor.rules_progress import still_improving
from mlcc_cli.doctor.rules_signal import (
    little_signal_finding,
    no_signal_finding,
    no_signal_seen,
    nothing_to_win,
    ranks_well,
)
from mlcc_cli.models.base import binary_entropy

OVERFIT_RISE = 0.05  # validation loss must stay 5% above its best: not SGD noise
OVERFIT_ABSOLUTE = 0.01  # ... and 1% of the problem's scale above it
OVERFIT_PERIODS = 2  # ... for at least this many periods after it
OVERFIT_NOISES = 3.0  # ... and by more than 3× the validation curve's noise
GAP_SHARE = 0.2  # validation loss 20%+ of the scale above training loss: a generalisation gap
GAP_RATIO = 2.0  # ... and at least twice the training loss
NEAR_ZERO = 0.1  # ... that keeps falling or sits under 10% of the scale
MEMORISED = 0.01  # a training loss under 1% of the scale has learned the rows by heart ...
MEMORISED_GAP = 0.05  # ... and a validation loss 5%+ of the scale above it shows they were noise
FLAT_RELATIVE_CHANGE = 0.01  # under 1% change over each of the last periods: a plateau
BARELY_LEARNED = 0.9  # a loss within 10% of the trivial model's: barely learned
LEAKAGE_RATIO = 0.6  # validation loss below 60% of training loss: beyond small-split luck
LEAKAGE_ABSOLUTE = 0.05  # ... by 5%+ of the problem's scale
OVERFITTING_LESSON = "Overfitting and generalization: training vs validation loss"


def _early_stopping_fix(evidence: RunEvidence) -> tuple[str, ...]:
    if evidence.config.training.early_stopping is not None:
        return ()
    return ("training.early_stopping.patience=3",)


def overfitting(evidence: RunEvidence) -> list[Finding]:
    """The curves parted — validation loss lowest at period B, then OVERFIT_RISE (and
    OVERFIT_ABSOLUTE of the scale) above it for OVERFIT_PERIODS+ periods while training loss
    kept falling, beyond OVERFIT_NOISES× the validation curve's noise — or a generalisation
    gap, even when validation is flat: validation loss GAP_RATIO× and GAP_SHARE of the scale
    above a training loss that keeps falling or sits near zero, or MEMORISED_GAP of the scale
    above a training loss at zero (the rows learned by heart, their noise with them)."""
    train = losses(evidence, "train_loss")
    validation = losses(evidence, "validation_loss")
    if not usable(validation) or not usable(train):
        return []
    size = yardstick(evidence, train)
    best = int(validation.argmin())
    after = validation[best + 1 :]
    floor = validation[best] + max(
        OVERFIT_RISE * validation[best],
        OVERFIT_ABSOLUTE * size,
        OVERFIT_NOISES * noise(validation),
    )
    # Risen for good: the later half of the periods since the minimum (at least
    # OVERFIT_PERIODS) all sit clearly above it, however gradually the climb began.
    risen = after[-max(OVERFIT_PERIODS, len(after) // 2) :]
    parted = len(after) >= OVERFIT_PERIODS and train[-1] < train[best] and (risen >= floor).all()
    gap = validation[-1] - train[-1]
    learning = train[-1] <= NEAR_ZERO * size or (np.diff(train[-3:]) < 0).all()
    widening = gap >= GAP_SHARE * size and validation[-1] >= GAP_RATIO * train[-1] and learning
    memorised = (
        train[-1] <= MEMORISED * size
        and gap >= MEMORISED_GAP * size
        and validation[-1] >= GAP_RATIO * train[-1]
    )
    if not (parted or widening or memorised):
        return []
    caught = (
        parted and evidence.stopped_early and evidence.config.training.early_stopping is not None
    )
    share = gap / max(train[-1], TINY)
    if parted:
        what = (
            f"validation loss was lowest at period {best + 1} ({validation[best]:.4g}) and "
            f"stayed {OVERFIT_RISE:.0%}+ above it for the last {len(risen)} of the "
            f"{len(after)} periods since, ending at {validation[-1]:.4g} "
            f"({validation[-1] / max(validation[best], TINY):.3g}× its lowest), while training "
            f"loss fell from {train[best]:.4g} to {train[-1]:.4g}; the gap is {share:.0%} of "
            "the training loss"
        )
        fixes = unique_keys(
            _early_stopping_fix(evidence), evidence.model.overfitting_fixes(), l2_fix(evidence)
        )
    else:
        what = (
            f"validation loss {validation[-1]:.4g} is {validation[-1] / max(train[-1], TINY):.3g}× "
            f"the training loss {train[-1]:.4g} ({gap / size:.0%} of the trivial model's loss "
            "apart)"
            + (
                f"; a training loss under {MEMORISED:.0%} of the trivial model's means the "
                "training rows were learned by heart"
                if memorised
                else ""
            )
        )
        # Validation never improved to a better period, so stopping earlier cannot help;
        # shrinking the weights that fit the noise can.
        fixes = unique_keys(
            l2_fix(evidence), evidence.model.overfitting_fixes(), _early_stopping_fix(evidence)
        )
    return [
        Finding(
            kind="overfitting",
            title="overfitting" + (" (early stopping caught it)" if caught else ""),
            concept=OVERFITTING_LESSON,
            evidence=what + clipped_metric_note(evidence),
            advice="the model is memorising the training split rather than learning what "
            "generalises; regularise (L2, dropout), use a smaller model or more data, or stop "
            "earlier",
            fix=fixes,
            period=best + 2 if parted else None,
            severity="info" if caught else "warning",
        )
    ]


def barely_learned(evidence: RunEvidence) -> str | None:
    """Why the final loss counts as barely better than the trivial model's, or None:
    regression R² under 0.2, binary log loss within 10% of the class prior's (unless the model
    ranks a heavily outnumbered class well: `rules_signal.ranks_well`), any other loss within
    10% of the trivial model's."""
    scores = evidence.metrics.get("validation") or evidence.metrics.get("train") or {}
    if evidence.task == "regression" and scores.get("r2") is not None:
        r2 = float(scores["r2"])
        return f"R² is {r2:.2f}: the model explains little beyond the mean" if r2 < 0.2 else None
    if evidence.task == "binary" and scores.get("baseline_accuracy") is not None:
        if ranks_well(evidence):  # rare positives ranked well: learned, the loss hides it
            return None
        baseline = binary_entropy(float(scores["baseline_accuracy"]))
        log_loss = float(scores["log_loss"])
        if log_loss >= BARELY_LEARNED * baseline:
            return (
                f"log loss {log_loss:.3f} is close to {baseline:.3f}, what predicting the "
                "class shares alone scores"
            )
        return None
    trivial = evidence.reference_losses.get("trivial")
    loss = scores.get("loss", scores.get("log_loss"))
    if trivial is not None and loss is not None and float(loss) >= BARELY_LEARNED * trivial:
        return f"loss {float(loss):.4g} is close to {trivial:.4g}, the trivial model's"
    return None


def _underfitting_fix(evidence: RunEvidence) -> tuple[str, ...]:
    model = evidence.config.model
    weaker = [
        f"model.{name}={format_number(float(getattr(model, name)) / 10)}"
        for name in ("l2", "l1")
        if float(getattr(model, name, 0.0) or 0.0) > 0
    ]
    # More capacity first when there is little regularisation to take away.
    return unique_keys(tuple(weaker), evidence.model.underfitting_fixes())


def trivial_plateau(evidence: RunEvidence) -> str | None:
    """What the plateau looks like, or None: barely learned (`barely_learned`) and flat, under
    FLAT_RELATIVE_CHANGE change (or within the noise) in each of the last 3 periods — more
    training will not help — at a training loss within 10% of the trivial model's (far above
    it, even the mean was not learned: the optimisation failed, not the model)."""
    train = losses(evidence, "train_loss")
    if evidence.status != "complete" or not usable(train):
        return None
    if learning_rate_too_low(evidence) or still_improving(evidence):
        return None  # progress, however slow, is not a plateau
    changes = np.abs(np.diff(train[-4:]))
    flat = changes < np.maximum(FLAT_RELATIVE_CHANGE * train[-4:-1], 3.0 * noise(train))
    high = barely_learned(evidence)
    # A training loss well under the trivial model's was learned: the gap is overfitting.
    size = yardstick(evidence, train)
    if not flat.all() or high is None:
        return None
    if not BARELY_LEARNED * size <= train[-1] <= (2.0 - BARELY_LEARNED) * size:
        return None
    return (
        f"training loss is flat at {train[-1]:.4g} (under 1% change per period for the last "
        f"3 periods) and {high}"
    )


def underfitting(evidence: RunEvidence) -> list[Finding]:
    """A plateau at the trivial model's loss (`trivial_plateau`) on a model that can be given
    more (weaker regularisation, capacity) and that more capacity can beat (else a hard
    problem: `rules_signal.nothing_to_win`). With validation scores at chance
    (`rules_signal.no_signal_seen`) the evidence says the features may hold no signal too;
    a network there gets `no_signal` instead."""
    plateau = trivial_plateau(evidence)
    fix = _underfitting_fix(evidence)
    if plateau is None or not fix:
        return []
    seen = no_signal_seen(evidence)
    hard = nothing_to_win(evidence)  # flexible models do no better: the data, not the model
    if hard is not None and seen is not None and not evidence.model.layer_diagnostics:
        return [no_signal_finding(evidence, plateau, seen, hard)]
    if hard is not None:
        return [] if seen is not None else [little_signal_finding(evidence, plateau, hard)]
    if seen is not None and evidence.model.layer_diagnostics:
        return []  # a network flat at the prior: `no_signal`, not more capacity
    if seen is not None:
        title, what = "underfitting, or no signal in the features", f"{plateau}; {seen}"
        advice = (
            "no straight line (or plane) finds any signal here: either the relation is one a "
            "linear model cannot draw (give it feature crosses, buckets or hidden layers), or "
            "the features carry none for this label (check `data.label`, the input columns "
            "and the data) — if a network fares no better, it is the data"
        )
    else:
        title, what = "underfitting", plateau
        advice = (
            "training longer will not help; give the model more to work with: weaker "
            "regularisation, feature crosses or buckets, or hidden layers"
        )
    return [
        Finding(
            kind="underfitting",
            title=title,
            concept="Overfitting and generalization: a model too simple for the data",
            evidence=what + clipped_metric_note(evidence),
            advice=advice,
            fix=fix,
        )
    ]


def no_signal(evidence: RunEvidence) -> list[Finding]:
    """A network (hidden layers) flat at the trivial model's loss on training
    (`trivial_plateau`) whose validation scores are chance's (`no_signal_seen`): the features
    show no signal for this label, and more capacity would not find one."""
    if not evidence.model.layer_diagnostics:
        return []
    plateau = trivial_plateau(evidence)
    seen = no_signal_seen(evidence) if plateau is not None else None
    if plateau is None or seen is None:
        return []
    return [no_signal_finding(evidence, plateau, seen)]


def validation_below_training(evidence: RunEvidence) -> list[Finding]:
    """Final validation loss under LEAKAGE_RATIO × training loss, by LEAKAGE_ABSOLUTE of the
    scale: the validation split is easier than the training split, which a fair random split
    almost never is."""
    train = losses(evidence, "train_loss")
    validation = losses(evidence, "validation_loss")
    if len(validation) == 0 or len(train) == 0:
        return []
    if not np.isfinite([train[-1], validation[-1]]).all():
        return []
    size = yardstick(evidence, train)
    if not (
        validation[-1] < LEAKAGE_RATIO * train[-1]
        and train[-1] - validation[-1] >= LEAKAGE_ABSOLUTE * size
    ):
        return []
    data = evidence.config.data
    if not data.shuffle:
        fix: tuple[str, ...] = ("data.shuffle=true",)
    elif evidence.task in ("binary", "multiclass") and not data.stratify:
        fix = ("data.stratify=true",)
    else:
        fix = (f"seed={evidence.config.seed + 1}",)
    return [
        Finding(
            kind="validation_below_training",
            title="validation loss well below training loss",
            concept="Datasets: training, validation and test sets",
            evidence=f"validation loss {validation[-1]:.4g} is {validation[-1] / train[-1]:.0%} "
            f"of the training loss {train[-1]:.4g} at the end",
            advice="a validation split should be as hard as the training split; this one is "
            "easier, which suggests leakage (rows shared between splits, a feature computed "
            "from the label) or splits drawn from different parts of the data; see the split "
            "checks, and try another split",
            fix=fix,
        )
    ]
