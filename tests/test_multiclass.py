"""Multiclass models: gradients against finite differences, optima against scikit-learn,
one-vs-all against K separately trained logistic models, and the experiment plumbing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import yaml
from pydantic import TypeAdapter
from sklearn.datasets import load_digits, load_wine
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.metrics import classification_report, confusion_matrix, log_loss, roc_auc_score
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.models import ModelConfig
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.data.loading import encode_label, resolve_task
from mlcc_cli.errors import DataError, NotFittedError
from mlcc_cli.evaluation import evaluate_multiclass
from mlcc_cli.models.linear import LogisticRegression
from mlcc_cli.models.multiclass import OneVsAll, Softmax
from mlcc_cli.models.multilabel import MultiLabel
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.loop import train

MULTICLASS = [Softmax, OneVsAll]


def _problem(n: int = 40, d: int = 4, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    scores = X @ rng.normal(size=(d, k)) + 0.5 * rng.normal(size=(n, k))
    return X, np.argmax(scores, axis=1).astype(np.float64)


def _with_random_weights(model, d: int, k: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    model.initialize(d, k)
    model.coef_[:] = rng.normal(size=(d, k))
    model.intercept_[:] = rng.normal(size=k)
    return model


def _full_batch(steps: int) -> TrainingConfig:
    return TrainingConfig(batch_size="full", steps=steps, periods=2)


@pytest.mark.parametrize("cls", MULTICLASS)
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradients_match_central_differences(cls, l2: float) -> None:
    X, y = _problem()
    model = _with_random_weights(cls(l2=l2), X.shape[1], 3)

    def objective() -> float:
        return model.loss(X, y) + l2 * float(np.sum(model.coef_**2))

    _, grads = model.loss_and_gradients(X, y)
    eps = 1e-6
    for name, param in model.params.items():
        numeric = np.empty_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            up = objective()
            param[index] = saved - eps
            down = objective()
            param[index] = saved
            numeric[index] = (up - down) / (2 * eps)
        error = np.linalg.norm(grads[name] - numeric) / np.linalg.norm(grads[name] + numeric)
        assert error < 1e-6, name


@pytest.mark.parametrize("cls", MULTICLASS)
def test_sparse_input_gives_the_dense_results(cls) -> None:
    X, y = _problem()
    X[np.abs(X) < 0.8] = 0.0
    model = _with_random_weights(cls(l2=0.1), X.shape[1], 3)
    dense_loss, dense = model.loss_and_gradients(X, y)
    sparse_loss, sparse = model.loss_and_gradients(sp.csr_array(X), y)
    assert sparse_loss == pytest.approx(dense_loss, rel=1e-12)
    for name in dense:
        np.testing.assert_allclose(sparse[name], dense[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.predict_proba(sp.csr_matrix(X)), model.predict_proba(X))


def test_softmax_loss_is_sklearn_log_loss_and_is_stable() -> None:
    X, y = _problem()
    model = _with_random_weights(Softmax(), X.shape[1], 3)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.loss(X, y) == pytest.approx(log_loss(y, proba, labels=[0, 1, 2]), rel=1e-12)
    model.intercept_[:] = [1000.0, 0.0, -1000.0]  # exp(1000) would overflow without the shift
    assert np.isfinite(model.loss(X, y))
    assert np.all(np.isfinite(model.predict_proba(X)))


def test_softmax_on_digits_matches_sklearn_multinomial_accuracy() -> None:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    train_rows, test_rows = order[:1400], order[1400:]
    l2 = 1e-3
    n = len(train_rows)
    sk = SklearnLogisticRegression(C=1 / (2 * l2 * n), max_iter=5000, tol=1e-8)
    with threadpool_limits(1):  # BLAS threads make this small fit 100x slower on busy hosts
        sk.fit(X[train_rows], y[train_rows])
    sk_accuracy = sk.score(X[test_rows], y[test_rows])

    model = Softmax(l2=l2).initialize(X.shape[1], 10)
    config = TrainingConfig(batch_size=32, epochs=30, periods=2)
    result = train(
        model, SGD(0.5), X[train_rows], y[train_rows], None, None, config, np.random.default_rng(0)
    )
    assert result.status == "complete"
    accuracy = float(np.mean(model.predict(X[test_rows]) == y[test_rows]))
    assert abs(accuracy - sk_accuracy) <= 0.01


def test_one_vs_all_equals_k_separately_trained_logistic_models() -> None:
    X, y = _problem(n=60, k=4)
    l2, learning_rate, steps = 0.05, 0.5, 200
    model = OneVsAll(l2=l2).initialize(X.shape[1], 4)
    train(model, SGD(learning_rate), X, y, None, None, _full_batch(steps), np.random.default_rng(0))
    for k in range(4):
        binary = LogisticRegression(l2=l2)
        y_k = (y == k).astype(np.float64)
        rng = np.random.default_rng(0)
        train(binary, SGD(learning_rate), X, y_k, None, None, _full_batch(steps), rng)
        np.testing.assert_allclose(model.coef_[:, k], binary.coef_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(model.intercept_[k], binary.intercept_[0], rtol=0, atol=1e-10)
        np.testing.assert_allclose(
            model.predict_raw_proba(X)[:, k], binary.predict_proba(X)[:, 1], atol=1e-10
        )
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


def test_sampled_softmax_is_seeded_and_reports_the_full_loss() -> None:
    X, y = _problem(n=50, k=6)

    def fit(seed: int) -> Softmax:
        model = Softmax(sampled_softmax={"num_sampled": 2})
        model.initialize(X.shape[1], 6, rng=np.random.default_rng(seed))
        config = TrainingConfig(batch_size=10, epochs=20, periods=2)
        train(model, SGD(0.3), X, y, None, None, config, np.random.default_rng(0))
        return model

    first, again, other = fit(1), fit(1), fit(2)
    np.testing.assert_array_equal(first.coef_, again.coef_)
    assert not np.array_equal(first.coef_, other.coef_)
    untrained = Softmax().initialize(X.shape[1], 6)
    assert first.loss(X, y) < untrained.loss(X, y) == pytest.approx(np.log(6))
    # A batch's sampled loss covers the true class and 2 negatives: at zero weights log(3).
    sampled = Softmax(sampled_softmax={"num_sampled": 2}).initialize(X.shape[1], 6)
    loss, grads = sampled.loss_and_gradients(X, y)
    assert loss == pytest.approx(np.log(3))
    assert np.count_nonzero(grads["intercept_"]) <= 6


def test_sampled_softmax_uses_the_full_softmax_when_it_would_sample_every_class() -> None:
    X, y = _problem()
    full = _with_random_weights(Softmax(), X.shape[1], 3)
    sampled = _with_random_weights(Softmax(sampled_softmax={"num_sampled": 5}), X.shape[1], 3)
    assert sampled.loss_and_gradients(X, y)[0] == full.loss_and_gradients(X, y)[0]


@pytest.mark.parametrize("cls", MULTICLASS)
def test_state_round_trips_and_unfitted_use_is_refused(cls) -> None:
    X, _ = _problem()
    with pytest.raises(NotFittedError):
        cls().predict(X)
    model = _with_random_weights(cls(l1=0.1, l2=0.2), X.shape[1], 3)
    rebuilt = cls.from_state(model.get_state())
    np.testing.assert_array_equal(rebuilt.predict_proba(X), model.predict_proba(X))
    assert (rebuilt.l1, rebuilt.l2) == (0.1, 0.2)
    assert repr(model).startswith(f"{cls.__name__}(l1=0.1, l2=0.2")


@pytest.mark.parametrize("cls", MULTICLASS)
def test_bad_targets_and_shapes_are_data_errors(cls) -> None:
    X, _ = _problem()
    model = cls().initialize(X.shape[1], 3)
    with pytest.raises(DataError, match=r"class codes 0\.\.2"):
        model.validate_targets(np.array([0.0, 3.0]))
    with pytest.raises(DataError, match="initialized with 4 features"):
        model.predict(X[:, :2])
    with pytest.raises(DataError, match="number of classes"):
        cls().initialize(4)


# ------------------------------------------------------------------- label encoding


def test_multiclass_labels_are_sorted_codes_with_a_rare_class_warning() -> None:
    y, classes, warnings = encode_label(
        pd.Series(["b", "a", "c", "a"] * 5 + ["d"]), "multiclass", 1.0, "kind", model_type="softmax"
    )
    assert classes == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(y[:4], [1.0, 0.0, 2.0, 0.0])
    assert y[-1] == 3.0
    assert len(warnings) == 1 and "'d': 1" in warnings[0]


@pytest.mark.parametrize(
    ("values", "phrase"),
    [
        ([1, 2, 1, 2], "needs at least 3; for two classes use model.type: logistic"),
        ([0.5, 1.5, 2.5], "model.type softmax predicts classes; use model.type: linear"),
        (list(range(150)), "looks like a quantity to regress"),
    ],
)
def test_unsuitable_multiclass_labels_are_data_errors(values: list, phrase: str) -> None:
    with pytest.raises(DataError, match=phrase):
        encode_label(pd.Series(values), "multiclass", 1.0, "y", model_type="softmax")


@pytest.mark.parametrize(
    ("model", "values", "task"),
    [
        ({"type": "softmax"}, [1.5, 2.5], "multiclass"),
        ({"type": "logistic"}, [1.5, 2.5], "binary"),
        ({"type": "linear"}, ["a", "b"], "regression"),
        ({"type": "mlp", "hidden_units": [4], "task": "regression"}, [0, 1], "regression"),
        ({"type": "mlp", "hidden_units": [4]}, ["x", "y", "x"], "binary"),
        ({"type": "mlp", "hidden_units": [4]}, [True, False], "binary"),
        ({"type": "mlp", "hidden_units": [4]}, ["x", "y", "z"], "multiclass"),
        ({"type": "mlp", "hidden_units": [4]}, [0, 1, 1], "binary"),
        ({"type": "mlp", "hidden_units": [4]}, list(range(20)), "multiclass"),
        ({"type": "mlp", "hidden_units": [4]}, list(range(21)), "regression"),
        ({"type": "mlp", "hidden_units": [4]}, [0.5, 1.0, 2.0], "regression"),
    ],
)
def test_resolve_task(model: dict, values: list, task: str) -> None:
    config = TypeAdapter(ModelConfig).validate_python(model)
    assert resolve_task(config, pd.Series(values)) == task


# ------------------------------------------------------------------ experiment / CLI

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def _mlcc(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def _config(tmp_path: Path, **changes: object) -> Path:
    config = yaml.safe_load((ROOT / "configs" / "digits_softmax.yaml").read_text())
    config["training"] = {"batch_size": 64, "epochs": 5, "periods": 2}
    for key, value in changes.items():
        section, name = key.split("__")
        config[section][name] = value
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.mark.parametrize("model_type", ["softmax", "one_vs_all"])
def test_train_predict_evaluate_multiclass_run(tmp_path: Path, model_type: str) -> None:
    result = _mlcc(
        "train", _config(tmp_path, model__type=model_type), "--runs-dir", tmp_path, "--json"
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    run_dir = Path(out["run_dir"])
    validation = out["metrics"]["validation"]
    assert {"log_loss", "accuracy", "macro_f1", "weighted_f1", "nonzero_weights"} <= set(validation)
    assert validation["accuracy"] > 0.9

    model_json = json.loads((run_dir / "model.json").read_text())
    assert model_json["task"] == "multiclass"
    assert model_json["classes"] == list(range(10))
    predictions = pd.read_csv(run_dir / "predictions-validation.csv")
    probability_columns = [f"p_{k}" for k in range(10)]
    # one_vs_all also reports each class's own (un-normalised) sigmoid.
    raw_columns = [f"raw_{k}" for k in range(10)] if model_type == "one_vs_all" else []
    assert list(predictions.columns) == [
        "row_id", "label", "prediction", *probability_columns, *raw_columns
    ]  # fmt: skip
    if raw_columns:
        raw = predictions[raw_columns].to_numpy()
        normalised = raw / raw.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(normalised, predictions[probability_columns], rtol=1e-9)
    np.testing.assert_allclose(predictions[probability_columns].sum(axis=1), 1.0)
    assert np.mean(predictions["label"] == predictions["prediction"]) == pytest.approx(
        validation["accuracy"]
    )
    history = pd.read_csv(run_dir / "history.csv")
    assert "validation_accuracy" in history.columns

    digits = load_digits(as_frame=True).frame.head(6)
    rows = tmp_path / "rows.csv"
    digits.drop(columns="target").to_csv(rows, index=False)
    predicted = _mlcc("predict", run_dir, rows)
    assert predicted.exit_code == 0, predicted.output
    table = pd.read_csv(io.StringIO(predicted.stdout))
    assert list(table.columns) == ["row_id", "prediction", *probability_columns, *raw_columns]
    np.testing.assert_allclose(table[probability_columns].sum(axis=1), 1.0)

    evaluated = _mlcc("evaluate", run_dir, "--json", "--no-plots")
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert report["task"] == "multiclass"
    assert report["metrics"]["accuracy"] == pytest.approx(validation["accuracy"])
    counts = np.array(report["confusion_matrix"]["counts"])
    assert counts.shape == (10, 10) and counts.sum() == report["rows"]
    assert [row["support"] for row in report["per_class"]] == counts.sum(axis=1).tolist()
    human = _mlcc("evaluate", run_dir, "--no-plots")
    assert human.exit_code == 0, human.output
    assert "macro avg" in human.output and "Confusion matrix" in human.output


def test_multiclass_evaluation_matches_sklearn() -> None:
    X, y = _problem(n=80, k=4)
    proba = _with_random_weights(Softmax(), X.shape[1], 4).predict_proba(X)
    details, _ = evaluate_multiclass(y, proba, ["a", "b", "c", "d"])
    predicted = np.argmax(proba, axis=1)
    report = classification_report(y, predicted, output_dict=True, zero_division=0)
    for k, row in enumerate(details.classes):
        assert row.precision == pytest.approx(report[f"{k:.1f}"]["precision"])
        assert row.recall == pytest.approx(report[f"{k:.1f}"]["recall"])
        assert row.support == report[f"{k:.1f}"]["support"]
    assert details.averages["macro"]["f1"] == pytest.approx(report["macro avg"]["f1-score"])
    assert details.macro_auc == pytest.approx(
        roc_auc_score(y, proba, multi_class="ovr", average="macro")
    )
    np.testing.assert_array_equal(details.confusion.counts, confusion_matrix(y, predicted))


def test_softmax_on_a_regression_label_exits_2_naming_model_type(tmp_path: Path) -> None:
    path = _config(tmp_path, data__source="builtin:diabetes", data__stratify=False)
    result = _mlcc("train", path, "--runs-dir", tmp_path)
    assert result.exit_code == 2
    assert "model.type softmax" in result.stderr
    assert not list(tmp_path.glob("digits-softmax-*"))


def test_streaming_refuses_multiclass_models(tmp_path: Path) -> None:
    data = tmp_path / "digits.csv"
    load_digits(as_frame=True).frame.to_csv(data, index=False)
    path = _config(tmp_path, data__source=str(data), data__stratify=False, data__streaming=True)
    result = _mlcc("train", path, "--runs-dir", tmp_path)
    assert result.exit_code == 2
    assert "data.streaming supports linear, logistic and poisson" in result.stderr


# ------------------------------------------------------------------------ multi-label


def test_multi_label_gradients_and_columns_are_separate_logistic_models() -> None:
    X, codes = _problem(n=40, k=3)
    rng = np.random.default_rng(5)
    Y = np.column_stack([codes == 0, codes != 1, rng.random(40) < 0.5]).astype(np.float64)
    l2 = 0.2
    model = _with_random_weights(MultiLabel(l2=l2), X.shape[1], 3)
    loss, grads = model.loss_and_gradients(X, Y)
    total = 0.0
    for j in range(3):
        binary = LogisticRegression(l2=l2).initialize(X.shape[1])
        binary.coef_[:] = model.coef_[:, j]
        binary.intercept_[:] = model.intercept_[j]
        binary_loss, binary_grads = binary.loss_and_gradients(X, Y[:, j])
        total += binary_loss
        np.testing.assert_allclose(grads["coef_"][:, j], binary_grads["coef_"], atol=1e-12)
        np.testing.assert_allclose(grads["intercept_"][j], binary_grads["intercept_"][0])
        np.testing.assert_allclose(model.predict_proba(X)[:, j], binary.predict_proba(X)[:, 1])
    assert loss == pytest.approx(total, rel=1e-12)
    assert model.predict(X).shape == (40, 3)
    with pytest.raises(DataError, match="0/1 labels"):
        model.validate_targets(Y * 2)
    rebuilt = MultiLabel.from_state(model.get_state())
    np.testing.assert_array_equal(rebuilt.predict_proba(X), model.predict_proba(X))


def test_digits_config_is_within_a_point_of_sklearn_on_the_same_split() -> None:
    from mlcc_cli.config.loading import load_config
    from mlcc_cli.data.split_table import referenced_columns
    from mlcc_cli.training.in_memory import train_in_memory
    from mlcc_cli.training.preparation import prepare_design

    loaded = load_config(ROOT / "configs" / "digits_softmax.yaml")
    config = loaded.config
    trained = train_in_memory(config, loaded.folder, referenced_columns(config))
    prepared = prepare_design(config, loaded.folder, referenced_columns(config))
    C = 1 / (2 * config.model.l2 * len(prepared.y["train"]))
    sk = SklearnLogisticRegression(C=C, max_iter=5000, tol=1e-8)
    with threadpool_limits(1):
        sk.fit(prepared.X["train"], prepared.y["train"])
    sk_accuracy = sk.score(prepared.X["validation"], prepared.y["validation"])
    assert abs(trained.metrics["validation"]["accuracy"] - sk_accuracy) <= 0.01


def test_evaluate_says_how_an_absent_class_enters_the_macro_averages(tmp_path: Path) -> None:
    config = tmp_path / "wine.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data": {"source": "builtin:wine", "stratify": True},
                "features": [{"type": "zscore"}],
                "model": {"type": "softmax"},
                "optimizer": {"type": "sgd", "learning_rate": 0.1},
                "training": {"batch_size": 16, "epochs": 5, "periods": 1},
            }
        )
    )
    trained = _mlcc("train", config, "--runs-dir", tmp_path / "runs", "--json", "--no-plots")
    frame = load_wine(as_frame=True).frame
    frame.columns = [str(c).replace(" ", "_").replace("/", "_") for c in frame.columns]
    rows = tmp_path / "no-class-2.csv"
    frame[frame["target"] < 2].to_csv(rows, index=False)
    run = json.loads(trained.stdout)["run_dir"]
    result = _mlcc("evaluate", run, "--data", rows, "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "1 class never occurs in these rows ('2')" in report["warnings"][0]
    assert "left out of the macro AUC" in report["warnings"][0]
    aucs = [row["auc"] for row in report["per_class"]]
    assert aucs[2] is None and report["macro_auc"] == pytest.approx(np.mean(aucs[:2]))
    recall = [row["recall"] for row in report["per_class"]]
    assert report["averages"]["macro"]["recall"] == pytest.approx(np.mean(recall))
