"""The training loop: schedule arithmetic, batching, periods, early stopping, divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, mean_squared_error

from mlcc_cli.config.training import EarlyStoppingConfig, TrainingConfig
from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.models.linear import LinearRegression, LogisticRegression
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.loop import PeriodRecord, plan_schedule, train


def _regression(n: int = 40, d: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return X, X @ np.arange(1.0, d + 1) + 0.5 + 0.1 * rng.normal(size=n)


def _config(**kwargs: object) -> TrainingConfig:
    return TrainingConfig(**kwargs)


# -------------------------------------------------------------------- schedule


@pytest.mark.parametrize(
    ("n_train", "batch", "epochs", "steps", "periods", "per_epoch", "total", "ends"),
    [
        (10, 4, 2, None, 3, 3, 6, [2, 4, 6]),  # batches of 4, 4, 2
        (10, 4, None, 5, 2, 3, 5, [2, 5]),  # steps given: epochs don't matter
        (10, "full", 3, None, 3, 1, 3, [1, 2, 3]),  # batch gradient descent
        (100, 10, None, None, 4, 10, 100, [25, 50, 75, 100]),  # default 10 epochs
        (10, 1, None, 10, 3, 10, 10, [3, 6, 10]),  # uneven: last period is longest
        (10, 10, None, 7, 7, 1, 7, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_plan_schedule_table(
    n_train: int,
    batch: int | str,
    epochs: int | None,
    steps: int | None,
    periods: int,
    per_epoch: int,
    total: int,
    ends: list[int],
) -> None:
    schedule = plan_schedule(n_train, batch, epochs, steps, periods)
    assert (schedule.steps_per_epoch, schedule.total_steps, schedule.period_ends) == (
        per_epoch,
        total,
        ends,
    )
    assert schedule.warnings == []


def test_plan_schedule_caps_batch_and_periods_with_warnings() -> None:
    schedule = plan_schedule(n_train=10, batch_size=64, epochs=2, steps=None, periods=5)
    assert (schedule.batch_size, schedule.total_steps, schedule.period_ends) == (10, 2, [1, 2])
    assert len(schedule.warnings) == 2
    assert "training.batch_size 64" in schedule.warnings[0]
    assert "training.periods 5" in schedule.warnings[1]


@pytest.mark.parametrize(
    ("n_train", "batch", "epochs", "steps", "error"),
    [(0, 4, 1, None, DataError), (10, 4, 1, 3, ConfigError), (10, 0, 1, None, ConfigError)],
)
def test_plan_schedule_rejects_impossible_inputs(
    n_train: int, batch: int, epochs: int, steps: int | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        plan_schedule(n_train, batch, epochs, steps, periods=1)


# ------------------------------------------------------------ batches and records


class _RecordingLinear(LinearRegression):
    """Linear regression that remembers the first column (a row id) of every batch."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[float]] = []

    def loss_and_gradients(self, X, y):
        self.batches.append(X[:, 0].tolist())
        return super().loss_and_gradients(X, y)


def test_each_epoch_visits_every_example_once_in_a_fresh_order() -> None:
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    model = _RecordingLinear()
    result = train(
        model,
        SGD(1e-3),
        X,
        np.zeros(10),
        None,
        None,
        _config(batch_size=4, epochs=3, periods=6, engine="numpy"),  # records each batch
        np.random.default_rng(5),
    )
    assert [len(b) for b in model.batches] == [4, 4, 2] * 3
    epochs = [[i for batch in model.batches[3 * e : 3 * e + 3] for i in batch] for e in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]  # reshuffled each epoch
    assert [r.step for r in result.history] == [1, 3, 4, 6, 7, 9]  # periods split epochs
    assert [r.examples_seen for r in result.history] == [4, 10, 14, 20, 24, 30]
    assert [r.epoch for r in result.history] == pytest.approx([1 / 3, 1, 4 / 3, 2, 7 / 3, 3])
    assert [r.period for r in result.history] == [1, 2, 3, 4, 5, 6]
    assert (result.status, result.total_steps, result.steps_done) == ("complete", 9, 9)


def test_full_batch_uses_rows_in_order_and_reports_the_gradient_norm() -> None:
    X, y = _regression(n=12)
    model = _RecordingLinear()
    result = train(
        model,
        SGD(0.01),
        X,
        y,
        None,
        None,
        _config(batch_size="full", steps=1, periods=1, engine="numpy"),  # records each batch
        np.random.default_rng(0),
    )
    assert model.batches == [X[:, 0].tolist()]
    # At w = 0, b = 0 the MSE gradient is (2/n)·Xᵀ(−y) and (2/n)·Σ(−y).
    expected = np.linalg.norm(np.append(2 / 12 * X.T @ -y, 2 / 12 * np.sum(-y)))
    assert result.history[0].grad_norm == pytest.approx(expected, rel=1e-12)
    assert result.history[0].learning_rate == 0.01


def test_records_hold_losses_and_task_metrics() -> None:
    X, y = _regression()
    X_val, y_val = _regression(n=15, seed=1)
    model = LinearRegression(l2=0.5)
    result = train(
        model,
        SGD(0.05),
        X,
        y,
        X_val,
        y_val,
        _config(batch_size=8, epochs=2, periods=2),
        np.random.default_rng(0),
    )
    last = result.history[-1]
    assert isinstance(last, PeriodRecord)
    assert last.train_loss == pytest.approx(mean_squared_error(y, model.predict(X)))  # no penalty
    assert last.validation_loss == pytest.approx(mean_squared_error(y_val, model.predict(X_val)))
    rmse = {"train_rmse": last.train_loss**0.5, "validation_rmse": last.validation_loss**0.5}
    assert last.metrics == pytest.approx(rmse)
    assert result.best_period == min(result.history, key=lambda r: r.validation_loss).period


def test_logistic_records_accuracy_and_omit_validation_without_a_split() -> None:
    X, _ = _regression()
    y = (X[:, 0] > 0).astype(float)
    model = LogisticRegression()
    result = train(
        model,
        SGD(0.5),
        X,
        y,
        np.empty((0, 3)),
        np.empty(0),
        _config(batch_size=10, epochs=3, periods=3),
        np.random.default_rng(0),
    )
    last = result.history[-1]
    assert last.validation_loss is None and result.best_period is None
    assert last.metrics == {"train_accuracy": accuracy_score(y, model.predict(X))}


# --------------------------------------------------------- stopping conditions


def _early_stopping_problem() -> tuple[np.ndarray, ...]:
    # Training says y = 2x, validation says y = x: as w climbs from 0 to 2, validation loss
    # (w − 1)²·mean(x²) falls until w passes 1 and then rises: a textbook overfitting curve.
    x = np.linspace(-1.0, 1.0, 21)[:, None]
    return x, 2 * x[:, 0], x, x[:, 0]


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_stops_and_restores_the_best_weights(restore_best: bool) -> None:
    X, y, X_val, y_val = _early_stopping_problem()
    early = EarlyStoppingConfig(patience=3, restore_best=restore_best)
    weights: list[float] = []
    model = LinearRegression()
    result = train(
        model,
        SGD(0.05),
        X,
        y,
        X_val,
        y_val,
        _config(batch_size="full", steps=400, periods=100, early_stopping=early),
        np.random.default_rng(0),
        on_period=lambda r: weights.append(float(model.coef_[0])),
    )
    assert result.status == "complete" and result.stopped_early
    losses = [r.validation_loss for r in result.history]
    best = result.best_period
    assert losses[best - 1] == min(losses)
    assert len(result.history) == best + 3  # three periods without improvement, then stop
    assert abs(weights[best - 1] - 1.0) == min(abs(w - 1.0) for w in weights)
    if restore_best:
        assert model.coef_[0] == weights[best - 1]
        assert model.loss(X_val, y_val) == losses[best - 1]
        assert f"restored the weights of period {best}" in result.message
    else:
        assert model.coef_[0] == weights[-1]
    assert "early stopping" in result.message


def test_min_delta_demands_a_real_improvement() -> None:
    X, y, X_val, y_val = _early_stopping_problem()
    early = EarlyStoppingConfig(patience=2, min_delta=10.0)  # nothing improves by 10
    result = train(
        LinearRegression(),
        SGD(0.05),
        X,
        y,
        X_val,
        y_val,
        _config(batch_size="full", steps=100, periods=10, early_stopping=early),
        np.random.default_rng(0),
    )
    assert result.stopped_early and result.best_period == 1 and len(result.history) == 3


def test_early_stopping_without_validation_is_a_config_error() -> None:
    X, y = _regression()
    config = _config(steps=5, early_stopping=EarlyStoppingConfig())
    with pytest.raises(ConfigError, match="validation"):
        train(LinearRegression(), SGD(0.1), X, y, None, None, config, np.random.default_rng(0))


def test_huge_learning_rate_diverges_with_advice() -> None:
    X, y = _regression(n=50, d=5)
    result = train(
        LinearRegression(),
        SGD(10.0),
        X,
        y,
        None,
        None,
        _config(batch_size=10, steps=2000, periods=200),
        np.random.default_rng(0),
    )
    assert result.status == "diverged"
    assert result.history  # the periods before the blow-up are kept
    assert all(math.isfinite(r.train_loss) for r in result.history)
    assert result.steps_done < result.total_steps
    for phrase in ("training diverged to", "at step", "learning_rate 10", "clip_norm", "zscore"):
        assert phrase in result.message


def test_keyboard_interrupt_keeps_the_history() -> None:
    X, y = _regression()

    def interrupt_at_period_2(record: PeriodRecord) -> None:
        if record.period == 2:
            raise KeyboardInterrupt

    result = train(
        LinearRegression(),
        SGD(0.01),
        X,
        y,
        None,
        None,
        _config(batch_size=4, epochs=5, periods=5),
        np.random.default_rng(0),
        on_period=interrupt_at_period_2,
    )
    assert result.status == "interrupted"
    assert [r.period for r in result.history] == [1, 2]
    assert result.steps_done == 20 and result.total_steps == 50
    assert "interrupted" in result.message


@pytest.mark.parametrize(
    ("stop_at", "status", "periods_run"), [(2, "pruned", 2), (5, "complete", 5)]
)
def test_a_period_hook_that_returns_a_reason_prunes_the_run(
    stop_at: int, status: str, periods_run: int
) -> None:
    X, y = _regression()

    def prune(record: PeriodRecord) -> str | None:
        return "not promising" if record.period == stop_at else None

    result = train(
        LinearRegression(),
        SGD(0.01),
        X,
        y,
        X[:10],
        y[:10],
        _config(batch_size=4, epochs=5, periods=5),
        np.random.default_rng(0),
        on_period=prune,
    )
    # Asked to stop at the last period there is nothing left to save: the run is complete.
    assert result.status == status
    assert [r.period for r in result.history] == list(range(1, periods_run + 1))
    assert result.steps_done == 10 * periods_run
    assert (result.message == "not promising") == (status == "pruned")


# ----------------------------------------------------------------- contract


def _run(seed: int, X: np.ndarray, y: np.ndarray) -> tuple[list[PeriodRecord], np.ndarray]:
    model = LinearRegression(l1=0.01)
    X_val, y_val = _regression(n=10, seed=9)
    result = train(
        model,
        SGD(0.05, clip_norm=5.0),
        X,
        y,
        X_val,
        y_val,
        _config(batch_size=7, epochs=4, periods=4),
        np.random.default_rng(seed),
    )
    return result.history, np.append(model.coef_, model.intercept_)


def test_same_seed_gives_identical_results_and_inputs_stay_untouched() -> None:
    X, y = _regression()
    X_before, y_before = X.copy(), y.copy()
    history_a, weights_a = _run(7, X, y)
    history_b, weights_b = _run(7, X, y)
    assert history_a == history_b
    np.testing.assert_array_equal(weights_a, weights_b)
    _, weights_c = _run(8, X, y)
    assert not np.array_equal(weights_a, weights_c)  # the seed really drives the shuffle
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_train_initializes_only_an_uninitialized_model() -> None:
    X, y = _regression(d=3)
    warm = LinearRegression().initialize(3)
    warm.coef_[:] = [1.0, 2.0, 3.0]
    coef = warm.coef_
    train(warm, SGD(1e-9), X, y, None, None, _config(steps=1), np.random.default_rng(0))
    assert warm.coef_ is coef  # same arrays, updated in place
    np.testing.assert_allclose(warm.coef_, [1.0, 2.0, 3.0], atol=1e-6)
    with pytest.raises(DataError, match="3 features but got 2"):
        train(warm, SGD(0.1), X[:, :2], y, None, None, _config(steps=1), np.random.default_rng(0))


def test_bad_inputs_are_data_errors() -> None:
    X, y = _regression()
    X[0, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        train(
            LinearRegression(),
            SGD(0.1),
            X,
            y,
            None,
            None,
            _config(steps=1),
            np.random.default_rng(0),
        )
    with pytest.raises(DataError, match="do not match"):
        train(
            LinearRegression(),
            SGD(0.1),
            X[:5],
            y,
            None,
            None,
            _config(steps=1),
            np.random.default_rng(0),
        )
