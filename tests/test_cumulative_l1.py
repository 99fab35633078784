"""`l1_method: cumulative`: Tsuruoka et al.'s cumulative L1 penalty, as scikit-learn's SGD.

Oracles: scikit-learn's SGDClassifier (same data, same order, batch 1, constant rate) for
the numpy path; the numpy path for every compiled kernel (dense, windows, sparse); a plain
per-weight loop of the published algorithm for 2-D parameters and chosen rows.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier

from cli_helpers import experiment, mlcc
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.models.linear import LogisticRegression
from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.registry import OPTIMIZERS
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.compiled import compiled_kernel_supports
from mlcc_cli.training.engine import choose_engine
from mlcc_cli.training.loop import train
from mlcc_cli.training.steps import numpy_steps


def _dense_problem(n: int = 300, d: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Two informative columns, the rest small noise: L1 zeroes most weights."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    X[:, 5:] *= 0.1
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(np.float64)
    return X, y


def _sparse_problem(n: int = 300, d: int = 60) -> tuple[sp.csr_array, np.ndarray]:
    """Binary CSR rows with ~6 columns each: most columns are absent from most batches."""
    X = sp.random_array((n, d), density=0.1, rng=np.random.default_rng(1), format="csr")
    X.data[:] = 1.0
    y = (np.asarray(X[:, :5].sum(axis=1)).ravel() > 0.4).astype(np.float64)
    return X, y


@pytest.mark.parametrize("l1,l2", [(0.01, 0.0), (0.01, 0.005)])
def test_numpy_path_equals_sklearn_sgdclassifier(l1: float, l2: float) -> None:
    X, y = _dense_problem()
    alpha = l1 + 2 * l2  # scikit-learn: alpha·(ρ‖w‖₁ + (1 − ρ)‖w‖²/2)
    reference = SGDClassifier(
        loss="log_loss", penalty="elasticnet", alpha=alpha, l1_ratio=l1 / alpha,
        learning_rate="constant", eta0=0.05, max_iter=2, tol=None, shuffle=False,
    ).fit(X, y)  # fmt: skip
    model = LogisticRegression(l1=l1, l2=l2, l1_method="cumulative").initialize(X.shape[1])
    twice = np.concatenate([X, X]), np.concatenate([y, y])
    numpy_steps(model, SGD(0.05), *twice, 1, range(2 * len(y)))
    np.testing.assert_allclose(model.coef_, reference.coef_[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=0, atol=1e-12)
    assert np.array_equal(model.coef_ == 0, reference.coef_[0] == 0)
    assert 0 < model.nonzero_weights() < X.shape[1]


def _train(X, y, engine_name, batch, l1=0.02, l2=0.0, clip=None, shuffle="rows", rate=0.05):
    model = LogisticRegression(l1=l1, l2=l2, l1_method="cumulative")
    optimizer = OPTIMIZERS["sgd"](learning_rate=rate, clip_norm=clip)
    training = TrainingConfig(
        batch_size=batch, epochs=3, periods=3, engine=engine_name, shuffle=shuffle
    )
    result = train(model, optimizer, X, y, X[:50], y[:50], training, np.random.default_rng(4))
    return model, optimizer, result


def _assert_same(ours, reference) -> None:
    (model, optimizer, result), (ref_model, ref_optimizer, ref_result) = ours, reference
    np.testing.assert_allclose(model.coef_, ref_model.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, ref_model.intercept_, rtol=0, atol=1e-10)
    assert model.nonzero_weights() == ref_model.nonzero_weights()
    np.testing.assert_allclose(
        optimizer.l1_received_["coef_"], ref_optimizer.l1_received_["coef_"], atol=1e-10
    )
    assert optimizer.l1_owed_["coef_"] == pytest.approx(ref_optimizer.l1_owed_["coef_"])
    for mine, other in zip(result.history, ref_result.history, strict=True):
        assert mine.grad_norm == pytest.approx(other.grad_norm, rel=1e-10, abs=1e-10)
        assert mine.train_loss == pytest.approx(other.train_loss, rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("batch", [1, 7, 32])
@pytest.mark.parametrize("l2", [0.0, 0.01])
@pytest.mark.parametrize("clip", [None, 0.5])
@pytest.mark.parametrize("shuffle", ["rows", "windows"])
def test_dense_kernel_equals_numpy_path(batch, l2, clip, shuffle) -> None:
    X, y = _dense_problem()
    compiled = _train(X, y, "compiled", batch, l2=l2, clip=clip, shuffle=shuffle)
    _assert_same(compiled, _train(X, y, "numpy", batch, l2=l2, clip=clip, shuffle=shuffle))


@pytest.mark.parametrize("batch", [1, 7, 32])
@pytest.mark.parametrize("l1,l2", [(0.02, 0.0), (0.02, 0.01), (0.02, 3.0)])
def test_sparse_kernel_equals_numpy_path(batch: int, l1: float, l2: float) -> None:
    # l2 = 3 at η = 0.05 (a = 0.7) takes s below 1e-9 in 58 steps: at batch 1 (300 steps a
    # call) the kernel folds s into v (a new frame) five times per call, q kept in w units.
    from mlcc_cli.training.kernels.scaled import frame_tables

    X, y = _sparse_problem()
    if l2 == 3.0 and batch == 1:  # the frames really are shorter than a call
        assert frame_tables(len(y), 2 * 0.05 * l2, 0.05 * l1)[2] < len(y)
    compiled = _train(X, y, "compiled", batch, l1=l1, l2=l2)
    assert compiled[0].nonzero_weights() < X.shape[1]
    _assert_same(compiled, _train(X, y, "numpy", batch, l1=l1, l2=l2))


def test_sparse_batch_penalises_only_the_columns_it_touches() -> None:
    X, y = _sparse_problem()
    model = LogisticRegression(l1=0.5, l1_method="cumulative").initialize(X.shape[1])
    model.coef_[:] = 1.0
    optimizer = SGD(0.1)
    numpy_steps(model, optimizer, X, y, 4, range(1))
    touched = np.unique(X[:4].indices)
    untouched = np.setdiff1d(np.arange(X.shape[1]), touched)
    assert np.all(model.coef_[untouched] == 1.0)
    assert np.all(model.coef_[touched] < 1.0)
    # What the untouched columns were not charged is still owed: their next touch pays it.
    assert optimizer.l1_owed_["coef_"] == pytest.approx(0.05)
    assert np.all(optimizer.l1_received_["coef_"][untouched] == 0.0)


def _published_algorithm(w, owed, received, rows) -> None:
    """Tsuruoka et al. (2009), Figure 2's ApplyPenalty, one weight at a time."""
    for i in rows:
        for k in range(w.shape[1]):
            z = w[i, k]
            if w[i, k] > 0:
                w[i, k] = max(0.0, w[i, k] - (owed + received[i, k]))
            elif w[i, k] < 0:
                w[i, k] = min(0.0, w[i, k] + (owed - received[i, k]))
            received[i, k] += w[i, k] - z


def test_cumulative_l1_on_2d_parameters_and_rows_equals_the_published_loop() -> None:
    rng = np.random.default_rng(2)
    params = {"coef_": rng.normal(scale=0.05, size=(8, 3))}
    expected, received = params["coef_"].copy(), np.zeros((8, 3))
    optimizer = SGD(0.1)
    for step in range(1, 7):
        kick = rng.normal(scale=0.02, size=(8, 3))  # what an optimizer step would move
        params["coef_"] += kick
        expected += kick
        rows = np.sort(rng.choice(8, size=3, replace=False))
        optimizer.cumulative_l1(params, ["coef_"], 0.04, rows)
        _published_algorithm(expected, 0.1 * 0.04 * step, received, rows)
    np.testing.assert_allclose(params["coef_"], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(optimizer.l1_received_["coef_"], received, rtol=0, atol=1e-15)
    assert 0 < np.count_nonzero(expected == 0) < expected.size


def test_adaptive_optimizer_owes_each_coordinate_its_own_step() -> None:
    optimizer = OPTIMIZERS["adagrad"](learning_rate=0.1)
    params = {"coef_": np.array([0.5, -0.5, 0.5])}
    optimizer.step(params, {"coef_": np.array([1.0, 2.0, 0.0])})
    optimizer.cumulative_l1(params, ["coef_"], 0.1)
    owed = optimizer.l1_owed_["coef_"]
    np.testing.assert_allclose(owed, optimizer._step_size("coef_") * 0.1)
    assert owed.shape == (3,) and owed[0] > owed[1]


def test_engine_choice_sends_what_no_kernel_has_to_numpy() -> None:
    X, _ = _sparse_problem()
    logistic = LogisticRegression(l1=0.01, l1_method="cumulative")
    assert compiled_kernel_supports(logistic, SGD(0.1), X)
    assert compiled_kernel_supports(logistic, SGD(0.1, clip_norm=1.0), X.toarray())
    # on a sparse X only the scaled-form kernel has the penalty, and it does not clip
    assert not compiled_kernel_supports(logistic, SGD(0.1, clip_norm=1.0), X)
    assert choose_engine("auto", logistic, SGD(0.1, clip_norm=1.0), X) == "numpy"
    softmax = MODELS["softmax"](l1=0.01, l1_method="cumulative")
    assert compiled_kernel_supports(softmax, SGD(0.1), X.toarray())


@pytest.mark.parametrize("model_type", ["softmax", "one_vs_all"])
@pytest.mark.parametrize("batch", [1, 16])
@pytest.mark.parametrize("clip", [None, 0.5])
def test_multiclass_kernel_equals_numpy_path(model_type: str, batch: int, clip) -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 6))
    y = np.argmax(X @ rng.normal(size=(6, 4)) + 0.5 * rng.normal(size=(200, 4)), axis=1)
    trained = []
    for engine_name in ("compiled", "numpy"):
        model = MODELS[model_type](l1=0.02, l2=0.01, l1_method="cumulative")
        model.initialize(6, 4)
        optimizer = SGD(0.05, clip_norm=clip)
        training = TrainingConfig(batch_size=batch, epochs=3, periods=3, engine=engine_name)
        y_float = y.astype(np.float64)
        train(
            model,
            optimizer,
            X,
            y_float,
            X[:50],
            y_float[:50],
            training,
            rng=np.random.default_rng(4),
        )
        trained.append((model, optimizer))
    (model, optimizer), (reference, ref_optimizer) = trained
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-10)
    assert 0 < np.count_nonzero(model.coef_ == 0) < model.coef_.size
    np.testing.assert_allclose(
        optimizer.l1_received_["coef_"], ref_optimizer.l1_received_["coef_"], atol=1e-10
    )


def _model_config(tmp_path, **model):
    return experiment(
        tmp_path,
        model={"type": "logistic", "l1": 0.03, **model},
        training={"batch_size": 8, "epochs": 3, "periods": 3, "engine": "numpy"},
    )


def _run(tmp_path, name: str, *overrides: str):
    """Train the breast-cancer config with `--set` overrides; the run directory."""
    runs = tmp_path / name
    sets = [arg for value in overrides for arg in ("--set", value)]
    result = mlcc(
        "train", _model_config(tmp_path), "--quiet", "--no-plots", "--runs-dir", runs, *sets
    )
    assert result.exit_code == 0, result.output
    return next(runs.iterdir())


def test_cli_cumulative_penalty_keeps_more_weights_at_zero(tmp_path) -> None:
    """Breast cancer, λ₁ = 0.03, batch 8: the cumulative penalty leaves fewer non-zero
    weights than the exact step (whose zeroed weights are kicked off 0 again), same AUC."""
    scores = {}
    for method in ("exact", "cumulative"):
        run = _run(tmp_path, method, f"model.l1_method={method}")
        settings = json.loads((run / "model.json").read_text())["model"]
        assert settings["l1_method"] == method
        scores[method] = json.loads((run / "metrics.json").read_text())["validation"]
    assert scores["cumulative"]["nonzero_weights"] < scores["exact"]["nonzero_weights"]
    assert scores["cumulative"]["auc"] == pytest.approx(scores["exact"]["auc"], abs=0.01)


def test_cli_compiled_and_numpy_engines_agree(tmp_path) -> None:
    rows = {}
    for engine_name in ("numpy", "compiled"):
        run = _run(
            tmp_path, engine_name, "model.l1_method=cumulative", f"training.engine={engine_name}"
        )
        status = json.loads((run / "status.json").read_text())
        assert status["training"]["engine"] == engine_name
        rows[engine_name] = (run / "history.csv").read_text().splitlines()
    header = rows["numpy"][0].split(",")
    for mine, other in zip(rows["compiled"][1:], rows["numpy"][1:], strict=True):
        for name, a, b in zip(header, mine.split(","), other.split(","), strict=True):
            if name.endswith("loss") or name == "grad_norm":
                assert float(a) == pytest.approx(float(b), rel=1e-9), name


def test_cli_refuses_an_unknown_method_naming_the_key(tmp_path) -> None:
    result = mlcc("validate", _model_config(tmp_path, l1_method="lazy"))
    assert result.exit_code == 2
    assert "model.l1_method" in result.output
    assert "cumulative" in result.output
    assert "Traceback" not in result.output


def test_doctor_offers_the_cumulative_method_only_where_it_helps(tmp_path) -> None:
    def l1_advice(*overrides: str) -> str:
        sets = [arg for value in overrides for arg in ("--set", value)]
        runs = tmp_path / str(len(list(tmp_path.iterdir())))
        config = _model_config(tmp_path)
        result = mlcc("train", config, "--json", "--no-plots", "--runs-dir", runs, *sets)
        assert result.exit_code == 0, result.output
        found = [f for f in json.loads(result.stdout)["doctor"] if f["kind"] == "l1_sparsity"]
        return found[0]["advice"]

    assert "model.l1_method=cumulative" in l1_advice()
    assert "cumulative" not in l1_advice("model.l1_method=cumulative")
    assert "cumulative" not in l1_advice("training.batch_size=full")
    assert "cumulative" not in l1_advice("optimizer={type: ftrl, learning_rate: 0.1}")


def test_networks_take_the_cumulative_penalty_on_the_numpy_path(tmp_path) -> None:
    """An MLP charges every weight matrix each step, in numpy; the compiled MLP kernel has
    no such penalty, so auto picks numpy."""
    network = MODELS["mlp"](hidden_units=[4], task="binary", l1=0.01, l1_method="cumulative")
    assert not compiled_kernel_supports(network, SGD(0.1))
    X, y = _dense_problem()
    optimizer = SGD(0.05)
    training = TrainingConfig(batch_size=16, epochs=2, periods=2, engine="auto")
    train(network.initialize(X.shape[1]), optimizer, X, y, X[:50], y[:50], training,
          np.random.default_rng(0))  # fmt: skip
    steps = 2 * -(-len(y) // 16)
    assert set(optimizer.l1_owed_) == set(network.l1_names)
    assert optimizer.l1_owed_["W1"] == pytest.approx(steps * 0.05 * 0.01)
    run = _run(
        tmp_path,
        "mlp",
        "model.type=mlp",
        "model.hidden_units=[4]",
        "model.l1_method=cumulative",
        "training.engine=auto",
    )
    status = json.loads((run / "status.json").read_text())
    assert status["training"]["engine"] == "numpy"
    state = json.loads((run / "model.json").read_text())
    assert state["model"]["l1_method"] == "cumulative"


@pytest.mark.parametrize("model_type", ["mlp", "cnn"])
def test_network_states_saved_before_l1_method_still_load(model_type: str) -> None:
    settings = {"mlp": {"hidden_units": [3]}, "cnn": {"image_shape": [4, 4, 1]}}[model_type]
    network = MODELS[model_type](**settings, task="binary", l1=0.01, l1_method="cumulative")
    network.initialize(16)
    state = json.loads(json.dumps(network.get_state()))
    assert state["l1_method"] == "cumulative"
    del state["l1_method"]  # as model.json files written before the key existed
    rebuilt = MODELS[model_type].from_state(state)
    assert rebuilt.l1_method == "exact"
    X = np.random.default_rng(0).normal(size=(5, 16))
    np.testing.assert_array_equal(rebuilt.predict_scores(X), network.predict_scores(X))


def test_sklearn_estimators_take_l1_method() -> None:
    from mlcc_cli.sklearn import LogisticClassifier

    X, y = _sparse_problem()
    settings = {"l1": 0.02, "batch_size": 8, "epochs": 2, "random_state": 0}
    exact = LogisticClassifier(**settings).fit(X, y)
    cumulative = LogisticClassifier(**settings, l1_method="cumulative").fit(X, y)
    assert cumulative.get_params()["l1_method"] == "cumulative"
    assert cumulative.model_.l1_method == "cumulative"
    assert np.count_nonzero(cumulative.coef_) < np.count_nonzero(exact.coef_)
    with pytest.raises(ValueError, match="l1_method"):
        LogisticClassifier(l1_method="lazy").fit(X, y)


def test_ftrl_folds_model_l1_into_its_closed_form_whichever_the_method() -> None:
    X, y = _sparse_problem()
    weights = []
    for method in ("exact", "cumulative"):
        model = LogisticRegression(l1=0.01, l1_method=method).initialize(X.shape[1])
        optimizer = OPTIMIZERS["ftrl"](learning_rate=0.1)
        numpy_steps(model, optimizer, X, y, 8, range(30))
        weights.append(model.coef_.copy())
    np.testing.assert_array_equal(weights[0], weights[1])
    assert 0 < np.count_nonzero(weights[0]) < X.shape[1]
