"""Training: turning a prepared design matrix and a model into trained weights.

- `loop`: `train`, the in-memory period loop's entry point (validation, engine and shuffle
  choice, period metrics); `schedule`: the schedule and the period loop shared with
  streaming (early stopping, divergence, Ctrl-C, a caller's hook pruning the run);
  `divergence`: when a run counts as diverged and the message saying what to change
- `engine`: the engine choice and the epoch runner; `steps` (the numpy reference path) and
  `compiled` (the numba path, `kernels/`) run the steps themselves; `signal_gate`: Ctrl-C
  held while a step updates the weights and is counted
- `diagnostics`: per-layer gradient norms, dead ReLUs, and the warnings read off a history
- `preparation` + `in_memory`: the in-memory route of a run; `streaming/`: the out-of-core one;
  `plan`: what either route is given and hands back

What a model is (its task, loss, compiled kernel, streaming support) is asked of the model
object (`models/base.py`), never read off its `type:` tag.

May import: data, rundir, features, models, optim, evaluation, config and errors (and numba,
inside `kernels/` only when training); never doctor, workflows, render or commands.
"""
