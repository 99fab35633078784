"""Doctor rules on the loss curves: learning rate, overfitting, underfitting, leakage.

Each rule reads history.csv's train_loss / validation_loss per period (data losses, without
the L1/L2 penalty, on the whole splits) and returns zero or one Finding.
"""

from __future__ import annotations

import numpy as np

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding, format_number

MIN_PERIODS = 4  # curve shapes need a few points
RISE = 0.01  # a period whose train loss grows by more than 1% "rises"
OSCILLATING_SHARE = 0.3  # ... in at least this share of the periods: the loss oscillates
SLOW_RELATIVE_DROP = 0.05  # still falling, by under 5% a period, at an unbending pace: too slow
FLAT_RELATIVE_CHANGE = 0.01  # under 1% change over each of the last periods: a plateau
LEAKAGE_RATIO = 0.6  # validation loss below 60% of training loss: beyond small-split luck
OVERFIT_RISE = 0.05  # validation loss must stay 5% above its best: not SGD noise
OVERFIT_PERIODS = 2  # ... for at least this many periods after it
LEARNING_RATE_LESSON = "Reducing loss: the learning rate, the Goldilocks principle"


def _losses(evidence: RunEvidence, column: str) -> np.ndarray:
    history = evidence.history
    if column not in history:
        return np.empty(0)
    return history[column].to_numpy(dtype=np.float64)


def _learning_rate(evidence: RunEvidence) -> float:
    return float(evidence.config.optimizer.learning_rate)


def _learning_rate_fix(evidence: RunEvidence, factor: float) -> tuple[str, ...]:
    return (f"optimizer.learning_rate={format_number(_learning_rate(evidence) * factor)}",)


def learning_rate_too_high(evidence: RunEvidence) -> list[Finding]:
    """The NaN trap (diverged), a training loss that ends above where it started, or one that
    rises in at least OSCILLATING_SHARE of the periods: steps overshoot the minimum."""
    train = _losses(evidence, "train_loss")
    if evidence.status == "diverged":
        return [
            Finding(
                kind="learning_rate_too_high",
                title="learning rate too high: the NaN trap",
                concept=LEARNING_RATE_LESSON,
                evidence=f"training diverged: {evidence.message.rstrip('.')}",
                advice="each step overshoots further until the numbers overflow; divide the "
                "learning rate by 10 (or set optimizer.clip_norm)",
                fix=(*_learning_rate_fix(evidence, 0.1), "optimizer.clip_norm=1"),
                period=len(train) + 1 if len(train) else 1,
            )
        ]
    if len(train) < MIN_PERIODS or not np.isfinite(train).all():
        return []
    ratios = train[1:] / np.maximum(train[:-1], np.finfo(float).tiny)
    rises = np.flatnonzero(ratios > 1 + RISE)
    if train[-1] > train[0] * (1 + RISE) and train.argmin() < len(train) - 1:
        first = int(rises[0]) + 2 if len(rises) else 2
        return [
            Finding(
                kind="learning_rate_too_high",
                title="learning rate too high: loss rising",
                concept=LEARNING_RATE_LESSON,
                evidence=f"training loss ended at {train[-1]:.4g}, above its first period's "
                f"{train[0]:.4g} (lowest {train.min():.4g} at period {int(train.argmin()) + 1})",
                advice="steps this large overshoot the minimum; divide the learning rate by 10",
                fix=_learning_rate_fix(evidence, 0.1),
                period=first,
            )
        ]
    if len(rises) >= max(2, OSCILLATING_SHARE * len(ratios)):
        return [
            Finding(
                kind="learning_rate_too_high",
                title="learning rate too high: loss oscillating",
                concept=LEARNING_RATE_LESSON,
                evidence=f"training loss rose in {len(rises)} of {len(ratios)} periods, by up "
                f"to {ratios.max() - 1:.0%}, first at period {int(rises[0]) + 2}",
                advice="the steps bounce across the minimum instead of settling in it; divide "
                "the learning rate by 3",
                fix=_learning_rate_fix(evidence, 1 / 3),
                period=int(rises[0]) + 2,
            )
        ]
    return []


def learning_rate_too_low(evidence: RunEvidence) -> list[Finding]:
    """Training loss falling in each of the last 3 periods, by under SLOW_RELATIVE_DROP each,
    with the last drop at least half the average drop (the curve has not started to bend)."""
    train = _losses(evidence, "train_loss")
    if evidence.status != "complete" or evidence.stopped_early:
        return []
    if len(train) < MIN_PERIODS or not np.isfinite(train).all():
        return []
    drops = train[:-1] - train[1:]  # positive while the loss falls
    last = drops[-3:]
    if not (last > 0).all():
        return []
    relative = last[-1] / train[-2]
    average_drop = (train[0] - train[-1]) / len(drops)
    if relative >= SLOW_RELATIVE_DROP or last[-1] < 0.5 * average_drop:
        return []
    epochs = evidence.history["epoch"].iloc[-1] if "epoch" in evidence.history else None
    return [
        Finding(
            kind="learning_rate_too_low",
            title="learning rate too low",
            concept=LEARNING_RATE_LESSON,
            evidence=f"training loss still fell {relative:.2%} in the last period "
            f"({train[-2]:.4g} → {train[-1]:.4g}) at the pace it kept all run (from "
            f"{train[0]:.4g}): the curve never flattened",
            advice="the steps are too small to reach the minimum in the time given; multiply "
            "the learning rate by 10" + (" (or train longer)" if epochs is not None else ""),
            fix=_learning_rate_fix(evidence, 10.0),
        )
    ]


def _overfitting_fix(evidence: RunEvidence) -> tuple[str, ...]:
    model = evidence.config.model
    fixes = []
    if evidence.config.training.early_stopping is None:
        fixes.append("training.early_stopping.patience=3")
    fixes += evidence.model.overfitting_fixes()  # e.g. an mlp without dropout
    l2 = float(getattr(model, "l2", 0.0))
    fixes.append(f"model.l2={format_number(l2 * 10 if l2 > 0 else 0.001)}")
    return tuple(fixes)


def overfitting(evidence: RunEvidence) -> list[Finding]:
    """Validation loss at its lowest at period B, then at least OVERFIT_RISE above that for
    each of the OVERFIT_PERIODS+ periods since, while training loss kept falling: the curves
    parted. A validation curve that wobbles back to its best is noise, not overfitting."""
    train = _losses(evidence, "train_loss")
    validation = _losses(evidence, "validation_loss")
    if len(validation) < MIN_PERIODS or not np.isfinite(validation).all():
        return []
    best = int(validation.argmin())  # 0-based period index of the lowest validation loss
    after = validation[best + 1 :]
    if len(after) < OVERFIT_PERIODS or train[-1] >= train[best]:
        return []
    if not (after >= (1 + OVERFIT_RISE) * validation[best]).all():
        return []
    gap = (validation[-1] - train[-1]) / max(train[-1], np.finfo(float).tiny)
    caught = evidence.stopped_early and evidence.config.training.early_stopping is not None
    return [
        Finding(
            kind="overfitting",
            title="overfitting" + (" (early stopping caught it)" if caught else ""),
            concept="Overfitting and generalization: training vs validation loss",
            evidence=f"validation loss was lowest at period {best + 1} ({validation[best]:.4g}) "
            f"and stayed {OVERFIT_RISE:.0%}+ above it for the {len(after)} periods since, "
            f"ending at {validation[-1]:.4g}, while training loss fell from {train[best]:.4g} "
            f"to {train[-1]:.4g}; the gap is {gap:.0%} of the training loss",
            advice="the model is memorising the training split; stop earlier, or regularise",
            fix=_overfitting_fix(evidence),
            period=best + 2,
            severity="info" if caught else "warning",
        )
    ]


def _baseline_log_loss(majority_share: float) -> float:
    """Log loss of always predicting the class prior p: −p·ln p − (1−p)·ln(1−p)."""
    p = min(max(majority_share, 1e-12), 1 - 1e-12)
    return float(-(p * np.log(p) + (1 - p) * np.log(1 - p)))


def _how_high(evidence: RunEvidence) -> str | None:
    """Why the final loss counts as high, or None: regression R² under 0.2 on validation
    (training without it); binary log loss within 10% of the class prior's."""
    scores = evidence.metrics.get("validation") or evidence.metrics.get("train") or {}
    if evidence.task == "regression" and scores.get("r2") is not None:
        r2 = float(scores["r2"])
        return f"R² is {r2:.2f}: the model explains little beyond the mean" if r2 < 0.2 else None
    if evidence.task == "binary" and scores.get("baseline_accuracy") is not None:
        baseline = _baseline_log_loss(float(scores["baseline_accuracy"]))
        log_loss = float(scores["log_loss"])
        if log_loss >= 0.9 * baseline:
            return (
                f"log loss {log_loss:.3f} is close to {baseline:.3f}, what predicting the "
                "class shares alone scores"
            )
    return None


def _underfitting_fix(evidence: RunEvidence) -> tuple[str, ...]:
    model = evidence.config.model
    fixes = [
        f"model.{name}={format_number(float(getattr(model, name)) / 10)}"
        for name in ("l2", "l1")
        if float(getattr(model, name, 0.0) or 0.0) > 0
    ]
    fixes += evidence.model.underfitting_fixes()  # more capacity: a network, wider layers
    return tuple(fixes)


def underfitting(evidence: RunEvidence) -> list[Finding]:
    """Both losses high (see `_how_high`) and flat: under FLAT_RELATIVE_CHANGE change in each
    of the last 3 periods — more training will not help; the model needs more capacity."""
    train = _losses(evidence, "train_loss")
    if evidence.status != "complete" or len(train) < MIN_PERIODS:
        return []
    if learning_rate_too_low(evidence):  # slow but steady progress is not a plateau
        return []
    changes = np.abs(np.diff(train[-4:])) / np.maximum(train[-4:-1], np.finfo(float).tiny)
    if not (changes < FLAT_RELATIVE_CHANGE).all():
        return []
    high = _how_high(evidence)
    fix = _underfitting_fix(evidence)
    if high is None or not fix:
        return []
    return [
        Finding(
            kind="underfitting",
            title="underfitting",
            concept="Overfitting and generalization: a model too simple for the data",
            evidence=f"training loss is flat at {train[-1]:.4g} (under 1% change per period "
            f"for the last 3 periods) and {high}",
            advice="training longer will not help; give the model more to work with: weaker "
            "regularisation, feature crosses or buckets, or hidden layers",
            fix=fix,
        )
    ]


def validation_below_training(evidence: RunEvidence) -> list[Finding]:
    """Final validation loss under LEAKAGE_RATIO × training loss: the validation split is
    easier than the training split, which a fair random split almost never is."""
    train = _losses(evidence, "train_loss")
    validation = _losses(evidence, "validation_loss")
    if len(validation) == 0 or len(train) == 0:
        return []
    if not np.isfinite([train[-1], validation[-1]]).all():
        return []
    if not validation[-1] < LEAKAGE_RATIO * train[-1]:
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
