"""Compiled (numba) training steps: a whole reporting period of SGD steps per call.

- `dense`: the linear family (linear and logistic regression) on a dense X, and the shared
  numba helpers (row blocks; from `rows`: prefetch, per-example loss terms, the batch
  gradient over groups of rows)
- `sparse` (+ `sparse_gradient`, `lazy`, `scaled`, `scaled_tracker`): the same maths on a CSR
  X, with work per step proportional to the batch's non-zeros and L1/L2 applied just in time
- `multiclass`: softmax and one-vs-all on a dense X

`kinds` maps the `kernel` key a model class declares (`models/base.py`) to the integer each
kernel switches on, without importing numba; `training/compiled.py` chooses and calls them.
Importing a kernel compiles or loads numba code, so the rest of mlcc imports them only when
training with the compiled engine.

May import: numba, llvmlite and numpy, and these modules from each other; nothing else of mlcc.
"""
