"""Exports of many interviews: CSV against a raw dump, JSON throughput, peak memory.

* CSV: ``formers export --all --format csv`` (five tables) against dumping
  the same rating rows with ``sqlite3 -csv`` (the sqlite3 command-line tool
  when installed, else Python's sqlite3 and csv modules; the floor's name
  says which).
* JSON: the streamed export of every interview, in interviews per second,
  against the same raw dump.
* Peak RSS of a process exporting N interviews to JSON, against a process
  that only opens the store, for each N in ``FORMERS_BENCH_EXPORT_SIZES``:
  with streaming the figure should stay flat as N grows. The child reports
  its own peak: ``VmHWM`` where Linux provides it, because Linux carries the
  parent's high-water mark into ``getrusage().ru_maxrss`` across ``exec``;
  ``ru_maxrss`` elsewhere.

``FORMERS_BENCH_EXPORT_N`` (default 1000) sets N for the timings;
``FORMERS_BENCH_EXPORT_SIZES`` (default ``1000``; try ``1000,10000``) the
sizes for memory. ``python -m benchmarks.export --n 10000 --sizes 1000,10000``
does the same from the command line.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.common import Figure, print_table
from benchmarks.synthetic import build

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

    store = Store.open(Path(sys.argv[1]))
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


def _raw_dump(store: Path, out: Path) -> tuple[str, float]:
    """Time dumping the rating rows as CSV without the application."""
    cli = shutil.which("sqlite3")
    if cli is not None:

        def dump() -> None:
            with out.open("wb") as handle:
                subprocess.run(
                    [cli, "-csv", "-header", str(store), RATING_ROWS], stdout=handle, check=True
                )

        return "sqlite3 -csv (CLI), rating rows", _seconds(dump)

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

    return "Python sqlite3 + csv, rating rows", _seconds(dump_python)


def _export(store_path: Path, fmt: str, out: Path) -> None:
    from formers_tui.exporting.formats import write_export
    from formers_tui.exporting.source import ExportSource
    from formers_tui.store.store import Store

    store = Store.open(store_path)
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


def _sizes() -> list[int]:
    text = os.environ.get("FORMERS_BENCH_EXPORT_SIZES", "1000")
    return [int(part) for part in text.split(",") if part.strip()]


def run(count: int | None = None, sizes: list[int] | None = None) -> list[Figure]:
    count = count or int(os.environ.get("FORMERS_BENCH_EXPORT_N", "1000"))
    sizes = sizes or _sizes()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        store = build(base / f"store-{count}.db", count)
        floor_name, floor = _raw_dump(store, base / "raw.csv")
        value = _seconds(lambda: _export(store, "csv", base / "tables"))
        figures.append(
            Figure(
                f"export --format csv, {count} interviews (5 tables)",
                value,
                floor_name,
                floor,
                unit="s",
            )
        )
        value = _seconds(lambda: _export(store, "json", base / "all.json"))
        figures.append(
            Figure(
                f"export --format json, {count} interviews ({count / value:.0f} interviews/s)",
                value,
                floor_name,
                floor,
                unit="s",
            )
        )
        for size in sizes:
            path = store if size == count else build(base / f"store-{size}.db", size)
            baseline = _peak_rss_mb(path, "open", base / "none.json")
            peak = _peak_rss_mb(path, "export", base / f"rss-{size}.json")
            figures.append(
                Figure(
                    f"peak RSS, json export of {size} interviews",
                    peak,
                    "same process, store opened only",
                    baseline,
                    unit="MB",
                )
            )
            if path != store:
                path.unlink()
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=None, help="interviews for the timings")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes for peak RSS")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    print_table(run(args.n, sizes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
