"""One module per command's core: each returns a result object and never prints.

`train` (run_experiment), `evaluate`, `predict`, `inspect` (+ `inspect_suggestions`),
`compare`, `lr_find`, `doctor`, `exercises` (+ `exercise_check`) and `sweep/`. The CLI's
commands call exactly one of these and hand its result to `mlcc_cli.render`.

May import: doctor, training, data, rundir, features, models, optim, evaluation, config,
errors (never render or commands).
"""
