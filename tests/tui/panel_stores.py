"""Stores at each stage of panel scoring, for the panel view's pilot and snapshot tests.

Everything goes through the store's own functions (PINs, ratings,
submissions, consensus, determination, sign-off), so the screens are tested
against exactly what the panel would have produced.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.protocol.model import Protocol
from formers_tui.store import capture, panel
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import Interview, Outcome, Panelist
from formers_tui.store.panel_decision import (
    DissentIn,
    record_consensus,
    record_determination,
    sign_off,
)
from formers_tui.store.panel_view import low_critical_ratings
from formers_tui.store.store import Store
from tests.conftest import make_interview

ADA, SAM, PAT = "Dr. Ada Example", "Sam Sample", "Pat Placeholder"
PINS = {ADA: "1111", SAM: "2222", PAT: "3333"}
FIXED = datetime(2026, 11, 2, 15, 30)
"""Stored as the time of every rating, submission and decision, so pictures never change."""

Values = Mapping[str, Mapping[str, int | None]]
"""Ratings by panelist name, then indicator id (``None`` omits)."""


def secret(name: str, indicator_id: str) -> str:
    """A rationale no screen may show before its time: greppable, unique per cell."""
    return f"{name.split()[-1].upper()}-SAYS-{indicator_id}"


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a store file (templates are built once, copied per test)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def members(session: Session, iid: str) -> dict[str, Panelist]:
    """The panel by name."""
    return {p.name: p for p in interview_header(session, get_interview(session, iid)).panel}


def protocol(session: Session, iid: str) -> Protocol:
    return protocol_of(get_interview(session, iid))


def give_pins(store: Store, iid: str, names: Sequence[str] = (ADA, SAM, PAT)) -> None:
    with store.session() as session:
        panel_ = members(session, iid)
        for name in names:
            panel.set_pin(
                session, interview_id=iid, panelist_id=panel_[name].id, pin=PINS[name], actor=name
            )
        session.commit()


def rate(store: Store, iid: str, values: Values, submit: Mapping[str, Sequence[str]]) -> None:
    """Rate as given, then submit the named domains of each panelist."""
    with store.session() as session:
        panel_ = members(session, iid)
        for name, marks in values.items():
            for indicator_id, value in marks.items():
                panel.rate(
                    session,
                    interview_id=iid,
                    panelist_id=panel_[name].id,
                    indicator_id=indicator_id,
                    value=value,
                    rationale=secret(name, indicator_id),
                    actor=name,
                )
        for name, domains in submit.items():
            for domain_id in domains:
                panel.submit_domain(
                    session,
                    interview_id=iid,
                    panelist_id=panel_[name].id,
                    domain_id=domain_id,
                    actor=name,
                )
        session.commit()


def pattern(proto: Protocol, name: str) -> dict[str, int | None]:
    """Deterministic, varied ratings over a whole protocol for one panelist."""
    offset = {ADA: 0, SAM: 1, PAT: 2}[name]
    out: dict[str, int | None] = {}
    for n, indicator in enumerate(proto.indicators()):
        k = (n * 7 + offset * 3) % 11
        out[indicator.id] = None if k == 10 else 3 - (k % 5 == 0) - 2 * (k % 7 == 0 and n % 2 == 0)
    return out


MINI_VALUES: Values = {
    ADA: {"ONE-1": 3, "ONE-2": 2, "TWO-1": 2, "THREE-1": 1},
    SAM: {"ONE-1": 1, "ONE-2": 2, "TWO-1": 3, "THREE-1": None},
    PAT: {"ONE-1": 3, "ONE-2": 2, "TWO-1": 1, "THREE-1": 1},
}
"""Mini protocol: ONE-1 and TWO-1 two levels apart, THREE-1 omitted by one, ONE-2 agreed."""


def set_timeline(store: Store, iid: str) -> None:
    """Involved 2005-2010, so the proportionality rule is met by 2026."""
    with store.session() as session:
        for fact, value in (("involvement_start", "2005-01-01"), ("disengaged_on", "2010-01-01")):
            capture.set_timeline(session, interview_id=iid, fact_id=fact, value=value, actor=ADA)
        session.commit()


def partly_submitted(store: Store, loaded: LoadedProtocol) -> str:
    """Mini protocol: Sam submitted everything, Pat domain one only, Ada nothing (one draft).

    Ada and Sam have PINs; Pat has none yet.
    """
    iid = make_interview(store, loaded, code="PM-PANEL-01")
    give_pins(store, iid, (ADA, SAM))
    rate(
        store,
        iid,
        {SAM: MINI_VALUES[SAM], PAT: {"ONE-1": 3, "ONE-2": 2}, ADA: {"ONE-1": 2}},
        {SAM: ("one", "two", "three"), PAT: ("one",)},
    )
    return iid


def all_submitted(store: Store, loaded: LoadedProtocol, code: str = "PM-PANEL-02") -> str:
    """Every panelist has a PIN and has rated and submitted everything."""
    iid = make_interview(store, loaded, code=code)
    give_pins(store, iid)
    set_timeline(store, iid)
    proto = loaded.protocol
    if proto.id == "mini":
        values: Values = MINI_VALUES
    else:
        values = {name: pattern(proto, name) for name in (ADA, SAM, PAT)}
    domains = [d.id for d in proto.domains()]
    rate(store, iid, values, {name: domains for name in values})
    return iid


def agree(store: Store, iid: str, value: Callable[[str], int | None] = lambda _: 2) -> None:
    """Consensus on every indicator (Pat dissents on the first).

    Where a panelist rated a critical indicator below met, the rationale names
    them, as the store requires.
    """
    with store.session() as session:
        panel_ = members(session, iid)
        low = low_critical_ratings(session, iid, protocol(session, iid))
        for n, indicator in enumerate(protocol(session, iid).indicators()):
            weighed = f" Weighed {' and '.join(low[indicator.id])}." if indicator.id in low else ""
            record_consensus(
                session,
                interview_id=iid,
                indicator_id=indicator.id,
                value=value(indicator.id),
                rationale=f"Agreed after discussion of {indicator.id}.{weighed}",
                chair_pin=PINS[ADA],
                dissent=[DissentIn(panel_[PAT].id, "Too recent to count.")] if n == 0 else [],
            )
        session.commit()


def decide(store: Store, iid: str) -> None:
    """A determination matching the suggestion (ready, for consensus 2 everywhere)."""
    with store.session() as session:
        record_determination(
            session,
            interview_id=iid,
            outcome=Outcome.ready,
            rationale="Consistent evidence across every domain.",
            chair_pin=PINS[ADA],
        )
        session.commit()


def sign(store: Store, iid: str, names: Sequence[str]) -> None:
    with store.session() as session:
        panel_ = members(session, iid)
        for name in names:
            sign_off(
                session, interview_id=iid, panelist_id=panel_[name].id, pin=PINS[name], actor=name
            )
        session.commit()


def status_of(store: Store, iid: str) -> str:
    with store.session() as session:
        return session.exec(select(Interview.status).where(Interview.id == iid)).one().value
