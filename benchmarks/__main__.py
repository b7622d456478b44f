"""Run every benchmark and print one table: value, floor, ratio, target.

Usage: ``python -m benchmarks [NAME ...]`` (names: see ``SUITES``).
"""

from __future__ import annotations

import importlib
import sys

from benchmarks.common import Figure, print_table

SUITES = [
    "cli_startup",
    "startup",
    "tui",
    "autosave",
    "scoring",
    "reliability",
    "export",
    "size",
    "home",
    "server",
]


def main(argv: list[str]) -> int:
    names = argv or SUITES
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(SUITES)}",
            file=sys.stderr,
        )
        return 2
    figures: list[Figure] = []
    failed = []
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        try:
            found = module.run()
        except Exception as exc:  # report it and go on: one broken suite costs no other figures
            print(f"{name}: failed: {exc!r}", file=sys.stderr)
            failed.append(name)
            continue
        print(f"{name}: done", file=sys.stderr)
        print_table(found)  # as it finishes, so a long run shows progress
        print(flush=True)
        figures.extend(found)
    if len(names) > 1:
        print_table(figures)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
