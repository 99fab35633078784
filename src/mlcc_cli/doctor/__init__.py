"""The run doctor: reads a finished run the way a crash-course instructor would.

`diagnose.diagnose(evidence)` applies every rule and returns the findings, warnings first;
`mlcc train` calls it after training and writes doctor.json, and the doctor workflow reads a
run directory back. Each rule lives with its kin: loss curves in rules_training.py, input
statistics in rules_data.py, the learned model in rules_model.py; `evidence.py` gathers what
they read and `findings.py` is what they return.

May import: training, data, rundir, features, models, optim, evaluation, config, errors.
"""
