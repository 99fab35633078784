"""`mlcc export`: a saved run written as a joblib-pickled scikit-learn Pipeline or an ONNX file."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlcc_cli.errors import ConfigError
from mlcc_cli.export.estimators import frozen_estimator
from mlcc_cli.export.onnx_file import onnx_bytes, require_skl2onnx
from mlcc_cli.export.pipeline import Signature, build_pipeline
from mlcc_cli.rundir.saved import load_run
from mlcc_cli.rundir.storage import check_file_writable, write_bytes_atomically

# Each format and the file name it is written to in the run directory without -o.
FORMATS = {"sklearn": "model.joblib", "onnx": "model.onnx"}
SUFFIXES = {"sklearn": (".joblib", ".pkl"), "onnx": (".onnx",)}  # what -o may end in


@dataclass(frozen=True)
class ExportResult:
    """What `export_run` wrote: the file, `sklearn` or `onnx`, its size in bytes, and what
    it reads and returns."""

    path: Path
    format: str
    size: int
    signature: Signature


def _joblib_bytes(pipeline: Any) -> bytes:
    """The Pipeline pickled by joblib, as scikit-learn recommends for its estimators."""
    # deferred: joblib comes with scikit-learn, imported only when a run is exported
    import joblib

    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return buffer.getvalue()


def export_run(run_dir: Path, format: str, output: Path | None = None) -> ExportResult:
    """Write run `run_dir`'s feature steps and model in `format` to `output` (default
    RUN/model.joblib or RUN/model.onnx); nothing is written when any step is refused.

    Predictions of the file equal `mlcc predict`'s: the regression prediction, or the class
    probabilities (P(classes[1]) for a binary run, as its `prediction` column).
    """
    if format not in FORMATS:
        raise ConfigError(f"--format {format}: choose one of {', '.join(FORMATS)}.")
    frozen_estimator()  # before any work: a too old scikit-learn costs nothing
    if format == "onnx":
        require_skl2onnx()
    what = "--output" if output is not None else "export file"
    if output is not None:  # before any work: an unusable -o costs no exporting
        check_file_writable(
            output, what, replaceable=frozenset(FORMATS.values()), example=FORMATS[format]
        )
        suffixes = SUFFIXES[format]
        if output.suffix.lower() not in suffixes:
            raise ConfigError(
                f"--output {output}: --format {format} writes a {' or '.join(suffixes)} file; "
                f"name it so, e.g. {output.with_suffix(suffixes[0])} (the suffix tells the "
                "next reader which loader opens it)"
            )
    run = load_run(run_dir)
    path = output if output is not None else run_dir / FORMATS[format]
    if output is None:  # inside the run directory, once it is known to be one
        check_file_writable(path, what, replaceable=frozenset(FORMATS.values()))
    exported = build_pipeline(run)
    if format == "onnx":
        data = onnx_bytes(exported, f"mlcc run {run_dir.name}: {run.task} on {run.data_source}")
    else:
        data = _joblib_bytes(exported.pipeline)
    write_bytes_atomically(path, data, what)
    return ExportResult(path, format, len(data), exported.signature)
