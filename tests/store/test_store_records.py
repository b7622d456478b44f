"""Creating interviews and capturing what is said, against a real store file."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from formers_tui.errors import LockedError, NotFoundError, ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import audit, capture, ratings
from formers_tui.store.common import get_interview, protocol_text
from formers_tui.store.interviews import (
    PanelistIn,
    create_interview,
    interview_header,
    list_interviews,
    parse_role,
)
from formers_tui.store.models import (
    AuditEntry,
    Bearing,
    EvidenceSource,
    FlagKind,
    Rating,
    Reliability,
    Role,
    Status,
)
from formers_tui.store.store import Store
from tests.conftest import PANEL, make_interview
from tests.pg import RawClient


@pytest.fixture
def store(any_store: Store) -> Store:
    """Each test here runs on a SQLite file and on a PostgreSQL database."""
    return any_store


@pytest.fixture
def iid(store: Store, mini_protocol: LoadedProtocol) -> str:
    return make_interview(store, mini_protocol)


def test_new_interview_freezes_the_protocol_and_panel(
    store: Store, iid: str, mini_protocol: LoadedProtocol
) -> None:
    with store.session() as session:
        interview = get_interview(session, iid)
        header = interview_header(session, interview)
        frozen = protocol_text(session, interview.protocol_hash)
    assert interview.status == Status.draft
    assert frozen == mini_protocol.text
    assert interview.protocol_hash == mini_protocol.sha256
    assert interview.current_indicator == "ONE-1"
    assert header.candidate_code == "PM-TEST-01"
    assert [p.name for p in header.panel] == ["Dr. Ada Example", "Sam Sample", "Pat Placeholder"]
    assert header.chair is not None and header.chair.name == "Dr. Ada Example"


def test_second_open_interview_for_a_candidate_is_refused(
    store: Store, iid: str, mini_protocol: LoadedProtocol
) -> None:
    with store.session() as session, pytest.raises(ValidationError, match="already has an open"):
        create_interview(
            session,
            candidate_code="PM-TEST-01",
            protocol=mini_protocol,
            panel=[PanelistIn("A", Role.other), PanelistIn("B", Role.other)],
            actor="t",
            consent_given=True,
        )


@pytest.mark.parametrize(
    ("panel", "message"),
    [
        ([], "at least one member"),
        ([PanelistIn("A", Role.other), PanelistIn("a", Role.other)], "twice"),
        (
            [PanelistIn("A", Role.other, True), PanelistIn("B", Role.other, True)],
            "exactly one chair",
        ),
        ([PanelistIn(" ", Role.other)], "needs a name"),
        ([PanelistIn("A", Role.other, True)], "A panel of one is not a panel"),
    ],
)
def test_bad_panels_are_refused(
    store: Store, mini_protocol: LoadedProtocol, panel: list[PanelistIn], message: str
) -> None:
    with store.session() as session, pytest.raises(ValidationError, match=message):
        create_interview(
            session,
            candidate_code="PM-2",
            protocol=mini_protocol,
            panel=panel,
            actor="t",
            consent_given=True,
        )


def test_an_interview_needs_the_candidates_consent(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    panel = [PanelistIn("A", Role.other, True), PanelistIn("B", Role.other)]
    with store.session() as session, pytest.raises(ValidationError, match="informed consent"):
        create_interview(
            session, candidate_code="PM-3", protocol=mini_protocol, panel=panel, actor="t"
        )


def test_roles_are_read_forgivingly_and_bad_ones_named() -> None:
    assert parse_role("Probation") == Role.probation_parole
    assert parse_role("social worker") == Role.social_worker
    assert parse_role("peer-mentor") == Role.peer_mentor
    with pytest.raises(ValidationError, match="Unknown role 'wizard'"):
        parse_role("wizard")


def test_ids_resolve_by_prefix_and_unknown_ids_are_named(store: Store, iid: str) -> None:
    with store.session() as session:
        assert get_interview(session, iid[:6]).id == iid
        assert get_interview(session, iid.upper()).id == iid
        with pytest.raises(NotFoundError, match="No interview with id 'ffffffff'"):
            get_interview(session, "ffffffff")
        with pytest.raises(NotFoundError, match="at least 4"):
            get_interview(session, "ab")


def test_notes_upsert_audit_and_move_draft_to_in_progress(store: Store, iid: str) -> None:
    with store.session() as session:
        capture.save_note(
            session, interview_id=iid, indicator_id="ONE-1", text="first", actor="Ada"
        )
        session.commit()
        capture.save_note(
            session, interview_id=iid, indicator_id="ONE-1", text="first, more", actor="Ada"
        )
        capture.save_note(
            session, interview_id=iid, indicator_id="ONE-1", text="first, more", actor="Ada"
        )
        session.commit()
        assert capture.notes_of(session, iid) == {"ONE-1": "first, more"}
        assert get_interview(session, iid).status == Status.in_progress
        notes = session.exec(select(AuditEntry).where(AuditEntry.entity == "note")).all()
        assert [n.action for n in notes] == ["create", "update"]  # unchanged text writes nothing
        assert json.loads(notes[1].new or "{}")[audit.SPLICE] == [5, 0, ", more"]
        _, update = audit.replay(notes)
        assert update.old is not None and update.old["text"] == "first"
        assert update.new is not None and update.new["text"] == "first, more"
        assert audit.verify_chain(session) == []


def test_unknown_indicator_is_refused(store: Store, iid: str) -> None:
    with store.session() as session, pytest.raises(ValidationError, match="no indicator 'NOPE'"):
        capture.save_note(session, interview_id=iid, indicator_id="NOPE", text="x", actor="Ada")


def test_quotes_are_kept_apart_with_speaker_and_time(store: Store, iid: str) -> None:
    with store.session() as session:
        capture.add_quote(
            session,
            interview_id=iid,
            indicator_id="ONE-2",
            text=" It was never defence. ",
            speaker="Candidate",
            actor="Ada",
        )
        session.commit()
        (quote,) = capture.quotes_of(session, iid, "ONE-2")
        assert quote.text == "It was never defence."
        assert quote.speaker == "Candidate"
        assert quote.spoken_at.tzinfo is not None
        assert capture.notes_of(session, iid) == {}
        with pytest.raises(ValidationError, match="speaker"):
            capture.add_quote(
                session, interview_id=iid, indicator_id="ONE-2", text="x", speaker="", actor="Ada"
            )


def test_evidence_links_to_several_indicators(store: Store, iid: str) -> None:
    item = capture.EvidenceIn(
        source_type=EvidenceSource.probation_parole,
        informant="Officer",
        obtained_on=date(2026, 1, 5),
        reliability=Reliability.high,
        summary="No violations.",
        bearing=Bearing.supports,
        indicator_ids=("ONE-1", "TWO-1"),
    )
    with store.session() as session:
        evidence = capture.add_evidence(session, interview_id=iid, item=item, actor="Ada")
        session.commit()
        assert [ids for _, ids in capture.evidence_of(session, iid)] == [["ONE-1", "TWO-1"]]
        assert len(capture.evidence_of(session, iid, "TWO-1")) == 1
        assert capture.evidence_of(session, iid, "ONE-2") == []
        capture.set_evidence_links(
            session, interview_id=iid, evidence_id=evidence.id, indicator_ids=["ONE-2"], actor="Ada"
        )
        session.commit()
        assert [ids for _, ids in capture.evidence_of(session, iid)] == [["ONE-2"]]
    future = capture.EvidenceIn(
        **{**item.__dict__, "obtained_on": date.today() + timedelta(days=3)}
    )
    with store.session() as session, pytest.raises(ValidationError, match="future"):
        capture.add_evidence(session, interview_id=iid, item=future, actor="Ada")


def test_timeline_validates_dates_and_choices(store: Store, iid: str) -> None:
    with store.session() as session:
        capture.set_timeline(
            session, interview_id=iid, fact_id="involvement_start", value="2009-03-01", actor="A"
        )
        capture.set_timeline(session, interview_id=iid, fact_id="depth", value="member", actor="A")
        session.commit()
        assert capture.timeline_of(session, iid) == {
            "involvement_start": "2009-03-01",
            "depth": "member",
        }
        with pytest.raises(ValidationError, match="not a date"):
            capture.set_timeline(
                session, interview_id=iid, fact_id="disengaged_on", value="31/12/2015", actor="A"
            )
        with pytest.raises(ValidationError, match="choose one of"):
            capture.set_timeline(
                session, interview_id=iid, fact_id="depth", value="boss", actor="A"
            )
        with pytest.raises(ValidationError, match="no timeline fact"):
            capture.set_timeline(
                session, interview_id=iid, fact_id="shoe_size", value="9", actor="A"
            )


def test_timeline_takes_partial_dates_up_to_the_interview_date(store: Store, iid: str) -> None:
    """The interview is on 2026-11-02: dates after it are refused, whatever today is."""
    with store.session() as session:
        for fact, typed in (("involvement_start", " 2009/3 "), ("disengaged_on", "Ongoing")):
            capture.set_timeline(session, interview_id=iid, fact_id=fact, value=typed, actor="A")
        session.commit()
        assert capture.timeline_of(session, iid) == {
            "involvement_start": "2009-03",
            "disengaged_on": "ongoing",
        }
        with pytest.raises(
            ValidationError, match=r"^When the person disengaged: 2026-11-03 is after the "
        ):
            capture.set_timeline(
                session, interview_id=iid, fact_id="disengaged_on", value="2026-11-03", actor="A"
            )
        with pytest.raises(ValidationError, match="is not a date"):
            capture.set_timeline(
                session, interview_id=iid, fact_id="involvement_start", value="ongoing", actor="A"
            )


def test_an_interview_date_in_the_future_is_refused(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    with store.session() as session, pytest.raises(ValidationError, match="is in the future"):
        create_interview(
            session,
            candidate_code="PM-LATER",
            protocol=mini_protocol,
            panel=list(PANEL),
            actor="test",
            interview_date=date.today() + timedelta(days=3),
        )


def test_flags_stay_open_until_resolved_with_an_action(store: Store, iid: str) -> None:
    with store.session() as session:
        flag = capture.raise_flag(
            session,
            interview_id=iid,
            kind=FlagKind.threat_of_violence,
            note="named a person",
            actor="Ada",
        )
        session.commit()
        assert [f.id for f in capture.flags_of(session, iid, open_only=True)] == [flag.id]
        with pytest.raises(ValidationError, match="action taken"):
            capture.resolve_flag(
                session, interview_id=iid, flag_id=flag.id, action_taken=" ", actor="Ada"
            )
        capture.resolve_flag(
            session,
            interview_id=iid,
            flag_id=flag.id,
            action_taken="Consulted team; duty to warn",
            actor="Ada",
        )
        session.commit()
        assert capture.flags_of(session, iid, open_only=True) == []
        assert capture.flags_of(session, iid)[0].action_taken == "Consulted team; duty to warn"


def test_ratings_store_omit_as_missing_and_keep_revisions(store: Store, iid: str) -> None:
    with store.session() as session:
        panelist = interview_header(session, get_interview(session, iid)).panel[1]
        rating = ratings.save_rating(
            session,
            interview_id=iid,
            panelist_id=panelist.id,
            indicator_id="ONE-1",
            value=None,
            rationale="not enough yet",
            actor=panelist.name,
        )
        session.commit()
        assert (rating.value, rating.omitted) == (None, True)
        rating.submitted_at = rating.updated_at
        session.add(rating)
        session.commit()
        ratings.save_rating(
            session,
            interview_id=iid,
            panelist_id=panelist.id,
            indicator_id="ONE-1",
            value=2,
            rationale="after collateral",
            actor=panelist.name,
        )
        session.commit()
        current = ratings.ratings_by(session, iid, panelist.id)["ONE-1"]
        assert (current.value, current.omitted) == (2, False)
        (earlier,) = ratings.rating_history(session, current.id)
        assert (earlier.value, earlier.omitted, earlier.rationale) == (None, True, "not enough yet")
        with pytest.raises(ValidationError, match="not on the rating scale"):
            ratings.save_rating(
                session,
                interview_id=iid,
                panelist_id=panelist.id,
                indicator_id="ONE-1",
                value=7,
                rationale="",
                actor=panelist.name,
            )


def test_the_database_refuses_a_zero_for_an_omit(store: Store, iid: str) -> None:
    with store.session() as session:
        panelist = interview_header(session, get_interview(session, iid)).panel[0]
        session.add(
            Rating(
                interview_id=iid,
                indicator_id="ONE-1",
                panelist_id=panelist.id,
                value=0,
                omitted=True,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_list_reports_progress(store: Store, iid: str) -> None:
    with store.session() as session:
        capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="x", actor="A")
        capture.save_note(session, interview_id=iid, indicator_id="ONE-2", text="", actor="A")
        capture.raise_flag(session, interview_id=iid, kind=FlagKind.other, note="n", actor="A")
        session.commit()
        (row,) = list_interviews(session)
        assert (row.indicators, row.with_notes, row.rated, row.open_flags) == (4, 1, 0, 1)
        assert list_interviews(session, status=Status.finalized) == []


def _finalize(store: Store, iid: str) -> None:
    with RawClient(store) as connection:
        connection.execute(f"UPDATE interview SET status = 'finalized' WHERE id = '{iid}'")


def test_finalized_interviews_refuse_every_write(store: Store, iid: str) -> None:
    with store.session() as session:
        capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="before", actor="A")
        session.commit()
    _finalize(store, iid)
    with store.session() as session, pytest.raises(LockedError, match="finalized"):
        capture.save_note(session, interview_id=iid, indicator_id="ONE-1", text="after", actor="A")
    # Behind the application's back, the database itself refuses.
    with RawClient(store) as connection:
        for statement in (
            "UPDATE note SET text = 'forged'",
            "DELETE FROM note",
            "UPDATE interview SET status = 'draft'",
            "INSERT INTO quote (id, interview_id, indicator_id, text, speaker, spoken_at) "
            f"VALUES ('q', '{iid}', 'ONE-1', 'x', 'y', '2026-01-01')",
        ):
            with pytest.raises(connection.refused, match="finalized"):
                connection.execute(statement)


def test_audit_log_is_append_only_and_edits_are_detected(store: Store, iid: str) -> None:
    with store.session() as session:
        capture.save_note(
            session, interview_id=iid, indicator_id="ONE-1", text="true words", actor="A"
        )
        session.commit()
    with RawClient(store) as connection:
        with pytest.raises(connection.refused, match="append-only"):
            connection.execute("UPDATE audit_entry SET actor = 'someone else'")
        with pytest.raises(connection.refused, match="append-only"):
            connection.execute("DELETE FROM audit_entry")
        connection.drop_trigger("audit_entry_no_update", "audit_entry")
        connection.execute("UPDATE audit_entry SET new = '{}' WHERE entity = 'note'")
    with store.session() as session:
        breaks = audit.verify_chain(session)
    assert breaks and "changed" in breaks[0].reason
