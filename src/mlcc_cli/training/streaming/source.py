"""A data file as a stream of prepared chunks.

`StreamingData` does chunk by chunk what in-memory preparation does to the whole table: the
missing-value policy, the label encoding, the split (row by row, see `splits`) and the fitted
feature pipeline, ending in float64 design matrices. The pipeline itself is learned by the
statistics passes in `fitting.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.data.files import check_suffix
from mlcc_cli.data.labels import refuse_label_scale
from mlcc_cli.data.loading import apply_missing_policy, encode_label, label_above, require_label
from mlcc_cli.data.sources import resolve_source_path
from mlcc_cli.errors import DataError
from mlcc_cli.features import FeaturePipeline, design_matrix, imputed_columns
from mlcc_cli.models.registry import model_class
from mlcc_cli.training.streaming.reader import ChunkReader
from mlcc_cli.training.streaming.splits import SplitAssigner


@dataclass
class RawChunk:
    """One chunk after the missing-value policy: its rows (index row_id) and their splits."""

    frame: pd.DataFrame
    split: np.ndarray  # (n_rows,) int8 split codes
    rows_read: int  # rows in the file chunk, before the policy dropped any


@dataclass
class DesignChunk:
    """The model's view of one chunk's rows of one split."""

    split: int
    X: np.ndarray  # (n_rows, n_features) float64
    y: np.ndarray  # (n_rows,)
    row_ids: np.ndarray  # (n_rows,)


class StreamingData:
    """The configured data file as chunks, prepared as in-memory training prepares the table.

    `used` lists the columns the experiment reads (None: all); only those are read.
    """

    def __init__(self, config: ExperimentConfig, folder: Path, used: list[str] | None) -> None:
        data = config.data
        path = resolve_source_path(data.source, folder)  # a folder or none: said so
        check_suffix(path)
        self.source = str(path)
        wanted = None if used is None else [*used, *([data.label] if data.label else [])]
        self.reader = ChunkReader(path, data.chunk_rows, wanted)
        self.label = require_label(data.label, self.reader.column_names, self.source)
        self.task = config.model.task  # regression or binary: streaming models' tasks are fixed
        self.policy = data.missing
        self.steps = config.features
        self.label_scale = data.label_scale
        refuse_label_scale(self.task, self.label_scale, self.label)
        self.label_above = data.label_above
        self.columns = [c for c in self.reader.columns if c != self.label]
        n_rows = None if data.shuffle else self.reader.count_rows()
        self.splits = SplitAssigner(data.split, config.seed, n_rows)
        self.classes: list | None = None  # binary: set by fit_features
        self.check_label = model_class(config.model).check_label_column

    def raw_chunks(self) -> Iterator[RawChunk]:
        """Every chunk of the file with the missing-value policy applied and splits drawn."""
        for frame in self.reader:
            if self.label_above is not None:
                where = f"{self.source}: data.label_above"
                frame[self.label] = label_above(frame[self.label], self.label_above, where)
            filled = set(imputed_columns(self.steps, frame, self.label))
            columns = [c for c in self.columns if c not in filled]  # gaps an impute step fills
            try:
                kept, _ = apply_missing_policy(
                    frame, columns, self.label, self.policy, self.source, whole_table=False
                )
            except DataError as error:
                first, last = frame.index[0], frame.index[-1]
                raise DataError(
                    f"{error}\n(streaming checks one chunk at a time: the counts are for rows "
                    f"{first} to {last})"
                ) from None
            yield RawChunk(kept, self.splits.codes(kept.index.to_numpy()), len(frame))

    def encode(self, values: pd.Series) -> np.ndarray:
        """The label as float64: scaled numbers (regression) or 0/1 against the surveyed
        classes (binary)."""
        if self.task == "binary":
            if self.classes is None:
                raise RuntimeError("fit_features must survey the label's classes first")
            return (values == self.classes[1]).to_numpy(dtype=np.float64)
        self.check_label(values, self.label)
        # The per-chunk warnings are dropped: the survey words them for the whole file.
        y, _, _ = encode_label(values, self.task, self.label_scale, self.label)
        return y

    def design_chunks(
        self, pipeline: FeaturePipeline, inputs: list[str], splits: tuple[int, ...]
    ) -> Iterator[DesignChunk]:
        """Design matrices of the rows of `splits`, chunk by chunk, split by split."""
        for chunk in self.raw_chunks():
            mask = np.isin(chunk.split, splits)
            if not mask.any():
                continue
            frame = chunk.frame[mask]
            codes = chunk.split[mask]
            y = self.encode(frame[self.label])
            X = design_matrix(pipeline.transform(frame), inputs)  # (n, d)
            row_ids = frame.index.to_numpy()
            if len(splits) == 1:
                yield DesignChunk(splits[0], X, y, row_ids)
                continue
            for code in splits:
                rows = codes == code
                if rows.any():
                    yield DesignChunk(code, X[rows], y[rows], row_ids[rows])

    def __repr__(self) -> str:
        return f"StreamingData({self.source!r}, label={self.label!r})"
