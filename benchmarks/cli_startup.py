"""``formers --help`` against ``python -c "import typer"``."""

from __future__ import annotations

import sys

from benchmarks.common import Figure, command_seconds, compile_bytecode


def run() -> list[Figure]:
    compile_bytecode()
    floor = command_seconds([sys.executable, "-c", "import typer"], repeat=9)
    value = command_seconds([sys.executable, "-m", "formers_tui", "--help"], repeat=9)
    return [
        Figure("formers --help", value * 1000, "python -c 'import typer'", floor * 1000, target=1.3)
    ]
