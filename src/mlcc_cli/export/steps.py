"""Each fitted feature step as the scikit-learn steps that compute the same numbers.

| our step | scikit-learn (fitted numbers set to ours) |
|---|---|
| impute, data.missing | SimpleImputer(strategy="constant", fill_value=our fill) |
| clip | FunctionTransformer(np.clip, a_min, a_max): the same numpy call |
| zscore | StandardScaler (mean_, scale_, var_): (x − μ)/σ |
| minmax | MinMaxScaler (data_min_, data_max_, scale_, min_): x·s + m |
| log | FunctionTransformer(np.log or np.log1p): the same numpy call |
| bucketize | KBinsDiscretizer (bin_edges_: ±inf around our boundaries) |
| one_hot | OneHotEncoder(categories_: our vocabulary, handle_unknown="ignore") |
| polynomial | PolynomialFeatures(include_bias=False), then our products picked |
| pca | PCA (mean_, components_): x·Wᵀ − μ·Wᵀ, (x − μ)·Wᵀ up to rounding |

One-hot's `<other>` indicator (every value outside the vocabulary) is not exported: the
encoder sets no indicator for those values, and the model's weights absorb it; a missing
value, for which ours sets no indicator at all, gets one of its own whose weight cancels
that (`models.fold_other`).

Row-dropping steps (filter, drop_duplicates) are skipped, as `mlcc predict` skips them. Any
other step (hash, cross, ratio, expression, time_bucket, text) has no scikit-learn
transformer with exactly its behaviour: the columns it makes are refused, by config key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from mlcc_cli.export import estimators
from mlcc_cli.export.columns import Column, combined, first_step, input_column, refused_column
from mlcc_cli.features import Clip, Impute, Log, MinMax, Transform, ZScore
from mlcc_cli.features.binning import Bucketize
from mlcc_cli.features.categorical import Hash, OneHot
from mlcc_cli.features.crosses import Cross
from mlcc_cli.features.polynomial import Polynomial, polynomial_names
from mlcc_cli.features.projection import Pca
from mlcc_cli.features.synthetic import Expression, Ratio
from mlcc_cli.features.text import Text
from mlcc_cli.features.time_buckets import TimeBucket

# The frame's columns as the steps so far have made them, by name.
Frame = dict[str, Column]
# The text an exported one-hot encoder reads for a missing value (ours sets no indicator for
# it, as for no other value; like `<other>`, a name no vocabulary holds).
MISSING = "<missing>"

# What would make a refused step's columns exportable.
IN_THE_DATA = "compute the column in the data file instead, or leave it out of `inputs`"
REFUSAL_FIXES: dict[type[Transform], str] = {
    Hash: "its buckets come from pandas' SipHash, which scikit-learn does not compute; use a "
    "one_hot step (max_categories bounds its indicators)",
    Cross: "scikit-learn has no feature cross; " + IN_THE_DATA,
    Ratio: "scikit-learn has no column ratio; " + IN_THE_DATA,
    Expression: "scikit-learn has no arithmetic on columns; " + IN_THE_DATA,
    TimeBucket: "scikit-learn does not read dates; " + IN_THE_DATA,
    Text: "scikit-learn's vectorizers tokenize differently; leave the text column out of `inputs`",
}


def _column(frame: Frame, name: str) -> Column:
    return frame.get(name) or input_column(name)


def _numeric(frame: Frame, name: str, transform: Transform) -> Column:
    """The column a numeric step reads; a refusal when an earlier step made it indicators."""
    column = _column(frame, name)
    if column.kind == "indicators" and column.refused is None:
        return refused_column(
            name, f"{transform.where}: reads {name!r} as a number after it became indicators"
        )
    return column


def _elementwise(
    transform: Transform, frame: Frame, make: Callable[[str, str | None], Any]
) -> None:
    """Apply a one-column step to each of its columns: make(column, name or None)."""
    for name in transform.feature_names_in_:
        column = _numeric(frame, name, transform)
        estimator = make(name, name if first_step(column) else None)
        frame[name] = column.then(transform.where, estimators.frozen(estimator))


def _impute(transform: Impute, frame: Frame) -> None:
    for name in transform.feature_names_in_:
        fill = transform.statistics_[name]
        column = _column(frame, name)
        estimator = estimators.simple_imputer(fill, name if first_step(column) else None)
        if isinstance(fill, str):
            column = replace(column, source_kind="text") if first_step(column) else column
            frame[name] = column.then(transform.where, estimators.frozen(estimator), kind="text")
        else:
            frame[name] = column.then(transform.where, estimators.frozen(estimator))


def _clip(transform: Clip, frame: Frame) -> None:
    def make(name: str, named: str | None) -> Any:
        low, high = transform.lower_[name], transform.upper_[name]
        bounds = {
            "a_min": -np.inf if low is None else low,
            "a_max": np.inf if high is None else high,
        }
        return estimators.function_transformer(np.clip, named, **bounds)

    _elementwise(transform, frame, make)


def _zscore(transform: ZScore, frame: Frame) -> None:
    _elementwise(
        transform,
        frame,
        lambda name, named: estimators.standard_scaler(
            transform.mean_[name], transform.scale_[name], named
        ),
    )


def _minmax(transform: MinMax, frame: Frame) -> None:
    _elementwise(
        transform,
        frame,
        lambda name, named: estimators.min_max_scaler(
            transform.low,
            transform.high,
            transform.data_min_[name],
            transform.data_max_[name],
            named,
        ),
    )


def _log(transform: Log, frame: Frame) -> None:
    function = np.log1p if transform.log1p else np.log
    _elementwise(
        transform, frame, lambda name, named: estimators.function_transformer(function, named)
    )


def _bucketize(transform: Bucketize, frame: Frame) -> None:
    one_hot = transform.output == "one_hot"
    for name in transform.feature_names_in_:
        boundaries = transform.boundaries_[name]
        column = _numeric(frame, name, transform)
        if not boundaries:
            frame[name] = refused_column(
                name,
                f"{transform.where}: column {name!r} makes a single bucket (it was constant "
                "in training); leave it out of the step",
            )
            continue
        named = name if first_step(column) else None
        estimator = estimators.frozen(estimators.bins(boundaries, one_hot, named))
        if one_hot:
            column = column.then(
                transform.where, estimator, kind="indicators", width=len(boundaries) + 1
            )
        else:
            column = column.then(transform.where, estimator)
        frame[name] = column


def _one_hot(transform: OneHot, frame: Frame) -> None:
    for name in transform.feature_names_in_:
        column = _column(frame, name)
        vocabulary = transform.vocabulary_[name]
        refusal = _one_hot_refusal(transform, name, column, vocabulary)
        if refusal is not None:
            frame[name] = refused_column(name, refusal)
            continue
        categories, gaps = list(vocabulary), first_step(column)
        if gaps:  # a raw text column: a missing value gets an indicator of its own
            fill = estimators.frozen(estimators.simple_imputer(MISSING, name))
            column = replace(column, source_kind="text").then(f"{transform.where}: gaps", fill)
            categories.append(MISSING)
        encoder = estimators.frozen(estimators.one_hot_encoder(categories, None))
        encoded = column.then(transform.where, encoder, kind="indicators", width=len(categories))
        # An empty vocabulary without gaps sends every value to `<other>`: nothing to export.
        steps = encoded.steps if categories else ()
        frame[name] = replace(encoded, steps=steps, other=True, missing=gaps)


def _one_hot_refusal(
    transform: OneHot, name: str, column: Column, vocabulary: list[str]
) -> str | None:
    """Why the exported encoder cannot read `column` as ours does, or None."""
    if column.refused is not None:
        return column.refused
    if column.steps and column.kind != "text":
        return (
            f"{transform.where}: encodes {name!r} after an earlier step changed it as a "
            "number (the exported encoder reads text); encode the column before any "
            "numeric step, or fill it with an impute step of strategy most_frequent"
        )
    if MISSING in vocabulary:
        return (
            f"{transform.where}: column {name!r} holds the value {MISSING!r}, which the "
            "exported encoder keeps for missing values; rename that value in the data"
        )
    return None


def _polynomial(transform: Polynomial, frame: Frame) -> None:
    names = list(transform.feature_names_in_)
    columns = [_numeric(frame, name, transform) for name in names]
    step = estimators.polynomial_features(transform.degree, transform.interaction_only, len(names))
    outputs = combined(transform.where, columns, names, estimators.frozen(step))
    products = polynomial_names(names, transform.degree, transform.interaction_only)
    # scikit-learn's outputs start with the columns themselves; ours add only the products.
    frame.update(zip(products, outputs[len(names) :], strict=True))


def _pca(transform: Pca, frame: Frame) -> None:
    names = list(transform.feature_names_in_)
    columns = [_numeric(frame, name, transform) for name in names]
    step = estimators.pca(
        transform.mean_, transform.components_, transform.explained_variance_ratio_
    )
    outputs = combined(transform.where, columns, names, estimators.frozen(step))
    for name in names:
        frame.pop(name, None)
    for name in transform.feature_names_out:
        frame.pop(name, None)  # an older column of an output's name goes; outputs end the frame
    frame.update(zip(transform.feature_names_out, outputs, strict=True))


STEP_EXPORTERS: dict[type[Transform], Callable[[Any, Frame], None]] = {
    Impute: _impute,
    Clip: _clip,
    ZScore: _zscore,
    MinMax: _minmax,
    Log: _log,
    Bucketize: _bucketize,
    OneHot: _one_hot,
    Polynomial: _polynomial,
    Pca: _pca,
}


def apply_step(transform: Transform, created: list[str], frame: Frame) -> None:
    """Update `frame` with what `transform` does to it.

    `created` names the columns the step adds (from its config); a step without a
    scikit-learn equivalent refuses those, or, if it adds none, the columns it changes.
    """
    if transform.drops_rows:
        return  # `mlcc predict` skips row filters: every new row asks for a prediction
    exporter = STEP_EXPORTERS.get(type(transform))
    if exporter is not None:
        exporter(transform, frame)
        return
    fix = REFUSAL_FIXES.get(type(transform), "scikit-learn has no transformer doing the same")
    for name in created or transform.feature_names_in_:
        frame[name] = refused_column(name, f"{transform.where}: {fix}")
