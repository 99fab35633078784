"""Which kernel trains what: the `kernel` keys models declare, mapped to the integers the
compiled kernels switch on.

Kept apart from the kernels so that asking "is there a kernel for this model?" (`engine:
auto` on every run) costs no numba import; only a run that picks the compiled engine loads it.
"""

from __future__ import annotations

LINEAR, LOGISTIC = 0, 1
# The linear family (`dense.py`, `sparse.py`): X·w + b under squared error (linear regression)
# or log loss (logistic regression).
MODEL_KINDS = {"squared_error": LINEAR, "log_loss": LOGISTIC}
SGD = 0
OPTIMIZER_KINDS = {"sgd": SGD}

SOFTMAX, ONE_VS_ALL = 0, 1
# `multiclass.py`: Z = X·W + b under softmax cross-entropy or a log loss per class.
MULTICLASS_MODEL_KINDS = {"softmax_cross_entropy": SOFTMAX, "one_vs_all_log_loss": ONE_VS_ALL}

# `mlp.py`: networks of plain dense layers (`Mlp.kernel`).
MLP_MODEL_KINDS = {"mlp_dense": 0}
