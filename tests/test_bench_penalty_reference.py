"""The benchmark's reference optimum of mean log loss + λ₁‖w‖₁ + λ₂‖w‖² (benchmarks/
penalty_reference.py) against scikit-learn's LogisticRegression at the mapped C and l1_ratio:
the same objective value and weights, which checks both the solver and the mapping."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from bench_sparse import make_sparse_data
from penalty_reference import (
    optimality_residual,
    penalised_objective,
    reference_optimum,
    sklearn_logistic_arguments,
)

DATA = make_sparse_data(1_000, seed=1, buckets=256)


@pytest.mark.parametrize(("l1", "l2"), [(1e-2, 0.0), (0.0, 1e-2), (1e-2, 1e-2)])
def test_reference_optimum_equals_scikit_learns_at_the_mapped_penalty(l1: float, l2: float) -> None:
    X, y = DATA.X, DATA.y
    optimum = reference_optimum(X, y, l1, l2)
    solver = "saga" if l1 else "lbfgs"  # the only elastic-net solver; lbfgs for L2 alone
    estimator = LogisticRegression(solver=solver, tol=1e-7, max_iter=20_000)
    estimator.set_params(**sklearn_logistic_arguments(l1, l2, X.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it must converge too
        estimator.fit(X, y)
    coef, intercept = estimator.coef_.ravel(), float(estimator.intercept_[0])
    theirs = penalised_objective(X, y, coef, intercept, l1, l2)
    assert optimum.residual < 1e-8  # in gradient units; λ₁ is 1e-2
    assert optimum.objective <= theirs + 1e-12
    assert theirs - optimum.objective < 1e-9
    np.testing.assert_allclose(optimum.coef, coef, atol=1e-4)
    if l1:  # the zeros are the optimum's own, not a solver's rounding
        assert np.array_equal(optimum.coef == 0, coef == 0)
        assert 0 < np.count_nonzero(optimum.coef) < X.shape[1]


def test_optimality_residual_is_large_away_from_the_optimum() -> None:
    X, y = DATA.X, DATA.y
    optimum = reference_optimum(X, y, 1e-2, 0.0)
    moved = optimum.coef.copy()
    moved[np.flatnonzero(moved == 0)[0]] = 0.1  # a weight the optimum keeps at 0
    assert optimality_residual(X, y, moved, optimum.intercept, 1e-2, 0.0) > 1e-3
