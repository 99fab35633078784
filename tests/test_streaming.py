"""Out-of-core training: chunked reading, row-wise splits, streamed statistics and training.

The oracle is in-memory training on the same rows: the test reads the small file whole,
gives every row the split the stream gives it, and trains with `training.train`.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.csv
import pyarrow.parquet
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.data import SplitConfig
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.splitting import split_rows
from mlcc_cli.errors import DataError
from mlcc_cli.evaluation.metrics import binary_metrics, regression_metrics
from mlcc_cli.features import Clip, FeaturePipeline, Impute, MinMax, ZScore, design_matrix
from mlcc_cli.features.accumulators import Moments, Reservoir
from mlcc_cli.models.linear import LinearRegression
from mlcc_cli.models.registry import build_model
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.loop import train
from mlcc_cli.training.streaming.fitting import fit_features
from mlcc_cli.training.streaming.reader import ChunkReader
from mlcc_cli.training.streaming.runner import StreamRunner
from mlcc_cli.training.streaming.session import train_streaming
from mlcc_cli.training.streaming.source import StreamingData
from mlcc_cli.training.streaming.splits import SplitAssigner

ROWS = 5000
CHUNK = 257  # not a divisor of anything here, so chunks straddle batches and buffers


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """d.csv and d.parquet: 5,000 rows, x1..x4, a regression label y and a 0/1 label c."""
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(7)
    X = rng.normal(size=(ROWS, 4)) * [1.0, 2.0, 0.5, 10.0] + [0.0, 5.0, -3.0, 100.0]
    frame = pd.DataFrame(X, columns=["x1", "x2", "x3", "x4"]).round(6)
    frame["y"] = (frame.to_numpy() @ [1.0, -0.5, 2.0, 0.05] + rng.normal(0, 0.3, ROWS)).round(6)
    frame["c"] = (frame["y"] > frame["y"].median()).astype(np.int64)
    frame.to_csv(folder / "d.csv", index=False)
    frame.to_parquet(folder / "d.parquet", index=False, row_group_size=1000)
    return folder


def _config(folder: Path, **changes: Any) -> ExperimentConfig:
    """A streaming experiment on d.parquet; keyword sections are merged into the defaults."""
    config: dict[str, Any] = {
        "seed": 5,
        "data": {
            "source": str(folder / "d.parquet"),
            "label": "y",
            "streaming": True,
            "chunk_rows": CHUNK,
            "shuffle_buffer": ROWS,
            "split": {"train": 0.7, "validation": 0.2, "test": 0.1},
        },
        "inputs": ["x1", "x2", "x3", "x4"],
        "features": [{"type": "minmax"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 3, "periods": 3},
    }
    for key, value in changes.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    return ExperimentConfig.model_validate(config)


def _in_memory_reference(config: ExperimentConfig) -> dict[str, Any]:
    """The file read whole, split as the stream splits it, fitted and trained in memory."""
    frame = pd.read_parquet(config.data.source)
    codes = SplitAssigner(config.data.split, config.seed).codes(np.arange(len(frame)))
    label = config.data.label
    assert label is not None
    parts = {name: frame[codes == code] for code, name in enumerate(("train", "validation"))}
    pipeline = FeaturePipeline(config.features, label=label).fit(parts["train"])
    X = {k: design_matrix(pipeline.transform(v), config.inputs or []) for k, v in parts.items()}
    y = {k: v[label].to_numpy(dtype=np.float64) for k, v in parts.items()}
    model, optimizer = build_model(config.model), build_optimizer(config.optimizer)
    _, train_seed = np.random.SeedSequence(config.seed).spawn(2)
    outcome = train(
        model,
        optimizer,
        X["train"],
        y["train"],
        X["validation"],
        y["validation"],
        config.training,
        rng=np.random.default_rng(train_seed),
    )
    return {"model": model, "outcome": outcome, "pipeline": pipeline, "X": X, "y": y}


# ------------------------------------------------------------------ statistics


def _chunks(frame: pd.DataFrame, sizes: list[int]) -> list[pd.DataFrame]:
    edges = np.cumsum([0, *sizes])
    return [frame.iloc[a:b] for a, b in itertools.pairwise(edges) if a < len(frame)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: ZScore(),
        lambda: MinMax(low=-1.0, high=1.0),
        lambda: Clip(lower_quantile=0.05, upper_quantile=0.9),
        lambda: Clip(min=0.0, upper_quantile=0.5),
        lambda: Impute(["a", "b"], "mean"),
        lambda: Impute(["a", "b"], "median"),
    ],
)
def test_partial_fit_over_chunks_equals_fit(make: Any) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(3.0, 2.0, 999), "b": rng.exponential(5.0, 999)})
    frame.loc[[4, 500, 998], "a"] = np.nan
    whole = make().fit(frame)
    streamed = make()
    for chunk in _chunks(frame, [1, 300, 257, 2, 500]):
        streamed.partial_fit(chunk, rng=np.random.default_rng(0))
    streamed.finish_fit()
    # Quantiles are exact here: the sample (100,000 values) holds every training value.
    for name in type(whole).fitted:
        expected, got = getattr(whole, name), getattr(streamed, name)
        if isinstance(expected, dict):
            assert expected.keys() == got.keys()
            for column, value in expected.items():
                assert got[column] == pytest.approx(value, rel=1e-12, abs=1e-12), (name, column)
        else:
            assert got == expected


def test_moments_merge_chunks_like_one_pass() -> None:
    x = np.random.default_rng(2).normal(1e6, 3.0, 10_001)  # a large mean tests the stability
    moments = Moments()
    for part in np.array_split(x, [1, 2, 700, 5000]):
        moments.add(part)
    assert moments.count == x.size
    assert moments.mean == pytest.approx(x.mean(), rel=1e-15)
    assert moments.variance == pytest.approx(x.var(), rel=1e-10)


def test_reservoir_is_a_uniform_sample_and_quantiles_are_close() -> None:
    values = np.random.default_rng(3).permutation(20_000).astype(np.float64)
    reservoir = Reservoir(2000, np.random.default_rng(4))
    for part in np.array_split(values, 37):
        reservoir.add(part)
    sample = reservoir.sample
    assert reservoir.count == 20_000 and sample.size == 2000
    assert np.unique(sample).size == 2000  # no value kept twice
    # Rank error of a 2,000-value sample: standard error √(q(1 − q)/2000) ≈ 1.1% at q = 0.5.
    for q in (0.05, 0.5, 0.95):
        assert abs(np.quantile(sample, q) / 20_000 - q) < 0.04


def test_stream_statistics_equal_the_in_memory_pipeline(files: Path) -> None:
    features = [
        {"type": "expression", "name": "x5", "expression": "x1 * x2"},
        {"type": "zscore", "columns": ["x1", "x5"]},
        {"type": "clip", "columns": ["x2", "x5"], "lower_quantile": 0.02, "upper_quantile": 0.97},
        {"type": "minmax", "columns": ["x3", "x4"]},
    ]
    config = _config(files, features=features, inputs=["x1", "x2", "x3", "x4", "x5"])
    data = StreamingData(config, files, None)
    fitted = fit_features(data, config, np.random.default_rng(0))
    assert fitted.passes == 4  # zscore, clip and minmax each learn from a pass; one more chunk
    reference = _in_memory_reference(config)
    expected = reference["pipeline"].get_state()["transforms"]
    got = fitted.pipeline.get_state()["transforms"]
    for want, have in zip(expected, got, strict=True):
        assert want["type"] == have["type"]
        for name, value in want["fitted"].items():
            if isinstance(value, dict):
                for column, number in value.items():
                    assert have["fitted"][name][column] == pytest.approx(number, rel=1e-12)
            else:
                assert have["fitted"][name] == value
    assert fitted.rows["train"] == len(reference["y"]["train"])


# -------------------------------------------------------------------- training

# The cumulative penalty's state (what each weight owes) must carry across chunks.
MODEL_SECTIONS = {
    "linear": {"type": "linear"},
    "logistic": {"type": "logistic"},
    "linear, cumulative L1": {"type": "linear", "l1": 0.01, "l1_method": "cumulative"},
}


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
@pytest.mark.parametrize(
    ("features", "model", "label", "exact"),
    [
        ([{"type": "minmax"}], "linear", "y", True),
        ([{"type": "zscore"}, {"type": "clip", "upper_quantile": 0.99}], "linear", "y", False),
        ([{"type": "zscore"}], "logistic", "c", False),
        ([{"type": "minmax"}], "linear, cumulative L1", "y", True),
    ],
)
def test_stream_with_a_whole_split_buffer_trains_like_memory(
    files: Path, engine: str, features: list[Any], model: str, label: str, exact: bool
) -> None:
    config = _config(
        files,
        features=features,
        model=MODEL_SECTIONS[model],
        data={"label": label},
        training={"batch_size": 32, "epochs": 3, "periods": 3, "engine": engine},
    )
    reference = _in_memory_reference(config)
    streamed = train_streaming(config, files, None)
    expected, got = reference["outcome"], streamed.outcome
    assert got.status == expected.status == "complete"
    for name, weights in reference["model"].params.items():
        if exact:  # same rows, same permutations, same arithmetic: the same weights
            np.testing.assert_array_equal(streamed.model.params[name], weights)
        else:  # z-score statistics merged per chunk differ in the last bits
            np.testing.assert_allclose(streamed.model.params[name], weights, rtol=1e-9)
    for want, have in zip(expected.history, got.history, strict=True):
        assert (have.step, have.examples_seen) == (want.step, want.examples_seen)
        assert have.train_loss == pytest.approx(want.train_loss, rel=1e-9)
        assert have.validation_loss == pytest.approx(want.validation_loss, rel=1e-9)
        assert have.grad_norm == pytest.approx(want.grad_norm, rel=1e-9)
        assert have.metrics == pytest.approx(want.metrics, rel=1e-9)
    for split in ("train", "validation"):  # streamed sums and samples vs the metric functions
        X, y = reference["X"][split], reference["y"][split]
        if model.startswith("linear"):
            expected_metrics = regression_metrics(y, reference["model"].predict(X))
        else:
            probability = reference["model"].predict_proba(X)[:, 1]
            expected_metrics = binary_metrics(y, probability, threshold=0.5)
        for name, value in expected_metrics.items():
            assert streamed.metrics[split][name] == pytest.approx(value, rel=1e-9, abs=1e-12)
        assert streamed.metrics[split]["nonzero_weights"] == 4


@pytest.mark.parametrize(
    ("model", "label", "metric"), [("linear", "y", "rmse"), ("logistic", "c", "log_loss")]
)
def test_a_small_shuffle_buffer_reaches_the_in_memory_metric(
    files: Path, model: str, label: str, metric: str
) -> None:
    # Batches of 64 keep the final iterate's SGD noise well under the 1% being checked.
    training = {"batch_size": 64, "epochs": 10, "periods": 2}
    config = _config(
        files,
        features=[{"type": "zscore"}],
        model={"type": model},
        data={"label": label, "shuffle_buffer": 300},
        training=training,
    )
    reference = _in_memory_reference(config)
    streamed = train_streaming(config, files, None)
    X, y = reference["X"]["validation"], reference["y"]["validation"]
    in_memory = reference["model"].loss(X, y)
    expected = np.sqrt(in_memory) if metric == "rmse" else in_memory
    assert streamed.metrics["validation"][metric] == pytest.approx(expected, rel=0.01)


def test_the_runner_uses_every_row_once_per_epoch_in_exact_batches() -> None:
    n, batch = 1000, 32
    rows = np.arange(n, dtype=np.float64)
    seen: list[np.ndarray] = []

    class Recorder(LinearRegression):
        def loss_and_gradients(self, X: np.ndarray, y: np.ndarray) -> Any:
            seen.append(y.copy())
            return super().loss_and_gradients(X, y)

    def epoch() -> Any:  # the stream: chunks of 77 rows, y = row number
        return ((rows[i : i + 77, None], rows[i : i + 77]) for i in range(0, n, 77))

    runner = StreamRunner(epoch, 1, batch, 32, 100, np.random.default_rng(0), "numpy", n)
    runner.run_until(Recorder().initialize(1), SGD(learning_rate=0.0), 2 * 32)
    assert [len(b) for b in seen] == ([batch] * 31 + [n - 31 * batch]) * 2
    for first in (0, 32):
        epoch_rows = np.concatenate(seen[first : first + 32])
        assert np.array_equal(np.sort(epoch_rows), rows)  # each row exactly once
        assert not np.array_equal(epoch_rows, rows)  # and shuffled


# ---------------------------------------------------------------- reading, splits


@pytest.mark.parametrize("name", ["d.csv", "d.parquet"])
def test_the_stream_never_holds_more_than_a_chunk(
    files: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def whole_table(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole table was read")

    for module, function in [
        (pd, "read_csv"),
        (pd, "read_parquet"),
        (pyarrow.csv, "read_csv"),
        (pyarrow.parquet, "read_table"),
    ]:
        monkeypatch.setattr(module, function, whole_table)
    batches: list[int] = []
    frames: list[int] = []
    record_batches, to_frame = ChunkReader.record_batches, ChunkReader._frame

    def counted_batches(self: ChunkReader) -> Any:
        for batch in record_batches(self):
            batches.append(batch.num_rows)
            yield batch

    def counted_frame(self: ChunkReader, batch: Any, start: int) -> pd.DataFrame:
        frames.append(batch.num_rows)
        return to_frame(self, batch, start)

    monkeypatch.setattr(ChunkReader, "record_batches", counted_batches)
    monkeypatch.setattr(ChunkReader, "_frame", counted_frame)
    config = _config(files, data={"source": str(files / name), "shuffle_buffer": 500})
    result = train_streaming(config, files, None)
    assert result.outcome.status == "complete"
    assert max(frames) <= CHUNK and max(batches) <= CHUNK
    assert sum(frames) > 5 * ROWS  # statistics, epochs and scoring each read the file again


def test_csv_and_parquet_streams_read_the_same_rows(files: Path) -> None:
    csv = pd.concat(ChunkReader(files / "d.csv", CHUNK))
    parquet = pd.concat(ChunkReader(files / "d.parquet", 100))
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False)
    assert list(csv.index[:3]) == [0, 1, 2] and csv.index[-1] == ROWS - 1


def test_splits_are_per_row_deterministic_and_near_the_fractions() -> None:
    split = SplitConfig(train=0.7, validation=0.2, test=0.1)
    assigner = SplitAssigner(split, seed=3)
    rows = np.arange(50_000)
    whole = assigner.codes(rows)
    pieces = np.concatenate([SplitAssigner(split, 3).codes(p) for p in np.array_split(rows, 77)])
    assert np.array_equal(whole, pieces)
    assert np.bincount(whole) / rows.size == pytest.approx([0.7, 0.2, 0.1], abs=0.01)
    assert not np.array_equal(whole, SplitAssigner(split, seed=4).codes(rows))
    # data.shuffle: false gives the in-memory contiguous split.
    contiguous = SplitAssigner(split, 3, n_rows=1001).codes(np.arange(1001))
    positions = split_rows(1001, split, rng=np.random.default_rng(0), shuffle=False)
    for code, name in enumerate(("train", "validation", "test")):
        assert np.array_equal(np.flatnonzero(contiguous == code), positions[name])


def test_text_in_a_later_chunk_names_the_file_line(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": np.arange(3000) * 0.5, "y": np.arange(3000) % 7})
    frame["a"] = frame["a"].astype(str)
    frame.loc[2500, "a"] = "oops"
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataError, match=r"t\.csv:2502: column 'a' is numeric except for 'oops'"):
        list(ChunkReader(tmp_path / "t.csv", 100))


# ------------------------------------------------------------------------- CLI


def _write(tmp_path: Path, files: Path, **data: Any) -> Path:
    config = {
        "name": "stream",
        "data": {"source": str(files / "d.csv"), "label": "c", "chunk_rows": CHUNK, **data},
        "features": [{"type": "zscore"}],
        "inputs": ["x1", "x2", "x3", "x4"],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 64, "epochs": 2, "periods": 2},
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_cli_streams_a_csv_into_a_complete_run_directory(files: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, files)
    args = ["train", str(path), "--set", "data.streaming=true", "--runs-dir", str(tmp_path / "r")]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    run_dir = Path(payload["run_dir"])
    names = {p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*")}
    assert {
        "config.yaml",
        "history.csv",
        "metrics.json",
        "model.npz",
        "model.json",
        "predictions-validation.csv",
        "plots/loss.png",
        "plots/roc.png",
        "status.json",
    } <= names
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "complete"
    assert status["training"]["shuffle"].startswith("buffer of ")
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["data"]["streaming"] is True
    assert len(pd.read_csv(run_dir / "history.csv")) == 2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["validation"]["auc"] > 0.95 and metrics["train"]["auc"] > 0.95
    assert set(metrics["train"]) == set(metrics["validation"])  # one metric set for both
    assert 0.5 <= metrics["train"]["baseline_accuracy"] <= 1.0
    predictions = pd.read_csv(run_dir / "predictions-validation.csv")
    assert list(predictions.columns) == ["row_id", "label", "prediction"]
    assert predictions["row_id"].is_monotonic_increasing
    saved = FeaturePipeline.from_state(json.loads((run_dir / "model.json").read_text())["pipeline"])
    assert saved.transform(pd.read_csv(files / "d.csv").head(3)).shape == (3, 6)


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        ({"source": "builtin:breast_cancer", "label": None}, "data.streaming"),
        ({"stratify": True}, "data.stratify"),
        ({"shuffle_buffer": 10}, "data.shuffle_buffer"),
    ],
)
def test_cli_rejects_unusable_streaming_configs(
    files: Path, tmp_path: Path, data: dict[str, Any], phrase: str
) -> None:
    path = _write(tmp_path, files, streaming=True, **data)
    result = CliRunner().invoke(app, ["train", str(path), "--runs-dir", str(tmp_path / "r")])
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def test_cli_rejects_block_shuffle_when_streaming(files: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, files, streaming=True)
    args = ["train", str(path), "--set", "training.shuffle=blocks"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "training.shuffle: blocks applies to in-memory training" in result.stderr
