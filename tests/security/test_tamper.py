"""The tamper table: every out-of-band edit of an audited store is detected.

One finished interview touching every audited table is built once; each
case copies it, edits the copy as someone with a SQL shell would (dropping
the guards first when they stand in the way), and expects ``verify`` (chain,
guards and records) to report it. The untouched copy is the control.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection

from formers_tui.protocol.loader import LoadedProtocol, load_path
from formers_tui.store import audit, capture, panel, registry
from formers_tui.store.guards import expected_triggers, trigger_problems
from formers_tui.store.interviews import create_interview
from formers_tui.store.models import (
    Bearing,
    EvidenceSource,
    FlagKind,
    Reliability,
)
from formers_tui.store.panel_decision import add_addendum
from formers_tui.store.store import Store
from tests.conftest import FIXTURES, PANEL
from tests.tui import panel_stores as stages

Edit = Callable[[sqlite3.Connection], None]


def _build(path: Path, loaded: LoadedProtocol) -> str:
    store = Store.open(path)
    try:
        with store.session() as session:
            iid = create_interview(
                session,
                candidate_code="PM-TAMPER",
                protocol=loaded,
                panel=list(PANEL),
                actor="test",
                interview_date=date(2026, 11, 2),
                consent_given=True,
                consent_date=date(2026, 11, 2),
                full_name="Jo Example",
            ).id
            session.commit()
        stages.give_pins(store, iid)
        stages.set_timeline(store, iid)
        with store.session() as session:
            capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="a", actor="A")
            capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="ab", actor="A")
            capture.add_quote(
                session,
                interview_id=iid,
                indicator_id="ONE-1",
                text="words",
                speaker="C",
                actor="A",
            )
            capture.add_evidence(
                session,
                interview_id=iid,
                item=capture.EvidenceIn(
                    EvidenceSource.employer,
                    "boss",
                    date(2026, 10, 1),
                    Reliability.high,
                    "steady work",
                    Bearing.supports,
                    ("ONE-1", "TWO-1"),
                ),
                actor="A",
            )
            flag = capture.raise_flag(
                session, interview_id=iid, kind=FlagKind.other, note="worry", actor="A"
            )
            capture.resolve_flag(
                session, interview_id=iid, flag_id=flag.id, action_taken="called", actor="A"
            )
            session.commit()
        # Ada rates ONE-1 twice (a revision); the chair reveals before Sam is done.
        domains = ("one", "two", "three")
        stages.rate(store, iid, {stages.ADA: {"ONE-1": 1, "ONE-2": 2}}, {stages.ADA: ("one",)})
        stages.rate(
            store,
            iid,
            stages.MINI_VALUES,
            {stages.ADA: domains, stages.PAT: domains, stages.SAM: ("one",)},
        )
        with store.session() as session:
            chair = stages.members(session, iid)[stages.ADA]
            panel.reveal(
                session,
                interview_id=iid,
                chair_id=chair.id,
                pin=stages.PINS[stages.ADA],
                reason="time",
                actor=stages.ADA,
            )
            session.commit()
        stages.agree(store, iid)
        stages.decide(store, iid)
        stages.sign(store, iid, [stages.ADA, stages.SAM, stages.PAT])
        with store.session() as session:
            chair = stages.members(session, iid)[stages.ADA]
            add_addendum(
                session,
                interview_id=iid,
                author_id=chair.id,
                pin=stages.PINS[stages.ADA],
                reason="typo",
                text="fixed",
            )
            session.commit()
    finally:
        store.close()
    return iid


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tamper") / "finished.db"
    _build(path, load_path(FIXTURES / "mini-protocol.toml"))
    return path


def findings(path: Path) -> list[str]:
    """Everything verify reports about the store at ``path``."""
    store = Store.open(path, daily=False)
    try:
        with store.session() as session:
            found = [f"chain {b.seq}: {b.reason}" for b in audit.verify_chain(session)]
            found += [f"guard: {p}" for p in trigger_problems(session.connection())]
            found += [
                f"record {m.entity} {m.reason} {m.changed}" for m in audit.verify_state(session)
            ]
    finally:
        store.close()
    return found


def tampered(finished: Path, tmp_path: Path, edit: Edit) -> list[str]:
    copy = stages.copy_store(finished, tmp_path / "copy.db")
    connection = sqlite3.connect(copy)
    try:
        edit(connection)
        connection.commit()
    finally:
        connection.close()
    return findings(copy)


def _drop_guards(connection: sqlite3.Connection) -> None:
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        connection.execute(f"DROP TRIGGER {name}")


@pytest.fixture(scope="module")
def unguarded(finished: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The finished store with its guards dropped, open: each edit is rolled back after."""
    copy = stages.copy_store(finished, tmp_path_factory.mktemp("unguarded") / "copy.db")
    with sqlite3.connect(copy) as connection:
        _drop_guards(connection)
    store = Store.open(copy, daily=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def guarded(finished: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    copy = stages.copy_store(finished, tmp_path_factory.mktemp("guarded") / "copy.db")
    store = Store.open(copy, daily=False)
    yield store
    store.close()


def edited(store: Store, edit: Callable[[Connection], None]) -> list[str]:
    """What verify reports while ``edit`` is applied (in a transaction then rolled back)."""
    with store.session() as session:
        connection = session.connection()
        connection.exec_driver_sql("UPDATE audit_seal SET id = id")  # opens the transaction
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # never checked: rolled back
        try:
            edit(connection)
            found = [f"guard: {p}" for p in trigger_problems(connection)]
            found += [
                f"record {m.entity} {m.reason} {m.changed}" for m in audit.verify_state(session)
            ]
        finally:
            connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
            session.rollback()
    return found


def _some_row(connection: Connection, table: str) -> dict[str, Any]:
    row = connection.exec_driver_sql(f"SELECT * FROM {table} LIMIT 1").mappings().first()
    assert row is not None, f"the fixture has no {table} row"
    return dict(row)


def _where(table: registry.Audited, row: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    where = " AND ".join(f"{c} = ?" for c in table.key_columns)
    return where, tuple(row[c] for c in table.key_columns)


def _other(value: Any) -> Any:
    if value is None:
        return "2026-01-01"
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.5
    return f"{value}x"


COLUMNS = [(t.name, c) for t in registry.audited().values() for c in t.columns]


def test_the_fixture_touches_every_audited_table(finished: Path) -> None:
    with sqlite3.connect(finished) as connection:
        empty = [
            name
            for name in registry.audited()
            if connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 0
        ]
    assert empty == []


def test_control_an_untouched_store_verifies(
    finished: Path, tmp_path: Path, unguarded: Store, guarded: Store
) -> None:
    assert tampered(finished, tmp_path, lambda _c: None) == []
    assert edited(guarded, lambda _c: None) == []
    assert [f for f in edited(unguarded, lambda _c: None) if "guard" not in f] == []


@pytest.mark.parametrize(("table", "column"), COLUMNS, ids=[f"{t}.{c}" for t, c in COLUMNS])
def test_changing_any_audited_column_is_detected(unguarded: Store, table: str, column: str) -> None:
    """A column added to a model is a new case here: it fails until the column is audited."""
    spec = registry.audited()[table]

    def edit(connection: Connection) -> None:
        row = _some_row(connection, table)
        where, params = _where(spec, row)
        connection.exec_driver_sql(
            f"UPDATE {table} SET {column} = ? WHERE {where}", (_other(row[column]), *params)
        )

    found = edited(unguarded, edit)
    assert any(f.startswith(f"record {table} ") for f in found), found


@pytest.mark.parametrize("table", list(registry.audited()))
def test_inserting_a_row_is_detected(unguarded: Store, table: str) -> None:
    spec = registry.audited()[table]

    def edit(connection: Connection) -> None:
        row = _some_row(connection, table)
        owners = {"interview_id", "panelist_id", "candidate_id", "evidence_id", "rating_id"}
        for column, value in row.items():  # a new key, clear of every unique constraint
            if isinstance(value, str) and column not in owners:
                row[column] = _other(value)
        if all(c in owners for c in spec.key_columns):
            row[spec.key_columns[-1]] = _other(row[spec.key_columns[-1]])
        names = ", ".join(row)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )

    found = edited(unguarded, edit)
    assert any(f"record {table} exists but was never recorded" in f for f in found), found


@pytest.mark.parametrize("table", list(registry.audited()))
def test_deleting_a_row_is_detected(unguarded: Store, table: str) -> None:
    spec = registry.audited()[table]

    def edit(connection: Connection) -> None:
        row = _some_row(connection, table)
        where, params = _where(spec, row)
        connection.exec_driver_sql(f"DELETE FROM {table} WHERE {where}", params)

    found = edited(unguarded, edit)
    assert any(f"record {table} was removed without a record" in f for f in found), found


@pytest.mark.parametrize("trigger", sorted(expected_triggers()))
def test_dropping_any_guard_is_detected(guarded: Store, trigger: str) -> None:
    found = edited(guarded, lambda c: c.exec_driver_sql(f"DROP TRIGGER {trigger}"))
    assert f"guard: the guard {trigger} is missing" in found


def test_an_altered_guard_is_detected(guarded: Store) -> None:
    def edit(connection: Connection) -> None:
        connection.exec_driver_sql("DROP TRIGGER interview_locked")
        connection.exec_driver_sql(
            "CREATE TRIGGER interview_locked BEFORE UPDATE ON interview WHEN 0 BEGIN SELECT 1; END"
        )

    assert "guard: the guard interview_locked was altered" in edited(guarded, edit)


@pytest.mark.parametrize("count", [1, 3])
def test_removing_the_newest_entries_is_detected(
    finished: Path, tmp_path: Path, count: int
) -> None:
    def edit(connection: sqlite3.Connection) -> None:
        connection.execute("DROP TRIGGER audit_entry_no_delete")
        last = connection.execute("SELECT max(seq) FROM audit_entry").fetchone()[0]
        connection.execute("DELETE FROM audit_entry WHERE seq > ?", (last - count,))
        connection.execute(
            "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
            "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END"
        )

    found = tampered(finished, tmp_path, edit)
    assert any("entries were removed" in f for f in found), found


def test_an_entry_rewritten_and_the_chain_rehashed_without_the_key_is_detected(
    finished: Path, tmp_path: Path
) -> None:
    """A forger who knows the algorithm but not the key re-makes every entry."""
    import hashlib

    def edit(connection: sqlite3.Connection) -> None:
        _drop_guards(connection)
        connection.execute("UPDATE rating SET value = 1 WHERE value = 3")
        rows = connection.execute(
            "SELECT seq, interview_id, actor, action, entity, entity_key, old, new, at "
            "FROM audit_entry ORDER BY seq"
        ).fetchall()
        previous = "0" * 64
        for seq, iid, actor, action, entity, key, old, new, at in rows:
            if entity == "rating" and new:
                values = json.loads(new)
                if values.get("value") == 3:
                    new = json.dumps({**values, "value": 1}, sort_keys=True)
            payload = json.dumps([seq, previous, iid, actor, action, entity, key, old, new, at])
            digest = hashlib.sha256(payload.encode()).hexdigest()
            connection.execute(
                "UPDATE audit_entry SET new = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (new, previous, digest, seq),
            )
            previous = digest

    found = tampered(finished, tmp_path, edit)
    assert any("re-hashed without the key" in f for f in found), found


def test_the_seal_edited_is_detected(finished: Path, tmp_path: Path) -> None:
    found = tampered(
        finished, tmp_path, lambda c: c.execute("UPDATE audit_seal SET legacy_until = 1000000")
    )
    assert any("seal was altered" in f for f in found), found
