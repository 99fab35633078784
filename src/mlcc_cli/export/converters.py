"""skl2onnx converters that keep the exported steps exact in double precision.

skl2onnx converts most of the Pipeline as it is, in float64 when its inputs are float64. Three
steps need converters of their own, passed to `convert_sklearn` for one call only (nothing is
registered globally):

- FunctionTransformer: skl2onnx converts only the identity; ours apply np.clip (ONNX Clip),
  np.log (Log) or np.log1p (Log(1 + x); equal to log1p within rounding of 1 + x).
- SimpleImputer: skl2onnx's numeric imputer is ONNX's float32 `Imputer`, which onnxruntime
  does not run on float64; here a missing value is replaced with Where(IsNaN(x), fill, x), or
  for text Where(x == "", fill, x) (ONNX strings have no missing value: pass "").
- KBinsDiscretizer: skl2onnx compares values with the edges in float32, which can put a value
  next to an edge in the neighbouring bucket; here bucket = #{edges b : b ≤ x} in float64
  (np.searchsorted, side right), as an index or as indicators.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# The ONNX opsets the graphs use (19: Equal on strings); onnxruntime ≥ 1.15 runs them.
TARGET_OPSET = {"": 19, "ai.onnx.ml": 3}


def _function_shape(operator: Any) -> None:
    """Shape calculator for FunctionTransformer: the input's type and shape; one column for
    np.take; the inputs side by side for the identity (skl2onnx's own use, merging columns)."""
    source = operator.inputs[0].type
    rows = source.shape[0] if source.shape else None
    func = operator.raw_operator.func
    if func is None:
        widths = [variable.type.shape[1] for variable in operator.inputs]
        width = None if None in widths else sum(widths)
        operator.outputs[0].type = type(source)([rows, width])
    elif func is np.take:
        width = len(operator.raw_operator.kw_args["indices"])
        operator.outputs[0].type = type(source)([rows, width])
    else:
        operator.outputs[0].type = type(source)(list(source.shape))


def _same_shape(operator: Any) -> None:
    """Shape calculator: one output of the input's type and shape."""
    source = operator.inputs[0].type
    operator.outputs[0].type = type(source)(list(source.shape))


def _bins_shape(operator: Any) -> None:
    """Shape calculator for KBinsDiscretizer: input's type, a column per bin or per feature."""
    source = operator.inputs[0].type
    discretizer = operator.raw_operator
    n_bins = discretizer.n_bins_
    width = len(n_bins) if discretizer.encode == "ordinal" else sum(n_bins)
    operator.outputs[0].type = type(source)([source.shape[0], int(width)])


def _elementwise(scope: Any, operator: Any, container: Any) -> None:
    """FunctionTransformer(np.clip | np.log | np.log1p | np.take) as Clip, Log or Gather;
    without a function (the identity skl2onnx uses to merge columns) as Concat."""
    # deferred: skl2onnx, the optional [export] extra
    from skl2onnx.algebra.onnx_ops import OnnxAdd, OnnxClip, OnnxConcat, OnnxGather, OnnxLog
    from skl2onnx.common.data_types import guess_numpy_type

    transformer = operator.raw_operator
    x = operator.inputs[0]
    dtype = guess_numpy_type(x.type)
    version = container.target_opset
    out = operator.outputs[:1]
    if transformer.func is None:  # skl2onnx merging columns: them side by side
        node = OnnxConcat(*operator.inputs, axis=1, op_version=version, output_names=out)
    elif transformer.func is np.clip:
        low, high = transformer.kw_args["a_min"], transformer.kw_args["a_max"]
        bounds = np.array(low, dtype=dtype), np.array(high, dtype=dtype)
        node = OnnxClip(x, *bounds, op_version=version, output_names=out)
    elif transformer.func is np.log:
        node = OnnxLog(x, op_version=version, output_names=out)
    elif transformer.func is np.take:  # one output of a pca or polynomial step
        positions = np.asarray(transformer.kw_args["indices"], dtype=np.int64)
        axis = transformer.kw_args["axis"]
        node = OnnxGather(x, positions, axis=axis, op_version=version, output_names=out)
    elif transformer.func is np.log1p:
        shifted = OnnxAdd(x, np.array([1.0], dtype=dtype), op_version=version)
        node = OnnxLog(shifted, op_version=version, output_names=out)
    else:  # mlcc exports no other function
        raise ValueError(f"no ONNX converter for FunctionTransformer({transformer.func!r})")
    node.add_to(scope, container)


def _imputer(scope: Any, operator: Any, container: Any) -> None:
    """SimpleImputer(strategy="constant") as Where(missing, fill, x)."""
    # deferred: skl2onnx, the optional [export] extra
    from skl2onnx.algebra.onnx_ops import OnnxEqual, OnnxIsNaN, OnnxWhere
    from skl2onnx.common.data_types import StringTensorType, guess_numpy_type

    imputer = operator.raw_operator
    x = operator.inputs[0]
    version = container.target_opset
    if isinstance(x.type, StringTensorType):
        missing = OnnxEqual(x, np.array([""]), op_version=version)
        fill = np.array([[str(value) for value in imputer.statistics_]])  # (1, n_columns)
    else:
        missing = OnnxIsNaN(x, op_version=version)
        fill = np.asarray(imputer.statistics_, dtype=guess_numpy_type(x.type))[None, :]
    node = OnnxWhere(missing, fill, x, op_version=version, output_names=operator.outputs[:1])
    node.add_to(scope, container)


def _bins(scope: Any, operator: Any, container: Any) -> None:
    """KBinsDiscretizer as bucket = Σ_b [x ≥ b] over the inner edges, per column, in the
    input's precision; onehot-dense: indicators [bucket = k], k = 0 … n_bins − 1."""
    # deferred: skl2onnx, the optional [export] extra
    from skl2onnx.algebra.onnx_ops import (
        OnnxCast,
        OnnxConcat,
        OnnxEqual,
        OnnxGather,
        OnnxGreaterOrEqual,
        OnnxMatMul,
    )
    from skl2onnx.common.data_types import guess_numpy_type, guess_proto_type

    discretizer = operator.raw_operator
    x = operator.inputs[0]
    dtype, proto = guess_numpy_type(x.type), guess_proto_type(x.type)
    version = container.target_opset
    outputs = []
    for j, edges in enumerate(discretizer.bin_edges_):
        inner = np.asarray(edges[1:-1], dtype=dtype)[None, :]  # (1, n_bins − 1)
        column = OnnxGather(x, np.array([j], dtype=np.int64), axis=1, op_version=version)
        at_or_above = OnnxGreaterOrEqual(column, inner, op_version=version)
        above = OnnxCast(at_or_above, to=proto, op_version=version)  # (n, n_bins − 1)
        ones = np.ones((inner.shape[1], 1), dtype=dtype)
        bucket = OnnxMatMul(above, ones, op_version=version)  # (n, 1): edges at or below x
        if discretizer.encode != "ordinal":
            codes = np.arange(len(edges) - 1, dtype=dtype)[None, :]  # (1, n_bins)
            is_bucket = OnnxEqual(bucket, codes, op_version=version)
            bucket = OnnxCast(is_bucket, to=proto, op_version=version)
        outputs.append(bucket)
    out = operator.outputs[:1]
    node = OnnxConcat(*outputs, axis=1, op_version=version, output_names=out)
    node.add_to(scope, container)


def custom_converters() -> tuple[dict[type, Any], dict[type, Any]]:
    """(converters, shape calculators) by scikit-learn class, for `convert_sklearn`."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import FunctionTransformer, KBinsDiscretizer

    converters = {
        FunctionTransformer: _elementwise,
        SimpleImputer: _imputer,
        KBinsDiscretizer: _bins,
    }
    shapes = {
        FunctionTransformer: _function_shape,
        SimpleImputer: _same_shape,
        KBinsDiscretizer: _bins_shape,
    }
    return converters, shapes
