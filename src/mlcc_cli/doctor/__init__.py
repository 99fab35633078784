"""The run doctor: reads a finished run the way a crash-course instructor would.

`diagnose.diagnose(evidence)` applies every rule and returns the findings, warnings first;
`mlcc train` calls it after training and writes doctor.json, and the doctor workflow reads a
run directory back. Each rule lives with its kin: the pace of the loss in
rules_learning_rate.py and rules_progress.py, training vs validation in rules_fit.py (all judge
changes against the curve's noise and the problem's scale, `curves.py`), whether the features
hold a signal at all in rules_signal.py, input statistics in rules_data.py, the learned model
in rules_model.py and rules_l1.py, the split (and what its checks found: leakage, a sorted
file unshuffled, rows copied across splits) in rules_split.py;
`range_test_rate.py` turns `mlcc lr-find`'s curve into the rate a whole run tolerates;
`evidence.py` gathers what they read,
`findings.py` is what they return, and `fixes.py` keeps only the `--set` fixes that change
the run.

May import: training, data, rundir, features, models, optim, evaluation, config, errors.
"""
