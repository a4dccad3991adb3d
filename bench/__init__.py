"""Benchmarks: ``make bench`` (``python -m bench``) prints ``bench: <name> <value> <unit>``."""
