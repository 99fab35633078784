"""The compiled (numba) path: which models and optimizers a kernel runs, and running it.

A kernel runs plain SGD with one fixed learning rate for the models that name a `kernel`
(see `models/base.py`): the linear family's kernel keys are in `kernels/dense.py` (dense X) and
served by `kernels/sparse.py` too (CSR X); softmax and one-vs-all have a dense-only kernel
(`kernels/multiclass.py`), and so do networks of plain dense layers (`kernels/mlp.py`).
A whole period of steps runs per call, reading rows through the epoch's permutation, and
the weights match the numpy path (`steps.py`) to 1e-10.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from mlcc_cli.errors import ConfigError, MlccError
from mlcc_cli.models.base import CUMULATIVE_L1
from mlcc_cli.models.linear_base import as_csr, is_sparse
from mlcc_cli.training.kernels import kinds
from mlcc_cli.training.steps import StepStats
from mlcc_cli.training.window_pipeline import pipelined_linear_family_steps

if TYPE_CHECKING:
    from mlcc_cli.models.linear_base import Matrix


def compiled_kernel_supports(model: Any, optimizer: Any, X: Matrix | None = None) -> bool:
    """Whether a numba kernel implements this model and optimizer (on X, when given).

    The model names its kernel (`model.kernel`, None for none). The kernels run plain SGD with
    one fixed learning rate: momentum (a velocity state), the adaptive optimizers and
    non-constant schedules (η changes per step) run in numpy. The multiclass kernel is dense
    only (`kernels/multiclass.py`): a sparse X trains softmax and one-vs-all on the numpy path.
    The cumulative L1 penalty is in the linear family's and the multiclass kernels (not the
    MLP's), and on a sparse X not with clipping (or a decay 1 − 2ηλ₂ of almost 0).
    """
    schedule = getattr(getattr(optimizer, "schedule", None), "type", "constant")
    kernel = getattr(model, "kernel", None)
    if kernel in kinds.MULTICLASS_MODEL_KINDS | kinds.MLP_MODEL_KINDS:
        model_ok = X is None or not is_sparse(X)
    else:
        model_ok = kernel in kinds.MODEL_KINDS
    if _cumulative_l1(model):
        model_ok = model_ok and kernel in kinds.MODEL_KINDS | kinds.MULTICLASS_MODEL_KINDS
        if X is not None and is_sparse(X):  # only `kernels/scaled.py` has the penalty
            decay = 1.0 - 2.0 * optimizer.learning_rate * model.l2
            model_ok = model_ok and optimizer.clip_norm is None and decay >= kinds.SMALLEST_DECAY
    return (
        model_ok
        and getattr(optimizer, "type", None) in kinds.OPTIMIZER_KINDS
        and getattr(optimizer, "momentum", 0.0) == 0.0
        and schedule == "constant"
    )


def kernel_cache_error(error: OSError) -> MlccError:
    """The message for numba failing to store a compiled kernel in its on-disk cache (a full
    disk or quota where the cache lives), a failure while running (exit 1)."""
    reason = error.strerror or str(error)
    where = os.environ.get("NUMBA_CACHE_DIR") or "__pycache__ beside mlcc's kernels"
    return MlccError(
        f"training.engine: numba compiled a kernel but could not store it in its cache "
        f"({where}): {reason}. Free some space there, point NUMBA_CACHE_DIR at a folder with "
        "room, or train with --set training.engine=numpy (the same weights, without numba)."
    )


def compiled_steps(
    model: Any,
    optimizer: Any,
    X: Matrix,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    batches: range,
    window: tuple[np.ndarray, np.ndarray, int] | None = None,
) -> StepStats:
    """Run batches `batches` of the epoch whose row order is `order`, in compiled code.

    Dispatches by the model's kernel key: the multiclass ones run
    `kernels_multiclass.multiclass_steps` (dense X only); the linear family's run
    `kernels.linear_family_steps`, or `kernels_sparse.csr_linear_family_steps` on a sparse
    X's CSR arrays. Given a `windows` epoch's layout (base, local, rows per window), the
    linear family on a dense X runs `window_pipeline.pipelined_linear_family_steps` instead:
    the same rows in the same order, each window staged once, on a second core when there
    is one (the others ignore it).
    """
    # deferred: numba (the kernels compile on import); a numpy engine never pays for it.
    from mlcc_cli.training.kernels import dense as kernels
    from mlcc_cli.training.kernels import multiclass as kernels_multiclass

    params = model.params
    l1_state = np.empty(0)  # the cumulative penalty's [q, u], copied in and out
    if _cumulative_l1(model):
        owed, received = optimizer.cumulative_l1_state("coef_", params["coef_"])
        l1_state = np.append(received.ravel(), owed)
    if model.kernel in kinds.MLP_MODEL_KINDS:
        return step_stats(optimizer, mlp_steps(model, optimizer, X, y, order, batch_size, batches))
    if model.kernel in kinds.MULTICLASS_MODEL_KINDS:
        if is_sparse(X):  # choose_engine(..., X) never picks this: a caller's mistake
            raise ConfigError(
                f"training.engine: the compiled {model.type} kernel takes dense X only; "
                "use engine: numpy"
            )
        outcome = kernels_multiclass.multiclass_steps(
            X,
            y,
            order,
            params["coef_"],
            params["intercept_"],
            int(batch_size),
            int(batches.start),
            int(batches.stop),
            kinds.MULTICLASS_MODEL_KINDS[model.kernel],
            float(optimizer.learning_rate),
            float(model.l1),
            float(model.l2),
            float(optimizer.clip_norm or 0.0),
            l1_state,
        )
        _keep_cumulative_l1(model, optimizer, l1_state)
        return step_stats(optimizer, outcome)
    # Fixed argument types: one compiled signature, cached across runs (ints or floats
    # from YAML would otherwise each trigger a fresh compilation).
    settings = (
        params["coef_"],
        params["intercept_"],
        int(batch_size),
        int(batches.start),
        int(batches.stop),
        kinds.MODEL_KINDS[model.kernel],
        kinds.OPTIMIZER_KINDS[optimizer.type],
        float(optimizer.learning_rate),
        float(model.l1),
        float(model.l2),
        float(optimizer.clip_norm or 0.0),
        l1_state,
    )
    if is_sparse(X):
        # deferred: numba (the kernels compile on import)
        from mlcc_cli.training.kernels import sparse as kernels_sparse

        X = as_csr(X)
        if X.shape[1] >= 2**31:  # the kernel's column lists are int32
            raise ConfigError(
                f"training.engine: the compiled kernel takes fewer than 2**31 columns, got "
                f"{X.shape[1]}; use engine: numpy"
            )
        run = kernels_sparse.csr_linear_family_steps
        outcome = run(X.data, X.indices, X.indptr, y, order, *settings)
    elif window is not None:
        base, local, rows = window
        outcome = pipelined_linear_family_steps(X, y, base, local, int(rows), settings)
    else:
        outcome = kernels.linear_family_steps(X, y, order, *settings)
    _keep_cumulative_l1(model, optimizer, l1_state)
    return step_stats(optimizer, outcome)


def _keep_cumulative_l1(model: Any, optimizer: Any, l1_state: np.ndarray) -> None:
    """Copy a kernel's cumulative-penalty state [q, u] back into the optimizer's."""
    if _cumulative_l1(model):
        received = optimizer.cumulative_l1_state("coef_", model.params["coef_"])[1]
        received[...] = l1_state[:-1].reshape(received.shape)
        optimizer.l1_owed_["coef_"] = float(l1_state[-1])


def _cumulative_l1(model: Any) -> bool:
    """Whether the model's L1 is on and applied by the cumulative penalty."""
    return getattr(model, "l1", 0.0) > 0 and getattr(model, "l1_method", "") == CUMULATIVE_L1


def mlp_steps(
    model: Any,
    optimizer: Any,
    X: Matrix,
    y: np.ndarray,
    order: np.ndarray,
    batch_size: int,
    batches: range,
) -> tuple[int, int, float, bool, float]:
    """Run `batches` of an MLP's epoch in `kernels_mlp.mlp_steps` (dense X only), its
    parameters passed as one flat vector and copied back into the live arrays after."""
    # deferred: numba (the kernels compile on import); a numpy engine never pays for it.
    from mlcc_cli.training.kernels import mlp as kernels_mlp

    if is_sparse(X):  # choose_engine(..., X) never picks this: a caller's mistake
        raise ConfigError(
            "training.engine: the compiled mlp kernel takes dense X only; use engine: numpy"
        )
    params, n_weight_layers = model.params, model.n_layers + 1
    flat = kernels_mlp.flat_parameters(params, n_weight_layers)
    widths = np.array([model.n_features_in_, *model.hidden_units, model.n_outputs_], np.int64)
    outcome = kernels_mlp.mlp_steps(
        np.ascontiguousarray(X, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        order,
        flat,
        widths,
        int(batch_size),
        int(batches.start),
        int(batches.stop),
        kernels_mlp.ACTIVATIONS[model.activation],
        float(model.leaky_slope),
        kernels_mlp.TASKS[model.task],
        float(optimizer.learning_rate),
        float(model.l1),
        float(model.l2),
        float(optimizer.clip_norm or 0.0),
    )
    kernels_mlp.restore_parameters(flat, params, n_weight_layers)
    return outcome


def step_stats(optimizer: Any, outcome: tuple[int, int, float, bool, float]) -> StepStats:
    """A kernel's (steps, examples, norm sum, diverged, bad loss), counted on the optimizer."""
    steps, examples, norm_sum, diverged, bad_loss = outcome
    optimizer.iterations_ += steps
    return StepStats(steps, examples, norm_sum, diverged, bad_loss)
