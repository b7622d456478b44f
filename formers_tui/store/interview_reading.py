"""The interview screen's read model: one interview as the screen opens it, and its records.

The interview screen calls these from workers and only presents what they
return. Ratings are read for the active panelist only (whose PIN the screen
has confirmed), which is what the visibility rule of
:mod:`formers_tui.store.rules.visibility` lets a rater see while rating.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from formers_tui.protocol.model import Protocol
from formers_tui.store import capture, panel, ratings
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import (
    Evidence,
    Panelist,
    Quote,
    Rating,
    SafetyFlag,
    Status,
)
from formers_tui.store.store import Store


@dataclass(frozen=True)
class Records:
    """What the store holds besides notes; read again after every write that changes it."""

    panelist_id: str
    """Whose ratings :attr:`ratings` holds (the active panelist's only)."""
    ratings: dict[str, Rating]
    quotes: tuple[Quote, ...]
    evidence: tuple[tuple[Evidence, tuple[str, ...]], ...]
    open_flags: tuple[SafetyFlag, ...]
    timeline: dict[str, str]
    submitted: frozenset[str] = frozenset()
    """Domain ids the active panelist has submitted."""


@dataclass(frozen=True)
class Opened:
    """An interview as read when the screen opens."""

    interview_id: str
    candidate_code: str
    protocol: Protocol
    panel: tuple[Panelist, ...]
    status: Status
    finalized_at: datetime | None
    interview_date: date
    current_indicator: str | None
    notes: dict[str, str]
    domain_seconds: dict[str, float]
    records: Records
    person: str | None = None
    """On a server store, the connected login's person (``None``: a file, or the owner)."""
    writable: bool = True
    """Whether this login may change the interview (a supervisor's may not)."""

    @property
    def chair(self) -> Panelist | None:
        return next((p for p in self.panel if p.is_chair), self.panel[0] if self.panel else None)

    @property
    def actor(self) -> str:
        """Who the audit log names for captures: the chair, who drives the laptop.

        On a server store each person types on their own machine under their
        own login, and the log names them.
        """
        if self.person:
            return self.person
        chair = self.chair
        return chair.name if chair else "chair"


def read_records(session: Session, interview_id: str, panelist_id: str) -> Records:
    """Everything but notes, for one active panelist."""
    return Records(
        panelist_id=panelist_id,
        ratings=ratings.ratings_by(session, interview_id, panelist_id) if panelist_id else {},
        quotes=tuple(capture.quotes_of(session, interview_id)),
        evidence=tuple(
            (item, tuple(ids)) for item, ids in capture.evidence_of(session, interview_id)
        ),
        open_flags=tuple(capture.flags_of(session, interview_id, open_only=True)),
        timeline=capture.timeline_of(session, interview_id),
        submitted=frozenset(panel.progress(session, interview_id).submitted_by(panelist_id))
        if panelist_id
        else frozenset(),
    )


def read_opened(store: Store, interview_id: str, panelist_id: str = "") -> Opened:
    """Read an interview for the screen, with ``panelist_id``'s ratings (none: nobody's).

    With none given, on a server store the connected person rates if they
    sit on this panel: their login proved who they are.

    Raises:
        FormersError: unknown interview.
    """
    with store.session() as session:
        interview = get_interview(session, interview_id)
        header = interview_header(session, interview)
        members = tuple(header.panel)
        rater = panelist_id if any(p.id == panelist_id for p in members) else ""
        from formers_tui.store.server import people

        if not rater:
            # On a server the login proves who rates, as a PIN does on a shared laptop.
            rater = people.connected_reader(session, interview.id) or ""
        return Opened(
            interview_id=interview.id,
            candidate_code=header.candidate_code,
            protocol=protocol_of(interview),
            panel=members,
            status=interview.status,
            finalized_at=interview.finalized_at,
            interview_date=interview.interview_date,
            current_indicator=interview.current_indicator,
            notes=capture.notes_of(session, interview.id),
            domain_seconds=capture.domain_times(session, interview.id),
            records=read_records(session, interview.id, rater),
            person=people.connected_person(session),
            writable=people.may_write(session, interview.id),
        )


def reload_records(store: Store, interview_id: str, panelist_id: str) -> Records:
    """:func:`read_records` in a session of its own, after a write changed them."""
    with store.session() as session:
        return read_records(session, interview_id, panelist_id)


def finalized_at(store: Store, interview_id: str) -> datetime | None:
    """When the interview was finalized, or ``None`` while it is open."""
    with store.session() as session:
        interview = get_interview(session, interview_id)
        return interview.finalized_at if interview.status == Status.finalized else None
