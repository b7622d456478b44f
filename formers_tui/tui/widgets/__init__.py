"""Reusable pieces of the interview screen; each carries its own DEFAULT_CSS."""
