"""Autosave: persisting a notes edit against a raw SQLite commit with the same PRAGMAs."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from benchmarks.common import Figure, median_seconds


def run() -> list[Figure]:
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import capture
    from formers_tui.store.interviews import PanelistIn, create_interview
    from formers_tui.store.models import Role
    from formers_tui.store.store import Store

    with tempfile.TemporaryDirectory() as folder:
        raw_path = Path(folder) / "raw.db"
        raw = sqlite3.connect(raw_path, isolation_level=None)
        for pragma in (
            "busy_timeout = 10000",
            "foreign_keys = ON",
            "journal_mode = WAL",
            "synchronous = FULL",
        ):
            raw.execute(f"PRAGMA {pragma}")
        raw.execute("CREATE TABLE note (id TEXT PRIMARY KEY, text TEXT)")
        raw.execute("INSERT INTO note VALUES ('n', '')")
        body = "The candidate described leaving after a friend's arrest. " * 20
        counter = iter(range(1_000_000))

        def raw_commit() -> None:
            raw.execute("BEGIN")
            raw.execute("UPDATE note SET text = ? WHERE id = 'n'", (body + str(next(counter)),))
            raw.execute("COMMIT")

        floor = median_seconds(raw_commit, repeat=50, warmup=5)
        raw.close()

        store = Store.open(Path(folder) / "store.db")
        loaded = load_catalogue().get("peer-mentor-readiness")
        with store.session() as session:
            interview = create_interview(
                session,
                candidate_code="B-1",
                protocol=loaded,
                panel=[PanelistIn("Chair", Role.psychologist)],
                actor="bench",
            )
            session.commit()
            iid = interview.id

        def autosave() -> None:
            with store.session() as session:
                capture.save_note(
                    session,
                    interview_id=iid,
                    indicator_id="DIS-1",
                    text=body + str(next(counter)),
                    actor="Chair",
                )
                session.commit()

        value = median_seconds(autosave, repeat=50, warmup=5)
        store.close()
    return [
        Figure(
            "autosave of a notes edit (plain)",
            value * 1000,
            "raw sqlite3 commit, same PRAGMAs",
            floor * 1000,
            target=2.0,
        )
    ]
