"""Scoring the run doctor on its labelled cases: recall and false alarms per kind, and fixes.

`run_case` trains a case in memory and keeps what the doctor said; `score` counts, for each
finding kind, how often it was expected, caught and raised where no one expected it;
`try_fix` retrains a case with the first `--set` of the finding it was built to show and
records whether the metric that finding is about improved.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from doctor_cases import DoctorCase

import mlcc_cli
from mlcc_cli.doctor.findings import fix_overrides

# The metric a fix must improve, where it is not the validation loss: a threshold change
# cannot move the loss, and a fairer split makes validation honestly harder, not easier.
FIX_METRIC = {
    "threshold_far_from_best_f1": "f1",
    "no_better_than_majority": "f1",
    "prediction_bias": "abs_prediction_bias",
    "validation_below_training": "split_gap",
    # shuffled, validation holds the same kind of rows as training: the gap between them
    # closes, whichever way it pointed
    "unshuffled_split": "split_gap",
    # more validation rows do not lower the loss, they make it worth reading: the doctor no
    # longer finding the split too small is the improvement
    "validation_too_small": "validation_trusted",
}
HIGHER_IS_BETTER = {"f1", "validation_trusted"}


@dataclass(frozen=True)
class CaseResult:
    """What the doctor said about one case's run."""

    case: DoctorCase
    status: str  # complete | diverged | interrupted
    fired: frozenset[str]  # WARNING finding kinds
    fixes: dict[str, tuple[str, ...]]  # kind -> the finding's `--set` fixes
    validation: dict[str, Any]  # metrics["validation"], plus the derived fix metrics
    seconds: float

    @property
    def correct(self) -> bool:
        """The doctor reported exactly the expected warnings."""
        return self.fired == self.case.expected

    @property
    def missed(self) -> frozenset[str]:
        return self.case.expected - self.fired

    @property
    def false_alarms(self) -> frozenset[str]:
        return self.fired - self.case.expected


@dataclass(frozen=True)
class FixResult:
    """One fix tried: the override, the metric it should improve, before and after."""

    case: DoctorCase
    kind: str
    fix: str  # the `--set KEY=VALUE` applied
    metric: str
    before: float
    after: float
    status_after: str
    improved: bool


@dataclass(frozen=True)
class KindScore:
    """A finding kind scored like a classifier over every case."""

    kind: str
    expected: int  # cases built to show it
    caught: int  # ... where it fired
    false_alarms: int  # cases where it fired but was not expected

    @property
    def recall(self) -> float | None:
        return self.caught / self.expected if self.expected else None


def _train(case: DoctorCase, overrides: Iterable[str] = ()) -> tuple[Any, float]:
    """Train the case in memory (no run directory kept); the result and its wall time."""
    started = time.perf_counter()
    result = mlcc_cli.train(case.config, overrides=list(overrides))
    return result, time.perf_counter() - started


def _metric(scores: dict[str, Any], name: str) -> float:
    """scores[name] as a float; NaN when missing or None."""
    value = scores.get(name)
    return math.nan if value is None else float(value)


def _validation_scores(result: Any) -> dict[str, Any]:
    """metrics["validation"] with the loss under one name, |prediction bias| and the split
    gap |ln(validation loss / training loss)| (0 when the splits are equally hard), and
    `validation_trusted` (0 while the doctor finds the validation split too small, else 1).

    A squared-error loss is taken in units of the label's variance (1 − R²), so a fix that
    rescales the label (data.label_scale) neither gains nor loses by changing units.
    """
    scores = dict(result.metrics.get("validation") or {})
    train = result.metrics.get("train") or {}
    loss_name = "log_loss" if "log_loss" in scores else "loss"
    scores["loss"] = _metric(scores, loss_name)  # NaN when a diverged run has none
    if scores.get("prediction_bias") is not None:
        scores["abs_prediction_bias"] = abs(float(scores["prediction_bias"]))
    train_loss = _metric(train, loss_name)
    too_small = any(finding.kind == "validation_too_small" for finding in result.findings)
    scores["validation_trusted"] = 0.0 if too_small else 1.0
    if scores["loss"] > 0 and train_loss > 0:
        scores["split_gap"] = abs(math.log(scores["loss"] / train_loss))
    if loss_name == "loss" and "rmse" in scores and scores.get("r2") is not None:
        scores["loss"] = 1.0 - float(scores["r2"])
    return scores


def run_case(case: DoctorCase) -> CaseResult:
    """Train one case and keep the doctor's warnings (info findings are facts, not alarms)."""
    result, seconds = _train(case)
    warnings = [finding for finding in result.findings if finding.severity == "warning"]
    return CaseResult(
        case=case,
        status=result.status,
        fired=frozenset(finding.kind for finding in warnings),
        fixes={finding.kind: tuple(finding.fix) for finding in warnings},
        validation=_validation_scores(result),
        seconds=seconds,
    )


def score(results: list[CaseResult]) -> list[KindScore]:
    """Per finding kind (every kind expected or fired anywhere): expected, caught, false alarms."""
    kinds = sorted({kind for r in results for kind in r.case.expected | r.fired})
    return [
        KindScore(
            kind=kind,
            expected=sum(kind in r.case.expected for r in results),
            caught=sum(kind in r.case.expected and kind in r.fired for r in results),
            false_alarms=sum(kind in r.fired and kind not in r.case.expected for r in results),
        )
        for kind in kinds
    ]


def fixable(result: CaseResult) -> list[str]:
    """The expected kinds that fired with a fix: the ones `try_fix` can test."""
    return sorted(kind for kind in result.case.expected & result.fired if result.fixes[kind])


def try_fix(result: CaseResult, kind: str | None = None) -> FixResult | None:
    """Retrain the case with fix[0] of its (first fixable) expected finding; None if none.

    Improved means: the run finished (a diverged run's fix must not diverge) with a finite
    metric better than before — lower loss, |bias| or split gap, higher F1 — or finite where
    the run before had none.
    """
    kinds = fixable(result)
    if kind is None and not kinds:
        return None
    kind = kind or kinds[0]
    fix = result.fixes[kind][0]
    metric = FIX_METRIC.get(kind, "loss")
    retrained, _ = _train(result.case, fix_overrides(fix))
    before = _metric(result.validation, metric)
    after = _metric(_validation_scores(retrained), metric)
    if not math.isfinite(after) or retrained.status == "diverged":
        improved = False
    elif not math.isfinite(before):
        improved = True
    else:
        improved = after > before if metric in HIGHER_IS_BETTER else after < before
    return FixResult(result.case, kind, fix, metric, before, after, retrained.status, improved)
