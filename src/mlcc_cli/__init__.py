"""mlcc: the Machine Learning Crash Course as a command line."""

__version__ = "0.1.0"
