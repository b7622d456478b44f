"""Typing into the notes of an open interview: how long each screen update takes.

Each run is a fresh process (``benchmarks.apps.interview``) running the real
app headless under the test pilot with the demo interview open; it types
2,000 characters into the notes and records the duration of every screen
update (layout and painting) and of every message handled on the interface
thread. :data:`RUNS` runs are pooled: the 99th percentile and the worst
update are compared with the 16 ms frame budget (and 33 ms, two frames, for
the worst). Start-up and memory are measured in a real terminal by
:mod:`benchmarks.startup`.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Figure

ROOT = Path(__file__).resolve().parent.parent

RUNS = 5
FRAME_MS = 16.0


def _typing_run(store: Path, interview_id: str) -> dict[str, list[float]]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.apps.interview", str(store), interview_id, "typing"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    result: dict[str, list[float]] = json.loads(out.splitlines()[-1])
    return result


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


def run(runs: int = RUNS) -> list[Figure]:
    from formers_tui.demo import seed_demo

    with tempfile.TemporaryDirectory() as name:
        store = Path(name) / "demo.db"
        interview_id = seed_demo(store)
        results = [_typing_run(store, interview_id) for _ in range(runs)]
    return typing_figures(results)


def typing_figures(results: list[dict[str, list[float]]]) -> list[Figure]:
    """The table rows for the pooled runs (each: ``paints`` and ``messages`` in ms).

    Where the kernel reports how long the interface thread waited for a core
    (``paint_wait``), the worst update is also given without that wait: the
    part of it this program's own work decides.
    """
    paints = [value for result in results for value in result["paints"]]
    cpu = [value for result in results for value in result.get("paint_cpu", [])]
    own = [
        paint - wait
        for result in results
        for paint, wait in zip(result["paints"], result.get("paint_wait", []), strict=False)
    ]
    full = sum(1 for result in results for g in result.get("collections", []) if g == 2)
    pauses = [entry[1] for result in results for entry in result.get("gc", [])]
    at_pauses = [entry for result in results for entry in result.get("gc", []) if entry[0] == 2]
    full_cpu = [entry[2] for entry in at_pauses if len(entry) > 2]
    messages = [value for result in results for value in result["messages"]]
    message_own = [
        value - wait
        for result in results
        for value, wait in zip(result["messages"], result.get("message_wait", []), strict=False)
    ]
    worst_runs = ", ".join(f"{max(r['paints']):.0f}" for r in results)
    runs = len(results)
    figures = [
        Figure(
            f"screen update typing 2,000 chars, 99th percentile over {runs} runs",
            percentile(paints, 0.99),
            "16 ms frame budget",
            FRAME_MS,
            target=1.0,
        ),
        Figure(
            f"worst screen update typing 2,000 chars, {runs} runs (each: {worst_runs} ms)",
            max(paints),
            "16 ms frame budget",
            FRAME_MS,
            target=33.0 / FRAME_MS,
        ),
        Figure(
            f"median screen update typing 2,000 chars, {runs} runs",
            statistics.median(paints),
            "16 ms frame budget",
            FRAME_MS,
        ),
        Figure(
            f"same, processor time of the interface thread: 99th percentile ({full} full "
            "garbage collections during updates)",
            percentile(cpu, 0.99),
            "16 ms frame budget",
            FRAME_MS,
        ),
        Figure(
            "same, processor time: worst update",
            max(cpu, default=float("nan")),
            "16 ms frame budget",
            FRAME_MS,
        ),
    ]
    if own:
        figures += [
            Figure(
                "screen update less the time waiting for a core: 99th percentile",
                percentile(own, 0.99),
                "16 ms frame budget",
                FRAME_MS,
            ),
            Figure(
                "same: worst update",
                max(own),
                "16 ms frame budget",
                FRAME_MS,
            ),
        ]
    figures += [
        Figure(
            f"longest garbage collection on the interface thread, {len(at_pauses)} full "
            "(at pauses) included",
            max(pauses, default=float("nan")),
            "16 ms frame budget",
            FRAME_MS,
        ),
        Figure(
            "full collections at the pauses, processor time: longest / median",
            max(full_cpu, default=float("nan")),
            f"median {statistics.median(full_cpu) if full_cpu else float('nan'):.1f} ms",
            FRAME_MS,
        ),
        Figure(
            f"worst UI-thread message typing 2,000 chars, {runs} runs",
            max(messages),
            "16 ms frame budget",
            FRAME_MS,
        ),
    ]
    if message_own:
        figures.append(
            Figure(
                "same, less the time waiting for a core",
                max(message_own),
                "16 ms frame budget",
                FRAME_MS,
            )
        )
    return figures
