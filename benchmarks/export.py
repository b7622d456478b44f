"""Exports of many interviews: CSV against a raw dump, JSON throughput, peak memory.

For each synthetic store (``benchmarks.stores.sizes()``: 10, 1,000 and
10,000 interviews by default):

* CSV: ``formers export --all --format csv`` (five tables) against dumping
  the same rating rows with ``sqlite3 -csv`` (the sqlite3 command-line tool
  when installed, else Python's sqlite3 and csv modules; the floor's name
  says which).
* JSON: the streamed export of every interview, in interviews per second,
  against the same raw dump.
* Peak RSS of a process exporting all N interviews to JSON, against a
  process that only opens the store: with streaming the figure stays flat as
  N grows. The child reports its own peak: ``VmHWM`` where Linux provides
  it, because Linux carries the parent's high-water mark into
  ``getrusage().ru_maxrss`` across ``exec``; ``ru_maxrss`` elsewhere.

Timings are the best of three runs (one at 10,000 interviews).
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.common import Figure
from benchmarks.stores import sizes, synthetic_store

RATING_ROWS = (
    "SELECT r.interview_id, r.indicator_id, p.name, p.role, r.value, r.omitted, r.rationale, "
    "r.submitted_at FROM rating r JOIN panelist p ON p.id = r.panelist_id "
    "ORDER BY r.interview_id, r.indicator_id"
)

MEMORY_SCRIPT = textwrap.dedent(
    """
    import resource, sys
    from pathlib import Path
    from formers_tui.exporting.jsonfile import export_json
    from formers_tui.exporting.source import ExportSource
    from formers_tui.store.store import Store

    store = Store.open(Path(sys.argv[1]), daily=False)
    with store.session() as session:
        source = ExportSource.select(session, every=True)
        if sys.argv[2] == "export":
            export_json(source, Path(sys.argv[3]))
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:  # Linux carries the parent's high-water mark into ru_maxrss across exec
        with open("/proc/self/status") as status:
            peak = next(int(x.split()[1]) for x in status if x.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    print(peak)
    """
)


def _seconds(run: object, repeat: int = 3) -> float:
    """Best of ``repeat`` runs: exports touch the disk, so the minimum is the steadiest."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def _raw_dump(store: Path, out: Path, repeat: int) -> tuple[str, float]:
    """Time dumping the rating rows as CSV without the application."""
    cli = shutil.which("sqlite3")
    if cli is not None:

        def dump() -> None:
            with out.open("wb") as handle:
                subprocess.run(
                    [cli, "-csv", "-header", str(store), RATING_ROWS], stdout=handle, check=True
                )

        return "sqlite3 -csv (CLI), rating rows", _seconds(dump, repeat)

    def dump_python() -> None:
        connection = sqlite3.connect(store)
        try:
            cursor = connection.execute(RATING_ROWS)
            with out.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([d[0] for d in cursor.description])
                writer.writerows(cursor)
        finally:
            connection.close()

    return "Python sqlite3 + csv, rating rows", _seconds(dump_python, repeat)


def _export(store_path: Path, fmt: str, out: Path) -> None:
    from formers_tui.exporting.formats import write_export
    from formers_tui.exporting.source import ExportSource
    from formers_tui.store.store import Store

    store = Store.open(store_path, daily=False)
    try:
        with store.session() as session:
            write_export(ExportSource.select(session, every=True), fmt, out, force=True)
    finally:
        store.close()


def _peak_rss_mb(store: Path, mode: str, out: Path) -> float:
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(store), mode, str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip().splitlines()[-1]) / 1024  # Linux reports KiB


def _figures(count: int, folder: Path) -> list[Figure]:
    store = synthetic_store(count)
    repeat = 1 if count >= 10_000 else 3
    floor_name, floor = _raw_dump(store, folder / "raw.csv", repeat)
    value = _seconds(lambda: _export(store, "csv", folder / f"tables-{count}"), repeat)
    figures = [
        Figure(
            f"export --format csv, {count:,} interviews (5 tables)",
            value,
            floor_name,
            floor,
            target=2.0,
            unit="s",
        )
    ]
    value = _seconds(lambda: _export(store, "json", folder / f"all-{count}.json"), repeat)
    figures.append(
        Figure(
            f"export --format json, {count:,} interviews ({count / value:,.0f}/s)",
            value,
            floor_name,
            floor,
            unit="s",
        )
    )
    baseline = _peak_rss_mb(store, "open", folder / "none.json")
    peak = _peak_rss_mb(store, "export", folder / f"rss-{count}.json")
    figures.append(
        Figure(
            f"peak RSS, json export of {count:,} interviews",
            peak,
            "same process, store opened only",
            baseline,
            unit="MB",
        )
    )
    return figures


def run() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as name:
        for count in sizes():
            figures += _figures(count, Path(name))
    return figures


if __name__ == "__main__":
    from benchmarks.common import print_table

    print_table(run())
