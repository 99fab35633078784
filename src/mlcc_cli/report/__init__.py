"""`mlcc report`: runs and sweeps as one self-contained HTML page.

- `run_section`: one run directory read back (config, metrics, status, doctor findings and
  split checks), whatever of it survives, with what is missing said
- `figures`: the run's PNG plots plus the evaluation curves and confusion matrix it lacks,
  computed by `mlcc evaluate`'s workflow and drawn by `rundir`'s plotting code
- `sweep_section`: a sweep's table of points and its best point
- `page`: the paths given on the command line as sections, the comparison of several runs,
  and the page itself (jinja2 templates in `templates/`, images inlined), written atomically

May import: workflows, doctor, training, data, rundir, features, models, optim, evaluation,
config, errors (never render or commands).
"""
