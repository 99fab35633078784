"""The exported Pipeline as an ONNX graph, converted by skl2onnx (the optional [export] extra).

Every input column is its own graph input of shape (n, 1), named after the column: float64
for numbers (so the graph computes in double precision, like mlcc) and string for one-hot
columns. A regressor's graph outputs `variable` (n, 1); a classifier's `label` (n,) and
`probabilities` (n, n_classes), columns in class order.
"""

from __future__ import annotations

from typing import Any

from mlcc_cli.errors import ConfigError
from mlcc_cli.export.converters import TARGET_OPSET, custom_converters
from mlcc_cli.export.pipeline import ExportedPipeline

# The distribution is named mlcc-cli (pyproject), so that is what pip needs.
INSTALL_HINT = "pip install 'mlcc-cli[export]'"


def require_skl2onnx() -> Any:
    """The skl2onnx module; ConfigError naming the extra to install when it is missing."""
    try:
        import skl2onnx  # deferred: the optional [export] extra
    except ImportError:
        raise ConfigError(
            "--format onnx: needs skl2onnx, which is not installed; install it with "
            f"{INSTALL_HINT} (onnxruntime, also in the extra, runs the graph), or export "
            "with --format sklearn."
        ) from None
    return skl2onnx


def onnx_bytes(exported: ExportedPipeline, doc: str) -> bytes:
    """The serialized ONNX model of `exported`'s Pipeline; `doc` is its doc string."""
    skl2onnx = require_skl2onnx()
    # deferred: skl2onnx, the optional [export] extra
    from skl2onnx.common.data_types import DoubleTensorType, StringTensorType

    initial_types = [
        (name, StringTensorType([None, 1]) if kind == "text" else DoubleTensorType([None, 1]))
        for name, kind in exported.signature.inputs.items()
    ]
    model = exported.pipeline.steps[-1][1]
    # probabilities as one (n, n_classes) tensor, not a list of {class: p} maps
    options = {id(model): {"zipmap": False}} if exported.signature.classes is not None else None
    converters, shapes = custom_converters()
    graph = skl2onnx.convert_sklearn(
        exported.pipeline,
        name="mlcc",
        initial_types=initial_types,
        doc_string=doc,
        target_opset=TARGET_OPSET,
        options=options,
        custom_conversion_functions=converters,
        custom_shape_calculators=shapes,
    )
    _name_inputs_as_columns(graph.graph, [name for name, _ in initial_types])
    return graph.SerializeToString()


def _name_inputs_as_columns(graph: Any, columns: list[str]) -> None:
    """Give each graph input its column's name: skl2onnx turns characters such as spaces
    into `_` ("list price" becomes list_price), ONNX itself allows any name."""
    renamed = {
        node.name: column
        for node, column in zip(graph.input, columns, strict=True)
        if node.name != column
    }
    for node in graph.input:
        node.name = renamed.get(node.name, node.name)
    for operator in graph.node:
        for k, name in enumerate(operator.input):
            operator.input[k] = renamed.get(name, name)
