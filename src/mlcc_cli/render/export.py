"""What `mlcc export` says after writing a file: where, what it reads, and how to call it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from mlcc_cli.export import ExportResult
    from mlcc_cli.export.pipeline import Signature


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024:.1f} KB" if n_bytes < 1024 * 1024 else f"{n_bytes / 2**20:.1f} MB"


def _how_to_call(format: str, signature: Signature) -> str:
    """One line: the call whose output equals `mlcc predict`'s (PATH stands for the file)."""
    classes = signature.classes
    if format == "sklearn":
        if classes is None:
            return "joblib.load(PATH).predict(frame) equals mlcc predict's `prediction` column."
        if signature.task == "binary":
            return (
                "joblib.load(PATH).predict_proba(frame)[:, 1] equals mlcc predict's "
                f"`prediction` column (P({classes[1]!r}))."
            )
        return "joblib.load(PATH).predict_proba(frame) equals mlcc predict's p_CLASS columns."
    if classes is None:
        return "output `variable` (n, 1) equals mlcc predict's `prediction` column."
    return (
        "outputs `label` (n,) and `probabilities` (n, classes), columns in class order "
        f"{classes}, equal mlcc predict's probabilities."
    )


def render_export(console: Console, result: ExportResult) -> None:
    """The file written, its inputs by kind, how to call it, and the run's threshold when it
    is not scikit-learn's 0.5."""
    signature, onnx = result.signature, result.format == "onnx"
    kind = "an ONNX graph" if onnx else "a scikit-learn Pipeline (joblib)"
    size = _size(result.size)
    console.print(f"wrote the {signature.task} run as {kind} to {result.path} ({size})")
    shapes = {
        "number": "a (n, 1) float64 tensor each" if onnx else "floats",
        "text": 'a (n, 1) string tensor each, "" when missing'
        if onnx
        else "text as mlcc reads it: 3.0 is '3'",
    }
    for held, shape in shapes.items():
        columns = [name for name, kind in signature.inputs.items() if kind == held]
        if columns:
            console.print(f"  {held} inputs ({shape}): {', '.join(columns)}")
    console.print(f"  {_how_to_call(result.format, signature).replace('PATH', str(result.path))}")
    if signature.task == "binary" and signature.threshold != 0.5 and signature.classes:
        console.print(
            f"  the run chooses {signature.classes[1]!r} at P ≥ {signature.threshold:g}; the "
            "exported label uses 0.5, so compare the probability with the threshold yourself."
        )


def export_json(result: ExportResult) -> dict[str, Any]:
    """The `--json` object: the file and what it reads and returns."""
    signature = result.signature
    return {
        "path": str(result.path),
        "format": result.format,
        "size": result.size,
        "task": signature.task,
        "inputs": signature.inputs,
        "classes": signature.classes,
        "threshold": signature.threshold,
    }
