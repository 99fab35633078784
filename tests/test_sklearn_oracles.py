"""mlcc_cli.sklearn against scikit-learn's own estimators, and the README's example.

Full-batch gradient descent on a convex loss converges to the same optimum scikit-learn's
closed-form or quasi-Newton solvers find, so coefficients must agree to a stated tolerance;
mini-batch SGD only gets close, and cross-validated accuracy must match.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn import linear_model
from sklearn.datasets import load_breast_cancer, load_iris, make_moons
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlcc_cli.sklearn import (
    LinearRegressor,
    LogisticClassifier,
    MLPClassifier,
    MLPRegressor,
    PoissonRegressor,
)

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    """The python block of the README's "Using mlcc from scikit-learn" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using mlcc from scikit-learn", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return code


def test_the_readme_example_prints_what_its_comments_say() -> None:
    code = readme_example()
    # `print(...)  # OUTPUT` lines: what the README promises each print shows.
    promised = re.findall(r"^print\(.*\)  # (.*)$", code, flags=re.MULTILINE)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert len(promised) == 3 and lines[: len(promised)] == promised
    assert lines[-1].split()[:2] == ["19", "20"]  # the history's last epoch


def test_the_pipeline_scores_as_scikit_learns_logistic_regression() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    ours = make_pipeline(StandardScaler(), LogisticClassifier(epochs=20, random_state=0))
    theirs = make_pipeline(StandardScaler(), linear_model.LogisticRegression())
    ours_accuracy = cross_val_score(ours, X, y, cv=5).mean()
    theirs_accuracy = cross_val_score(theirs, X, y, cv=5).mean()
    assert abs(ours_accuracy - theirs_accuracy) <= 0.01
    assert f"{theirs_accuracy:.3f}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_grid_search_sets_the_learning_rate_of_the_optimizer() -> None:
    X, y = load_iris(return_X_y=True)
    pipeline = make_pipeline(StandardScaler(), LogisticClassifier(random_state=0))
    grid = {"logisticclassifier__learning_rate": [0.001, 0.5]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X, y)
    low, high = search.cv_results_["mean_test_score"]
    assert high > low + 0.05  # 10 epochs at 0.001 barely move the weights
    assert search.best_estimator_[-1].optimizer_.learning_rate == 0.5


def test_linear_regressor_finds_least_squares() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.5, -2.0, 0.5, 3.0]) + 4.0 + rng.normal(0.0, 0.5, 200)
    exact = linear_model.LinearRegression().fit(X, y)
    # Full batch: gradient descent contracts the error by (1 − 2·η·λ) per epoch, λ ≈ 1 here.
    full = LinearRegressor(batch_size="full", learning_rate=0.1, epochs=300).fit(X, y)
    np.testing.assert_allclose(full.coef_, exact.coef_, atol=1e-10)
    assert full.intercept_ == pytest.approx(exact.intercept_, abs=1e-10)
    # Mini-batch SGD at a constant rate wanders around the optimum by about η·noise.
    batches = LinearRegressor(epochs=100, random_state=0).fit(X, y)
    np.testing.assert_allclose(batches.coef_, exact.coef_, atol=0.02)


@pytest.mark.parametrize("dataset", [load_breast_cancer, load_iris])
def test_logistic_classifier_with_l2_is_logistic_regression_with_c(dataset: object) -> None:
    X, y = dataset(return_X_y=True)  # type: ignore[operator]
    X = StandardScaler().fit_transform(X)
    l2 = 0.01  # λ₂·Σw² on the mean log loss is C = 1/(2·λ₂·n) on the summed one
    exact = linear_model.LogisticRegression(C=1 / (2 * l2 * len(y)), tol=1e-10, max_iter=10_000)
    exact.fit(X, y)
    ours = LogisticClassifier(batch_size="full", learning_rate=2.0, epochs=500, l2=l2).fit(X, y)
    np.testing.assert_allclose(ours.coef_, exact.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept_, exact.intercept_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), exact.predict_proba(X), atol=1e-4)


def test_poisson_regressor_with_l2_is_scikit_learns_with_alpha() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 1.0))
    exact = linear_model.PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=1000).fit(X, y)
    ours = PoissonRegressor(batch_size="full", learning_rate=0.1, epochs=300, l2=0.01)
    ours.fit(X, y)
    np.testing.assert_allclose(ours.coef_, exact.coef_, atol=1e-8)
    assert ours.intercept_ == pytest.approx(exact.intercept_, abs=1e-8)


def test_networks_learn_what_a_linear_model_cannot() -> None:
    X, y = make_moons(300, noise=0.2, random_state=0)
    network = MLPClassifier(hidden_units=(32, 16), epochs=30, random_state=0).fit(X, y)
    linear = LogisticClassifier(epochs=30, random_state=0).fit(X, y)
    assert network.score(X, y) > 0.95 > linear.score(X, y) + 0.05
    target = np.sin(3 * X[:, 0])
    regressor = MLPRegressor(hidden_units=(32, 16), epochs=60, random_state=0).fit(X, target)
    assert regressor.score(X, target) > 0.9 > LinearRegressor().fit(X, target).score(X, target)
