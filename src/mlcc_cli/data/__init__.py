"""Data: where rows come from, how they are read, labelled and split, and what they look like.

- `sources`: data.source paths and builtin:NAME; `files`: reading .csv/.parquet with line
  numbers in errors; `builtin`: scikit-learn's bundled and the synthetic datasets (`images`:
  the image ones, one pixel per column; `bundled`: scikit-learn's tables, imported lazily);
  `public_datasets` and `fetch`: the crash course's public CSVs, downloaded and verified
- `loading`: the table with its missing-value policy; `labels`: the task and label encoding
- `splitting`: train/validation/test rows; `split_table`: the split table and its design
  matrices; `split_checks`: sanity checks of the split (sorted source, leaks, mismatch)
- `column_stats`, `frame_report`, `frame_stats`, `issues`: the statistics `mlcc inspect`
  and the doctor read, and what is notable in them

May import: features, models, optim, evaluation, config, errors (never training, rundir or
anything above them).
"""
