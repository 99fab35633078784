"""mlcc_cli.sklearn: scikit-learn's estimator checks, and what the checks do not cover.

`parametrize_with_checks` runs every check scikit-learn applies to its own estimators;
EXPECTED_FAILED_CHECKS lists the ones that conflict with documented mlcc behaviour, and each
estimator's docstring and the README list them too (tested below).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from mlcc_cli.sklearn import (
    LinearRegressor,
    LogisticClassifier,
    MLPClassifier,
    MLPRegressor,
    PoissonRegressor,
)

ROOT = Path(__file__).resolve().parents[1]
ESTIMATORS = [
    LinearRegressor(),
    PoissonRegressor(),
    LogisticClassifier(),
    MLPClassifier(),
    MLPRegressor(),
]
NOT_COUNTS = (
    "fits on continuous targets; mlcc's Poisson model learns from counts only "
    "(whole numbers >= 0) and fit raises a ValueError saying so"
)
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "PoissonRegressor": {
        check: NOT_COUNTS
        for check in (
            "check_regressors_train",
            "check_regressor_data_not_an_array",
            "check_regressors_no_decision_function",
            "check_fit_idempotent",
            "check_fit_check_is_fitted",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
        )
    },
}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


# Some checks fit unscaled features (around 100): SGD at the default learning rate overshoots
# and the estimators warn, as documented; the checks themselves must still pass.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator: Any, check: Any) -> None:
    check(estimator)


def test_docstrings_and_readme_list_every_expected_failure() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using mlcc from scikit-learn", 1)[1].split("\n## ", 1)[0]
    for estimator in ESTIMATORS:
        name = type(estimator).__name__
        expected = EXPECTED_FAILED_CHECKS.get(name, {})
        rows = [line for line in section.splitlines() if f"| `{name}` |" in line]
        row = "".join(line for line in rows if "`check_" in line)  # the failures table
        doc = type(estimator).__doc__ or ""
        for check in expected:
            assert f"`{check}`" in row, f"README: {name} does not list {check}"
            assert check in doc, f"{name}'s docstring does not list {check}"
        if not expected:
            assert "Passes every check" in doc, name


# ---------------------------------------------------------------- Poisson on counts


def counts(n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Standardised X (n, 3) and Poisson counts whose log rate is linear in X."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, 3))
    return X, rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 1.0)).astype(float)


def test_poisson_is_idempotent_and_checks_features_on_counts() -> None:
    # What check_fit_idempotent, check_n_features_in and check_regressors_train test, on
    # the counts mlcc's Poisson model learns from.
    X, y = counts()
    model = PoissonRegressor(epochs=30, random_state=0)
    first = model.fit(X, y).predict(X)
    np.testing.assert_array_equal(model.fit(X, y).predict(X), first)
    assert model.n_features_in_ == 3 and model.coef_.shape == (3,)
    assert model.score(X, y) > 0.5
    with pytest.raises(ValueError, match="X has 2 features"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match=r"needs counts .* 1 of y's 120 values are not, e.g. 2\.5"):
        PoissonRegressor().fit(X, np.r_[2.5, y[1:]])


# ---------------------------------------------------------------- partial_fit


@pytest.mark.parametrize(
    "estimator",
    [LinearRegressor(), LogisticClassifier(), MLPClassifier(), MLPRegressor(dropout=0.2)],
    ids=lambda estimator: type(estimator).__name__,
)
def test_one_partial_fit_is_fit_for_one_epoch(estimator: Any) -> None:
    X, y = counts()
    y = (y > 3).astype(int) if is_classifier(estimator) else y
    fitted = clone(estimator).set_params(epochs=1, random_state=4).fit(X, y)
    partial = clone(estimator).set_params(random_state=4)
    partial.partial_fit(X, y, **({"classes": [0, 1]} if is_classifier(partial) else {}))
    np.testing.assert_array_equal(partial.predict(X), fitted.predict(X))
    partial.partial_fit(X, y)
    partial.partial_fit(X, y)
    assert partial.n_iter_ == 3
    assert partial.history_["epoch"].tolist() == [1, 2, 3]
    assert partial.history_["step"].tolist() == [4, 4, 4]  # 120 rows in batches of 32


def test_partial_fit_of_a_classifier_takes_its_classes_first() -> None:
    X, y = counts()
    labels = np.where(y > 3, "many", "few")
    model = LogisticClassifier(random_state=0)
    with pytest.raises(ValueError, match="first call to partial_fit needs classes="):
        model.partial_fit(X, labels)
    # A batch holding one class is fine when classes= names both.
    model.partial_fit(X[labels == "few"], labels[labels == "few"], classes=["many", "few"])
    assert model.classes_.tolist() == ["few", "many"]
    model.partial_fit(X, labels)
    with pytest.raises(ValueError, match="differ from the first call"):
        model.partial_fit(X, labels, classes=["few", "many", "some"])
    with pytest.raises(ValueError, match=r"labels \['some'\] that are not in classes"):
        model.partial_fit(X[:2], np.array(["some", "few"]))


# ---------------------------------------------------------------- fitting


def test_random_state_fixes_the_network_and_its_shuffle() -> None:
    X, y = counts()
    first = MLPRegressor(random_state=1).fit(X, y)
    again = MLPRegressor(random_state=1).fit(X, y)
    other = MLPRegressor(random_state=2).fit(X, y)
    np.testing.assert_array_equal(first.coefs_[0], again.coefs_[0])
    assert not np.allclose(first.coefs_[0], other.coefs_[0])
    assert [w.shape for w in first.coefs_] == [(3, 16), (16, 1)]


def test_early_stopping_stops_on_a_validation_plateau_and_restores_the_best() -> None:
    X, y = counts()
    settings = {"early_stopping": True, "random_state": 0}
    model = LinearRegressor(epochs=50, patience=2, **settings).fit(X, y)
    history = model.history_
    assert model.n_iter_ == len(history) < 50
    assert history["validation_loss"].notna().all()
    assert set(history.columns) >= {"train_loss", "validation_rmse", "learning_rate"}
    best_epoch = int(history["epoch"][history["validation_loss"].idxmin()])
    assert model.n_iter_ == best_epoch + 2 == 28  # `patience` epochs without improvement
    # The same split and shuffle, stopped at the best epoch: the weights early stopping kept.
    best = LinearRegressor(epochs=best_epoch, patience=50, **settings).fit(X, y)
    np.testing.assert_array_equal(model.coef_, best.coef_)


def test_multiclass_models_and_their_weights_shapes() -> None:
    X, y = counts()
    classes = np.digitize(y, [2, 4])  # 0, 1, 2
    for multiclass in ("softmax", "one_vs_all"):
        model = LogisticClassifier(multiclass=multiclass, random_state=0).fit(X, classes)
        assert (
            type(model.model_).__name__
            == {"softmax": "Softmax", "one_vs_all": "OneVsAll"}[multiclass]
        )
        assert model.coef_.shape == (3, 3) and model.intercept_.shape == (3,)
        assert model.decision_function(X).shape == (120, 3)
    binary = LogisticClassifier(random_state=0).fit(X, classes > 0)
    assert type(binary.model_).__name__ == "LogisticRegression"
    assert binary.coef_.shape == (1, 3) and binary.classes_.tolist() == [False, True]


@pytest.mark.parametrize(
    "estimator,message",
    [
        (LinearRegressor(learning_rate=-1), r"learning_rate: Input should be greater than 0"),
        (LinearRegressor(optimizer="sgdx"), r"optimizer: Input tag 'sgdx' .* 'sgd', 'adagrad'"),
        (LinearRegressor(batch_size=0), r"batch_size: must be a whole number >= 1 or 'full'"),
        (LinearRegressor(epochs=0), r"epochs: Input should be greater than or equal to 1"),
        (LinearRegressor(l2=-0.1), r"l2: Input should be greater than or equal to 0"),
        (LinearRegressor(random_state="seed"), r"random_state: expected None or an int"),
        (LinearRegressor(early_stopping=True, patience=0), r"patience: .* greater than or equal"),
        (
            LinearRegressor(early_stopping=True, validation_fraction=1.5),
            r"validation_fraction: must be in \(0, 1\)",
        ),
        (LogisticClassifier(multiclass="mlp"), r"multiclass: Input tag 'mlp' .* 'softmax'"),
        (MLPClassifier(hidden_units=(4, 0)), r"hidden_units: every layer needs at least one"),
        (MLPClassifier(activation="relu6"), r"activation: Input should be 'relu'"),
        (LinearRegressor(learning_rate=True), r"learning_rate: must be a number such as 0.01, not"),
        (
            LinearRegressor(batch_size=np.True_),
            r"batch_size: must be a whole number such as 32, no",
        ),
        (MLPClassifier(hidden_units=(4, True)), r"hidden_units: must be a whole number such as 10"),
    ],
    ids=lambda value: re.sub(r"\W+", "-", str(value))[:40],
)
def test_invalid_parameters_name_the_parameter(estimator: Any, message: str) -> None:
    X, y = counts(40)
    with pytest.raises(ValueError, match=f"^{type(estimator).__name__}: invalid parameter"):
        estimator.fit(X, y > 3)
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y > 3)


def test_grid_values_from_numpy_are_accepted() -> None:
    X, y = counts(40)
    model = MLPClassifier(hidden_units=np.array([4, 3]), epochs=np.int64(2), batch_size=np.int64(8))
    assert model.fit(X, y > 3).n_iter_ == 2


def test_divergence_warns_while_the_weights_are_finite_and_raises_once_they_are_not() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(100.0, 1.0, size=(100, 2))  # unscaled: SGD overshoots at once
    with pytest.warns(ConvergenceWarning, match=r"diverged after \d+ steps.*StandardScaler"):
        model = LinearRegressor(random_state=0).fit(X, rng.normal(size=100))
    assert np.isfinite(model.predict(X)).all() and model.n_iter_ == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning first: the error is the whole report
        with pytest.raises(ValueError, match="diverged after 2 steps with learning_rate=1000"):
            PoissonRegressor(learning_rate=1000, random_state=0).fit(X, rng.poisson(3, 100))
