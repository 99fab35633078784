"""Out-of-core training (`data.streaming: true`): files larger than memory, read chunk by chunk.

- `reader`: a .csv or .parquet file as frames of at most `chunk_rows` rows
- `splits`: each row's split, drawn from (seed, row id) so every pass agrees
- `source`: missing values, label, split and features per chunk (`StreamingData`)
- `fitting`: the statistics passes that fit the feature pipeline and survey the label
- `runner`: training steps through a seeded shuffle buffer
- `scoring`: period losses and final metrics from running sums
- `session`: the streaming route of `experiment.run_experiment`; which models it can train is
  each model class's `supports_streaming`

May import: the rest of `mlcc_cli.training` (engine, schedule, plan), data, features, models,
optim, evaluation, config and errors; never doctor, workflows, render or commands.
"""
