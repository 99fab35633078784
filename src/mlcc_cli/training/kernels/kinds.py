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
# The sparse kernel steps every weight every step when a = 1 − 2ηλ₂ is below this (`sparse.py`).
SMALLEST_DECAY = 1e-10

SOFTMAX, ONE_VS_ALL = 0, 1
# `multiclass.py`: Z = X·W + b under softmax cross-entropy or a log loss per class.
MULTICLASS_MODEL_KINDS = {"softmax_cross_entropy": SOFTMAX, "one_vs_all_log_loss": ONE_VS_ALL}

# `mlp.py`: networks of plain dense layers (`Mlp.kernel`).
MLP_MODEL_KINDS = {"mlp_dense": 0}

# Reassociation lets LLVM vectorise the dot products (results differ from numpy's order in
# the last bits only). The no-NaN/no-inf fast-math flags stay off: they would let the
# compiler delete the isfinite() checks that detect divergence.
FASTMATH = {"reassoc", "contract"}
