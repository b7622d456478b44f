"""A store on PostgreSQL: opened by URL, migrated by the same history, used by the same code."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import audit, migrate
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import list_interviews
from formers_tui.store.location import is_server_url, resolve, shown
from formers_tui.store.models import Candidate, Interview
from formers_tui.store.store import Store
from tests.conftest import make_interview


@pytest.mark.parametrize(
    ("text", "server"),
    [
        ("postgresql://alice@db.example/formers", True),
        ("POSTGRES://db/formers?sslmode=verify-full", True),
        ("postgresql://?service=formers", True),
        ("formers.db", False),
        ("./postgresql", False),
        ("/home/a/postgresql:/x.db", False),
        ("", False),
    ],
)
def test_a_url_names_a_server_and_anything_else_a_file(text: str, server: bool) -> None:
    assert is_server_url(text) is server
    assert isinstance(resolve(text), str) is server


def test_a_shown_url_hides_its_password() -> None:
    assert "s3cret" not in shown("postgresql://alice:s3cret@db/formers")


def test_a_server_store_is_migrated_to_the_head(pg_store: Store) -> None:
    assert pg_store.is_server and pg_store.dialect == "postgresql"
    assert migrate.current_revision(pg_store.engine) == migrate.head_revision()


def test_an_interview_made_through_the_store_reads_back(
    pg_store: Store, mini_protocol: LoadedProtocol
) -> None:
    interview_id = make_interview(pg_store, mini_protocol, code="PM-SRV-01")
    with pg_store.session() as session:
        found = get_interview(session, interview_id)
        assert found.interview_date == date(2026, 11, 2)
        assert found.created_at.utcoffset() is not None
        listed = list_interviews(session)
        assert [(row.id, row.candidate_code) for row in listed] == [(interview_id, "PM-SRV-01")]
        assert audit.verify_chain(session) == []
        assert audit.verify_state(session) == []


def test_reopening_a_server_store_keeps_its_records(
    pg_url: str, mini_protocol: LoadedProtocol
) -> None:
    first = Store.open(pg_url)
    interview_id = make_interview(first, mini_protocol)
    first.close()
    again = Store.open(pg_url)
    try:
        with again.session() as session:
            assert session.get(Interview, interview_id) is not None
            assert len(session.exec(select(Candidate)).all()) == 1
    finally:
        again.close()


def test_the_audit_log_refuses_an_update_on_the_server(
    pg_store: Store, mini_protocol: LoadedProtocol
) -> None:
    make_interview(pg_store, mini_protocol)
    with (
        pg_store.engine.connect() as connection,
        pytest.raises(IntegrityError, match="append-only"),
    ):
        connection.exec_driver_sql("UPDATE audit_entry SET actor = 'x'")
