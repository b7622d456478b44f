"""The audited records come from the schema: a new column is compared from the start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Column, String

from formers_tui.store import audit, capture, registry
from formers_tui.store.models import Quote
from formers_tui.store.store import Store


@pytest.fixture
def store(any_store: Store) -> Store:
    """Each test here runs on a SQLite file and on a PostgreSQL database."""
    return any_store


@pytest.fixture
def mood_column() -> Iterator[Column[str]]:
    """A column added to the Quote model, as a future release might."""
    column: Column[str] = Column("mood", String, nullable=False, server_default="")
    Quote.__table__.append_column(column)  # type: ignore[attr-defined]
    registry.audited.cache_clear()
    yield column
    Quote.__table__._columns.remove(column)  # type: ignore[attr-defined]
    registry.audited.cache_clear()


def test_every_table_is_audited_but_the_named_exceptions() -> None:
    from sqlmodel import SQLModel

    assert set(SQLModel.metadata.tables) - set(registry.audited()) == set(registry.NOT_AUDITED)
    for (table, column), _why in registry.VOLATILE.items():
        assert column not in registry.audited()[table].columns


def test_a_column_added_to_a_model_fails_verify_until_it_is_audited(
    store: Store, interview_id: str, mood_column: Column[str]
) -> None:
    with store.session() as session:
        capture.add_quote(
            session,
            interview_id=interview_id,
            indicator_id="DIS-1",
            text="w",
            speaker="C",
            actor="A",
        )
        session.commit()
    with store.engine.begin() as connection:  # what the release's migration adds
        connection.exec_driver_sql("ALTER TABLE quote ADD COLUMN mood VARCHAR NOT NULL DEFAULT ''")
    assert "mood" in registry.audited()["quote"].columns
    with store.session() as session:
        found = [(m.entity, m.changed) for m in audit.verify_state(session)]
        key = audit.log_key(session)
    assert found == [("quote", ("mood",))]  # the log never recorded it
    with store.engine.begin() as connection:  # the migration audits it: a baseline
        audit.write_baseline(connection, key, actor="upgrade", action="baseline", summary={})
    with store.session() as session:
        assert audit.verify_state(session) == []
        assert audit.verify_chain(session) == []
