"""``formers --help`` against ``python -c "import typer"``.

The two are started in turns, so a machine getting busier or quieter during
the run slows both alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks.common import Figure, compile_bytecode

ROUNDS = 15
"""Measured rounds, after one warm-up round."""


def _seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run(rounds: int = ROUNDS) -> list[Figure]:
    compile_bytecode()
    floor_args = [sys.executable, "-c", "import typer"]
    value_args = [sys.executable, "-m", "formers_tui", "--help"]
    floors: list[float] = []
    values: list[float] = []
    for round_ in range(rounds + 1):
        floor, value = _seconds(floor_args), _seconds(value_args)
        if round_:  # the first round only warms the file cache
            floors.append(floor)
            values.append(value)
    return [
        Figure(
            "formers --help",
            statistics.median(values) * 1000,
            "python -c 'import typer'",
            statistics.median(floors) * 1000,
            target=1.3,
        )
    ]
