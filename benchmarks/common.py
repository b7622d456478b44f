"""Timing helpers and the table every benchmark prints.

Each figure is compared with a floor measured in the same run on the same
machine (e.g. ``import typer`` for ``formers --help``), so the ratio means
something even on a slow or busy laptop.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    """One row of the results table."""

    name: str
    value: float
    floor_name: str
    floor: float
    target: float | None = None
    """Maximum acceptable ratio value/floor, if the issue states one."""
    unit: str = "ms"

    @property
    def ratio(self) -> float:
        return self.value / self.floor if self.floor else float("inf")

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.ratio <= self.target else "MISSED"


def compile_bytecode() -> None:
    """Write the program's (and the benchmark apps') compiled modules, as installing it does.

    Installing a wheel writes every module's ``.pyc``, and the bare app's
    Textual is read compiled from its installation. A checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set never writes its own, so every start
    would compile this program's modules again (tens of milliseconds) and
    the ratio would count that against it.
    """
    import compileall
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for folder in ("formers_tui", "benchmarks"):
        compileall.compile_dir(root / folder, quiet=1)


def median_seconds(func: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``func`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def command_seconds(args: list[str], repeat: int = 7, env: dict[str, str] | None = None) -> float:
    """Median wall time of running ``args`` as a process."""

    def run() -> None:
        subprocess.run(
            args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )

    return median_seconds(run, repeat=repeat)


def print_table(figures: list[Figure]) -> None:
    """Print the figures as a plain-text table (also valid Markdown)."""
    header = ("figure", "value", "floor", "floor value", "ratio", "target", "")
    rows = [
        (
            f.name,
            f"{f.value:.2f} {f.unit}",
            f.floor_name,
            f"{f.floor:.2f} {f.unit}",
            f"{f.ratio:.2f}x",
            f"<= {f.target:g}x" if f.target is not None else "",
            f.verdict,
        )
        for f in figures
    ]
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()
