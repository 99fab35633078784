"""The sparse kernel's gradients: a batch's CSR rows folded into per-column sums.

Each row is read in the epoch's order through indptr, never copied, and loaded
PREFETCH_ROWS rows ahead; r_i = ∂loss/∂z of its example (`dense.example_terms`, the dense
kernel's maths) is added times its values to the gradient of the columns it touches. Where
that gradient lives depends on the step path (`sparse.py`): a compact vector indexed by the
batch's slot map, or work[:, GRAD] next to each weight when walking. Numba code: import only
when training.
"""

from __future__ import annotations

from numba import njit

from mlcc_cli.training.kernels.dense import FASTMATH, example_terms, prefetch
from mlcc_cli.training.kernels.lazy import LAST, SLOT, W, shrunk

# Rows come in a random order, each a few cache misses (indptr, then its indices and values);
# loading them this many rows ahead overlaps the misses with the arithmetic (an epoch at
# 2**18 columns, 40 non-zeros a row ran ~3× faster; 4 to 32 all do about as well).
PREFETCH_ROWS = 8
GRAD = SLOT  # without penalty and clipping, work[:, 1] holds the gradient (see sparse._walk_step)


@njit(cache=True, nogil=True, inline="always")
def prefetch_ahead(data, indices, indptr, y, order, p):
    """Start loading the row PREFETCH_ROWS positions after p in `order`: its label, indices
    and values (its indptr entry, asked for PREFETCH_ROWS positions earlier, is in cache)."""
    n = order.shape[0]
    if p + 2 * PREFETCH_ROWS < n:
        prefetch(indptr, order[p + 2 * PREFETCH_ROWS])
    if p + PREFETCH_ROWS < n:
        row = order[p + PREFETCH_ROWS]
        prefetch(y, row)
        first, end = indptr[row], indptr[row + 1]
        for q in range(first, end, 64 // indices.itemsize):  # one per 64-byte cache line
            prefetch(indices, q)
        for q in range(first, end, 64 // data.itemsize):
            prefetch(data, q)
        if end > first:  # the last line, when the row does not start on a line boundary
            prefetch(indices, end - 1)
            prefetch(data, end - 1)


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def csr_batch_gradient(
    data, indices, indptr, y, order, start, stop, work, b, model_kind, first_pass, touched,
    batch_grad, n_touched, t, catching_up, decay, shrink,
):  # fmt: skip
    """Add r_i·x_i of rows order[start:stop] to batch_grad; return (probe, Σ r_i, n_touched).

    r_i = ∂loss/∂z before the 1/m (2/m) scale and the probe is finite exactly when the batch
    loss is, as in the dense kernel. As the batch's first pass it also loads rows ahead and
    lists each column the first time it sees it (slot i + 1 in work[j, SLOT]), bringing its
    weight up to date at step t when `catching_up` (L1 with clipping): one pass, not three.
    """
    probe = 0.0
    grad_b = 0.0
    for p in range(start, stop):
        if first_pass:
            prefetch_ahead(data, indices, indptr, y, order, p)
        row = order[p]
        first, end = indptr[row], indptr[row + 1]
        z = b
        for q in range(first, end):
            j = indices[q]
            if first_pass and work[j, SLOT] == 0.0:
                touched[n_touched], batch_grad[n_touched] = j, 0.0
                n_touched += 1
                work[j, SLOT] = n_touched
                if catching_up:
                    k = t - int(work[j, LAST])
                    work[j, W] = shrunk(work[j, W], decay[k], shrink[k])
                    work[j, LAST] = t
            z += data[q] * work[j, W]
        example_probe, r = example_terms(z, y[row], model_kind)
        probe += example_probe
        grad_b += r
        for q in range(first, end):
            batch_grad[int(work[indices[q], SLOT]) - 1] += r * data[q]
    return probe / (stop - start), grad_b, n_touched


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def csr_walk_gradient(data, indices, indptr, y, order, start, stop, work, b, model_kind):
    """csr_batch_gradient without penalty and clipping: no column list, the gradient goes to
    work[:, GRAD] (see sparse._walk_step). Returns (probe, Σ r_i)."""
    probe = 0.0
    grad_b = 0.0
    for p in range(start, stop):
        prefetch_ahead(data, indices, indptr, y, order, p)
        row = order[p]
        first, end = indptr[row], indptr[row + 1]
        z = b
        for q in range(first, end):
            z += data[q] * work[indices[q], W]
        example_probe, r = example_terms(z, y[row], model_kind)
        probe += example_probe
        grad_b += r
        for q in range(first, end):
            work[indices[q], GRAD] += r * data[q]
    return probe / (stop - start), grad_b
