"""The interview app in a real terminal: time to first screen, memory, typing stalls.

Time to first screen is measured in tmux, as a person sees it: from starting
the process to the first frame on the terminal (polled every 5 ms), for
``formers`` and for a bare Textual app of the same shape started the same way.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure

ROOT = Path(__file__).resolve().parent.parent


TMUX = ["tmux", "-L", f"formers-bench-{os.getpid()}"]
"""A tmux server of this run's own, kept up by an idle session during the run: the
default server exits with its last session, and a session started then fails."""


def _first_frame_seconds(command: str, marker: str, env: dict[str, str]) -> float:
    name = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    start = time.perf_counter()
    subprocess.run(
        [*TMUX, "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command],
        check=True,
        env=env,
        cwd=ROOT,
    )
    try:
        while time.perf_counter() - start < 30:
            screen = subprocess.run(
                [*TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            if marker in screen:
                return time.perf_counter() - start
            time.sleep(0.005)
        raise RuntimeError(f"{marker!r} never appeared")
    finally:
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)


def _median_first_frame(command: str, marker: str, env: dict[str, str], repeat: int = 5) -> float:
    _first_frame_seconds(command, marker, env)  # warm the file cache
    return statistics.median(_first_frame_seconds(command, marker, env) for _ in range(repeat))


def _child(args: list[str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return out.split()


def run() -> list[Figure]:
    from formers_tui.demo import seed_demo

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = folder / "demo.db"
        interview_id = seed_demo(store)
        env = {**os.environ, "FORMERS_HOME": str(folder / "home"), "FORMERS_DB": str(store)}
        if shutil.which("tmux"):
            subprocess.run([*TMUX, "new-session", "-d", "-s", "keep"], check=True)
            try:
                floor = _median_first_frame(
                    f"{sys.executable} -m benchmarks.apps.minimal", "Minimal floor app", env
                )
                value = _median_first_frame(f"{sys.executable} -m formers_tui", "Formers", env)
            finally:
                subprocess.run([*TMUX, "kill-server"], capture_output=True)
            figures.append(
                Figure(
                    "time to first screen (tmux)",
                    value * 1000,
                    "bare Textual app",
                    floor * 1000,
                    target=1.25,
                )
            )
        floor_rss = int(
            _child(["benchmarks.apps.minimal", "--headless", "--exit-after-first-frame"])[-1]
        )
        stall, rss, paint = _child(
            ["benchmarks.apps.interview", str(store), interview_id, "typing"]
        )
        figures.append(
            Figure(
                "peak RSS, one interview open",
                int(rss) / 1024,
                "bare Textual app",
                floor_rss / 1024,
                target=1.3,
                unit="MiB",
            )
        )
        figures.append(
            Figure(
                "longest UI stall typing 2,000 chars",
                float(stall),
                "16 ms frame budget",
                16.0,
                target=1.0,
            )
        )
        figures.append(
            Figure(
                "longest screen update typing 2,000 chars",
                float(paint),
                "16 ms frame budget",
                16.0,
                target=1.0,
            )
        )
    return figures
