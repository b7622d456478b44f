"""A store holding one interview in each rating state, for the blind-rating path tests.

Built through the store's own functions, as the interview screen and the
panel view would. Every rating's rationale is a canary naming the state,
the panelist and the indicator, free of names and codes so that
de-identification keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from formers_tui.protocol.loader import load_path
from formers_tui.store import panel, panel_decision
from formers_tui.store.interviews import PanelistIn, create_interview, interview_header
from formers_tui.store.models import Outcome, Role
from formers_tui.store.panel_view import suggestion
from formers_tui.store.store import Store
from tests.conftest import FIXTURES

NAMES = ("Ann Lee", "Bo Ray", "Cy Dee")
PINS = {"Ann Lee": "1111", "Bo Ray": "2222", "Cy Dee": "3333"}
VALUES = {"Ann Lee": 1, "Bo Ray": 3, "Cy Dee": 2}
INDICATORS = ("ONE-1", "ONE-2", "TWO-1", "THREE-1")
DOMAIN = {"ONE-1": "one", "ONE-2": "one", "TWO-1": "two", "THREE-1": "three"}
STATES = ("draft", "submitted", "revealed", "finalized")


def canary(state: str, who: str, indicator: str) -> str:
    """The rationale of ``who``'s rating of ``indicator`` in the interview at ``state``."""
    return f"zq{state[:3]}{NAMES.index(who)}x{indicator.replace('-', '')}"


@dataclass(frozen=True)
class Plan:
    """What each panelist rated and submitted in one interview."""

    rated: dict[str, tuple[str, ...]]
    """Indicators each panelist rated."""
    submitted: dict[str, tuple[str, ...]]
    """Domains each panelist submitted."""
    reveal: bool = False
    finalize: bool = False


PLANS = {
    # Ann submitted everything; Bo's ratings are drafts.
    "draft": Plan(
        rated={"Ann Lee": INDICATORS, "Bo Ray": INDICATORS},
        submitted={"Ann Lee": ("one", "two", "three")},
    ),
    # Ann submitted only domain two; Bo submitted one and two; Cy's are drafts.
    "submitted": Plan(
        rated={"Ann Lee": ("TWO-1",), "Bo Ray": INDICATORS, "Cy Dee": INDICATORS},
        submitted={"Ann Lee": ("two",), "Bo Ray": ("one", "two")},
    ),
    # Ann submitted everything, Bo domain one, Cy nothing; the chair revealed.
    "revealed": Plan(
        rated={"Ann Lee": INDICATORS, "Bo Ray": INDICATORS, "Cy Dee": INDICATORS},
        submitted={"Ann Lee": ("one", "two", "three"), "Bo Ray": ("one",)},
        reveal=True,
    ),
    # As revealed, then consensus, determination and every signature.
    "finalized": Plan(
        rated={"Ann Lee": INDICATORS, "Bo Ray": INDICATORS, "Cy Dee": INDICATORS},
        submitted={"Ann Lee": ("one", "two", "three"), "Bo Ray": ("one",)},
        reveal=True,
        finalize=True,
    ),
}


def visible_to(state: str, reader: str | None, who: str, indicator: str) -> bool:
    """The expected answer, worked out by hand for these plans (not by the rule under test)."""
    plan = PLANS[state]
    if plan.finalize:
        return True
    if reader == who:
        return True
    submitted = DOMAIN[indicator] in plan.submitted.get(who, ())
    if not submitted:
        return False
    if plan.reveal:
        return True
    if reader is None:
        return all(DOMAIN[indicator] in plan.submitted.get(n, ()) for n in NAMES)
    return DOMAIN[indicator] in plan.submitted.get(reader, ())


def is_submitted(state: str, who: str, indicator: str) -> bool:
    """Whether ``who`` submitted the domain of ``indicator`` in the interview at ``state``."""
    return DOMAIN[indicator] in PLANS[state].submitted.get(who, ())


def ratings_of(state: str) -> list[tuple[str, str]]:
    """``(panelist, indicator)`` of every rating in the interview at ``state``."""
    return [(who, i) for who, rated in PLANS[state].rated.items() for i in rated]


def build(path: Path | str) -> dict[str, str]:
    """Write the store at ``path`` (a file, or a server URL); return each state's interview id."""
    loaded = load_path(FIXTURES / "mini-protocol.toml")
    store = Store.open(path)
    ids: dict[str, str] = {}
    try:
        for state in STATES:
            with store.session() as session:
                interview = create_interview(
                    session,
                    candidate_code=f"PM-{state.upper()}",
                    protocol=loaded,
                    panel=[
                        PanelistIn(NAMES[0], Role.psychologist, is_chair=True),
                        PanelistIn(NAMES[1], Role.social_worker),
                        PanelistIn(NAMES[2], Role.peer_mentor),
                    ],
                    actor="test",
                    interview_date=date(2026, 11, 2),
                    consent_given=True,
                    consent_date=date(2026, 11, 2),
                )
                ids[state] = iid = interview.id
                members = {p.name: p.id for p in interview_header(session, interview).panel}
                for name, pid in members.items():
                    panel.set_pin(
                        session, interview_id=iid, panelist_id=pid, pin=PINS[name], actor=name
                    )
                plan = PLANS[state]
                for name, indicators in plan.rated.items():
                    for indicator in indicators:
                        panel.rate(
                            session,
                            interview_id=iid,
                            panelist_id=members[name],
                            indicator_id=indicator,
                            value=VALUES[name],
                            rationale=canary(state, name, indicator),
                            actor=name,
                        )
                for name, domains in plan.submitted.items():
                    for domain in domains:
                        panel.submit_domain(
                            session,
                            interview_id=iid,
                            panelist_id=members[name],
                            domain_id=domain,
                            actor=name,
                        )
                if plan.reveal:
                    panel.reveal(
                        session,
                        interview_id=iid,
                        chair_id=members["Ann Lee"],
                        pin=PINS["Ann Lee"],
                        reason="Cy is unwell and cannot finish today.",
                        actor="Ann Lee",
                    )
                if plan.finalize:
                    _finalize(session, iid, members)
                session.commit()
    finally:
        store.close()
    return ids


def _finalize(session: object, iid: str, members: dict[str, str]) -> None:
    from sqlmodel import Session

    assert isinstance(session, Session)
    for indicator in INDICATORS:
        panel_decision.record_consensus(
            session,
            interview_id=iid,
            indicator_id=indicator,
            value=2,
            rationale="Agreed in discussion; Ann Lee, Bo Ray and Cy Dee were weighed.",
            chair_pin=PINS["Ann Lee"],
        )
    advised = suggestion(session, iid).outcome.value
    outcome = Outcome.not_yet_ready
    panel_decision.record_determination(
        session,
        interview_id=iid,
        outcome=outcome,
        rationale="The panel agrees.",
        work_on="Time away from the movement.",
        chair_pin=PINS["Ann Lee"],
        differs_because="" if advised == outcome.value else "The panel weighed the interview.",
    )
    for name, pid in members.items():
        panel_decision.sign_off(
            session, interview_id=iid, panelist_id=pid, pin=PINS[name], actor=name
        )
