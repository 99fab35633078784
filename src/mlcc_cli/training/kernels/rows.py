"""Per-row helpers of the dense kernels (numba): prefetching rows, one example's loss terms,
and a batch's gradient read through the epoch's order.

The batch gradient runs in chunks of TERMS_ROWS rows and three passes per chunk: the outputs
z = x·w + b, GROUP_ROWS rows at a time (their dot products share each load of w and overlap);
the loss terms of the whole chunk in one vectorised loop (`vector_terms.py`: exp without a
libm call); then the gradient, updated once per group of rows instead of once per row. One
row at a time, each row's chain (dot product → exp → gradient update) waited on the
previous row's update of the gradient in memory and on a scalar exp: on a 4,096-row window
in cache, 2.2 ms per 100,000 rows × 32 one row at a time, 1.6 grouped, 1.4 with the
vectorised terms. The sums run in a fixed order, so results are the same bytes run after
run; they differ from the numpy path (`models/linear.py`) only in the last bits (tests: 1e-10).

May import numba, llvmlite and numpy, `kinds` and `vector_terms`; nothing else of mlcc.
"""

from __future__ import annotations

import math

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from mlcc_cli.training.kernels.kinds import FASTMATH, LINEAR
from mlcc_cli.training.kernels.vector_terms import loss_terms

# Rows whose outputs and gradient terms are computed together (see the module docstring).
GROUP_ROWS = 4
# Rows per chunk of a batch: their outputs, then their loss terms in one vectorised loop,
# then their share of the gradient, while the chunk's rows (64 × 32 float64 = 16 KB) are
# still in the L1 cache.
TERMS_ROWS = 64


@intrinsic
def prefetch(typingctx, array, index):
    """Hint the CPU to start loading array[index] into cache; no effect on results.

    numba has no prefetch of its own: this emits LLVM's llvm.prefetch (read, keep in all
    cache levels), i.e. x86 `prefetcht0`. A hint never faults, but callers keep index in range.
    """
    signature = types.void(array, types.intp)

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        view = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, view, [args[1]], wraparound=False
        )
        byte_pointer, int32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32])
        # llvmlite mangles the name for its LLVM's pointer kind (typed before LLVM 15)
        function = builder.module.declare_intrinsic("llvm.prefetch", [byte_pointer], function_type)
        # (address, 0 = read, 3 = keep in every cache level, 1 = data cache)
        builder.call(
            function, [builder.bitcast(pointer, byte_pointer), int32(0), int32(3), int32(1)]
        )
        return context.get_dummy_value()

    return signature, codegen


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def example_terms(z, label, model_kind):
    """(probe, ∂loss/∂z) of one example with output z, before the 1/m (or 2/m) scale.

    The kernel never reports batch losses (periods measure loss on whole splits), it only
    needs to know whether the batch loss is finite. The probe is finite exactly when the
    example's loss is: linear, the loss r² itself; logistic, max(s, 0), a lower bound of
    softplus(s) that is finite exactly when softplus(s) is, which saves a log1p per example.
    """
    if model_kind == LINEAR:
        r = z - label
        return r * r, r
    sign = 1.0 - 2.0 * label  # +1 for class 0, −1 for class 1
    s = sign * z
    e = math.exp(-abs(s))
    q = 1.0 / (1.0 + e)
    sigma = q if s >= 0.0 else 1.0 - q  # σ(s), as models/linear_base.py computes it
    probe = 0.0 if s <= 0.0 else s  # NaN falls through to s, as it must
    return probe, sign * sigma  # ∂/∂z = (1 − 2y)·σ(s) = p − y


# Rows this many positions ahead are prefetched while a batch's rows are read through its
# order: rows in a shuffled order defeat the CPU's own prefetcher, and the loads of one row's
# arithmetic would otherwise wait on its cache miss (on staged windows, an L2 miss: measured
# 65 → 50 ms per 2M-row epoch; rows in order lose nothing).
PREFETCH_ROWS = 4
# A cache line holds 8 float64s.
LINE_VALUES = 8


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def prefetch_row(X, row):
    """Start loading every cache line of X[row] (X C-contiguous float64): one per
    LINE_VALUES values, and the last value's, for a row that starts mid-line (numpy's large
    arrays start 16 bytes into a page, so a 256-byte row spans 5 lines)."""
    line = X[row]
    for j in range(0, X.shape[1], LINE_VALUES):
        prefetch(line, j)
    prefetch(line, X.shape[1] - 1)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _outputs(X, y, order, start, stop, coef, b, outputs, labels):
    """Pass 1: outputs[k] = x·w + b and labels[k] = y of rows order[start + k], k < stop −
    start, GROUP_ROWS rows at a time, the next group's rows prefetched."""
    n_features = X.shape[1]
    count = stop - start
    k = 0
    while k + GROUP_ROWS <= count:
        for ahead in range(start + k + PREFETCH_ROWS, min(start + k + 2 * PREFETCH_ROWS, stop)):
            prefetch_row(X, order[ahead])
        r0, r1, r2, r3 = (
            order[start + k],
            order[start + k + 1],
            order[start + k + 2],
            order[start + k + 3],
        )
        z0 = z1 = z2 = z3 = b
        for j in range(n_features):
            w = coef[j]
            z0 += X[r0, j] * w
            z1 += X[r1, j] * w
            z2 += X[r2, j] * w
            z3 += X[r3, j] * w
        outputs[k], outputs[k + 1], outputs[k + 2], outputs[k + 3] = z0, z1, z2, z3
        labels[k], labels[k + 1], labels[k + 2], labels[k + 3] = y[r0], y[r1], y[r2], y[r3]
        k += GROUP_ROWS
    for last in range(k, count):
        row = order[start + last]
        z = b
        for j in range(n_features):
            z += X[row, j] * coef[j]
        outputs[last], labels[last] = z, y[row]


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _add_terms(X, order, start, stop, terms, grad_w):
    """Pass 3: grad_w += Σ_k terms[k]·x of rows order[start + k], GROUP_ROWS rows per update
    ((r_0 x_0 + r_1 x_1) + (r_2 x_2 + r_3 x_3))."""
    n_features = X.shape[1]
    count = stop - start
    k = 0
    while k + GROUP_ROWS <= count:
        r0, r1, r2, r3 = (
            order[start + k],
            order[start + k + 1],
            order[start + k + 2],
            order[start + k + 3],
        )
        c0, c1, c2, c3 = terms[k], terms[k + 1], terms[k + 2], terms[k + 3]
        for j in range(n_features):
            grad_w[j] += (c0 * X[r0, j] + c1 * X[r1, j]) + (c2 * X[r2, j] + c3 * X[r3, j])
        k += GROUP_ROWS
    for last in range(k, count):
        row = order[start + last]
        for j in range(n_features):
            grad_w[j] += terms[last] * X[row, j]


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def batch_gradient(
    X, y, order, start, stop, coef, intercept, model_kind, l2, grad_w, outputs, labels
):  # fmt: skip
    """Fill grad_w with the batch gradient (incl. 2λ₂w); return (loss probe, grad_b).

    g_w = scale·Σ r_i x_i + 2λ₂w over rows i = order[start:stop], read in place, in chunks
    of up to TERMS_ROWS rows (the length of the scratch arrays outputs and labels): the
    chunk's outputs z_i (`_outputs`), their terms r_i (`vector_terms.loss_terms`), then g_w
    (`_add_terms`). The probe is finite exactly when the batch's mean loss is (see
    example_terms).
    """
    n_features = X.shape[1]
    m = stop - start
    probe = 0.0
    grad_b = 0.0
    for j in range(n_features):
        grad_w[j] = 0.0
    for first in range(start, stop, TERMS_ROWS):
        last = min(first + TERMS_ROWS, stop)
        _outputs(X, y, order, first, last, coef, intercept[0], outputs, labels)
        chunk_probe, chunk_grad_b = loss_terms(outputs, labels, last - first, model_kind)
        probe += chunk_probe
        grad_b += chunk_grad_b
        _add_terms(X, order, first, last, outputs, grad_w)
    probe /= m
    scale = 2.0 / m if model_kind == LINEAR else 1.0 / m
    for j in range(n_features):
        grad_w[j] = grad_w[j] * scale + 2.0 * l2 * coef[j]
    return probe, grad_b * scale
