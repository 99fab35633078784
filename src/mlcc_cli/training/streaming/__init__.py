"""Out-of-core training (`data.streaming: true`): files larger than memory, read chunk by chunk.

- `reader`: a .csv or .parquet file as frames of at most `chunk_rows` rows
- `splits`: each row's split, drawn from (seed, row id) so every pass agrees
- `source`: missing values, label, split and features per chunk; the statistics passes
- `runner`: training steps through a seeded shuffle buffer
- `scoring`: period losses and final metrics from running sums
- `session`: the streaming route of `experiment.run_experiment`
"""
