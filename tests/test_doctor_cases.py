"""The run doctor on its labelled benchmark (benchmarks/doctor_cases.py): each case must get
exactly its expected warnings, and each expected finding's first fix must improve the run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from doctor_cases import DoctorCase, doctor_cases
from doctor_score import CaseResult, fixable, run_case, try_fix

CASES = doctor_cases()
FAMILIES = {"linear", "logistic", "softmax", "mlp", "poisson", "cnn", "word2vec"}
_results: dict[str, CaseResult] = {}


def _result(case: DoctorCase) -> CaseResult:
    """The case's run, trained once per test session (the fix test reuses it)."""
    if case.name not in _results:
        _results[case.name] = run_case(case)
    return _results[case.name]


def test_the_cases_cover_every_family_batch_and_optimizer() -> None:
    assert len(CASES) >= 28
    assert len({case.name for case in CASES}) == len(CASES)
    assert {case.family for case in CASES} == FAMILIES
    healthy = {case.family for case in CASES if not case.expected}
    assert healthy == FAMILIES  # every family has a run that must get no warning
    assert {"1", "32", "full"} <= {case.batch_size for case in CASES}
    assert {case.optimizer for case in CASES} == {"sgd", "adam"}
    assert all(case.why for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_doctor_reports_exactly_the_expected_warnings(case: DoctorCase) -> None:
    result = _result(case)
    assert set(result.fired) == set(case.expected), (
        f"{case.name} ({result.status}): missed {sorted(result.missed)}, "
        f"false alarms {sorted(result.false_alarms)}"
    )


PROBLEMS = [case for case in CASES if case.expected]


@pytest.mark.parametrize("case", PROBLEMS, ids=[case.name for case in PROBLEMS])
def test_first_fix_improves_the_run(case: DoctorCase) -> None:
    result = _result(case)
    kinds = fixable(result)
    if not kinds:
        pytest.skip(f"no expected finding with a fix fired (fired: {sorted(result.fired)})")
    fix = try_fix(result, kinds[0])
    assert fix is not None
    assert fix.improved, (
        f"--set {fix.fix} for {fix.kind}: validation {fix.metric} {fix.before:.4g} → "
        f"{fix.after:.4g} (status {fix.status_after})"
    )
