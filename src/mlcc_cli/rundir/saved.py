"""A finished run read back: its model, fitted feature pipeline and settings (never pickled).

`mlcc predict` and `mlcc evaluate` start here: model.json names the model, its inputs and the
fitted state of every feature step; model.npz holds the weights; config.yaml the experiment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.errors import DataError
from mlcc_cli.features import FeaturePipeline
from mlcc_cli.models.registry import model_from_settings
from mlcc_cli.rundir.files import read_model
from mlcc_cli.rundir.records import (
    DAMAGED_RUN,
    RETRAIN,
    check_model_record,
    read_record,
    read_run_config,
    recorded_status,
)
from mlcc_cli.rundir.storage import not_a_folder


@dataclass
class SavedRun:
    """Everything needed to score new rows the way the run scored its own splits."""

    run_dir: Path
    config: ExperimentConfig
    task: str  # regression | binary | multiclass | multilabel
    model: Any
    pipeline: FeaturePipeline
    inputs: list[str]
    label: str
    classes: list[Any] | None
    threshold: float
    data_source: str  # resolved path or builtin:NAME, as trained on
    status: str
    labels: list[str] | None = None  # multilabel: data.labels, one output each
    # status.json's `data`: the source's fingerprint at training (data.fingerprint reads it).
    data_record: Any = None

    def score(self, X: Any) -> np.ndarray:
        """ŷ (regression) or P(y = classes[1]) (binary) for design matrix X, shape (n,);
        multiclass: class probabilities, shape (n, n_classes); multilabel: P(label j), shape
        (n, n_labels)."""
        return self.model.predict_scores(X)


def _initialize_saved(model: Any, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Size a fresh model like the saved one, before its weights are copied in.

    coef_ is (n_features,) for the linear models and (n_features, n_classes) for the
    multiclass ones; other models are sized from model.json's n_features and classes (and an
    mlp's embedding_columns).
    """
    if "coef_" in arrays:
        model.initialize(*(int(size) for size in arrays["coef_"].shape))
        return
    classes = state.get("classes")
    n_classes = len(classes) if classes else None
    embedding_columns = state.get("embedding_columns")
    if embedding_columns:  # an mlp's embedded inputs: their indicator columns in X
        blocks = {
            column: (int(start), int(stop)) for column, (start, stop) in embedding_columns.items()
        }
        model.initialize(int(state["n_features"]), n_classes, embedding_columns=blocks)
        return
    model.initialize(int(state["n_features"]), n_classes)


# Files a run needs to be scored again.
RUN_FILES = ("model.json", "model.npz", "config.yaml", "status.json")


def _where(run_dir: Path) -> str:
    return f"run {run_dir}"


def require_run_files(run_dir: Path) -> None:
    """DataError unless `run_dir` is a run directory holding every file in RUN_FILES."""
    if not run_dir.is_dir():
        raise DataError(
            f"{_where(run_dir)}: {not_a_folder(run_dir)}; pass a run directory printed by "
            "`mlcc train` (e.g. runs/NAME-20260101-120000-abcd)."
        )
    if not (run_dir / "model.json").is_file():
        raise DataError(
            f"{_where(run_dir)}: has no model.json, so it is not a finished mlcc run; pass a "
            "run directory printed by `mlcc train`" + _runs_inside(run_dir) + "."
        )
    missing = [name for name in RUN_FILES if not (run_dir / name).is_file()]
    if missing:
        raise DataError(
            f"{_where(run_dir)}: is incomplete ({', '.join(missing)} missing); pass a run "
            "directory written by `mlcc train`, or train again."
        )


def _runs_inside(folder: Path) -> str:
    """', such as one of its N runs: FOLDER/X' when `folder` holds runs (a sweep, a runs
    folder), else ''."""
    runs = sorted(path.parent for path in folder.glob("*/model.json"))
    if not runs:
        return ""
    complete = [run for run in runs if recorded_status(run) == "complete"]
    what = "a sweep folder" if (folder / "sweep.json").is_file() else "a folder of runs"
    return f"; it is {what}: pass one of its {len(runs)} runs, e.g. {(complete or runs)[-1]}"


def refuse_embedding_run(run_dir: Path, model: Any) -> None:
    """DataError for a model learned from sentences (word2vec): it has no rows to score."""
    if model.trains_on == "corpus":
        raise DataError(
            f"{_where(run_dir)}: is a word embedding ({model!r}) learned from sentences, with "
            "no labelled rows to predict or evaluate; explore it with `mlcc neighbors "
            f"{run_dir} WORD`, or read its embeddings.csv."
        )


def _what_is_wrong(error: Exception) -> str:
    """A damaged model.json's problem in words (not the Python type that tripped over it)."""
    if isinstance(error, KeyError):
        return f"no {error.args[0]!r} entry"
    return "an entry of the wrong kind or size" if not isinstance(error, OSError) else str(error)


def load_run(run_dir: Path) -> SavedRun:
    """Read a run directory written by `mlcc train`; DataError if it is not one or is damaged."""
    require_run_files(run_dir)
    state, arrays = read_model(run_dir)
    check_model_record(run_dir / "model.json", state)
    config = read_run_config(run_dir)
    status_file = read_record(run_dir / "status.json")
    status = status_file.get("status")
    if not isinstance(status, str):
        raise DataError(f"{run_dir / 'status.json'}: records no status, so {DAMAGED_RUN}.")
    try:
        # The task as training resolved it from the label (an mlp's head follows it).
        model = model_from_settings(state["model"], task=state["task"])
        refuse_embedding_run(run_dir, model)
        _initialize_saved(model, state, arrays)
        stored = {**model.params, **getattr(model, "buffers", {})}
        for name, array in arrays.items():
            stored[name][...] = array
        pipeline = FeaturePipeline.from_state(state["pipeline"])
    # model.json edited by hand or from another version: a key missing, a value of the wrong
    # kind somewhere in the model's or a feature step's settings
    except (OSError, KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
        raise DataError(
            f"{run_dir / 'model.json'}: does not describe a model this version of mlcc reads, "
            f"or not the one model.npz holds ({_what_is_wrong(error)}); it was edited by hand "
            f"or written by another mlcc version; {RETRAIN}."
        ) from None
    if status == "diverged" or not all(np.isfinite(a).all() for a in arrays.values()):
        raise DataError(
            f"{_where(run_dir)}: training diverged, so its weights are not finite numbers; "
            "train again with a lower optimizer.learning_rate and use that run."
        )
    return SavedRun(
        run_dir=run_dir,
        config=config,
        task=state["task"],
        model=model,
        pipeline=pipeline,
        inputs=list(state["inputs"]),
        label=state["label"],
        classes=state["classes"],
        threshold=float(state["threshold"]),
        data_source=state.get("data_source", config.data.source),
        status=status,
        labels=state.get("labels"),
        data_record=status_file.get("data"),
    )
