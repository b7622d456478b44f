"""Tests of the pure scoring functions."""
