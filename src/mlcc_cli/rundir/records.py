"""A run's record files read back (config.yaml, model.json, status.json, metrics.json): each
must hold a mapping, and a damaged one is named, file by file.

Every reader of a finished run (predict, evaluate, doctor, compare, report) reads them here,
so a truncated, emptied or hand-edited file gets one message naming that file and the fix,
never a traceback or an error about the Python type that tripped over it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.errors import DataError

# What a damaged record means, and its fix: a run's files are written together, so train the
# run again; a sweep's table is written from its points, so run the sweep again.
RETRAIN = "train the run again (`mlcc train` with the experiment's config)"
DAMAGED_RUN = f"the run directory is damaged; {RETRAIN}"
DAMAGED_SWEEP = "the sweep folder is damaged; run the sweep again (`mlcc sweep`)"
# What a file holds instead of a mapping, in words (JSON and YAML alike).
_KINDS = {
    type(None): "nothing",
    list: "a list",
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true or false",
}


def record_or_problem(
    path: Path, parse: Callable[[str], Any] = json.loads
) -> tuple[dict[str, Any], str | None]:
    """(the mapping in the record file `path`, None), or ({}, what is wrong with it): not a
    regular file, unreadable, not UTF-8, malformed or not a mapping. For readers that go on
    without it (report); `read_record` refuses instead."""
    if path.exists() and not path.is_file():  # a folder, or a named pipe reading would wait on
        return {}, "is not a regular file"
    try:
        content = parse(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as error:  # UnicodeDecodeError is a ValueError
        reason = " ".join(str(getattr(error, "strerror", None) or error).split())
        return {}, f"cannot be read ({reason})"
    if not isinstance(content, dict):
        return {}, f"holds {_KINDS.get(type(content), 'something else')}, not a mapping of keys"
    return content, None


def read_record(
    path: Path, parse: Callable[[str], Any] = json.loads, damaged: str = DAMAGED_RUN
) -> dict[str, Any]:
    """The mapping in the record file `path` (JSON by default; `yaml.safe_load` for
    config.yaml); DataError naming the file and what is wrong (`record_or_problem`), then
    `damaged`: what that means and its fix."""
    content, problem = record_or_problem(path, parse)
    if problem is not None:
        raise DataError(f"{path}: {problem}, so {damaged}.")
    return content


class ModelRecord(BaseModel):
    """The entries of model.json that predict, evaluate and export read beside the model's
    own settings and fitted state (written by `workflows.train`); other entries are allowed."""

    model_config = ConfigDict(extra="allow", strict=True)

    # Required where the readers index them; a default where they fall back when it is absent
    # (the default itself is never used: only a present value of the wrong kind is refused).
    task: Literal["regression", "binary", "multiclass", "multilabel", "embedding"]
    model: dict[str, Any]
    inputs: list[str]
    n_features: int = 0
    data_source: str = ""
    label: str | None
    classes: list[Any] | None
    labels: list[str] | None = None
    threshold: float = Field(ge=0, le=1)
    pipeline: dict[str, Any]

    @model_validator(mode="after")
    def _classes_of_a_classifier(self) -> ModelRecord:
        if self.task in ("binary", "multiclass") and len(self.classes or []) < 2:
            raise ValueError(f"a {self.task} model needs at least two classes in 'classes'")
        return self


def check_model_record(path: Path, state: dict[str, Any]) -> None:
    """DataError naming model.json (`path`) and its first entry of the wrong kind."""
    try:
        ModelRecord.model_validate(state)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        key = ".".join(str(part) for part in first["loc"])
        where = f"entry '{key}': " if key else ""
        raise DataError(f"{path}: {where}{first['msg'].lower()}, so {DAMAGED_RUN}.") from None


def read_metrics(run_dir: Path) -> dict[str, dict[str, Any]]:
    """metrics.json: each split (train, validation, test) a mapping of metric names to
    values; DataError naming the file and the split that is not."""
    path = run_dir / "metrics.json"
    metrics = read_record(path)
    for split, values in metrics.items():
        if not isinstance(values, dict):
            shown = _KINDS.get(type(values), "something else")
            raise DataError(
                f"{path}: '{split}' holds {shown}, not a mapping of metric names to values, "
                f"so {DAMAGED_RUN}."
            )
    return metrics


def recorded_status(run_dir: Path) -> str | None:
    """status.json's `status` (complete, diverged, ...), or None when it cannot be read."""
    status = record_or_problem(run_dir / "status.json")[0].get("status")
    return status if isinstance(status, str) else None


def read_run_config(run_dir: Path) -> ExperimentConfig:
    """The run's config.yaml as a validated config; DataError naming the file (and its first
    problem) when it is damaged or written by a version of mlcc with other keys."""
    path = run_dir / "config.yaml"
    try:
        return ExperimentConfig.model_validate(read_record(path, yaml.safe_load))
    except ValidationError as error:
        problems = error.errors(include_url=False)
        first = problems[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise DataError(
            f"{path}: is not a config this version of mlcc reads ({key}: "
            f"{first['msg'].lower()}{more}); it was edited by hand or written by another mlcc "
            f"version; {RETRAIN}."
        ) from None
