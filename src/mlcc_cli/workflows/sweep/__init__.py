"""`mlcc sweep`: one ordinary run per grid point, then a ranking.

- `points`: the points from `--grid` and the config's `sweep:` section (grid × random)
- `search`: `--search grid|random|tpe`, `--trials`, `--prune` checked and resolved
- `tpe`, `tpe_space`: Optuna's TPE proposing each trial (ask/tell, a shared journal,
  median pruning through the training loop's period hook) over the space as distributions
- `point`: one point validated, trained (or reused with --skip-existing)
- `executors`: where points run (this machine, or a Dask cluster); `parallel`: `--jobs N`
  worker processes, and Ctrl-C or SIGTERM keeping what they trained
- `result`: the rows, the per-point statistics over seeds, the ranking metric
- `files`: sweep.csv and sweep.json; `run`: `run_sweep`, which ties them together

May import: the train workflow and every package below workflows (never render or commands);
distributed only inside the functions that run points on a cluster, optuna only
inside the functions of `tpe`/`tpe_space` (the optional [tune] extra).
"""
