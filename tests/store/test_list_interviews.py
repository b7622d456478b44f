"""The interview list: a first page, a status filter and the whole list agree."""

from __future__ import annotations

import pytest

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, listing, ratings
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import interview_header, list_interviews
from formers_tui.store.models import FlagKind, Status
from formers_tui.store.store import Store
from tests.conftest import make_interview

INDICATORS = ["ONE-1", "ONE-2", "TWO-1"]


@pytest.fixture
def store(any_store: Store) -> Store:
    """Each test here runs on a SQLite file and on a PostgreSQL database."""
    return any_store


@pytest.fixture
def busy_store(store: Store, mini_protocol: LoadedProtocol) -> Store:
    """Four interviews with different notes, ratings and flags (newest last)."""
    for number in range(4):
        iid = make_interview(store, mini_protocol, f"PM-{number}")
        with store.session() as session:
            filled = number % 3 + 1
            for indicator in INDICATORS[:filled]:
                capture.save_note(
                    session, interview_id=iid, indicator_id=indicator, text="x", actor="t"
                )
            if filled < len(INDICATORS):  # an empty note is no note
                capture.save_note(
                    session, interview_id=iid, indicator_id=INDICATORS[-1], text="", actor="t"
                )
            panel = interview_header(session, get_interview(session, iid)).panel
            for member in panel[:2]:  # two panelists, one indicator: rated once
                ratings.save_rating(
                    session,
                    interview_id=iid,
                    panelist_id=member.id,
                    indicator_id="ONE-1",
                    value=1,
                    rationale="r",
                    actor="t",
                )
            for _ in range(number % 3):
                capture.raise_flag(
                    session, interview_id=iid, kind=FlagKind.other, note="n", actor="t"
                )
            session.commit()
    return store


def counts(rows: list[listing.InterviewSummary]) -> list[tuple[str, int, int, int]]:
    return [(r.candidate_code, r.with_notes, r.rated, r.open_flags) for r in rows]


def test_the_whole_list_counts_notes_with_text_ratings_and_open_flags(busy_store: Store) -> None:
    with busy_store.session() as session:
        assert counts(list_interviews(session)) == [
            ("PM-3", 1, 1, 0),
            ("PM-2", 3, 1, 2),
            ("PM-1", 2, 1, 1),
            ("PM-0", 1, 1, 0),
        ]


def test_a_first_page_counts_like_the_whole_list(busy_store: Store) -> None:
    with busy_store.session() as session:
        whole = list_interviews(session)
        assert list_interviews(session, limit=2) == whole[:2]
        assert list_interviews(session, limit=10) == whole


def test_many_interviews_are_counted_in_one_pass(
    busy_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with busy_store.session() as session:
        looked_up = list_interviews(session, status=Status.in_progress)
        assert len(looked_up) == 4
        monkeypatch.setattr(listing, "MAX_LOOKUPS", 2)
        assert list_interviews(session, status=Status.in_progress) == looked_up
        assert list_interviews(session, limit=3) == looked_up[:3]
