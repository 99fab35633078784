"""mlcc as a Python library: `load_config`, `train`, `evaluate`, `predict`, `load_run`.

The same workflows as the commands (`mlcc train`, `evaluate`, `predict`), returning result
objects instead of printing. `import mlcc_cli` exposes these names; see README "Use from
Python".
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import LoadedConfig, override_and_validate
from mlcc_cli.config.loading import load_config as load_config_file
from mlcc_cli.data.builtin import LABEL as BUILTIN_LABEL
from mlcc_cli.data.sources import builtin_name
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.errors import ConfigError, MlccError
from mlcc_cli.evaluation.examples import DEFAULT_WORST
from mlcc_cli.evaluation.report import EvaluationReport
from mlcc_cli.rundir.files import history_rows
from mlcc_cli.rundir.saved import SavedRun
from mlcc_cli.rundir.saved import load_run as load_saved_run
from mlcc_cli.workflows.evaluate import evaluate_file, evaluate_split
from mlcc_cli.workflows.predict import predict_rows, read_rows
from mlcc_cli.workflows.train import run_experiment

ConfigSource = str | Path | Mapping[str, Any] | LoadedConfig | ExperimentConfig
DataSource = str | Path | pd.DataFrame
DICT_SOURCE = Path.cwd() / "<dict>"  # relative data paths in a dict resolve from here


@dataclass
class TrainResult:
    """What `train` produced.

    Attributes
    ----------
    run_dir : the run directory, or None when `train` was asked not to keep one.
    status : complete | diverged | interrupted.
    task : regression | binary | multiclass | multilabel.
    metrics : {"train": {...}, "validation": {...}, ("test": {...})}, as in metrics.json.
    history : one row per period (history.csv's columns).
    model : the trained model object (e.g. `LogisticRegression`, with `coef_`), or None if
        the run diverged before any weights could be kept.
    run : the model with its fitted feature pipeline, for `predict` and `evaluate`.
    """

    run_dir: Path | None
    status: str
    task: str
    metrics: dict[str, dict[str, Any]]
    history: pd.DataFrame
    model: Any
    run: SavedRun | None
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The DataFrame `train` was given, so `evaluate(result, split)` finds the same rows again.
    training_frame: pd.DataFrame | None = field(default=None, repr=False)


def load_config(source: ConfigSource, overrides: Sequence[str] = ()) -> LoadedConfig:
    """A validated experiment from a YAML path, a dict, or an already loaded config.

    `overrides` are `--set` assignments ("optimizer.learning_rate=0.01"). Raises `ConfigError`
    naming every problem, as `mlcc validate` does.
    """
    if isinstance(source, LoadedConfig):
        if not overrides:
            return source
        source = source.config
    if isinstance(source, ExperimentConfig):
        source = source.model_dump(mode="json")
    if isinstance(source, Mapping):
        return _load_mapping(source, overrides)
    return load_config_file(Path(source), overrides)


def _load_mapping(mapping: Mapping[str, Any], overrides: Sequence[str]) -> LoadedConfig:
    config = override_and_validate(copy.deepcopy(dict(mapping)), overrides, Path("<dict>"))
    return LoadedConfig(config=config, path=DICT_SOURCE, overrides=tuple(overrides))


def _with_data(loaded: LoadedConfig, data: DataSource, scratch: Path) -> LoadedConfig:
    """`loaded` reading `data`: a path replaces data.source; a DataFrame is saved as Parquet.

    A config written for a builtin dataset keeps its label column's name (`target`).
    """
    path = (
        _parquet(data, scratch / "dataframe.parquet")
        if isinstance(data, pd.DataFrame)
        else Path(data).resolve()
    )
    update: dict[str, Any] = {"source": str(path)}
    if loaded.config.data.label is None and builtin_name(loaded.config.data.source):
        update["label"] = BUILTIN_LABEL  # the builtin's own label column keeps its name
    source = loaded.config.data.model_copy(update=update)
    config = loaded.config.model_copy(update={"data": source})
    return LoadedConfig(config=config, path=loaded.path, overrides=loaded.overrides)


def history_frame(history: Sequence[Any]) -> pd.DataFrame:
    """The training history (PeriodRecords) as history.csv's table."""
    header, rows = history_rows(history)
    return pd.DataFrame(rows, columns=header)


def train(
    config: ConfigSource,
    data: DataSource | None = None,
    *,
    overrides: Sequence[str] = (),
    runs_dir: str | Path | None = None,
    run_name: str | None = None,
    evaluate_test: bool = False,
) -> TrainResult:
    """Train an experiment, as `mlcc train` does, and return what it measured.

    Parameters
    ----------
    config : a YAML path, a dict, or a loaded config.
    data : rows to train on instead of the config's data.source: a .csv/.parquet path or a
        pandas DataFrame (with the label column).
    overrides : `--set` assignments, applied after the config is read.
    runs_dir : where to write the run directory (with its plots); None trains without
        keeping one, and draws no plots.
    evaluate_test : also score the test split (`--test`).
    """
    loaded = load_config(config, overrides)
    with tempfile.TemporaryDirectory(prefix="mlcc-train-") as scratch:
        if data is not None:
            loaded = _with_data(loaded, data, Path(scratch))
        target = Path(runs_dir) if runs_dir is not None else Path(scratch) / "runs"
        # A run kept nowhere needs no pictures: drawing them was most of a small run's time.
        result = run_experiment(
            loaded,
            runs_dir=target,
            run_name=run_name,
            evaluate_test=evaluate_test,
            plots=runs_dir is not None,
        )
        try:
            saved: SavedRun | None = load_saved_run(result.run_dir)
        except MlccError:  # a run that diverged before its first period kept no weights
            saved = None
    return TrainResult(
        run_dir=result.run_dir if runs_dir is not None else None,
        status=result.status,
        task=result.task,
        metrics=result.metrics,
        history=history_frame(result.history),
        model=saved.model if saved is not None else None,
        run=saved,
        message=result.message,
        warnings=list(result.warnings),
        findings=list(result.findings),
        training_frame=data if isinstance(data, pd.DataFrame) else None,
    )


def load_run(run_dir: str | Path) -> SavedRun:
    """A finished run directory read back: its model, fitted feature pipeline and config."""
    return load_saved_run(Path(run_dir))


def _saved(run: SavedRun | TrainResult | str | Path) -> SavedRun:
    if isinstance(run, SavedRun):
        return run
    if isinstance(run, TrainResult):
        if run.run is None:
            raise ConfigError(f"the run {run.status}: it has no model to use ({run.message})")
        return run.run
    return load_run(run)


def evaluate(
    run: SavedRun | TrainResult | str | Path,
    split: str = "validation",
    data: DataSource | None = None,
    threshold: float | None = None,
    worst: int = DEFAULT_WORST,
) -> EvaluationReport:
    """`mlcc evaluate`: the run's metrics, curves and worst examples on a split or on `data`.

    `data` (a labelled .csv/.parquet path or DataFrame) replaces the split; `threshold`
    (classifiers) replaces the run's evaluation.threshold. No plots are written.
    """
    saved = _saved(run)
    with tempfile.TemporaryDirectory(prefix="mlcc-evaluate-") as scratch:
        if data is None and isinstance(run, TrainResult) and run.training_frame is not None:
            # The split is drawn again from the same rows, seed and config as in training:
            # the very frame trained on, so there is no changed file to refuse.
            path = _parquet(run.training_frame, Path(scratch) / "training.parquet")
            same = replace(saved, data_source=str(path), data_record=None)
            return evaluate_split(same, split, threshold, worst)
        if data is None:
            return evaluate_split(saved, split, threshold, worst)
        if isinstance(data, pd.DataFrame):
            data = _parquet(data, Path(scratch) / "data.parquet")
        return evaluate_file(saved, Path(data), threshold, worst)


def _parquet(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_parquet(path, index=False)
    return path


def predict(run: SavedRun | TrainResult | str | Path, data: DataSource) -> pd.DataFrame:
    """`mlcc predict`: row_id and prediction (with class probabilities) for new rows."""
    frame = data if isinstance(data, pd.DataFrame) else read_rows(Path(data), "data")
    return predict_rows(_saved(run), frame).table
