"""Consensus, determination, sign-off and the lock that follows, against a real store file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from formers_tui.errors import LockedError, ValidationError
from formers_tui.protocol.loader import LoadedProtocol, load_path
from formers_tui.store import capture, migrate, panel, ratings
from formers_tui.store.common import get_interview
from formers_tui.store.engine import make_engine
from formers_tui.store.models import (
    AuditEntry,
    Bearing,
    Consensus,
    EvidenceSource,
    FlagKind,
    Outcome,
    Rating,
    Reliability,
    SignOff,
    Status,
)
from formers_tui.store.panel_decision import (
    MIN_DIFFERS_CHARS,
    DissentIn,
    add_addendum,
    addenda_of,
    finalize,
    record_consensus,
    record_determination,
    sign_off,
    sign_off_state,
)
from formers_tui.store.panel_view import consensus_entries, dissent_of, suggestion, summary
from formers_tui.store.store import Store
from tests.conftest import FIXTURES, make_interview
from tests.store.test_panel import DOMAINS, PINS, give_pins, members, rate_everything

LOCKED = "This interview is finalized and cannot be changed; add an addendum instead."


@dataclass(frozen=True)
class Templates:
    """Store files built once per module and copied for each test."""

    rated: Path
    """Every panelist has rated and submitted everything; the timeline meets the rule."""
    finalized: Path
    """The same interview, agreed, determined, signed and so finalized."""
    iid: str
    evidence: str
    """An evidence item added before finalizing."""
    flag: str
    """A safety flag raised and resolved before finalizing."""


def copy_store(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    folder = tmp_path_factory.mktemp("panel-templates")
    rated = Store.open(folder / "rated.db")
    try:
        iid = make_interview(rated, load_path(FIXTURES / "mini-protocol.toml"))
        give_pins(rated, iid)
        with rated.session() as session:
            for fact, value in (
                ("involvement_start", "2005-01-01"),
                ("disengaged_on", "2010-01-01"),
            ):
                capture.set_timeline(
                    session, interview_id=iid, fact_id=fact, value=value, actor="A"
                )
            session.commit()
        rate_everything(rated, iid, {"Dr. Ada Example": 3, "Sam Sample": 3, "Pat Placeholder": 1})
    finally:
        rated.close()
    locked = Store.open(copy_store(folder / "rated.db", folder / "finalized.db"))
    try:
        with locked.session() as session:
            evidence = capture.add_evidence(
                session,
                interview_id=iid,
                item=capture.EvidenceIn(
                    EvidenceSource.employer,
                    "Boss",
                    None,
                    Reliability.high,
                    "Reliable.",
                    Bearing.supports,
                ),
                actor="Ada",
            )
            flag = capture.raise_flag(
                session, interview_id=iid, kind=FlagKind.other, note="n", actor="Ada"
            )
            capture.resolve_flag(
                session, interview_id=iid, flag_id=flag.id, action_taken="talked", actor="Ada"
            )
            agree_all(session, iid)
            determine(session, iid)
            sign_all(session, iid, locked)
            session.commit()
    finally:
        locked.close()
    return Templates(folder / "rated.db", folder / "finalized.db", iid, evidence.id, flag.id)


@pytest.fixture
def store(tmp_path: Path, templates: Templates) -> Iterator[Store]:
    """A copy of the rated store (overrides the fresh, empty store of conftest)."""
    opened = Store.open(copy_store(templates.rated, tmp_path / "store.db"))
    yield opened
    opened.close()


@pytest.fixture
def iid(templates: Templates) -> str:
    return templates.iid


def agree_all(session: Session, iid: str, value: int | None = 3) -> None:
    for indicators in DOMAINS.values():
        for indicator in indicators:
            record_consensus(
                session,
                interview_id=iid,
                indicator_id=indicator,
                value=value,
                rationale="Clear across examples; Pat Placeholder's lower rating was weighed.",
                chair_pin=PINS[0],
            )


def determine(session: Session, iid: str, **extra: Any) -> None:
    fields: dict[str, Any] = {"outcome": Outcome.ready, "rationale": "Meets every indicator."}
    fields.update(extra)
    record_determination(session, interview_id=iid, chair_pin=PINS[0], **fields)


def sign_all(session: Session, iid: str, store: Store) -> None:
    for member, pin in zip(members(store, iid), PINS, strict=True):
        sign_off(session, interview_id=iid, panelist_id=member.id, pin=pin, actor=member.name)


# ---------------------------------------------------------------------------- consensus


def test_consensus_waits_for_every_submission(store: Store, mini_protocol: LoadedProtocol) -> None:
    iid = make_interview(store, mini_protocol, code="PM-EARLY")
    with (
        store.session() as session,
        pytest.raises(
            ValidationError,
            match=r"Not every panelist has submitted every domain yet \(0 of 3 have\)",
        ),
    ):
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=2,
            rationale="x",
            chair_pin=PINS[0],
        )


def test_consensus_keeps_ratings_and_records_dissent(store: Store, iid: str) -> None:
    _, sam, pat = members(store, iid)
    with store.session() as session:
        before = sorted(
            (r.panelist_id, r.indicator_id, r.value) for r in session.exec(select(Rating))
        )
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=2,
            rationale="Specific examples; collateral agrees.",
            dissent=[DissentIn(pat.id, "Only one example, and a recent one.")],
            chair_pin=PINS[0],
        )
        session.commit()
        after = sorted(
            (r.panelist_id, r.indicator_id, r.value) for r in session.exec(select(Rating))
        )
        assert after == before  # panelists' own ratings are untouched
        (entry,) = consensus_entries(session, iid).values()
        assert (entry.value, entry.rationale) == (2, "Specific examples; collateral agrees.")
        (dissent,) = entry.dissent
        assert (dissent.panelist_id, dissent.name) == (pat.id, "Pat Placeholder")
        assert dissent.reason == "Only one example, and a recent one."
        row = session.get(Consensus, (iid, "ONE-1"))
        assert row is not None and json.loads(row.dissent)[0]["name"] == "Pat Placeholder"
        # Revising audits old and new; saving the same again writes nothing.
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=None,
            rationale="r",
            chair_pin=PINS[0],
        )
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=None,
            rationale="r",
            chair_pin=PINS[0],
        )
        session.commit()
        entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "consensus")).all()
        assert [e.action for e in entries] == ["create", "update"]
        assert json.loads(entries[1].old or "{}")["value"] == 2
        assert json.loads(entries[1].new or "{}")["omitted"] is True
        with pytest.raises(ValidationError, match="no longer change"):
            panel.rate(
                session,
                interview_id=iid,
                panelist_id=sam.id,
                indicator_id="ONE-1",
                value=1,
                rationale="",
                actor="Sam",
            )


@pytest.mark.parametrize(
    ("value", "rationale", "dissent", "message"),
    [
        (2, "  ", [], "Give the panel's reason"),
        (9, "why", [], "9 is not on the rating scale"),
        (2, "why", [DissentIn("nobody", "x")], "must be on this interview's panel"),
        (2, "why", [DissentIn("SAM", " ")], "Say why Sam Sample dissents."),
        (2, "why", [DissentIn("SAM", "a"), DissentIn("SAM", "b")], "dissenting twice"),
    ],
)
def test_bad_consensus_is_refused(
    store: Store, iid: str, value: int, rationale: str, dissent: list[DissentIn], message: str
) -> None:
    sam = members(store, iid)[1]
    dissent = [
        DissentIn(sam.id if d.panelist_id == "SAM" else d.panelist_id, d.reason) for d in dissent
    ]
    with store.session() as session, pytest.raises(ValidationError, match=message):
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=value,
            rationale=rationale,
            dissent=dissent,
            chair_pin=PINS[0],
        )


def test_hand_written_dissent_is_still_readable() -> None:
    (item,) = dissent_of("Pat thinks it is too early.")
    assert item.reason == "Pat thinks it is too early." and item.name == ""
    assert dissent_of("") == ()


# ------------------------------------------------------------------------ determination


def test_determination_needs_consensus_on_every_indicator(store: Store, iid: str) -> None:
    with store.session() as session:
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=3,
            rationale="As Pat Placeholder said, only partly; the rest outweighs it.",
            chair_pin=PINS[0],
        )
        with pytest.raises(
            ValidationError,
            match=r"consensus on every indicator first \(3 still missing, "
            r"starting with ONE-2\)",
        ):
            determine(session, iid)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rationale": " "}, "Give the rationale"),
        ({"outcome": Outcome.ready_with_conditions}, "needs its conditions"),
        ({"conditions": "supervision"}, "Conditions belong only to"),
        ({"outcome": Outcome.not_yet_ready}, "needs what to work on"),
        ({"work_on": "more time"}, "belong only to a 'not yet ready'"),
        ({"review_date": date(2027, 5, 1)}, "belong only to a 'not yet ready'"),
        (
            {
                "outcome": Outcome.not_yet_ready,
                "work_on": "amends",
                "review_date": date(2026, 11, 2),
                "differs_because": "x" * MIN_DIFFERS_CHARS,
            },
            "review date must be after the interview date",
        ),
    ],
)
def test_determination_rules(store: Store, iid: str, fields: dict[str, Any], message: str) -> None:
    with store.session() as session:
        agree_all(session, iid)
        with pytest.raises(ValidationError, match=message):
            determine(session, iid, **fields)


def test_differing_from_the_suggestion_must_be_explained(store: Store, iid: str) -> None:
    with store.session() as session:
        agree_all(session, iid)
        assert suggestion(session, iid).outcome.value == "ready"
        with pytest.raises(
            ValidationError,
            match=r"differs from the computed suggestion \(Ready\); say why it differs in at "
            r"least 20 characters",
        ):
            determine(
                session,
                iid,
                outcome=Outcome.not_yet_ready,
                work_on="Public speaking",
                differs_because="too short",
            )
        with pytest.raises(ValidationError, match="matches the computed suggestion; leave"):
            determine(session, iid, differs_because="We simply agree with it entirely.")
        row = record_determination(
            session,
            interview_id=iid,
            outcome=Outcome.not_yet_ready,
            rationale="Strong on paper.",
            work_on="Time in a supervised volunteer role first.",
            review_date=date(2027, 6, 1),
            differs_because="Two references describe contact with the old group this year.",
            chair_pin=PINS[0],
        )
        session.commit()
        assert (row.outcome, row.suggested_outcome) == (Outcome.not_yet_ready, "ready")
        assert row.differs_because.startswith("Two references")
        report = summary(session, iid)
    assert report.determination is not None
    assert report.determination.suggested_outcome == "ready"
    assert report.determination.review_date == date(2027, 6, 1)


def test_an_insufficient_information_suggestion_differs_from_every_outcome(
    store: Store, iid: str
) -> None:
    with store.session() as session:
        agree_all(session, iid, value=None)
        assert suggestion(session, iid).outcome.value == "insufficient_information"
        with pytest.raises(ValidationError, match=r"\(Insufficient information\)"):
            determine(session, iid, outcome=Outcome.not_yet_ready, work_on="Gather collateral.")


# ------------------------------------------------------------------ sign-off and finalize


def test_signing_off_finalizes_when_everyone_has(store: Store, iid: str) -> None:
    ada, sam, pat = members(store, iid)
    with store.session() as session:
        agree_all(session, iid)
        with pytest.raises(ValidationError, match="Record the panel's determination before"):
            sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        determine(session, iid)
        with pytest.raises(panel.PinError, match="Wrong PIN for Sam Sample."):
            sign_off(session, interview_id=iid, panelist_id=sam.id, pin="1111", actor="Sam")
        state = sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        assert state.signed == ("Dr. Ada Example",) and not state.finalized
        state = sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        assert state.signed == ("Dr. Ada Example",)  # signing twice is harmless
        sign_off(session, interview_id=iid, panelist_id=sam.id, pin="2222", actor="Sam")
        session.commit()
        with pytest.raises(
            ValidationError,
            match=r"Not every panelist has signed off \(still to sign: Pat Placeholder\)\.",
        ):
            finalize(session, interview_id=iid, actor="Ada")
        state = sign_off(session, interview_id=iid, panelist_id=pat.id, pin="3333", actor="Pat")
        session.commit()
        assert state.finalized and state.waiting == ()
        interview = get_interview(session, iid)
        assert interview.status == Status.finalized and interview.finalized_at is not None
        report = summary(session, iid)
        assert report.signed == (ada.id, sam.id, pat.id)
        assert report.finalized_at == interview.finalized_at
        assert sign_off_state(session, iid).finalized
        with pytest.raises(LockedError, match=LOCKED):
            sign_off(session, interview_id=iid, panelist_id=pat.id, pin="3333", actor="Pat")


def test_a_low_critical_rating_must_be_answered_in_the_consensus(store: Store, iid: str) -> None:
    """Pat rated the critical ONE-1 at 1: a consensus of 3 must say how that was weighed."""
    pat = members(store, iid)[2]

    def agree(value: int | None, rationale: str, dissent: list[DissentIn] | None = None) -> None:
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-1",
            value=value,
            rationale=rationale,
            dissent=dissent or [],
            chair_pin=PINS[0],
        )

    with store.session() as session:
        with pytest.raises(
            ValidationError,
            match=r"^Pat Placeholder rated critical indicator ONE-1 below Largely evident: name "
            r"them in the rationale and say how the panel weighed it, or record their dissent\.$",
        ):
            agree(3, "Clear across examples.")
        with pytest.raises(ValidationError, match="Pat Placeholder rated"):
            agree(3, "Patently clear.")  # a word that merely contains the name is not naming
        agree(3, "Clear; pat placeholder's example predates the exit, so it weighs less.")
        agree(3, "Clear across examples.", [DissentIn(pat.id, "One example only.")])
        agree(1, "Only partly shown.")  # a consensus below met carries the low rating
        agree(None, "Not enough learned.")  # an omit claims nothing
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="ONE-2",
            value=3,
            rationale="x",
            chair_pin=PINS[0],
        )  # not critical
        session.commit()
        concern = suggestion(session, iid)
        notes = [r.text for r in concern.reasons if r.rule == "critical_concern"]
        assert notes == [
            "Critical indicator ONE-1 (First indicator): rated below Largely evident (2) by "
            "Pat Placeholder; the consensus records how that was weighed."
        ]


def test_a_positive_determination_waits_for_open_safety_flags(store: Store, iid: str) -> None:
    ada = members(store, iid)[0]
    with store.session() as session:
        flag = capture.raise_flag(
            session,
            interview_id=iid,
            kind=FlagKind.threat_of_violence,
            note="Said something about a named person.",
            actor="Ada",
        )
        agree_all(session, iid)
        determine(
            session,
            iid,
            differs_because="The remark was a quotation from years ago; we checked with probation.",
        )
        refusal = (
            r"^A safety flag is still open \(Threat of violence\): resolve it before a positive "
            r"determination is signed or finalized\.$"
        )
        with pytest.raises(ValidationError, match=refusal):
            sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        with pytest.raises(ValidationError, match=refusal):
            finalize(session, interview_id=iid, actor="Ada")
        # "Not yet ready" can be signed while the flag is open.
        determine(session, iid, outcome=Outcome.not_yet_ready, work_on="Safety first.")
        sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        capture.resolve_flag(
            session, interview_id=iid, flag_id=flag.id, action_taken="Checked.", actor="Ada"
        )
        determine(session, iid)
        sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        session.commit()


def test_changes_after_signing_withdraw_the_signatures(store: Store, iid: str) -> None:
    ada = members(store, iid)[0]
    with store.session() as session:
        agree_all(session, iid)
        determine(session, iid)
        sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        session.commit()
        record_consensus(
            session,
            interview_id=iid,
            indicator_id="TWO-1",
            value=2,
            rationale="re-read",
            chair_pin=PINS[0],
        )
        session.commit()
        assert session.exec(select(SignOff)).all() == []
        sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")
        determine(session, iid, rationale="Meets every indicator; TWO-1 discussed.")
        session.commit()
        assert session.exec(select(SignOff)).all() == []
        withdrawn = session.exec(
            select(AuditEntry).where(AuditEntry.entity == "sign_off", AuditEntry.action == "delete")
        ).all()
        assert len(withdrawn) == 2


def test_a_changed_suggestion_means_determining_again(store: Store, iid: str) -> None:
    ada = members(store, iid)[0]
    with store.session() as session:
        agree_all(session, iid)
        determine(session, iid)
        capture.raise_flag(
            session, interview_id=iid, kind=FlagKind.threat_of_violence, note="n", actor="Ada"
        )
        with pytest.raises(
            ValidationError,
            match=r"suggestion has changed since the determination was recorded "
            r"\(now Not yet ready\); record the determination again",
        ):
            sign_off(session, interview_id=iid, panelist_id=ada.id, pin="1111", actor="Ada")


# ------------------------------------------------------------------ the lock after finalize


@pytest.fixture
def locked(tmp_path: Path, templates: Templates) -> Iterator[Store]:
    """A copy of the finalized store."""
    opened = Store.open(copy_store(templates.finalized, tmp_path / "locked.db"))
    yield opened
    opened.close()


@pytest.fixture
def finalized(locked: Store, templates: Templates) -> dict[str, str]:
    """Ids in the finalized interview that the writes below aim at."""
    ada, sam, _ = members(locked, templates.iid)
    return {
        "iid": templates.iid,
        "evidence": templates.evidence,
        "flag": templates.flag,
        "ada": ada.id,
        "sam": sam.id,
    }


WRITES: dict[str, Callable[[Session, dict[str, str]], object]] = {
    "note": lambda s, f: capture.save_note(
        s, interview_id=f["iid"], indicator_id="ONE-1", text="x", actor="A"
    ),
    "quote": lambda s, f: capture.add_quote(
        s, interview_id=f["iid"], indicator_id="ONE-1", text="x", speaker="C", actor="A"
    ),
    "evidence": lambda s, f: capture.add_evidence(
        s,
        interview_id=f["iid"],
        item=capture.EvidenceIn(
            EvidenceSource.other, "", None, Reliability.low, "late", Bearing.mixed
        ),
        actor="A",
    ),
    "evidence links": lambda s, f: capture.set_evidence_links(
        s, interview_id=f["iid"], evidence_id=f["evidence"], indicator_ids=["TWO-1"], actor="A"
    ),
    "timeline": lambda s, f: capture.set_timeline(
        s, interview_id=f["iid"], fact_id="depth", value="member", actor="A"
    ),
    "raise flag": lambda s, f: capture.raise_flag(
        s, interview_id=f["iid"], kind=FlagKind.other, note="n", actor="A"
    ),
    "resolve flag": lambda s, f: capture.resolve_flag(
        s, interview_id=f["iid"], flag_id=f["flag"], action_taken="again", actor="A"
    ),
    "current indicator": lambda s, f: capture.set_current_indicator(
        s, interview_id=f["iid"], indicator_id="TWO-1"
    ),
    "domain time": lambda s, f: capture.add_domain_time(
        s, interview_id=f["iid"], domain_id="one", seconds=5
    ),
    "save rating": lambda s, f: ratings.save_rating(
        s,
        interview_id=f["iid"],
        panelist_id=f["sam"],
        indicator_id="ONE-1",
        value=0,
        rationale="",
        actor="Sam",
    ),
    "advance status": lambda s, f: ratings.advance_status(
        s, interview_id=f["iid"], to=Status.consensus, actor="A"
    ),
    "rate": lambda s, f: panel.rate(
        s,
        interview_id=f["iid"],
        panelist_id=f["sam"],
        indicator_id="ONE-1",
        value=0,
        rationale="",
        actor="Sam",
    ),
    "submit": lambda s, f: panel.submit_domain(
        s, interview_id=f["iid"], panelist_id=f["sam"], domain_id="one", actor="Sam"
    ),
    "set pin": lambda s, f: panel.set_pin(
        s, interview_id=f["iid"], panelist_id=f["sam"], pin="7777", current_pin="2222", actor="S"
    ),
    "reset pin": lambda s, f: panel.reset_pin(
        s, interview_id=f["iid"], panelist_id=f["sam"], chair_pin="1111", pin="7777", actor="A"
    ),
    "reveal": lambda s, f: panel.reveal(
        s, interview_id=f["iid"], chair_id=f["ada"], pin="1111", reason="r", actor="A"
    ),
    "consensus": lambda s, f: record_consensus(
        s, interview_id=f["iid"], indicator_id="ONE-1", value=1, rationale="r", chair_pin=PINS[0]
    ),
    "determination": lambda s, f: determine(s, f["iid"], rationale="Changed our minds."),
    "sign off": lambda s, f: sign_off(
        s, interview_id=f["iid"], panelist_id=f["sam"], pin="2222", actor="Sam"
    ),
    "finalize": lambda s, f: finalize(s, interview_id=f["iid"], actor="A"),
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_every_write_after_finalize_is_refused(
    locked: Store, finalized: dict[str, str], write: str
) -> None:
    with locked.session() as session, pytest.raises(LockedError) as caught:
        WRITES[write](session, finalized)
    assert str(caught.value) == LOCKED


def test_the_database_backs_up_the_lock(locked: Store, finalized: dict[str, str]) -> None:
    iid, ada = finalized["iid"], finalized["ada"]
    with sqlite3.connect(locked.path) as connection:
        for statement in (
            f"INSERT INTO chair_reveal VALUES ('{iid}', '{ada}', 'late', '2026-01-01')",
            "UPDATE consensus SET value = 0",
            "DELETE FROM sign_off",
            "UPDATE determination SET differs_because = 'forged'",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="finalized"):
                connection.execute(statement)


def test_addenda_correct_a_finalized_record(locked: Store, finalized: dict[str, str]) -> None:
    iid = finalized["iid"]
    with locked.session() as session:
        with pytest.raises(ValidationError, match="Say why"):
            add_addendum(
                session, interview_id=iid, author_id=finalized["ada"], pin="1111", reason=" ",
                text="t",
            )  # fmt: skip
        with pytest.raises(panel.PinError, match="Wrong PIN for Dr. Ada Example"):
            add_addendum(
                session, interview_id=iid, author_id=finalized["ada"], pin="2222", reason="r",
                text="t",
            )  # fmt: skip
        added = add_addendum(
            session,
            interview_id=iid,
            author_id=finalized["ada"],
            pin="1111",
            reason="Typo in the rationale",
            text="'Meets' should read 'meets'.",
        )
        session.commit()
        assert [a.id for a in addenda_of(session, iid)] == [added.id]
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "addendum")).one()
        assert entry.actor == "Dr. Ada Example"
    with sqlite3.connect(locked.path) as connection:
        for statement in ("UPDATE addendum SET text = 'rewritten'", "DELETE FROM addendum"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                connection.execute(statement)


def test_addenda_wait_for_finalization(store: Store, iid: str) -> None:
    with (
        store.session() as session,
        pytest.raises(ValidationError, match="Addenda are for finalized interviews"),
    ):
        ada = members(store, iid)[0].id
        add_addendum(session, interview_id=iid, author_id=ada, pin="1111", reason="r", text="t")


# ----------------------------------------------------------------------------- migration


def test_schema_0002_stores_upgrade_keeping_determinations(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(path)
    migrate.upgrade(engine, "0002")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO candidate (id, code, created_at) VALUES ('c1', 'PM-OLD', '2024-01-01')",
            "INSERT INTO interview (id, candidate_id, status, protocol_id, protocol_version, "
            "protocol_hash, protocol_text, interview_date, consent_given, created_at, updated_at) "
            "VALUES ('i1', 'c1', 'consensus', 'p', '1', 'h', 'x', '2024-01-02', 1, '2024-01-02', "
            "'2024-01-02')",
            "INSERT INTO determination (interview_id, outcome, conditions, work_on, rationale, "
            "suggested_outcome, recorded_at) VALUES ('i1', 'ready', '', '', 'kept', 'ready', "
            "'2024-01-03')",
        ):
            connection.execute(text(statement))
    engine.dispose()
    store = Store.open(path)
    try:
        with store.engine.connect() as connection:
            row = connection.execute(
                text("SELECT rationale, differs_because FROM determination")
            ).one()
            triggers = {
                name
                for (name,) in connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                )
            }
        assert tuple(row) == ("kept", "")
        assert {"determination_locked_update", "chair_reveal_locked_insert"} <= triggers
        migrate.upgrade(store.engine, "0003")  # already there: nothing to do
    finally:
        store.close()
    engine = make_engine(path)
    try:
        from alembic import command

        with engine.begin() as connection:
            command.downgrade(migrate._config(connection), "0002")
        with engine.connect() as connection:
            columns = [r[1] for r in connection.execute(text("PRAGMA table_info(determination)"))]
        assert "differs_because" not in columns
    finally:
        engine.dispose()
