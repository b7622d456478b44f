"""The panel's actions as whole transactions, for screens that must hold no session.

Each function opens a session of its own, makes one change through the
store's rule-checked functions (PINs, blind rating, the chair's authority,
signatures), commits, and returns plain data. The interface calls them from
worker threads and only presents what they return or the one sentence they
raise; the rules themselves are in :mod:`formers_tui.store.rules` and the
store modules they name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from formers_tui.store import panel
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import Outcome, Panelist
from formers_tui.store.panel import PinError
from formers_tui.store.panel_decision import (
    DissentIn,
    SignOffState,
    add_addendum,
    record_consensus,
    record_determination,
    sign_off,
)
from formers_tui.store.store import Store

# ----------------------------------------------------------------------------- PINs


@dataclass(frozen=True)
class PanelistChoice:
    """A panel member as a PIN prompt needs them."""

    id: str
    name: str
    has_pin: bool
    is_chair: bool = False

    def label(self) -> str:
        """The name with what matters here: chair, no PIN yet."""
        extra = [
            word
            for word, on_ in (("chair", self.is_chair), ("no PIN yet", not self.has_pin))
            if on_
        ]
        return f"{self.name} ({', '.join(extra)})" if extra else self.name


@dataclass(frozen=True)
class PinEntry:
    """What was typed for one panelist."""

    panelist_id: str
    pin: str = field(repr=False)
    """Their PIN, or the new one."""
    new: bool = False
    """Choosing a first PIN."""
    chair_pin: str | None = field(default=None, repr=False)
    """Set when the chair is giving them a new PIN."""


def apply_pin(session: Session, interview_id: str, entry: PinEntry) -> Panelist:
    """Check the PIN, set a first one, or let the chair reset it; return the panelist.

    Raises:
        PinError: a wrong or malformed PIN.
        LockedError: setting a PIN on a finalized interview.
    """
    who = panel.panelist_of(session, interview_id, entry.panelist_id)
    if entry.chair_pin is not None:
        interview = get_interview(session, interview_id)
        chair = interview_header(session, interview).chair
        panel.reset_pin(
            session,
            interview_id=interview_id,
            panelist_id=who.id,
            chair_pin=entry.chair_pin,
            pin=entry.pin,
            actor=chair.name if chair else who.name,
        )
        return who
    if entry.new:
        panel.set_pin(
            session, interview_id=interview_id, panelist_id=who.id, pin=entry.pin, actor=who.name
        )
        return who
    return panel.require_pin(session, interview_id=interview_id, panelist_id=who.id, pin=entry.pin)


def confirm_pin(store: Store, interview_id: str, entry: PinEntry) -> PanelistChoice:
    """:func:`apply_pin` in a session of its own, committed."""
    with store.session() as session:
        who = apply_pin(session, interview_id, entry)
        session.commit()
        return PanelistChoice(who.id, who.name, True, who.is_chair)


# ------------------------------------------------------------------- blind rating


def submit(store: Store, interview_id: str, panelist_id: str, actor: str, domain_id: str) -> str:
    """Submit the domain for the panelist and commit; return the domain id."""
    with store.session() as session:
        panel.submit_domain(
            session,
            interview_id=interview_id,
            panelist_id=panelist_id,
            domain_id=domain_id,
            actor=actor,
        )
        session.commit()
    return domain_id


@dataclass(frozen=True)
class RevealIn:
    """The chair's reason and PIN."""

    reason: str
    pin: PinEntry = field(repr=False)


def reveal(store: Store, interview_id: str, entry: RevealIn) -> str:
    """Reveal the ratings on the chair's authority; return the reason recorded."""
    with store.session() as session:
        chair = apply_pin(session, interview_id, entry.pin)
        row = panel.reveal(
            session,
            interview_id=interview_id,
            chair_id=chair.id,
            pin=entry.pin.pin,
            reason=entry.reason,
            actor=chair.name,
        )
        session.commit()
        return row.reason


# ------------------------------------------------------------------- the decision


@dataclass(frozen=True)
class ConsensusIn:
    """The consensus to record on one indicator."""

    indicator_id: str
    value: int | None
    """A level value, or ``None`` for omit."""
    rationale: str
    dissent: tuple[DissentIn, ...] = ()
    pin: PinEntry | None = field(default=None, repr=False)
    """The chair's PIN: the consensus is recorded on the chair's authority."""


def consensus(store: Store, interview_id: str, entry: ConsensusIn) -> ConsensusIn:
    """Record the consensus on the chair's PIN and commit it."""
    if entry.pin is None:
        raise PinError("Type the chair's PIN.")
    with store.session() as session:
        apply_pin(session, interview_id, entry.pin)  # a chair without a PIN chooses one here
        record_consensus(
            session,
            interview_id=interview_id,
            indicator_id=entry.indicator_id,
            value=entry.value,
            rationale=entry.rationale,
            chair_pin=entry.pin.pin,
            dissent=entry.dissent,
        )
        session.commit()
    return entry


@dataclass(frozen=True)
class DeterminationIn:
    """A determination to record, with only the fields its outcome takes."""

    outcome: Outcome
    rationale: str
    conditions: str = ""
    work_on: str = ""
    review_date: date | None = None
    differs_because: str = ""
    pin: PinEntry | None = field(default=None, repr=False)
    """The chair's PIN: the determination is recorded on the chair's authority."""


def determination(store: Store, interview_id: str, entry: DeterminationIn) -> DeterminationIn:
    """Record the determination on the chair's PIN and commit it."""
    if entry.pin is None:
        raise PinError("Type the chair's PIN.")
    with store.session() as session:
        apply_pin(session, interview_id, entry.pin)  # a chair without a PIN chooses one here
        record_determination(
            session,
            interview_id=interview_id,
            outcome=entry.outcome,
            rationale=entry.rationale,
            chair_pin=entry.pin.pin,
            conditions=entry.conditions,
            work_on=entry.work_on,
            review_date=entry.review_date,
            differs_because=entry.differs_because,
        )
        session.commit()
    return entry


def sign(store: Store, interview_id: str, entry: PinEntry) -> SignOffState:
    """Sign for ``entry``'s panelist (choosing a first PIN if they have none); commit."""
    with store.session() as session:
        who = apply_pin(session, interview_id, entry)
        state = sign_off(
            session, interview_id=interview_id, panelist_id=who.id, pin=entry.pin, actor=who.name
        )
        session.commit()
        return state


@dataclass(frozen=True)
class AddendumIn:
    """An addendum as typed, with its author's PIN."""

    reason: str
    text: str
    pin: PinEntry = field(repr=False)


@dataclass(frozen=True)
class AddendumView:
    """An addendum as shown with the record."""

    author: str
    created_at: datetime
    reason: str
    text: str


def addendum(store: Store, interview_id: str, entry: AddendumIn) -> AddendumView:
    """Add the addendum on its author's PIN and commit it."""
    with store.session() as session:
        row = add_addendum(
            session,
            interview_id=interview_id,
            author_id=entry.pin.panelist_id,
            pin=entry.pin.pin,
            reason=entry.reason,
            text=entry.text,
        )
        session.commit()
        return AddendumView(row.author, row.created_at, row.reason, row.text)


def choices(panel_: Sequence[Panelist]) -> tuple[PanelistChoice, ...]:
    """The panel as PIN prompts show it."""
    return tuple(PanelistChoice(p.id, p.name, p.pin_hash is not None, p.is_chair) for p in panel_)
