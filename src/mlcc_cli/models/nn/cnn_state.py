"""A `Cnn` as JSON-able values and back: hyperparameters, weights, batch-norm averages.

Run directories store npz + json and never pickle, so a fitted network exports its state as
plain lists and is rebuilt by drawing a fresh network of the same shape and copying the
saved arrays in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlcc_cli.errors import DataError

# Constructor arguments cnn_state saves and restore_cnn passes back.
HYPERPARAMETERS = (
    "image_shape", "conv", "hidden_units", "activation", "leaky_slope", "dropout", "batch_norm",
    "init", "task", "l1", "l2", "seed", "l1_method",
)  # fmt: skip


def cnn_state(net: Any) -> dict[str, Any]:
    """A fitted network's hyperparameters, weights and running averages as JSON-able values."""
    params = net.params  # raises NotFittedError before initialize
    return {
        "type": net.type,
        **{key: getattr(net, key) for key in HYPERPARAMETERS},
        "n_features_in_": net.n_features_in_,
        "n_outputs_": net.n_outputs_,
        "params": {name: array.tolist() for name, array in params.items()},
        "buffers": {name: array.tolist() for name, array in net.buffers.items()},
    }


def restore_cnn(cls: Any, state: dict[str, Any]) -> Any:
    """A fitted network of class `cls` rebuilt from `cnn_state` output."""
    if state.get("type") != cls.type:
        raise DataError(f"state of model {state.get('type')!r} cannot build Cnn")
    # a key added later (l1_method) is absent from older states: the default then
    model = cls(**{key: state[key] for key in HYPERPARAMETERS if key in state})
    n_classes = state["n_outputs_"] if state["task"] == "multiclass" else None
    model.initialize(int(state["n_features_in_"]), n_classes)
    saved_arrays = state["params"] | state.get("buffers", {})
    for name, array in (model.params | model.buffers).items():
        saved = np.asarray(saved_arrays[name], dtype=np.float64)
        if saved.shape != array.shape:
            raise DataError(f"Cnn state: {name} has shape {saved.shape}, not {array.shape}")
        array[...] = saved
    return model
