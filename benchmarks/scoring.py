"""Panel scoring: one interview's panel view, and agreement across a whole program.

* The panel view of a 5-panelist interview on the shipped protocol (load
  every row, mask, matrix, agreement per domain/part/overall, suggestion),
  against one raw SQL query loading that interview's ratings, and against
  its 50 ms budget.
* Program-wide agreement over 1,000 settled interviews (120,000 ratings,
  written by raw inserts so generating them stays fast), against one raw SQL
  query fetching the same ratings.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import uuid
from datetime import date
from pathlib import Path

from benchmarks.common import Figure, median_seconds

PANEL_SIZE = 5
PROGRAM_INTERVIEWS = 1_000
BUDGET_MS = 50.0
"""The panel view must feel instant when the panel opens it."""


def _panel_interview(folder: Path) -> tuple[object, str]:
    """A store holding one interview whose five panelists rated, submitted and agreed."""
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import capture, panel
    from formers_tui.store.interviews import PanelistIn, create_interview
    from formers_tui.store.models import Role
    from formers_tui.store.panel_decision import record_consensus
    from formers_tui.store.store import Store

    store = Store.open(folder / "panel.db")
    loaded = load_catalogue().get("peer-mentor-readiness")
    roles = [Role.psychologist, Role.social_worker, Role.case_manager, Role.peer_mentor, Role.other]
    rnd = random.Random(5)
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code="B-PANEL",
            protocol=loaded,
            panel=[PanelistIn(f"Panelist {n}", role) for n, role in enumerate(roles)],
            actor="bench",
            interview_date=date(2026, 11, 2),
        )
        session.commit()
        iid = interview.id
        capture.set_timeline(
            session, interview_id=iid, fact_id="involvement_start", value="2008-01-01", actor="b"
        )
        capture.set_timeline(
            session, interview_id=iid, fact_id="disengaged_on", value="2013-06-01", actor="b"
        )
        members = [panel.find_panelist(session, iid, f"Panelist {n}") for n in range(PANEL_SIZE)]
        for member in members:
            for domain in loaded.protocol.domains():
                for indicator in domain.indicators:
                    value = None if rnd.random() < 0.05 else rnd.choice([1, 2, 2, 3, 3])
                    panel.rate(
                        session,
                        interview_id=iid,
                        panelist_id=member.id,
                        indicator_id=indicator.id,
                        value=value,
                        rationale="Specific examples heard; collateral agrees.",
                        actor=member.name,
                    )
                panel.submit_domain(
                    session,
                    interview_id=iid,
                    panelist_id=member.id,
                    domain_id=domain.id,
                    actor=member.name,
                )
        for indicator in loaded.protocol.indicators():
            record_consensus(
                session,
                interview_id=iid,
                indicator_id=indicator.id,
                value=2,
                rationale="Agreed after discussion.",
                actor="bench",
            )
        session.commit()
    return store, iid


def _panel_figures(folder: Path) -> list[Figure]:
    from formers_tui.store.panel_view import summary

    store, iid = _panel_interview(folder)
    raw = sqlite3.connect(folder / "panel.db")

    def raw_query() -> None:
        raw.execute(
            "SELECT indicator_id, panelist_id, value, omitted, rationale, submitted_at "
            "FROM rating WHERE interview_id = ?",
            (iid,),
        ).fetchall()

    floor = median_seconds(raw_query, repeat=50, warmup=5)

    def panel_view() -> None:
        with store.session() as session:  # type: ignore[attr-defined]
            summary(session, iid)

    value = median_seconds(panel_view, repeat=30, warmup=3)
    raw.close()
    store.close()  # type: ignore[attr-defined]
    return [
        Figure(
            f"panel view, {PANEL_SIZE} panelists x 24 indicators",
            value * 1000,
            "one raw SQL query of its ratings",
            floor * 1000,
        ),
        Figure(
            "panel view against its budget",
            value * 1000,
            "budget",
            BUDGET_MS,
            target=1.0,
        ),
    ]


def _program_store(folder: Path) -> Path:
    """A migrated store holding PROGRAM_INTERVIEWS settled interviews, by raw inserts."""
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store.store import Store

    path = folder / "program.db"
    Store.open(path).close()
    loaded = load_catalogue().get("peer-mentor-readiness")
    indicators = [i.id for i in loaded.protocol.indicators()]
    rnd = random.Random(1000)
    now = "2026-11-02 10:00:00.000000"
    candidates, interviews, panelists, ratings = [], [], [], []
    for n in range(PROGRAM_INTERVIEWS):
        candidate, interview = uuid.uuid4().hex, uuid.uuid4().hex
        candidates.append((candidate, f"B-{n:05d}", now))
        interviews.append(
            (
                interview,
                candidate,
                "consensus" if n % 2 else "finalized",
                loaded.protocol.id,
                loaded.protocol.version,
                loaded.sha256,
                loaded.text,
                "2026-11-02",
                1,
                now,
                now,
            )
        )
        members = [uuid.uuid4().hex for _ in range(PANEL_SIZE)]
        for position, member in enumerate(members):
            panelists.append((member, interview, f"P{position}", "other", position == 0, position))
        for indicator in indicators:
            truth = rnd.choice([0, 1, 2, 2, 3, 3])
            for member in members:
                value: int | None = None
                if rnd.random() >= 0.05:  # about one rating in twenty is an omit
                    value = min(3, max(0, truth + rnd.choice([-1, 0, 0, 0, 1])))
                omitted = int(value is None)
                ratings.append(
                    (uuid.uuid4().hex, interview, indicator, member, value, omitted, "", now, now)
                )
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany("INSERT INTO candidate VALUES (?, ?, ?)", candidates)
        # Insert as in progress, then settle: the lock triggers refuse children of finalized rows.
        connection.executemany(
            "INSERT INTO interview (id, candidate_id, status, protocol_id, protocol_version, "
            "protocol_hash, protocol_text, interview_date, consent_given, created_at, updated_at) "
            "VALUES (?, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?, ?)",
            [(row[0], row[1], *row[3:]) for row in interviews],
        )
        connection.executemany(
            "INSERT INTO panelist (id, interview_id, name, role, is_chair, position) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            panelists,
        )
        connection.executemany(
            "INSERT INTO rating (id, interview_id, indicator_id, panelist_id, value, omitted, "
            "rationale, updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ratings,
        )
        connection.executemany(
            "UPDATE interview SET status = ? WHERE id = ?", [(row[2], row[0]) for row in interviews]
        )
    connection.close()
    return path


def _program_figures(folder: Path) -> list[Figure]:
    from formers_tui.store.panel_view import program_agreement
    from formers_tui.store.store import Store

    path = _program_store(folder)
    raw = sqlite3.connect(path)

    def raw_query() -> None:
        raw.execute(
            "SELECT r.interview_id, r.indicator_id, r.value FROM rating r "
            "JOIN interview i ON i.id = r.interview_id "
            "WHERE i.status IN ('consensus', 'finalized') "
            "AND r.submitted_at IS NOT NULL AND r.value IS NOT NULL"
        ).fetchall()

    floor = median_seconds(raw_query, repeat=5, warmup=1)
    store = Store.open(path)

    def report() -> None:
        with store.session() as session:
            (found,) = program_agreement(session)
            assert found.interviews == PROGRAM_INTERVIEWS

    value = median_seconds(report, repeat=5, warmup=1)
    store.close()
    raw.close()
    return [
        Figure(
            f"program agreement, {PROGRAM_INTERVIEWS:,} interviews",
            value * 1000,
            "one raw SQL query of the same ratings",
            floor * 1000,
            target=10.0,
        )
    ]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        return _panel_figures(Path(folder)) + _program_figures(Path(folder))
