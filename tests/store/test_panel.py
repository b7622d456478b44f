"""Blind rating on one shared laptop, against a real store file: PINs, submission, reveal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from formers_tui.errors import NotFoundError, ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import panel, ratings
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import AuditEntry, Panelist, Status
from formers_tui.store.panel import PinError, RatingsHiddenError
from formers_tui.store.panel_view import program_agreement, summary
from formers_tui.store.store import Store
from tests.conftest import make_interview
from tests.pg import DIALECTS, open_store_of

PINS = ("1111", "2222", "3333")
DOMAINS = {"one": ("ONE-1", "ONE-2"), "two": ("TWO-1",), "three": ("THREE-1",)}


ON_BOTH = pytest.mark.parametrize("store", DIALECTS, indirect=True)
"""Runs a test on a SQLite file and on a PostgreSQL database; the PIN checks, which
read and write as every other test here does, run on SQLite only."""


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store: a SQLite file, or the database ``ON_BOTH`` names."""
    opened = open_store_of(getattr(request, "param", "sqlite"), request, tmp_path)
    assert isinstance(opened, Store)
    yield opened
    opened.close()


@pytest.fixture
def iid(store: Store, mini_protocol: LoadedProtocol) -> str:
    return make_interview(store, mini_protocol)


def members(store: Store, iid: str) -> list[Panelist]:
    """The panel in order: chair Ada, Sam, Pat."""
    with store.session() as session:
        return interview_header(session, get_interview(session, iid)).panel


def give_pins(store: Store, iid: str) -> None:
    with store.session() as session:
        for member, pin in zip(members(store, iid), PINS, strict=True):
            panel.set_pin(session, interview_id=iid, panelist_id=member.id, pin=pin, actor="t")
        session.commit()


def rate_domain(
    session: Session,
    iid: str,
    who: Panelist,
    domain: str,
    value: int | None = 2,
    *,
    submit: bool = True,
) -> None:
    for indicator in DOMAINS[domain]:
        panel.rate(
            session,
            interview_id=iid,
            panelist_id=who.id,
            indicator_id=indicator,
            value=value,
            rationale=f"{who.name} on {indicator}",
            actor=who.name,
        )
    if submit:
        panel.submit_domain(
            session, interview_id=iid, panelist_id=who.id, domain_id=domain, actor=who.name
        )


def rate_everything(store: Store, iid: str, values: dict[str, int | None] | None = None) -> None:
    """Every panelist rates (``values`` by panelist name, default 2) and submits every domain."""
    with store.session() as session:
        for who in members(store, iid):
            for domain in DOMAINS:
                rate_domain(session, iid, who, domain, (values or {}).get(who.name, 2))
        session.commit()


# --------------------------------------------------------------------------- PINs


def test_pins_are_stored_as_salted_scrypt_hashes(store: Store, iid: str) -> None:
    give_pins(store, iid)
    ada, sam, _ = members(store, iid)
    assert ada.pin_hash is not None and ada.pin_hash.startswith("scrypt$16384$8$1$")
    assert "1111" not in ada.pin_hash
    assert panel.hash_pin("1111") != panel.hash_pin("1111")  # a fresh salt each time
    with store.session() as session:
        assert panel.verify_pin(session, interview_id=iid, panelist_id=ada.id, pin="1111")
        assert not panel.verify_pin(session, interview_id=iid, panelist_id=ada.id, pin="2222")
        assert not panel.verify_pin(session, interview_id=iid, panelist_id=sam.id, pin="1111")
        entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "panelist_pin")).all()
        assert len(entries) == 3
        assert all("scrypt" not in (e.new or "") for e in entries)
        first = json.loads(entries[0].new or "{}")
        assert first == {
            "panelist": ada.name,
            "pin": "set",
            "signing_key": "made",
            "public_key": ada.public_key,
        }
        assert all("v1$" not in (e.new or "") for e in entries), "no sealed key in the log"


def test_unreadable_hashes_never_match() -> None:
    assert not panel.pin_matches("1111", "")
    assert not panel.pin_matches("1111", "md5$abc")
    assert not panel.pin_matches("1111", "scrypt$x$8$1$00$00")


def test_changing_a_pin_needs_the_current_one(store: Store, iid: str) -> None:
    give_pins(store, iid)
    sam = members(store, iid)[1]
    with store.session() as session:
        with pytest.raises(PinError, match="Give Sam Sample's current PIN to change it."):
            panel.set_pin(session, interview_id=iid, panelist_id=sam.id, pin="9999", actor="x")
        with pytest.raises(PinError, match="current PIN"):
            panel.set_pin(
                session,
                interview_id=iid,
                panelist_id=sam.id,
                pin="9999",
                current_pin="1111",
                actor="x",
            )
        panel.set_pin(
            session, interview_id=iid, panelist_id=sam.id, pin="9999", current_pin="2222", actor="x"
        )
        session.commit()
        assert panel.verify_pin(session, interview_id=iid, panelist_id=sam.id, pin="9999")


@pytest.mark.parametrize(
    ("pin", "message"), [("12", "4 to 64 characters"), ("12 34", "spaces"), ("", "4 to 64")]
)
def test_malformed_pins_are_refused(store: Store, iid: str, pin: str, message: str) -> None:
    sam = members(store, iid)[1]
    with store.session() as session, pytest.raises(PinError, match=message):
        panel.set_pin(session, interview_id=iid, panelist_id=sam.id, pin=pin, actor="x")


def test_the_chair_can_reset_a_forgotten_pin(store: Store, iid: str) -> None:
    give_pins(store, iid)
    _, sam, pat = members(store, iid)
    with store.session() as session:
        with pytest.raises(PinError, match="Wrong PIN for Dr. Ada Example."):
            panel.reset_pin(
                session,
                interview_id=iid,
                panelist_id=sam.id,
                chair_pin="2222",
                pin="5555",
                actor="Pat",
            )
        panel.reset_pin(
            session, interview_id=iid, panelist_id=sam.id, chair_pin="1111", pin="5555", actor="A"
        )
        session.commit()
        assert panel.verify_pin(session, interview_id=iid, panelist_id=sam.id, pin="5555")
        last = session.exec(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()  # type: ignore[union-attr]
        assert last is not None and "reset by Dr. Ada Example" in (last.new or "")
        assert not panel.verify_pin(session, interview_id=iid, panelist_id=pat.id, pin="5555")


def test_require_pin_names_the_problem(store: Store, iid: str) -> None:
    sam = members(store, iid)[1]
    with store.session() as session:
        with pytest.raises(PinError, match="Sam Sample has no PIN yet; set one first."):
            panel.require_pin(session, interview_id=iid, panelist_id=sam.id, pin="1234")
        panel.set_pin(session, interview_id=iid, panelist_id=sam.id, pin="1234", actor="Sam")
        with pytest.raises(PinError, match="Wrong PIN for Sam Sample."):
            panel.require_pin(session, interview_id=iid, panelist_id=sam.id, pin="4321")
        found = panel.require_pin(session, interview_id=iid, panelist_id=sam.id, pin="1234")
        assert found.id == sam.id


@ON_BOTH
def test_panelists_are_found_by_name_or_id(store: Store, iid: str) -> None:
    ada, sam, _ = members(store, iid)
    with store.session() as session:
        assert panel.find_panelist(session, iid, "sam sample").id == sam.id
        assert panel.find_panelist(session, iid[:8], ada.id[:6]).id == ada.id
        with pytest.raises(NotFoundError, match="No panelist 'Zed' on this interview's panel"):
            panel.find_panelist(session, iid, "Zed")


@ON_BOTH
def test_a_panelist_of_another_interview_is_refused(
    store: Store, iid: str, mini_protocol: LoadedProtocol
) -> None:
    other = make_interview(store, mini_protocol, code="PM-OTHER")
    stranger = members(store, other)[1]
    with store.session() as session, pytest.raises(ValidationError, match="not on this interview"):
        panel.rate(
            session,
            interview_id=iid,
            panelist_id=stranger.id,
            indicator_id="ONE-1",
            value=2,
            rationale="",
            actor="x",
        )


# --------------------------------------------------------------- blind rating and submission


@ON_BOTH
def test_others_ratings_stay_hidden_until_you_submit(store: Store, iid: str) -> None:
    ada, sam, pat = members(store, iid)
    with store.session() as session:
        rate_domain(session, iid, sam, "one", 3)
        rate_domain(session, iid, pat, "one", 1, submit=False)
        session.commit()
        with pytest.raises(
            RatingsHiddenError,
            match="Submit your own ratings for Domain one before seeing the panel's.",
        ):
            panel.visible_ratings(session, iid, ada.id, "one")
        assert panel.visible_domains(session, iid, ada.id) == set()
        rate_domain(session, iid, ada, "one", 2)
        session.commit()
        seen = panel.visible_ratings(session, iid, ada.id, "one")
        # Ada sees her own and Sam's submitted ratings; Pat's draft stays Pat's.
        assert sorted((r.indicator_id, r.value) for r in seen) == [
            ("ONE-1", 2),
            ("ONE-1", 3),
            ("ONE-2", 2),
            ("ONE-2", 3),
        ]
        assert {r.panelist_id for r in seen} == {ada.id, sam.id}
        assert panel.visible_domains(session, iid, ada.id) == {"one"}
        with pytest.raises(RatingsHiddenError):
            panel.visible_ratings(session, iid, ada.id, "two")
        with pytest.raises(RatingsHiddenError):
            panel.visible_ratings(session, iid, pat.id, "one")
        with pytest.raises(ValidationError, match="no domain 'nope'"):
            panel.visible_ratings(session, iid, ada.id, "nope")


@ON_BOTH
def test_submitting_needs_every_indicator_and_marks_the_ratings(store: Store, iid: str) -> None:
    sam = members(store, iid)[1]
    with store.session() as session:
        panel.rate(
            session,
            interview_id=iid,
            panelist_id=sam.id,
            indicator_id="ONE-2",
            value=None,
            rationale="not enough heard",
            actor="Sam",
        )
        with pytest.raises(
            ValidationError,
            match=r"Rate or omit every indicator of Domain one before submitting "
            r"\(not yet: ONE-1\)\.",
        ):
            panel.submit_domain(
                session, interview_id=iid, panelist_id=sam.id, domain_id="one", actor="Sam"
            )
        panel.rate(
            session,
            interview_id=iid,
            panelist_id=sam.id,
            indicator_id="ONE-1",
            value=3,
            rationale="clear",
            actor="Sam",
        )
        first = panel.submit_domain(
            session, interview_id=iid, panelist_id=sam.id, domain_id="one", actor="Sam"
        )
        again = panel.submit_domain(
            session, interview_id=iid, panelist_id=sam.id, domain_id="one", actor="Sam"
        )
        session.commit()
        assert again.submitted_at == first.submitted_at
        mine = ratings.ratings_by(session, iid, sam.id)
        assert {r.submitted_at for r in mine.values()} == {first.submitted_at}
        assert mine["ONE-2"].omitted and mine["ONE-2"].value is None
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.entity == "domain_submission")
        ).all()
        assert len(entries) == 1
        assert json.loads(entries[0].new or "{}")["ratings"] == [
            mine["ONE-1"].id,
            mine["ONE-2"].id,
        ]


@ON_BOTH
def test_revising_a_submitted_rating_keeps_the_earlier_one(store: Store, iid: str) -> None:
    sam = members(store, iid)[1]
    with store.session() as session:
        rate_domain(session, iid, sam, "two", 1)
        session.commit()
        panel.rate(
            session,
            interview_id=iid,
            panelist_id=sam.id,
            indicator_id="TWO-1",
            value=2,
            rationale="after hearing the collateral",
            actor="Sam",
        )
        session.commit()
        current = ratings.ratings_by(session, iid, sam.id)["TWO-1"]
        assert current.value == 2 and current.submitted_at is not None
        (earlier,) = ratings.rating_history(session, current.id)
        assert earlier.value == 1 and earlier.submitted_at is not None


@ON_BOTH
def test_status_moves_to_rating_then_to_consensus(store: Store, iid: str) -> None:
    ada = members(store, iid)[0]
    with store.session() as session:
        assert get_interview(session, iid).status == Status.draft
        rate_domain(session, iid, ada, "one", submit=False)
        session.commit()
        assert get_interview(session, iid).status == Status.rating
    rate_everything(store, iid)
    with store.session() as session:
        assert get_interview(session, iid).status == Status.consensus
        state = panel.progress(session, iid)
        assert state.all_submitted and state.open and state.revealed is None
        assert state.panelists[0].submitted == ("one", "two", "three")


# --------------------------------------------------------------------------- the reveal


@ON_BOTH
def test_the_chair_can_reveal_with_a_reason_and_pin(store: Store, iid: str) -> None:
    give_pins(store, iid)
    ada, sam, pat = members(store, iid)
    with store.session() as session:
        rate_domain(session, iid, sam, "one", 3)
        rate_domain(session, iid, pat, "two", 1, submit=False)
        session.commit()
        with pytest.raises(ValidationError, match="Only the chair can reveal"):
            panel.reveal(
                session, interview_id=iid, chair_id=sam.id, pin="2222", reason="x", actor="Sam"
            )
        with pytest.raises(ValidationError, match="Say why"):
            panel.reveal(
                session, interview_id=iid, chair_id=ada.id, pin="1111", reason=" ", actor="Ada"
            )
        with pytest.raises(PinError, match="Wrong PIN"):
            panel.reveal(
                session, interview_id=iid, chair_id=ada.id, pin="2222", reason="time", actor="Ada"
            )
        panel.reveal(
            session,
            interview_id=iid,
            chair_id=ada.id,
            pin="1111",
            reason="Pat was called away",
            actor="Ada",
        )
        session.commit()
        assert get_interview(session, iid).status == Status.consensus
        state = panel.progress(session, iid)
        assert state.open and not state.all_submitted
        assert state.revealed is not None and state.revealed.reason == "Pat was called away"
        assert state.revealed.name == "Dr. Ada Example"
        # Everyone may now look, but nobody may add ratings that would not be blind.
        assert len(panel.visible_ratings(session, iid, ada.id, "one")) == 2
        assert panel.visible_domains(session, iid, pat.id) == {"one", "two", "three"}
        with pytest.raises(ValidationError, match="would not be blind"):
            panel.submit_domain(
                session, interview_id=iid, panelist_id=pat.id, domain_id="two", actor="Pat"
            )
        with pytest.raises(ValidationError, match="new ratings in Domain one would not be blind"):
            rate_domain(session, iid, ada, "one", submit=False)
        # A rating already submitted may still be revised before consensus.
        panel.rate(
            session,
            interview_id=iid,
            panelist_id=sam.id,
            indicator_id="ONE-1",
            value=2,
            rationale="on reflection",
            actor="Sam",
        )
        session.commit()
        assert (
            session.exec(select(AuditEntry).where(AuditEntry.entity == "chair_reveal")).one().actor
            == "Ada"
        )


@ON_BOTH
def test_no_reveal_once_everyone_has_submitted(store: Store, iid: str) -> None:
    give_pins(store, iid)
    rate_everything(store, iid)
    ada = members(store, iid)[0]
    with store.session() as session, pytest.raises(ValidationError, match="already open"):
        panel.reveal(
            session, interview_id=iid, chair_id=ada.id, pin="1111", reason="why", actor="Ada"
        )


# ------------------------------------------------------------------------------ summary


@ON_BOTH
def test_whole_panel_summary_waits_for_everyone(store: Store, iid: str) -> None:
    ada, sam, _ = members(store, iid)
    with store.session() as session:
        for domain in DOMAINS:
            rate_domain(session, iid, ada, domain, 3)
        rate_domain(session, iid, sam, "one", 1)
        session.commit()
        with pytest.raises(
            RatingsHiddenError,
            match=r"stay hidden until every panelist has submitted every domain "
            r"\(1 of 3 have\) or the chair reveals them\.",
        ):
            summary(session, iid)
        mine = summary(session, iid, viewer_panelist_id=sam.id)
        row = mine.scores.rows[0]
        assert [c.value for c in row.cells] == [3, 1, None]  # Sam submitted domain one
        assert mine.scores.rows[2].cells[0].state.value == "hidden"  # ... but not domain two
        assert row.disagreement is not None
        stats = {a.key: a.stats for a in mine.scores.agreement}
        assert stats["one"].pairable == 4 and stats["two"].alpha is None
        assert stats["overall"].alpha_reason.startswith("hidden")


@ON_BOTH
def test_summary_of_an_open_panel(store: Store, iid: str) -> None:
    rate_everything(store, iid, {"Dr. Ada Example": 3, "Sam Sample": 2, "Pat Placeholder": None})
    with store.session() as session:
        report = summary(session, iid)
    assert report.status == Status.consensus and report.viewer_id is None
    assert report.candidate_code == "PM-TEST-01"
    assert [p.name for p in report.scores.panelists] == [
        "Dr. Ada Example",
        "Sam Sample",
        "Pat Placeholder",
    ]
    assert len(report.scores.disagreements) == 4  # Pat omitted everything the others rated
    overall = report.scores.overall.stats
    assert overall.pairable == 8 and overall.exact == 0.0 and overall.within_one == 1.0
    assert report.scores.suggestion.outcome.value == "insufficient_information"
    assert report.determination is None and report.signed == ()


@ON_BOTH
def test_program_agreement_pools_settled_interviews(
    store: Store, iid: str, mini_protocol: LoadedProtocol
) -> None:
    rate_everything(store, iid, {"Dr. Ada Example": 3, "Sam Sample": 3, "Pat Placeholder": 2})
    other = make_interview(store, mini_protocol, code="PM-TWO")
    rate_everything(store, other, {"Dr. Ada Example": 0, "Sam Sample": 0, "Pat Placeholder": 0})
    unsettled = make_interview(store, mini_protocol, code="PM-THREE")
    with store.session() as session:
        rate_domain(session, unsettled, members(store, unsettled)[0], "one", 1)
        session.commit()
        (report,) = program_agreement(session)
        assert program_agreement(session, protocol_id="nope") == []
    assert (report.protocol_id, report.protocol_version, report.interviews) == ("mini", "0.1", 2)
    overall = report.agreement[-1]
    assert overall.key == "overall" and overall.stats.units == 8
    assert overall.stats.pairable == 24
    assert overall.stats.exact == 0.5  # the all-zero interview agrees exactly
    assert overall.stats.alpha is not None and 0 < overall.stats.alpha < 1
    one = report.agreement[0]
    assert one.key == "one" and one.stats.units == 4


@ON_BOTH
def test_drafts_never_reach_the_program_report(store: Store, iid: str) -> None:
    give_pins(store, iid)
    ada, sam, pat = members(store, iid)
    with store.session() as session:
        for domain in DOMAINS:
            rate_domain(session, iid, ada, domain, 2)
            rate_domain(session, iid, sam, domain, 2)
        rate_domain(session, iid, pat, "one", 0, submit=False)
        panel.reveal(
            session, interview_id=iid, chair_id=ada.id, pin="1111", reason="Pat left", actor="A"
        )
        session.commit()
        (report,) = program_agreement(session)
        staff = summary(session, iid)
    overall = report.agreement[-1].stats
    assert overall.pairable == 8  # Ada's and Sam's, never Pat's drafts
    assert overall.alpha_reason.startswith("no variation: every paired rating is 2")
    assert [c.state.value for c in staff.scores.rows[0].cells] == ["rated", "rated", "empty"]
