"""Optimizers and learning-rate schedules: how a gradient turns into a weight update.

- `base`: the `Optimizer` contract (clipping, schedule, step loop, L1 proximal step) and the
  shared helpers `clip_by_global_norm` and `soft_threshold`
- `sgd`: SGD, plain or with (Nesterov) momentum; `adaptive`: Adagrad and Adam; `ftrl`:
  FTRL-Proximal
- `registry`: `OPTIMIZERS` (config `type` → class) and `build_optimizer`
- `schedules`: the learning-rate schedules η_t (constant, step, exponential, cosine)

May import: `mlcc_cli.evaluation`, `mlcc_cli.config`, `mlcc_cli.errors` and numpy, pandas,
scipy, scikit-learn; never features, models, data, rundir or anything above them.
"""
