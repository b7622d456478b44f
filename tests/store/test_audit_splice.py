"""Note updates are logged as splices, and the log still tells the whole story."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formers_tui.store import audit, capture
from formers_tui.store.models import AuditEntry
from formers_tui.store.store import Store
from tests.pg import RawClient


@pytest.fixture
def store(any_store: Store) -> Store:
    """Each test here runs on a SQLite file and on a PostgreSQL database."""
    return any_store


@given(st.text(), st.text())
def test_a_splice_turns_the_old_text_into_the_new(before: str, after: str) -> None:
    change = audit.text_splice(before, after)
    assert audit.apply_splice(before, change) == after
    prefix, suffix, inserted = change
    assert prefix + suffix <= min(len(before), len(after)) + len(inserted)


def test_typing_at_the_end_logs_only_what_was_typed() -> None:
    assert audit.text_splice("The candidate", "The candidate said") == [13, 0, " said"]
    assert audit.text_splice("said X today", "said Y today") == [5, 6, "Y"]


def _type_note(store: Store, iid: str, text: str, step: int = 3) -> None:
    for end in [*range(step, len(text), step), len(text)]:
        with store.session() as session:
            capture.save_note(
                session, interview_id=iid, indicator_id="DIS-1", text=text[:end], actor="Ada"
            )
            session.commit()


def test_typed_notes_verify_and_the_log_stays_small(store: Store, interview_id: str) -> None:
    text = "Spoke about the first year out as the hardest, with few people to call. " * 5
    _type_note(store, interview_id, text)
    with store.session() as session:
        assert audit.verify_chain(session) == []
        assert audit.verify_state(session) == []
        entries = [e for e in audit.history(session, interview_id) if e.entity == "note"]
        replayed = [r for r in audit.replay(audit.history(session, interview_id))]
    logged = sum(len(e.new or "") + len(e.old or "") for e in entries)
    assert len(entries) > 100
    assert logged < 100 * len(entries), "each save logs a few characters, not the whole note"
    last = [r for r in replayed if r.entry.entity == "note"][-1]
    assert last.new is not None and last.new["text"] == text
    before_last = max(range(3, len(text), 3))
    assert last.old is not None and last.old["text"] == text[:before_last]


def test_a_note_changed_behind_the_apps_back_is_still_found(
    store: Store, interview_id: str
) -> None:
    _type_note(store, interview_id, "Gave specific examples of turning down invitations.")
    with RawClient(store) as connection:
        connection.execute("UPDATE note SET text = 'Gave no examples.'")
    with store.session() as session:
        (found,) = audit.verify_state(session)
    assert (found.entity, found.changed) == ("note", ("text",))


def test_replay_reads_full_entries_from_older_stores(store: Store, interview_id: str) -> None:
    """Entries written before splices (whole old and new values) replay unchanged."""
    _type_note(store, interview_id, "abc", step=10)
    with store.session() as session:
        created = next(e for e in audit.history(session, interview_id) if e.entity == "note")
        full = AuditEntry(
            interview_id=interview_id,
            actor="Ada",
            action="update",
            entity="note",
            entity_key=created.entity_key,
            old='{"text": "abc"}',
            new='{"text": "abcd"}',
            at=created.at,
            prev_hash="",
            hash="",
        )
        splice = AuditEntry(
            **{**full.model_dump(), "old": None, "new": '{"text_splice": [4, 0, "e"]}'}
        )
        replayed = list(audit.replay([created, full, splice]))
    assert [r.new["text"] for r in replayed if r.new] == ["abc", "abcd", "abcde"]
    assert replayed[1].old == {"text": "abc"} and replayed[2].old is not None
    assert replayed[2].old["text"] == "abcd"
