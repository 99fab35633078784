"""The penalised logistic objective of mlcc and a high-precision reference optimum of it.

F(w, b) = (1/n)·Σ log(1 + e^{z_i}) − y_i·z_i + λ₁‖w‖₁ + λ₂‖w‖², z = X·w + b, b unpenalised:
mlcc's `LogisticRegression(l1=λ₁, l2=λ₂)` (its L2 gradient is 2λ₂w).

scikit-learn's `LogisticRegression(C, l1_ratio=r)` minimises
C·Σ loss_i + r‖w‖₁ + (1 − r)/2·‖w‖² (intercept unpenalised too). Divided by C·n it is
mean loss + r/(C·n)‖w‖₁ + (1 − r)/(2C·n)‖w‖², so λ₁ = r/(C·n), λ₂ = (1 − r)/(2C·n), i.e.
C = 1/(n·(λ₁ + 2λ₂)) and r = λ₁/(λ₁ + 2λ₂) — the `alpha` = λ₁ + 2λ₂ and `l1_ratio` that
bench_sparse.py gives SGDClassifier, with C = 1/(n·alpha) (`sklearn_logistic_arguments`).

The reference does not use that estimator: its only elastic-net solver, saga, applies the
proximal step to a sparse X lazily by replaying every missed step per column, which cost
about 5 s per pass at 30,000 × 2**14 (RESULTS.md), and a precise optimum needs hundreds of
passes. Instead the L1 term is made smooth by splitting w = u − v with u, v ≥ 0:
F = mean loss + λ₁·Σ(u + v) + λ₂‖u − v‖², minimised by scipy's L-BFGS-B under those bounds
(exact zeros come out as both halves at their bound), restarted from its result (fresh
curvature memory) until a restart no longer lowers F: on ill-conditioned problems the first
run can stop on a stalled line search with the optimality residual still at 1e-6. Convergence
is certified by the optimality conditions, independent of any solver (`optimality_residual`),
and by what the last restart gained; tests compare the optimum with scikit-learn's saga and
lbfgs on small data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.special import expit

REFERENCE_ITERATIONS = 20_000
REFERENCE_TOLERANCE = 1e-15  # L-BFGS-B's ftol and gtol: stop at float64 precision
REFERENCE_RUNS = 6  # the first run and at most five restarts


@dataclass(frozen=True)
class Optimum:
    """The reference (w*, b*), F*, and how far from optimal: `optimality_residual` and the
    decrease of F in the last restart (0 when a longer run finds nothing better)."""

    coef: np.ndarray
    intercept: float
    objective: float
    iterations: int
    residual: float
    last_gain: float


def penalised_objective(
    X: sparse.csr_array, y: np.ndarray, coef: np.ndarray, intercept: float, l1: float, l2: float
) -> float:
    """F(w, b) = mean log loss + λ₁‖w‖₁ + λ₂‖w‖² (b unpenalised)."""
    z = X @ coef + intercept  # (n,)
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    return float(loss + l1 * np.abs(coef).sum() + l2 * (coef @ coef))


def smooth_gradients(
    X: sparse.csr_array, y: np.ndarray, coef: np.ndarray, intercept: float, l2: float
) -> tuple[np.ndarray, float]:
    """Gradients of mean log loss + λ₂‖w‖²: (Xᵀ(σ(z) − y)/n + 2λ₂w, Σ(σ(z) − y)/n)."""
    residual = (expit(X @ coef + intercept) - y) / X.shape[0]  # (n,)
    return X.T @ residual + 2.0 * l2 * coef, float(residual.sum())


def optimality_residual(
    X: sparse.csr_array, y: np.ndarray, coef: np.ndarray, intercept: float, l1: float, l2: float
) -> float:
    """Largest violation of 0 ∈ ∂F: |g_j + λ₁·sign(w_j)| where w_j ≠ 0, max(|g_j| − λ₁, 0)
    where w_j = 0, and |∂F/∂b|; 0 exactly at the optimum (g = the smooth part's gradient)."""
    grad_coef, grad_intercept = smooth_gradients(X, y, coef, intercept, l2)
    violation = np.where(
        coef != 0.0, np.abs(grad_coef + l1 * np.sign(coef)), np.maximum(np.abs(grad_coef) - l1, 0)
    )
    return float(max(violation.max(initial=0.0), abs(grad_intercept)))


def reference_optimum(X: sparse.csr_array, y: np.ndarray, l1: float, l2: float) -> Optimum:
    """argmin F by L-BFGS-B on the split form w = u − v, u, v ≥ 0 (module docstring)."""
    d = X.shape[1]

    def objective_and_gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
        u, v, b = p[:d], p[d : 2 * d], p[2 * d]  # (d,), (d,), scalar
        coef = u - v
        value = penalised_objective(X, y, coef, b, 0.0, l2) + l1 * (u.sum() + v.sum())
        grad_coef, grad_intercept = smooth_gradients(X, y, coef, b, l2)
        return value, np.concatenate([grad_coef + l1, l1 - grad_coef, [grad_intercept]])

    bounds = [(0.0, None)] * (2 * d) + [(None, None)]
    options = {"maxiter": REFERENCE_ITERATIONS, "maxfun": 2 * REFERENCE_ITERATIONS}
    options |= {"ftol": REFERENCE_TOLERANCE, "gtol": REFERENCE_TOLERANCE, "maxcor": 30}
    p, value, iterations, gain = np.zeros(2 * d + 1), np.inf, 0, np.inf
    for _ in range(REFERENCE_RUNS):
        result = optimize.minimize(
            objective_and_gradient, p, jac=True, method="L-BFGS-B", bounds=bounds, options=options
        )
        p, iterations = result.x, iterations + int(result.nit)
        gain, value = value - result.fun, min(value, float(result.fun))
        if gain <= REFERENCE_TOLERANCE * abs(value):
            break
    coef, intercept = p[:d] - p[d : 2 * d], float(p[2 * d])
    return Optimum(
        coef,
        intercept,
        penalised_objective(X, y, coef, intercept, l1, l2),
        iterations,
        optimality_residual(X, y, coef, intercept, l1, l2),
        max(gain, 0.0),
    )


def sklearn_logistic_arguments(l1: float, l2: float, rows: int) -> dict[str, float]:
    """C and l1_ratio of scikit-learn's LogisticRegression for mean loss + λ₁‖w‖₁ + λ₂‖w‖²."""
    alpha = l1 + 2.0 * l2
    return {"C": 1.0 / (rows * alpha), "l1_ratio": l1 / alpha}
