"""Where examples come from: built-in datasets (bundled and generated) and reading data files.

`mlcc_cli.data` is the public entry point; these modules hold the details it delegates to.
"""
