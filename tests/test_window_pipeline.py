"""A `windows` epoch staged on a second core trains exactly as the one-core kernel: same
weights and gradient norms to the bit, periods that start mid-window, divergence."""

from __future__ import annotations

import numpy as np
import pytest

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.models.registry import MODELS
from mlcc_cli.optim.registry import OPTIMIZERS
from mlcc_cli.training import window_pipeline
from mlcc_cli.training.kernels import windows
from mlcc_cli.training.loop import TrainingResult, train

FEATURES = 6


@pytest.fixture(autouse=True)
def small_windows_and_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows of ~8 rows and chunks of ~3 windows, so 600 rows make many chunks."""
    monkeypatch.setattr(windows, "WINDOW_BYTES", 8 * FEATURES * 8)
    monkeypatch.setattr(window_pipeline, "CHUNK_BYTES", 3 * 8 * FEATURES * 8)
    monkeypatch.setattr(window_pipeline, "PIPELINE_MIN_BYTES", 0)


def _train(
    model_type: str, batch: int, cpus: int, monkeypatch: pytest.MonkeyPatch, rate: float = 0.02
) -> tuple[object, TrainingResult]:
    monkeypatch.setattr(window_pipeline, "usable_cpus", lambda: cpus)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, FEATURES))
    y = X @ rng.normal(size=FEATURES)
    if model_type == "logistic":
        y = (y > 0).astype(np.float64)
    model = MODELS[model_type](l1=0.01, l2=0.01)
    optimizer = OPTIMIZERS["sgd"](learning_rate=rate, clip_norm=1.0)
    # 7 periods over 3 epochs: periods start and end inside windows and chunks.
    config = TrainingConfig(
        batch_size=batch, epochs=3, periods=7, engine="compiled", shuffle="windows"
    )
    result = train(model, optimizer, X, y, X[:50], y[:50], config, np.random.default_rng(4))
    return model, result


@pytest.mark.parametrize("batch", [1, 7, 32])
@pytest.mark.parametrize("model_type", ["linear", "logistic"])
def test_two_cores_train_to_the_bit_what_one_core_does(
    model_type: str, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_result = _train(model_type, batch, 1, monkeypatch)
    two, two_result = _train(model_type, batch, 2, monkeypatch)
    assert one.coef_.tobytes() == two.coef_.tobytes()  # type: ignore[attr-defined]
    assert one.intercept_.tobytes() == two.intercept_.tobytes()  # type: ignore[attr-defined]
    for ours, theirs in zip(two_result.history, one_result.history, strict=True):
        assert (ours.step, ours.examples_seen) == (theirs.step, theirs.examples_seen)
        assert ours.grad_norm == theirs.grad_norm  # summed in the same order


def test_the_pipeline_really_runs_on_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    staged: list[str] = []
    stage = windows.stage_window

    def recording_stage(*args: object) -> None:
        import threading

        staged.append(threading.current_thread().name)
        stage(*args)

    monkeypatch.setattr(windows, "stage_window", recording_stage)
    _train("linear", 7, 2, monkeypatch)
    assert staged and all(name.startswith("mlcc-staging") for name in staged)


def test_divergence_stops_both_paths_at_the_same_step(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = []
    for cpus in (1, 2):
        _, result = _train("linear", 4, cpus, monkeypatch, rate=60.0)
        outcomes.append((result.status, result.history[-1].step if result.history else 0))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "diverged"


def test_small_matrices_stay_on_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window_pipeline, "PIPELINE_MIN_BYTES", 600 * FEATURES * 8 + 1)
    monkeypatch.setattr(window_pipeline, "ThreadPoolExecutor", None)  # would fail if used
    model, result = _train("logistic", 7, 2, monkeypatch)
    assert result.status == "complete" and np.isfinite(model.coef_).all()  # type: ignore[attr-defined]


def test_staging_buffers_are_kept_per_thread_between_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = window_pipeline.staging_buffers(16, FEATURES, ())
    assert window_pipeline.staging_buffers(16, FEATURES, ()) is first
    assert window_pipeline.staging_buffers(32, FEATURES, ()) is not first  # new shape
    asked: list[tuple[int, int, tuple[int, ...]]] = []
    keep = window_pipeline.staging_buffers

    def recording(rows: int, n_features: int, label_shape: tuple[int, ...]) -> object:
        asked.append((rows, n_features, label_shape))
        return keep(rows, n_features, label_shape)

    monkeypatch.setattr(window_pipeline, "staging_buffers", recording)
    _train("linear", 7, 2, monkeypatch)  # 7 periods: one call each
    assert len(asked) > 1 and len(set(asked)) == 1


def test_chunks_cover_the_period_windows_in_order() -> None:
    # batches 5..29 with 4 batches per window: windows 1..7, in chunks of 3
    assert window_pipeline.chunks_of_windows(5, 30, 4, 3) == [(1, 4), (4, 7), (7, 8)]
    assert window_pipeline.chunks_of_windows(0, 4, 4, 3) == [(0, 1)]
