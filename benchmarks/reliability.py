"""``formers reliability``: pooled agreement over every settled interview, against 5 s.

For each store size (``benchmarks.stores.sizes()``) the whole command is run
as a user runs it (a new process: start-up, store, every pooled figure with
its bootstrap interval, the tables), and the in-process computation is
timed apart so a slow start-up and a slow statistic can be told apart. The
command's CPU time (user + system) is given beside its wall time: on a
machine shared with other work the wall time says more about the neighbours.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

from benchmarks.common import Figure, median_seconds
from benchmarks.stores import sizes, synthetic_store

BUDGET_S = 5.0
"""The command must print pooled figures for 1,000 interviews within this."""


def run() -> list[Figure]:
    from formers_tui.store.reliability import programme_reliability
    from formers_tui.store.store import Store

    figures = []
    for count in sizes():
        path = synthetic_store(count)
        command = [sys.executable, "-m", "formers_tui", "--db", str(path), "reliability"]
        env = {**os.environ, "COLUMNS": "100"}
        whole, cpu = _command(command, env)
        store = Store.open(path, daily=False)

        def pooled(store: Store = store) -> None:
            with store.session() as session:
                programme_reliability(session)

        inner = median_seconds(pooled, repeat=3, warmup=1)
        store.close()
        figures += [
            Figure(
                f"formers reliability, store of {count:,}",
                whole,
                "budget",
                BUDGET_S,
                target=1.0,
                unit="s",
            ),
            Figure(
                f"formers reliability CPU time (user + system), store of {count:,}",
                cpu,
                "budget",
                BUDGET_S,
                target=1.0,
                unit="s",
            ),
            Figure(
                f"pooled figures and intervals in process, store of {count:,}",
                inner,
                "the whole command",
                whole,
                unit="s",
            ),
        ]
    return figures


def _command(args: list[str], env: dict[str, str], repeat: int = 3) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of running ``args``."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)
