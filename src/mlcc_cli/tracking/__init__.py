"""Logging finished runs and sweeps to an MLflow tracking store (`--track`, `mlcc track`).

- `store`: the tracking URI as given (a folder, file:, sqlite:, http(s):) checked before any
  training, and `TrackingError`, the one failure every logging problem becomes
- `names`: config keys flattened to MLflow params, names mapped to MLflow's alphabet
- `records`: a run directory or sweep folder read back as what MLflow is told (params, step
  metrics, final metrics, doctor tags, artifacts); nothing in it is changed
- `session`: one MLflow client logging those records (mlflow imported only there)

May import: rundir, config, errors (never workflows, render or commands); mlflow only inside
the functions of `session` that use it.
"""
