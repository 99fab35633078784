"""`model: {type: poisson}`: Poisson regression for counts, checked against scikit-learn."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.optimize import approx_fprime
from sklearn.linear_model import PoissonRegressor
from sklearn.metrics import mean_poisson_deviance
from typer.testing import CliRunner

import mlcc_cli
from mlcc_cli.cli import app
from mlcc_cli.errors import DataError
from mlcc_cli.models.poisson import PoissonRegression

COEF = np.array([0.5, -0.3, 0.2, 0.0])


def counts_frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Visits per day drawn from Poisson(exp(0.3 + x·COEF)); the last feature is noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(COEF)))
    frame = pd.DataFrame(X, columns=["a", "b", "c", "noise"])
    frame["visits"] = rng.poisson(np.exp(0.3 + X @ COEF))
    return frame


def config(**model: float) -> dict:
    return {
        "name": "visits",
        "seed": 3,
        "data": {
            "source": "counts.csv",
            "label": "visits",
            "split": {"train": 0.8, "validation": 0.2},
        },
        "model": {"type": "poisson", **model},
        "optimizer": {"type": "sgd", "learning_rate": 0.2},
        "training": {"batch_size": "full", "epochs": 3000, "periods": 10},
    }


@pytest.mark.parametrize("l2", [0.0, 0.01, 0.3])
def test_full_batch_training_converges_to_scikit_learns_poisson_regressor(l2: float) -> None:
    frame = counts_frame()
    settings = config(l2=l2)
    settings["data"]["split"] = {"train": 1.0, "validation": 0.0}
    result = mlcc_cli.train(settings, data=frame)
    X, y = frame.drop(columns="visits").to_numpy(), frame["visits"].to_numpy()
    # model.l2 = λ₂ is PoissonRegressor's alpha (the docstring's penalty scaling).
    oracle = PoissonRegressor(alpha=l2, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(result.model.coef_, oracle.coef_, atol=1e-4)
    assert result.model.intercept_[0] == pytest.approx(oracle.intercept_, abs=1e-4)
    # metrics.json's loss is the training loss: the mean Poisson deviance.
    deviance = mean_poisson_deviance(y, oracle.predict(X))
    assert result.metrics["train"]["loss"] == pytest.approx(deviance, abs=1e-6)


@pytest.mark.parametrize("optimizer", ["sgd", "adagrad", "adam", "ftrl"])
def test_every_optimizer_learns_the_rates(optimizer: str) -> None:
    settings = config()
    settings["data"]["split"] = {"train": 1.0, "validation": 0.0}
    learning_rate = 0.02 if optimizer == "sgd" else 0.05
    settings["optimizer"] = {"type": optimizer, "learning_rate": learning_rate}
    settings["training"] = {"batch_size": 16, "epochs": 30, "periods": 5}
    frame = counts_frame()
    result = mlcc_cli.train(settings, data=frame)
    assert result.status == "complete"
    X, y = frame.drop(columns="visits").to_numpy(), frame["visits"].to_numpy()
    best = PoissonRegressor(alpha=0.0, tol=1e-10, max_iter=1000).fit(X, y)
    best_loss = mean_poisson_deviance(y, best.predict(X))
    assert result.history["train_loss"].iloc[-1] < 1.02 * best_loss
    np.testing.assert_allclose(result.model.coef_, best.coef_, atol=0.05)


def test_l1_zeroes_the_noise_feature() -> None:
    settings = config(l1=0.05)
    settings["optimizer"] = {"type": "sgd", "learning_rate": 0.05}
    result = mlcc_cli.train(settings, data=counts_frame(2000))
    assert result.model.coef_[3] == 0.0
    assert np.all(result.model.coef_[:3] != 0.0)
    assert result.metrics["train"]["nonzero_weights"] == 3


def test_gradients_match_finite_differences() -> None:
    frame = counts_frame(50)
    X, y = frame.drop(columns="visits").to_numpy(), frame["visits"].to_numpy(dtype=float)
    model = PoissonRegression(l2=0.1).initialize(X.shape[1])
    model.coef_[:] = [0.2, -0.1, 0.3, 0.05]
    model.intercept_[:] = 0.1
    _, gradients = model.loss_and_gradients(X, y)

    def objective(coef: np.ndarray) -> float:
        model.coef_[:] = coef
        return model.loss(X, y) + 0.1 * float(coef @ coef)

    start = model.coef_.copy()
    expected = approx_fprime(start, objective, 1e-7)
    np.testing.assert_allclose(gradients["coef_"], expected, rtol=1e-5, atol=1e-6)


def test_the_loss_is_scikit_learns_mean_poisson_deviance() -> None:
    frame = counts_frame(200)
    X, y = frame.drop(columns="visits").to_numpy(), frame["visits"].to_numpy(dtype=float)
    model = PoissonRegression().initialize(X.shape[1])
    model.coef_[:] = [0.3, -0.2, 0.1, 0.0]
    assert model.loss(X, y) == pytest.approx(mean_poisson_deviance(y, model.predict(X)))
    losses = model.metric_losses(y, model.predict_scores(X))
    assert losses is not None and float(np.mean(losses)) == pytest.approx(model.loss(X, y))


def write_experiment(tmp_path: Path, frame: pd.DataFrame, **data: object) -> Path:
    frame.to_csv(tmp_path / "counts.csv", index=False)
    settings = config(l2=0.001)
    settings["optimizer"] = {"type": "adagrad", "learning_rate": 0.3}
    settings["training"] = {"batch_size": 32, "epochs": 8, "periods": 4}
    settings["data"].update(data)
    path = tmp_path / "visits.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


@pytest.mark.parametrize("streaming", [False, True])
def test_cli_trains_in_memory_and_streaming(tmp_path: Path, streaming: bool) -> None:
    path = write_experiment(tmp_path, counts_frame(), streaming=streaming)
    runs = tmp_path / "runs"
    done = CliRunner().invoke(app, ["train", str(path), "--runs-dir", str(runs), "--json"])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.stdout)
    validation = payload["metrics"]["validation"]
    predictions = pd.read_csv(Path(payload["run_dir"]) / "predictions-validation.csv")
    deviance = mean_poisson_deviance(predictions["label"], predictions["prediction"])
    assert validation["loss"] == pytest.approx(deviance)
    assert validation["r2"] > 0.25
    history = pd.read_csv(Path(payload["run_dir"]) / "history.csv")
    assert np.isfinite(history["train_loss"]).all() and len(history) == 4


def test_evaluate_reports_the_deviance_and_ranks_rows_by_it(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, counts_frame())
    runner = CliRunner()
    trained = runner.invoke(app, ["train", str(path), "--runs-dir", str(tmp_path), "--json"])
    run_dir = json.loads(trained.stdout)["run_dir"]
    done = runner.invoke(app, ["evaluate", run_dir, "--json", "--no-plots"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    predictions = pd.read_csv(Path(run_dir) / "predictions-validation.csv")
    y, rate = predictions["label"], predictions["prediction"]
    assert report["metrics"]["loss"] == pytest.approx(mean_poisson_deviance(y, rate))
    worst = report["worst_examples"][0]
    assert worst["loss"] == pytest.approx(
        mean_poisson_deviance([worst["label"]], [worst["prediction"]])
    )


@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize("bad", [-1, 2.5])
def test_a_label_that_is_not_a_count_names_the_column_and_row(
    tmp_path: Path, streaming: bool, bad: float
) -> None:
    frame = counts_frame(300).astype({"visits": float})
    frame.loc[17, "visits"] = bad
    path = write_experiment(tmp_path, frame, streaming=streaming)
    done = CliRunner().invoke(app, ["train", str(path), "--runs-dir", str(tmp_path / "runs")])
    assert done.exit_code == 2
    assert "data.label 'visits': row 17 holds" in done.stderr
    assert str(bad) in done.stderr and "counts" in done.stderr
    assert "Traceback" not in done.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_validate_targets_names_the_first_bad_value() -> None:
    model = PoissonRegression()
    model.validate_targets(np.array([0.0, 3.0, 12.0]))
    with pytest.raises(DataError, match=r"label value 2 of this split is -2\.0"):
        model.validate_targets(np.array([1.0, -2.0, 0.5]))
