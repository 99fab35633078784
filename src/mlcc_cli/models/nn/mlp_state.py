"""An `Mlp` as JSON-able values and back: hyperparameters, weights, batch-norm averages.

Run directories store npz + json and never pickle, so a fitted network exports its state as
plain lists and is rebuilt from them by drawing a fresh network of the same shape and copying
the saved arrays in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlcc_cli.errors import DataError

# Constructor arguments get_state saves and from_state passes back.
HYPERPARAMETERS = (
    "hidden_units", "activation", "leaky_slope", "dropout", "batch_norm", "init", "task",
    "embeddings", "l1", "l2", "seed", "l1_method",
)  # fmt: skip


def network_state(net: Any) -> dict[str, Any]:
    """A fitted network's hyperparameters, weights and running averages as JSON-able values."""
    params = net.params  # raises NotFittedError before initialize
    return {
        "type": net.type,
        **{key: getattr(net, key) for key in HYPERPARAMETERS},
        "n_features_in_": net.n_features_in_,
        "n_outputs_": net.n_outputs_,
        "embedding_columns": (
            {c: list(b) for c, b in net.embedding_input_.blocks.items()}
            if net.embedding_input_ is not None
            else None
        ),
        "params": {name: array.tolist() for name, array in params.items()},
        "running_mean_": {str(layer): v.tolist() for layer, v in net.running_mean_.items()},
        "running_var_": {str(layer): v.tolist() for layer, v in net.running_var_.items()},
    }


def restore_network(cls: Any, state: dict[str, Any]) -> Any:
    """A fitted network of class `cls` rebuilt from `network_state` output."""
    if state.get("type") != cls.type:
        raise DataError(f"state of model {state.get('type')!r} cannot build Mlp")
    # a key added later (l1_method) is absent from older states: the default then
    model = cls(**{key: state[key] for key in HYPERPARAMETERS if key in state})
    n_classes = state["n_outputs_"] if state["task"] == "multiclass" else None
    model.initialize(int(state["n_features_in_"]), n_classes, state.get("embedding_columns"))
    for name, array in model.params.items():
        saved = np.asarray(state["params"][name], dtype=np.float64)
        if saved.shape != array.shape:
            raise DataError(f"Mlp state: {name} has shape {saved.shape}, not {array.shape}")
        array[...] = saved
    for layer in model.running_mean_:
        model.running_mean_[layer][:] = state["running_mean_"][str(layer)]
        model.running_var_[layer][:] = state["running_var_"][str(layer)]
    return model
