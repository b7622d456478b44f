"""The server's own guards and audit capture: raw SQL is refused, or caught by ``verify``."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import audit
from formers_tui.store.capture import save_note
from formers_tui.store.guards import trigger_problems
from formers_tui.store.health import check_server
from formers_tui.store.models import Note
from formers_tui.store.store import Store
from tests.conftest import make_interview


def raw(store: Store, *statements: str) -> None:
    """Run ``statements`` as a SQL client would: its own connection, no app code."""
    import psycopg

    assert store.url is not None
    with psycopg.connect(store.url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def test_a_fresh_server_store_passes_every_check(pg_store: Store) -> None:
    assert pg_store.url is not None
    health = check_server(pg_store.url)
    assert health.ok, health
    assert health.guard_problems == [] and health.foreign_key_problems == 0


def test_a_raw_sql_edit_stays_unlogged_and_verify_reports_it(
    pg_store: Store, mini_protocol: LoadedProtocol
) -> None:
    iid = make_interview(pg_store, mini_protocol)
    raw(pg_store, "UPDATE candidate SET code = 'PM-EDITED'")
    with pg_store.session() as session:  # the app writes afterwards: it does not adopt the edit
        save_note(session, interview_id=iid, indicator_id="ONE-1", text="seen", actor="Ada")
        session.commit()
    with pg_store.session() as session:
        assert audit.verify_chain(session) == []
        mismatches = audit.verify_state(session)
        outside = audit.pending_outside(session)
    assert [(m.entity, m.changed) for m in mismatches] == [("candidate", ("code",))]
    assert [(table, change, role) for table, change, _, role in outside] == [
        ("candidate", "update", "postgres")
    ]


def test_guards_refuse_rewriting_history(pg_store: Store, mini_protocol: LoadedProtocol) -> None:
    iid = make_interview(pg_store, mini_protocol)
    for statement, said in (
        ("DELETE FROM audit_entry", "append-only"),
        ("TRUNCATE audit_entry", "never truncated"),
        ("TRUNCATE note", "never truncated"),
        ("UPDATE protocol_snapshot SET text = ''", "never changes"),
        ("UPDATE interview SET protocol_hash = 'x'", "no protocol with that hash"),
    ):
        with pytest.raises(Exception, match=said):
            raw(pg_store, statement)
    raw(pg_store, f"UPDATE interview SET status = 'finalized' WHERE id = '{iid}'")
    for statement in (
        f"UPDATE interview SET status = 'draft' WHERE id = '{iid}'",
        f"DELETE FROM panelist WHERE interview_id = '{iid}'",
        f"INSERT INTO note (id, interview_id, indicator_id, text, updated_at) "
        f"VALUES ('n1', '{iid}', 'ONE-1', 'late', now())",
    ):
        with pytest.raises(Exception, match="finalized and cannot be changed"):
            raw(pg_store, statement)
    with pg_store.session() as session:  # past the app's own check: the database says the same
        session.add(Note(interview_id=iid, indicator_id="ONE-1", text="late"))
        with pytest.raises(IntegrityError, match="finalized and cannot be changed"):
            session.commit()


def test_a_disabled_dropped_altered_or_added_guard_is_reported(pg_store: Store) -> None:
    raw(
        pg_store,
        "ALTER TABLE interview DISABLE TRIGGER interview_locked",
        "DROP TRIGGER addendum_no_delete ON addendum",
        "CREATE OR REPLACE FUNCTION formers_refuse() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NULL; END; $$",
        "CREATE TRIGGER sneaky AFTER INSERT ON note FOR EACH ROW EXECUTE FUNCTION formers_refuse()",
        "DROP TRIGGER audit_capture_rating_update ON rating",
        "CREATE TRIGGER audit_capture_rating_update AFTER UPDATE OF value ON rating "
        "FOR EACH ROW EXECUTE FUNCTION formers_audit_capture('id', '', '')",
    )
    with pg_store.session() as session:
        problems = trigger_problems(session.connection())
    assert problems == [
        "the guard addendum_no_delete is missing",
        "the guard audit_capture_rating_update was altered",
        "the guard interview_locked is disabled",
        "the trigger sneaky is not one of the store's",
        "the guard function formers_refuse was altered",
    ]


def test_two_writers_chain_one_after_the_other(pg_url: str, mini_protocol: LoadedProtocol) -> None:
    first, second = Store.open(pg_url), Store.open(pg_url)
    try:
        iid = make_interview(first, mini_protocol)
        holding = first.session()
        save_note(holding, interview_id=iid, indicator_id="ONE-1", text="one", actor="Ada")
        holding.flush()  # the seal row is locked until this transaction ends
        done = threading.Event()

        def other() -> None:
            with second.session() as session:
                save_note(session, interview_id=iid, indicator_id="ONE-2", text="two", actor="Sam")
                session.commit()
            done.set()

        thread = threading.Thread(target=other)
        thread.start()
        assert not done.wait(0.3)  # waits for the first writer's transaction
        holding.commit()
        holding.close()
        thread.join(10)
        assert done.is_set()
        with first.session() as session:
            assert audit.verify_chain(session) == []
            assert audit.verify_state(session) == []
    finally:
        first.close()
        second.close()


def test_the_server_migrations_go_down_and_up_again(
    pg_store: Store, mini_protocol: LoadedProtocol
) -> None:
    """Each migration's PostgreSQL part undoes itself; upgrading again restores every guard."""
    from alembic import command

    from formers_tui.store import migrate

    iid = make_interview(pg_store, mini_protocol)
    raw(pg_store, f"UPDATE interview SET status = 'finalized' WHERE id = '{iid}'")
    with pg_store.engine.begin() as connection:
        command.downgrade(migrate._config(connection), "0001")
    with pg_store.engine.connect() as connection:
        left = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
        ).scalar_one()
        text = connection.exec_driver_sql("SELECT protocol_text FROM interview").scalar_one()
    assert left == 0 and "[[parts" in text
    migrate.upgrade(pg_store.engine)
    pg_store.engine.dispose()
    with pg_store.session() as session:
        assert trigger_problems(session.connection()) == []
