"""The store file: privacy of created files, migrations, and refusals."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from formers_tui.store import migrate
from formers_tui.store.backup import backup
from formers_tui.store.engine import StoreError, make_engine
from formers_tui.store.store import PassphraseNeeded, Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_store_is_private_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "formers.db"
    store = Store.open(path)
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert migrate.current_revision(store.engine) == migrate.head_revision()
    finally:
        store.close()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    for sidecar in path.parent.glob("formers.db-*"):
        assert mode(sidecar) == 0o600


def test_missing_store_is_refused_without_create(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="No store at"):
        make_engine(tmp_path / "absent.db", create=False)


def test_damaged_store_gives_one_sentence_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    Store.open(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the header, wreck the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert "not a readable store" in message and str(path) in message
    assert "no backup of it was found" in message
    assert "\n" not in message
    copy = backup_of_damaged = tmp_path / "backups" / "damaged-20260101-000000-000000-manual.db"
    backup_of_damaged.parent.mkdir()
    copy.write_bytes(b"")
    with pytest.raises(StoreError, match="the latest backup is .*damaged-20260101"):
        Store.open(path)


def test_unknown_bytes_are_taken_for_an_encrypted_store(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(PassphraseNeeded, match="passphrase is needed"):
        Store.open(path)
    with pytest.raises(StoreError, match="Wrong passphrase"):
        Store.open(path, passphrase="whatever passphrase")


def test_store_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="newer version"):
        Store.open(path)


def test_older_schema_is_upgraded_keeping_every_row(tmp_path: Path) -> None:
    """A store left at the first schema opens in this release with nothing lost."""
    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO candidate (id, code, created_at) VALUES ('c1', 'PM-OLD', '2024-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO interview (id, candidate_id, status, protocol_id, protocol_version, "
                "protocol_hash, protocol_text, interview_date, consent_given, created_at, "
                "updated_at) VALUES ('i1', 'c1', 'in_progress', 'p', '1', 'h', 'x', "
                "'2024-01-02', 1, '2024-01-02', '2024-01-02')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO note (id, interview_id, indicator_id, text, updated_at) "
                "VALUES ('n1', 'i1', 'DIS-1', 'kept words', '2024-01-02')"
            )
        )
    engine.dispose()

    store = Store.open(path)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT code FROM candidate")).scalar() == "PM-OLD"
            assert connection.execute(text("SELECT text FROM note")).scalar() == "kept words"
            assert connection.execute(text("SELECT interview_date FROM interview")).scalar() == (
                "2024-01-02"
            )
        assert migrate.current_revision(store.engine) == migrate.head_revision()
    finally:
        store.close()
    backups = list((tmp_path / "backups").glob("old-*-before-*.db"))
    assert len(backups) == 1, "a store is backed up before it is migrated"
    assert mode(backups[0]) == 0o600


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    """The tables the code expects are exactly the ones the migrations create."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import formers_tui.store.models  # noqa: F401 - registers the tables

    store = Store.open(tmp_path / "cmp.db")
    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            diffs = compare_metadata(context, SQLModel.metadata)
    finally:
        store.close()
    assert diffs == []


def test_backup_is_consistent_private_and_never_overwrites(
    store: Store, tmp_path: Path, mini_protocol: object
) -> None:
    from tests.conftest import make_interview

    make_interview(store, mini_protocol)  # type: ignore[arg-type]
    copy = backup(store.path, tmp_path / "copy.db")
    assert mode(copy) == 0o600
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT code FROM candidate").fetchone() == ("PM-TEST-01",)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with pytest.raises(StoreError, match="already exists"):
        backup(store.path, copy)


def test_interview_date_round_trips(store: Store, mini_protocol: object) -> None:
    from formers_tui.store.common import get_interview
    from tests.conftest import make_interview

    iid = make_interview(store, mini_protocol)  # type: ignore[arg-type]
    with store.session() as session:
        assert get_interview(session, iid).interview_date == date(2026, 11, 2)


def test_a_folder_instead_of_a_store_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder, not a store file"):
        Store.open(tmp_path)


def test_list_reads_each_stored_protocol_once(store: Store, mini_protocol: object) -> None:
    """The list must not load every interview's frozen protocol text."""
    from sqlalchemy import event

    from formers_tui.store.interviews import list_interviews
    from tests.conftest import make_interview

    for number in range(5):
        make_interview(store, mini_protocol, code=f"PM-{number}")  # type: ignore[arg-type]
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with store.session() as session:
        rows = list_interviews(session)
    assert len(rows) == 5 and {r.indicators for r in rows} == {4}
    assert sum("protocol_snapshot" in s for s in statements) <= 1


def test_head_constant_matches_the_newest_migration() -> None:
    assert migrate.head_revision() == migrate.script_head()


def test_opening_a_current_store_does_not_load_alembic_or_the_server_driver(
    tmp_path: Path,
) -> None:
    """Migrations and PostgreSQL's dialect and driver cost start-up time a store file never uses."""
    import subprocess
    import sys

    Store.open(tmp_path / "current.db").close()
    code = (
        "import sys; from pathlib import Path; from formers_tui.store.store import Store; "
        "import formers_tui.store.models; "
        f"Store.open(Path({str(tmp_path / 'current.db')!r})).close(); "
        "print(sorted(m for m in ('alembic', 'sqlalchemy.dialects.postgresql', 'psycopg') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_daily_backups_are_taken_once_a_day_and_rotated(tmp_path: Path) -> None:
    import os as _os

    from formers_tui.store.backup import DAILY_KEEP, daily_backup, list_backups

    path = tmp_path / "daily.db"
    Store.open(path).close()
    assert list_backups(path) == []  # a new store has nothing to protect yet
    Store.open(path).close()
    (first,) = list_backups(path)
    assert first.stem.endswith("-daily")
    Store.open(path).close()
    assert list_backups(path) == [first]  # not again the same day
    for _day in range(DAILY_KEEP + 3):
        for item in list_backups(path):
            stamp = item.stat().st_mtime - 2 * 24 * 3600
            _os.utime(item, (stamp, stamp))
        assert daily_backup(path, key=None) is not None
    assert len(list_backups(path)) == DAILY_KEEP


def test_opening_can_leave_the_daily_backup_for_later(tmp_path: Path) -> None:
    from formers_tui.store.backup import list_backups

    path = tmp_path / "later.db"
    Store.open(path).close()
    Store.open(path, daily=False).close()
    assert list_backups(path) == []


def test_a_backup_cut_short_leaves_nothing_that_looks_like_one(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formers_tui.store import backup as backups

    def copy_then_fail(source: Path, target: Path, **_: object) -> None:
        target.write_bytes(b"half a store")
        raise OSError("No space left on device")

    monkeypatch.setattr(backups, "copy_database", copy_then_fail)
    with pytest.raises(StoreError, match="No space left"):
        backup(store.path, tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir() if "copy" in p.name) == []


def test_the_daily_backup_clears_copies_left_unfinished(tmp_path: Path) -> None:
    import os as _os

    from formers_tui.paths import backups_dir
    from formers_tui.store.backup import PARTIAL, daily_backup

    path = tmp_path / "left.db"
    Store.open(path).close()
    folder = backups_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / f"left-20261101-101010-000000-daily.db{PARTIAL}"
    fresh = folder / f"left-20261127-101010-000000-daily.db{PARTIAL}"
    journal = folder / f"{old.name}-journal"
    for leftover in (old, journal, fresh):
        leftover.write_bytes(b"half a store")
    stamp = old.stat().st_mtime - 2 * 3600
    for stale in (old, journal):
        _os.utime(stale, (stamp, stamp))
    assert daily_backup(path, key=None) is not None
    assert not old.exists() and not journal.exists()
    assert fresh.exists(), "a copy still being written is left alone"


def _store_at_0003(path: Path) -> None:
    """A 0003 store: three interviews, two sharing one protocol text, one finalized."""
    engine = make_engine(path)
    migrate.upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO candidate (id, code, created_at) VALUES ('c1', 'PM-1', '2024-01-01')")
        )
        for iid, status, sha, body in (
            ("i1", "finalized", "h1", "first protocol"),
            ("i2", "consensus", "h1", "first protocol"),
            ("i3", "in_progress", "h2", "second protocol"),
        ):
            connection.execute(
                text(
                    "INSERT INTO interview (id, candidate_id, status, protocol_id, "
                    "protocol_version, protocol_hash, protocol_text, interview_date, "
                    "consent_given, created_at, updated_at) VALUES (:iid, 'c1', :status, 'p', "
                    "'1', :sha, :body, '2024-01-02', 1, '2024-01-02', '2024-01-02')"
                ),
                {"iid": iid, "status": status, "sha": sha, "body": body},
            )
    engine.dispose()


def test_protocol_texts_move_to_one_snapshot_each(tmp_path: Path) -> None:
    """Upgrading to 0004 keeps every protocol text once, and the store guards them."""
    path = tmp_path / "old.db"
    _store_at_0003(path)
    store = Store.open(path)
    try:
        with store.engine.connect() as connection:
            snapshots = {
                row[0]: row[1]
                for row in connection.execute(text("SELECT sha256, text FROM protocol_snapshot"))
            }
            columns = [r[1] for r in connection.execute(text("PRAGMA table_info(interview)"))]
            statuses = {
                row[0]: row[1]
                for row in connection.execute(text("SELECT id, status FROM interview"))
            }
        assert snapshots == {"h1": "first protocol", "h2": "second protocol"}
        assert "protocol_text" not in columns
        assert statuses == {"i1": "finalized", "i2": "consensus", "i3": "in_progress"}
        for statement, refusal in (
            ("UPDATE protocol_snapshot SET text = 'edited'", "never changes"),
            ("DELETE FROM protocol_snapshot", "never changes"),
            ("UPDATE interview SET protocol_hash = 'nope' WHERE id = 'i3'", "no protocol"),
        ):
            with pytest.raises(Exception, match=refusal), store.engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        store.close()
    engine = make_engine(path)
    try:
        from alembic import command

        with engine.begin() as connection:
            command.downgrade(migrate._config(connection), "0003")
        with engine.connect() as connection:
            texts = {
                row[0]: row[1]
                for row in connection.execute(text("SELECT id, protocol_text FROM interview"))
            }
        assert texts == {"i1": "first protocol", "i2": "first protocol", "i3": "second protocol"}
    finally:
        engine.dispose()
