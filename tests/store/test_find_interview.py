"""Naming an interview as people do: by the candidate's code, or by (part of) its id."""

from __future__ import annotations

import pytest

from formers_tui.errors import NotFoundError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.common import find_interview
from formers_tui.store.models import Interview, Status
from formers_tui.store.store import Store
from tests.conftest import make_interview


@pytest.fixture
def store(any_store: Store) -> Store:
    """Each test here runs on a SQLite file and on a PostgreSQL database."""
    return any_store


def test_a_candidate_code_names_their_open_interview(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    first = make_interview(store, mini_protocol, "PM-2026-014")
    with store.session() as session:
        interview = session.get(Interview, first)
        assert interview is not None
        interview.status = Status.finalized  # a later one may then be opened
        session.add(interview)
        session.commit()
    second = make_interview(store, mini_protocol, "PM-2026-014")
    with store.session() as session:
        assert find_interview(session, "PM-2026-014").id == second
        assert find_interview(session, " pm-2026-014 ").id == second  # as typed
        assert find_interview(session, second[:6]).id == second
        assert find_interview(session, first).id == first


def test_a_code_with_one_interview_names_it(store: Store, mini_protocol: LoadedProtocol) -> None:
    only = make_interview(store, mini_protocol, "PM-7")
    with store.session() as session:
        assert find_interview(session, "PM-7").id == only


def test_an_unknown_code_is_one_sentence(store: Store) -> None:
    with store.session() as session, pytest.raises(NotFoundError, match="nor a candidate"):
        find_interview(session, "PM-NOBODY")
