"""Run directories: writing them atomically and reading them back, and every PNG plot.

- `files`: writing a run (config.yaml, history.csv, metrics.json, model.npz/json, status);
  `status`: the version facts status.json records; `doctor_file`: doctor.json's name and
  the warning kinds stored in it
- `staging`: staging folders made before training, owned by their process (pid recorded),
  published under a name never taken before; `storage`: folder-name lengths and refused
  writes (full disk, read-only) as messages; `signals`: Ctrl-C held while a run is renamed
- `claims`: a folder written by one process at a time (a sweep's), claimed with flock
- `records`: a run's config.yaml, model.json, status.json and metrics.json read back, a
  damaged one named
- `saved`: a finished run read back as a model plus its feature pipeline (`load_run`)
- `plots`: the loss, ROC, calibration, residual, lr-find and embedding PNGs (the only
  matplotlib importer); `evaluation_plots`: the PNGs of `mlcc evaluate`

May import: features, models, optim, evaluation, config, errors (never data, training or
anything above them).
"""
