"""`bench.py --only doctor`: the run doctor scored on its labelled cases (doctor_cases.py).

Two Markdown tables follow the timing table: per finding kind, how many cases expected it,
how many of those it caught (recall) and where it fired unexpected (false alarms); and per
fixable case, the first `--set` fix of its expected finding, retrained, with the metric
before and after. `--quick` scores every fourth case and skips retraining the fixes
(tests/test_doctor_cases.py asserts every case and fix).
"""

from __future__ import annotations

import time

from bench_table import markdown_table, progress
from doctor_cases import doctor_cases
from doctor_score import CaseResult, FixResult, KindScore, run_case, score, try_fix


def score_table(scores: list[KindScore]) -> list[str]:
    """One row per finding kind: expected, caught, recall, false alarms."""
    rows = [
        (
            s.kind,
            str(s.expected),
            str(s.caught),
            "—" if s.recall is None else f"{s.recall:.0%}",
            str(s.false_alarms),
        )
        for s in scores
    ]
    return markdown_table(("finding kind", "expected", "caught", "recall", "false alarms"), rows)


def case_table(results: list[CaseResult]) -> list[str]:
    """The cases the doctor got wrong: what it should have said and what it said."""
    rows = [
        (
            r.case.name,
            ", ".join(sorted(r.case.expected)) or "(healthy)",
            ", ".join(sorted(r.fired)) or "(nothing)",
            r.status,
        )
        for r in results
        if not r.correct
    ]
    return markdown_table(("wrong case", "expected", "fired", "status"), rows)


def fix_table(fixes: list[FixResult]) -> list[str]:
    """One row per fix tried: the override, the metric it should move, before → after."""
    rows = [
        (
            f.case.name,
            f.kind,
            f.fix,
            f.metric,
            f"{f.before:.4g} → {f.after:.4g}",
            "yes" if f.improved else "NO",
        )
        for f in fixes
    ]
    return markdown_table(
        ("case", "finding", "fix (--set)", "metric", "before → after", "improved"), rows
    )


QUICK_STRIDE = 4


def doctor_section(quick: bool) -> tuple[list[str], list[str]]:
    """The doctor's tables (Markdown lines) and the notes under them."""
    started = time.perf_counter()
    cases = doctor_cases()
    if quick:  # a smoke run: every QUICK_STRIDE-th case (tests assert them all elsewhere)
        cases = cases[::QUICK_STRIDE]
    progress(f"doctor: {len(cases)} labelled cases")
    results = [run_case(case) for case in cases]
    correct = sum(r.correct for r in results)
    lines = ["## Run doctor on its labelled cases", "", *score_table(score(results)), ""]
    if correct < len(results):
        lines += [*case_table(results), ""]
    notes = [f"doctor: {correct} of {len(results)} cases right (exactly the expected warnings)"]
    if not quick:
        progress("doctor: retraining with each first fix")
        fixes = [fix for r in results if (fix := try_fix(r)) is not None]
        improved = sum(f.improved for f in fixes)
        lines += [*fix_table(fixes), ""]
        notes.append(f"doctor: {improved} of {len(fixes)} first fixes improved their metric")
    notes.append(f"doctor section took {time.perf_counter() - started:.0f} s")
    return lines, notes
