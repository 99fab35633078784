"""How each column of a run's feature frame is computed from the input columns, as sklearn steps.

Our feature pipeline changes a frame column by column: a zscore step rescales some columns in
place, a polynomial step adds products of others, pca replaces several by their components.
Replaying it symbolically gives, for every frame column, the input columns it reads and the
scikit-learn steps that compute it from them; a model input then becomes one entry of a
ColumnTransformer. A column made by a step without a faithful equivalent carries the refusal
instead, which is reported only if the model reads that column.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any, Literal

from mlcc_cli.export.estimators import column_picker, frozen

# number: one numeric column; text: one column of text values (one-hot's input);
# indicators: 0/1 columns the model reads as a block (one_hot, bucketize with one_hot output).
Kind = Literal["number", "text", "indicators"]
# What an input column must hold: numbers (a float column), or text (one_hot's input).
SourceKind = Literal["number", "text"]


@dataclass(frozen=True)
class Column:
    """One frame column: read from `sources`, computed by `steps` (a Pipeline's steps).

    Attributes
    ----------
    sources : the input columns it is computed from (one, or several for pca and polynomial).
    steps : (name, fitted estimator) pairs; none for an input column used as it is.
    kind : what the column holds (see `Kind`).
    width : the columns it makes in the model's input (indicators: one per vocabulary value).
    other : indicators only: True when our design matrix has one more, last, indicator that
        is on for every value outside the vocabulary (one-hot's `<other>`), which the
        exported encoder leaves out and the model's weights absorb (see `models.fold_other`).
    missing : indicators only: True when the last exported indicator is on for a missing
        value (ours sets none for it; the model's weights make that so, `models.fold_other`).
    refused : why this column cannot be exported (a step named by its config key), or None.
    source_kind : what its input columns hold: text when its first step reads text.
    """

    sources: tuple[str, ...]
    steps: tuple[tuple[str, Any], ...] = ()
    kind: Kind = "number"
    width: int = 1
    other: bool = False
    missing: bool = False
    refused: str | None = None
    source_kind: SourceKind = "number"

    def then(self, name: str, estimator: Any, kind: Kind = "number", width: int = 1) -> Column:
        """This column passed through one more step."""
        return replace(self, steps=(*self.steps, (name, estimator)), kind=kind, width=width)

    def transformer(self) -> Any:
        """The ColumnTransformer entry computing this column from its sources: "passthrough"
        or a Pipeline of (copies of) its steps, so no estimator is shared between entries."""
        if not self.steps:
            return "passthrough"
        # deferred: scikit-learn, imported only when a run is exported
        from sklearn.pipeline import Pipeline

        return Pipeline(copy.deepcopy(list(self.steps)))


def side_by_side(names: list[str], columns: list[Column]) -> Any:
    """A ColumnTransformer computing `columns` from their sources, outputs side by side, one
    entry per column named after it (with its position when scikit-learn reserves the name:
    one of its parameters, or one containing "__")."""
    # deferred: scikit-learn, imported only when a run is exported
    from sklearn.compose import ColumnTransformer

    reserved = set(ColumnTransformer([]).get_params(deep=False))
    entries = [
        (
            name if name not in reserved and "__" not in name else f"{k}_{name}".replace("__", "_"),
            column.transformer(),
            list(column.sources),
        )
        for k, (name, column) in enumerate(zip(names, columns, strict=True))
        if column.width  # a one-hot column whose every value is `<other>` adds none
    ]
    return ColumnTransformer(entries, sparse_threshold=0.0)


def input_column(name: str) -> Column:
    """An input column used as it is."""
    return Column(sources=(name,))


def refused_column(name: str, reason: str) -> Column:
    """A column made by a step that cannot be exported; `reason` says which and why."""
    return Column(sources=(name,), refused=reason)


def first_step(column: Column) -> bool:
    """True when the next step is the column's first: it receives a named one-column frame."""
    return not column.steps and len(column.sources) == 1


def combined(name: str, columns: list[Column], names: list[str], step: Any) -> list[Column]:
    """The outputs of `step` (fitted on the columns side by side): one Column per output.

    Each output is computed by a Pipeline: a ColumnTransformer computing `columns` from their
    sources, `step`, then picking that output (np.take, which skl2onnx's parser needs no
    output shape for, unlike a ColumnTransformer). Returns a Column per output of `step`.
    A refused input column makes every output refused.
    """
    refused = next((column.refused for column in columns if column.refused), None)
    sources = tuple(dict.fromkeys(source for column in columns for source in column.sources))
    n_outputs = len(step.get_feature_names_out())
    return [
        Column(
            sources=sources,
            steps=(
                ("inputs", side_by_side(names, columns)),
                (name, step),
                ("pick", frozen(column_picker(k, n_outputs))),
            ),
            refused=refused,
        )
        for k in range(n_outputs)
    ]
