"""The `mlcc` commands, one module per family; `mlcc_cli.cli` registers them on the app.

Each command only parses options, calls one core function, renders and maps errors to exit
codes (`common.user_errors`); numpy, pandas and scikit-learn are imported inside the commands
that need them (marked `# deferred:`), so `mlcc --help` starts instantly.

May import: render, workflows and everything below them; with `cli`, the only importer of typer.
"""
