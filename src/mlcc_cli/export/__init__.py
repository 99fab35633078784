"""Exporting a run: its fitted feature steps and model as a scikit-learn Pipeline or ONNX graph.

- `columns`: every frame column as the input columns it reads and the steps computing it
- `estimators`: scikit-learn transformers holding a step's fitted numbers
- `steps`: each feature step as those transformers (or refused, by config key)
- `models`: each model as a scikit-learn estimator with our weights
- `pipeline`: the ColumnTransformer over the input columns, then the model, as one Pipeline
- `converters`: skl2onnx converters keeping clip, log, impute and bins exact in float64
- `onnx_file`: the Pipeline converted by skl2onnx (the optional [export] extra)
- `run`: `export_run`, writing either file

May import: rundir, features, models, config and errors; scikit-learn, joblib and skl2onnx
inside the functions that use them (never at import time, so the CLI starts fast).
"""

from mlcc_cli.export.run import FORMATS, ExportResult, export_run

__all__ = ["FORMATS", "ExportResult", "export_run"]
