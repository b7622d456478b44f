"""Reproducible performance figures; run ``python -m benchmarks``."""
