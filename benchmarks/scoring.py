"""Panel scoring: one interview's panel view, and agreement across a whole program.

For each store size (``benchmarks.stores.sizes()``):

* The panel view of one settled interview of 4-6 panelists on the shipped
  protocol (load every row, mask, matrix, agreement per domain/part/overall,
  suggestion), against one raw SQL query loading that interview's ratings,
  and against its 50 ms budget: it must not slow down as the store grows.
* Program-wide agreement over every settled interview of the store, against
  one raw SQL query fetching the same ratings.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks.common import Figure, median_seconds
from benchmarks.stores import sizes, synthetic_store

BUDGET_MS = 50.0
"""The panel view must feel instant when the panel opens it."""

SETTLED_RATINGS = (
    "SELECT r.interview_id, r.indicator_id, r.value FROM rating r "
    "JOIN interview i ON i.id = r.interview_id "
    "WHERE i.status IN ('consensus', 'finalized') "
    "AND r.submitted_at IS NOT NULL AND r.value IS NOT NULL"
)


def _panel_figures(path: Path, count: int) -> list[Figure]:
    from formers_tui.store.panel_view import summary
    from formers_tui.store.store import Store

    raw = sqlite3.connect(path)
    iid, panel = raw.execute(
        "SELECT i.id, COUNT(p.id) FROM interview i JOIN panelist p ON p.interview_id = i.id "
        "WHERE i.status IN ('consensus', 'finalized') GROUP BY i.id ORDER BY i.id LIMIT 1"
    ).fetchone()

    def raw_query() -> None:
        raw.execute(
            "SELECT indicator_id, panelist_id, value, omitted, rationale, submitted_at "
            "FROM rating WHERE interview_id = ?",
            (iid,),
        ).fetchall()

    floor = median_seconds(raw_query, repeat=50, warmup=5)
    raw.close()
    store = Store.open(path, daily=False)

    def panel_view() -> None:
        with store.session() as session:
            summary(session, iid)

    value = median_seconds(panel_view, repeat=30, warmup=3)
    store.close()
    return [
        Figure(
            f"panel view, {panel} panelists x 24 indicators, store of {count:,}",
            value * 1000,
            "one raw SQL query of its ratings",
            floor * 1000,
        ),
        Figure(
            f"panel view against its budget, store of {count:,}",
            value * 1000,
            "budget",
            BUDGET_MS,
            target=1.0,
        ),
    ]


def _program_figures(path: Path, count: int) -> list[Figure]:
    from formers_tui.store.panel_view import program_agreement
    from formers_tui.store.store import Store

    raw = sqlite3.connect(path)
    (settled,) = raw.execute(
        "SELECT COUNT(*) FROM interview WHERE status IN ('consensus', 'finalized')"
    ).fetchone()
    floor = median_seconds(lambda: raw.execute(SETTLED_RATINGS).fetchall(), repeat=5)
    raw.close()
    store = Store.open(path, daily=False)

    def report() -> None:
        with store.session() as session:
            (found,) = program_agreement(session)
            assert found.interviews == settled

    value = median_seconds(report, repeat=5, warmup=1)
    store.close()
    return [
        Figure(
            f"program agreement, {settled:,} settled of {count:,} interviews",
            value * 1000,
            "one raw SQL query of the same ratings",
            floor * 1000,
            target=10.0,
        )
    ]


def run() -> list[Figure]:
    figures: list[Figure] = []
    for count in sizes():
        path = synthetic_store(count)
        figures += _panel_figures(path, count) + _program_figures(path, count)
    return figures
