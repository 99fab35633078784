"""`mlcc inspect`: a data report a person can act on, for a data file, builtin or experiment.

The data's statistics come from `data.frame_stats` (pandas does the arithmetic); given an
experiment, the training split is also reported after its feature steps, fitted exactly as
training fits them. Findings live in `data.issues`, suggested feature steps with their
thresholds in `inspect_suggestions`. Nothing here prints: `render.inspection` renders the
returned `InspectionReport` and `to_json()` is the `--json` object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlcc_cli.config.data import SyntheticConfig
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import load_config
from mlcc_cli.data.builtin import LABEL, load_builtin
from mlcc_cli.data.files import CONVERSIONS, SUPPORTED_SUFFIXES, list_columns
from mlcc_cli.data.frame_report import FrameReport
from mlcc_cli.data.frame_stats import summarise_frame
from mlcc_cli.data.loading import load_dataset, read_table
from mlcc_cli.data.public_datasets import dataset_for_file
from mlcc_cli.data.sources import BUILTIN_PREFIX, NOT_FOUND, builtin_name, file_problem
from mlcc_cli.data.split_table import SplitTable, load_split, referenced_columns
from mlcc_cli.errors import ConfigError, DataError, did_you_mean
from mlcc_cli.features import FeaturePipeline, select_inputs
from mlcc_cli.workflows.inspect_suggestions import suggest_steps
from mlcc_cli.workflows.suggestion import Suggestion

if TYPE_CHECKING:
    from mlcc_cli.data.split_checks import SplitCheck

CONFIG_SUFFIXES = (".yaml", ".yml")


@dataclass
class InspectionReport:
    """Everything `mlcc inspect` shows: the data, the training split after features, advice.

    `after_features` is None for a data file; for an experiment whose data cannot be
    prepared (e.g. missing values with data.missing: error) `features_error` says why.
    An experiment's split is also checked (`split_checks`; `split_order` says how its rows
    were split, "shuffled" or "in file order"); `split_checks_note` says why it was not.
    """

    target: str
    source: str
    label: str | None
    data: FrameReport
    after_features: FrameReport | None = None
    features_error: str | None = None
    split_rows: dict[str, int] | None = None
    inputs: list[str] | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    split_checks: list[SplitCheck] = field(default_factory=list)
    split_order: str | None = None
    split_checks_note: str | None = None
    # Classification: each split's share of rows per class, {split: {class: share}}.
    class_shares: dict[str, dict[str, float]] | None = None

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON values (non-finite numbers become null)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    """Dataclass dicts to JSON: numpy scalars to Python, NaN and ±inf to None (allow_nan=False)."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ------------------------------------------------------------------------ targets


def inspect_target(
    target: str, overrides: Sequence[str] = (), label: str | None = None
) -> InspectionReport:
    """Inspect an experiment (.yaml/.yml), a .csv/.parquet file or `builtin:NAME`.

    A data file has no label unless `label` names one (a builtin's is `target`); for an
    experiment `label` acts as `--set data.label=LABEL`. Raises ConfigError / DataError with
    a message naming what is wrong.
    """
    if Path(target).suffix.lower() in CONFIG_SUFFIXES:
        return _inspect_experiment(target, overrides, label)
    if overrides:
        raise ConfigError(
            f"--set changes an experiment config, but {target} is data; inspect the "
            ".yaml experiment instead, or drop --set."
        )
    frame, source, label = _load_data(target, label)
    data = summarise_frame(frame, label, "Data", role="feature")
    report = InspectionReport(target=target, source=source, label=label, data=data)
    report.suggestions = suggest_steps(data, inputs=None, missing_policy=None)
    return report


def _load_data(target: str, label: str | None) -> tuple[pd.DataFrame, str, str | None]:
    """The frame of a data file or builtin (index = row_id), its source and checked label."""
    try:
        name = builtin_name(target)
    except DataError as error:  # its message names data.source; here the target was typed
        raise DataError(str(error).replace("data.source", target, 1)) from None
    if name is not None:
        seed = ExperimentConfig.model_fields["seed"].default  # what an experiment would use
        frame = load_builtin(name, SyntheticConfig(), seed)
        frame.index = pd.RangeIndex(len(frame), name="row_id")
        source, label = BUILTIN_PREFIX + name, label or LABEL
    else:
        path = Path(target).expanduser()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise DataError(
                f"{target}: mlcc inspect reads an experiment (.yaml, .yml), a data file "
                "(.csv, .parquet) or builtin:NAME (see `mlcc datasets`)"
                + CONVERSIONS.get(path.suffix.lower(), "")
            )
        problem = file_problem(path)
        if problem == NOT_FOUND:
            fetchable = dataset_for_file(path.name)
            fix = f"run `mlcc datasets fetch {fetchable}`" if fetchable else "check the path"
            raise DataError(f"{target}: file not found (looked in {Path.cwd()}); {fix}.")
        if problem is not None:
            raise DataError(f"{target}: {problem}")
        frame, source = read_table(path, setting="the path"), str(path.resolve())
    columns = [str(column) for column in frame.columns]
    if label is not None and label not in columns:
        raise DataError(
            f"--label: column '{label}' is not in {source}.{did_you_mean(label, columns)} "
            f"Available columns: {list_columns(columns)}."
        )
    return frame, source, label


def _inspect_experiment(
    target: str, overrides: Sequence[str], label: str | None
) -> InspectionReport:
    """The loaded data, then the training split after the experiment's feature steps."""
    set_label = [o for o in overrides if o.partition("=")[0].strip() == "data.label"]
    if label is not None and set_label:
        raise ConfigError(
            f"--label {label} and --set {set_label[-1]}: both set data.label; give one."
        )
    extra = [f"data.label={label}"] if label is not None else []
    loaded = load_config(target, [*overrides, *extra])
    config = loaded.config
    dataset = load_dataset(config.data, loaded.folder, config.seed)
    data = summarise_frame(dataset.frame, dataset.label, "Data", role="feature")
    report = InspectionReport(
        target=target,
        source=dataset.source,
        label=dataset.label,
        data=data,
        warnings=list(dataset.warnings),
    )
    try:
        _add_training_split(report, config, loaded.folder)
    except DataError as error:
        # The data report still helps (it is usually what explains the failure), so the
        # problem is shown in place of the section rather than ending the command.
        report.features_error = str(error)
        if report.split_order is None and report.split_checks_note is None:
            report.split_checks_note = "split checks not run: the data could not be split"
    final = report.after_features or data
    inputs = report.inputs if report.after_features is not None else config.inputs
    report.suggestions = suggest_steps(final, inputs=inputs, missing_policy=config.data.missing)
    return report


def _add_training_split(report: InspectionReport, config: ExperimentConfig, folder: Path) -> None:
    """Load, split and fit the feature pipeline exactly as training does; report the result."""
    table = load_split(config, folder, referenced_columns(config))
    report.split_rows = {name: len(rows) for name, rows in table.positions.items()}
    _check_split(report, config, table)
    train_rows = table.frame.iloc[table.positions["train"]]
    pipeline = FeaturePipeline(
        config.features, label=table.label, missing=config.data.missing, inputs=config.inputs
    )
    train_frame = pipeline.fit_transform(train_rows)
    inputs, more = select_inputs(train_frame, config.inputs, table.label)
    after = summarise_frame(
        train_frame,
        table.label,
        "Training split after the feature steps",
        role="unused",
        inputs=inputs,
    )
    if config.data.streaming:
        after.notes.append(
            "data.streaming draws each row's split as it reads the file, so its training rows "
            "differ slightly from this in-memory split"
        )
    report.after_features = after
    report.inputs = inputs
    # load_split repeats the loader's warnings, which the report already holds.
    report.warnings += [w for w in table.warnings if w not in report.warnings]
    report.warnings += pipeline.warnings_ + more


def _class_name(value: Any) -> str:
    """A class as the user wrote it: 1 rather than 1.0 for a numeric label."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _check_split(report: InspectionReport, config: ExperimentConfig, table: SplitTable) -> None:
    """The split sanity checks (`split_checks.check_splits`) on the in-memory split."""
    if config.data.streaming:
        report.split_checks_note = (
            "split checks skipped: data.streaming draws each row's split as it reads the file"
        )
        return
    from mlcc_cli.data.split_checks import check_splits  # deferred: scipy, for experiments only

    report.split_checks = check_splits(
        table.frame,
        table.y,
        table.positions,
        label=table.label,
        task=table.task,
        shuffle=config.data.shuffle,
        seed=config.seed,
    )
    if table.task in ("binary", "multiclass") and table.classes:
        report.class_shares = {
            split: {
                _class_name(table.classes[int(code)]): float(share)
                for code, share in pd.Series(table.y[rows])
                .value_counts(normalize=True)
                .sort_index()
                .items()
            }
            for split, rows in table.positions.items()
            if len(rows)
        }
    order = "shuffled" if config.data.shuffle else "in file order"
    report.split_order = f"{order}, stratified" if config.data.stratify else order
