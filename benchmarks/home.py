"""The home list with many interviews: time to the first page, and filter latency.

Every measurement is a fresh process (``benchmarks.apps.home``) running the
real app headless under the test pilot, on the shared synthetic store of
each size (see ``benchmarks.stores``), median of :data:`REPEAT` runs.

* **First page from start**: process start until a frame holds the list's
  first page, against the same app on an *empty* store started the same
  way: the floor is everything that does not depend on the number of
  interviews (Python, Textual, the ORM, opening the store, drawing the
  screen). Target: within 1.25x of the floor, or at most 100 ms more.
* **First page from store opened**: the part that does grow with the store,
  from the moment the store is first read (its first page through plain
  SQLite, see :mod:`formers_tui.store.quick`; else the opened store
  reaching the screen) until the first page is drawn, against the same span
  for the empty store; target at most 100 ms more (stated as the ratio that
  allows).
* **Filter**: from one key typed in the filter until the narrowed list is
  drawn, against the 100 ms at which a delay becomes perceptible. Two keys
  per size: ``p``, a single character every interview matches (the widest
  table and the largest count), then the key that narrows the list tenfold
  (the synthetic codes are ``PM-000000`` upwards, so one more ``0`` in the
  code prefix keeps a tenth).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Figure
from benchmarks.stores import sizes, synthetic_store

ROOT = Path(__file__).resolve().parent.parent

REPEAT = 5
EXTRA_MS = 100.0
"""At most this much longer than the floor counts as instant (or within :data:`RATIO`)."""
RATIO = 1.25
PERCEPTIBLE_MS = 100.0
"""A reaction slower than this is felt as a delay."""


def _run(store: Path, count: int, filters: list[str]) -> list[float]:
    """The milliseconds one fresh process reports (see ``benchmarks.apps.home``)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.apps.home", str(store), str(count), *filters],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return [float(value) for value in out.split()]


def _medians(store: Path, count: int, filters: list[str], empty: Path) -> list[float]:
    """Medians of :data:`REPEAT` runs on ``store``, then of as many on ``empty``.

    The runs alternate, so a machine getting busier or quieter during the
    run affects the figure and its floor alike. The first pair only warms
    the file cache (and takes the day's automatic backup of each store).
    """
    runs: list[list[float]] = []
    floors: list[list[float]] = []
    for repeat in range(REPEAT + 1):
        value, floor = _run(store, count, filters), _run(empty, 0, [])
        if repeat:
            runs.append(value)
            floors.append(floor)
    columns = (*zip(*runs, strict=True), *zip(*floors, strict=True))
    return [statistics.median(column) for column in columns]


def narrowing(count: int) -> str:
    """A code prefix every one of ``count`` synthetic interviews matches, plus one ``0``."""
    zeros = 6 - len(str(max(count - 1, 1)))
    return "pm-" + "0" * (zeros + 1)


def _target(floor: float) -> float:
    """The ratio allowed: :data:`RATIO`, or :data:`EXTRA_MS` more if that is more lenient."""
    return max(RATIO, (floor + EXTRA_MS) / floor) if floor else RATIO


def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as name:
        from formers_tui.store.store import Store

        empty = Path(name) / "empty.db"
        Store.open(empty).close()  # created and migrated here, not in the measured runs
        for count in sizes():
            figures += _figures(count, empty)
    return figures


def _figures(count: int, empty: Path) -> list[Figure]:
    filters = ["p", narrowing(count)] if count >= 10 else []
    medians = _medians(synthetic_store(count), count, filters, empty)
    start, opened = medians[:2]
    start_floor, opened_floor = medians[-2:]
    figures = [
        Figure(
            f"home first page from start, {count:,} interviews (<= 1.25x or +100 ms)",
            start,
            "same app, empty store",
            start_floor,
            target=_target(start_floor),
        ),
        Figure(
            f"home first page from store opened, {count:,} interviews (+100 ms)",
            opened,
            "same span, empty store",
            opened_floor,
            target=(opened_floor + EXTRA_MS) / opened_floor,
        ),
    ]
    if filters:  # a store of fewer than ten has no tenfold narrowing
        figures += [
            Figure(
                f"filter key 'p' (all match), {count:,} interviews",
                medians[2],
                "perceptible delay",
                PERCEPTIBLE_MS,
                target=1.0,
            ),
            Figure(
                f"filter key narrowing to '{filters[1]}' (1/10), {count:,} interviews",
                medians[3],
                "perceptible delay",
                PERCEPTIBLE_MS,
                target=1.0,
            ),
        ]
    return figures
