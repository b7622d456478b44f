"""A store written before the log was keyed upgrades with nothing lost and verifies."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, col, select

from formers_tui.store import audit, migrate
from formers_tui.store.engine import make_engine
from formers_tui.store.models import AuditEntry
from formers_tui.store.store import Store

AT = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # noqa: UP017


def _old_store(path: Path) -> None:
    """A store at schema 0006 with one interview, its note and two unkeyed entries."""
    engine = make_engine(path)
    migrate.upgrade(engine, "0006")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO candidate (id, code, created_at) VALUES ('c1', 'PM-OLD', '2026-11-01')",
            "INSERT INTO protocol_snapshot (sha256, text) VALUES ('h', 'x')",
            "INSERT INTO interview (id, candidate_id, status, protocol_id, protocol_version, "
            "protocol_hash, interview_date, consent_given, created_at, updated_at) "
            "VALUES ('i1', 'c1', 'in_progress', 'p', '1', 'h', '2026-11-02', 1, '2026-11-02', "
            "'2026-11-02')",
            "INSERT INTO note (id, interview_id, indicator_id, text, updated_at) "
            "VALUES ('n1', 'i1', 'ONE-1', 'kept words', '2026-11-02')",
        ):
            connection.execute(text(statement))
    with Session(engine) as session:
        previous = audit.GENESIS
        for n, values in enumerate(({"status": "in_progress"}, {"text": "kept words"}), 1):
            entry = AuditEntry(
                seq=n,
                interview_id="i1",
                actor="old",
                action="update",
                entity="interview" if n == 1 else "note",
                entity_key="i1" if n == 1 else "n1",
                new=json.dumps(values),
                at=AT,
                prev_hash=previous,
                hash="",
            )
            entry.hash = audit.legacy_hash(entry)
            previous = entry.hash
            session.add(entry)
        session.commit()
    engine.dispose()


def test_an_old_store_upgrades_and_verifies_with_a_baseline(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_store(path)
    store = Store.open(path, daily=False)
    try:
        with store.session() as session:
            assert audit.verify_chain(session) == []
            assert audit.verify_state(session) == []
            entries = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))
            assert [e.actor for e in entries[:2]] == ["old", "old"]  # nothing lost
            summary = json.loads(entries[-1].new or "{}")
            assert summary["earlier_chain"] == "intact" and summary["earlier_entries"] == 2
            assert {e.entity for e in entries if e.action == "baseline"} >= {
                "candidate",
                "interview",
                "note",
                "protocol_snapshot",
            }
    finally:
        store.close()
    # An earlier entry edited afterwards is still found.
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_update")
        connection.execute("UPDATE audit_entry SET actor = 'someone' WHERE seq = 1")
    store = Store.open(path, daily=False)
    try:
        with store.session() as session:
            assert [b.seq for b in audit.verify_chain(session)][:1] == [1]
    finally:
        store.close()
