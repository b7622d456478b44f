"""Creating, listing and reading whole interviews."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from formers_tui.errors import ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import fields
from formers_tui.store.common import keep_protocol, record, stored_protocol, values
from formers_tui.store.models import (
    Candidate,
    CandidateIdentity,
    Interview,
    Note,
    Panelist,
    Rating,
    Role,
    SafetyFlag,
    Status,
)
from formers_tui.store.rules.invariants import chairs_of, consent_problem, panel_problem


@dataclass(frozen=True)
class PanelistIn:
    """A panel member to add to a new interview."""

    name: str
    role: Role
    is_chair: bool = False


ROLE_LABELS: dict[Role, str] = {
    Role.psychologist: "Psychologist",
    Role.social_worker: "Social worker",
    Role.case_manager: "Case manager",
    Role.probation_parole: "Probation / parole officer",
    Role.law_enforcement: "Law enforcement",
    Role.faith_community_leader: "Faith / community leader",
    Role.peer_mentor: "Peer mentor",
    Role.other: "Other",
}

STATUS_LABELS: dict[Status, str] = {
    Status.draft: "draft",
    Status.in_progress: "in progress",
    Status.rating: "rating",
    Status.consensus: "consensus",
    Status.finalized: "finalized",
}


def parse_role(text: str) -> Role:
    """Read a role typed by a person (see :func:`formers_tui.store.fields.check_role`).

    Raises:
        ValidationError: naming the accepted roles.
    """
    return fields.check_role(text)


def validate_panel(panel: list[PanelistIn]) -> list[PanelistIn]:
    """Check a panel: named members, unique names, and the panel rule of
    :mod:`formers_tui.store.rules.invariants` (at least two, exactly one chair).

    With no chair marked, the first member becomes chair.

    Raises:
        ValidationError: describing the first rule broken.
    """
    if not panel:
        raise ValidationError("A panel needs at least one member.")
    if any(not p.name.strip() for p in panel):
        raise ValidationError("Every panel member needs a name.")
    panel = [
        PanelistIn(fields.check_name(p.name, "panel member's name"), p.role, p.is_chair)
        for p in panel
    ]
    names = Counter(p.name.casefold() for p in panel)
    doubled = [name for name, count in names.items() if count > 1]
    if doubled:
        raise ValidationError(f"'{doubled[0]}' is on the panel twice.")
    if not any(p.is_chair for p in panel):
        first = panel[0]
        panel = [PanelistIn(first.name, first.role, True), *panel[1:]]
    problem = panel_problem(len(panel), chairs_of([p.is_chair for p in panel]))
    if problem is not None:
        raise ValidationError(problem)
    return panel


def create_interview(
    session: Session,
    *,
    candidate_code: str,
    protocol: LoadedProtocol,
    panel: list[PanelistIn],
    actor: str,
    interview_date: date | None = None,
    consent_given: bool = False,
    consent_date: date | None = None,
    full_name: str = "",
) -> Interview:
    """Create an interview (and its candidate if new). Caller commits.

    Raises:
        ValidationError: a bad field (an interview date in the future, ...), a
            bad panel (fewer than two, not one chair), no informed consent, or the
            candidate already has an open (not finalized) interview.
    """
    code = fields.check_code(candidate_code)
    full_name = fields.check_name(full_name, "candidate's full name", required=False)
    interview_date = fields.check_interview_date(interview_date or date.today())
    if consent_given and consent_date is None:
        consent_date = min(date.today(), interview_date)
    if consent_given and consent_date is not None:
        fields.check_consent_date(consent_date, interview_date=interview_date)
    panel = validate_panel(panel)
    problem = consent_problem(consent_given)
    if problem is not None:
        raise ValidationError(problem)
    candidate = session.exec(select(Candidate).where(Candidate.code == code)).first()
    if candidate is None:
        candidate = Candidate(code=code)
        session.add(candidate)
        if full_name.strip():
            session.add(CandidateIdentity(candidate_id=candidate.id, full_name=full_name.strip()))
    else:
        open_one = session.exec(
            select(Interview.id).where(
                Interview.candidate_id == candidate.id, Interview.status != Status.finalized
            )
        ).first()
        if open_one:
            raise ValidationError(
                f"Candidate {code} already has an open interview ({open_one[:8]})."
            )
    first = next(iter(protocol.protocol.asking_order()), None)  # where the panel starts asking
    keep_protocol(session, protocol.sha256, protocol.text)
    interview = Interview(
        candidate_id=candidate.id,
        protocol_id=protocol.protocol.id,
        protocol_version=protocol.protocol.version,
        protocol_hash=protocol.sha256,
        interview_date=interview_date,
        consent_given=consent_given,
        consent_date=consent_date if consent_given else None,
        current_indicator=first.id if first else None,
    )
    session.add(interview)
    session.flush()
    snapshot = values(interview) or {}
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity="interview",
        key=interview.id,
        old=None,
        new={**snapshot, "candidate_code": code},
    )
    for position, member in enumerate(panel):
        panelist = Panelist(
            interview_id=interview.id,
            name=member.name.strip(),
            role=member.role,
            is_chair=member.is_chair,
            position=position,
        )
        session.add(panelist)
        session.flush()
        record(
            session,
            interview,
            actor=actor,
            action="create",
            entity="panelist",
            key=panelist.id,
            old=None,
            new=values(panelist),
        )
    return interview


@dataclass(frozen=True)
class InterviewSummary:
    """One line of the interview list."""

    id: str
    candidate_code: str
    status: Status
    protocol_id: str
    protocol_version: str
    interview_date: date
    updated_at: datetime
    indicators: int
    with_notes: int
    rated: int
    open_flags: int
    current_indicator: str | None = None

    @property
    def short_id(self) -> str:
        return self.id[:8]


def list_interviews(
    session: Session, *, status: Status | None = None, limit: int | None = None
) -> list[InterviewSummary]:
    """Interviews, most recently changed first, with progress counts.

    Reads only the columns the list shows: the frozen protocol text (tens of
    kilobytes each) is loaded once per distinct protocol, not once per row.
    With a small ``limit`` (the first page of a list) the counts are looked
    up for those interviews only, through the indexes on ``interview_id``:
    milliseconds, where counting every interview of a store of ten thousand
    takes the better part of a second.
    """
    query = (
        sa_select(
            col(Interview.id),
            col(Interview.status),
            col(Interview.protocol_id),
            col(Interview.protocol_version),
            col(Interview.protocol_hash),
            col(Interview.interview_date),
            col(Interview.updated_at),
            col(Interview.current_indicator),
            col(Candidate.code),
        )
        .join(Candidate, col(Candidate.id) == col(Interview.candidate_id))
        .order_by(col(Interview.updated_at).desc())
    )
    if status is not None:
        query = query.where(col(Interview.status) == status)
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    every = (limit is None and status is None) or len(rows) > MAX_LOOKUPS
    wanted = None if every else [row[0] for row in rows]
    # One note per interview and indicator (a unique constraint), so counting
    # rows counts indicators; "text != ''" needs no length computed.
    notes = _counts(session, Note, wanted, extra=col(Note.text) != "")
    rated = _rated_counts(session, wanted)
    flags = _counts(session, SafetyFlag, wanted, extra=col(SafetyFlag.resolved_at).is_(None))
    sizes: dict[str, int] = {}
    for sha in {row[4] for row in rows}:
        sizes[sha] = sum(1 for _ in stored_protocol(session, sha).indicators())
    return [
        InterviewSummary(
            id=iid,
            candidate_code=code,
            status=state,
            protocol_id=protocol_id,
            protocol_version=version,
            interview_date=when,
            updated_at=updated,
            indicators=sizes[sha],
            with_notes=notes.get(iid, 0),
            rated=rated.get(iid, 0),
            open_flags=flags.get(iid, 0),
            current_indicator=current,
        )
        for iid, state, protocol_id, version, sha, when, updated, current, code in rows
    ]


MAX_LOOKUPS = 500
"""Above this many interviews, counts are read for all of them in one pass.

Looking up a few interviews by id is far cheaper than counting the whole
store, but thousands of ids would exceed SQLite's limit on bound parameters
and cost more than the single pass.
"""


def _counts(
    session: Session,
    table: type[Note] | type[SafetyFlag],
    ids: list[str] | None,
    *,
    extra: ColumnElement[bool],
) -> dict[str, int]:
    """Per-interview counts of rows; ``ids=None`` counts every interview in one pass."""
    if ids == []:
        return {}
    query = select(table.interview_id, func.count()).where(extra).group_by(table.interview_id)
    if ids is not None:
        query = query.where(col(table.interview_id).in_(ids))
    return {interview_id: count for interview_id, count in session.exec(query).all()}


def _rated_counts(session: Session, ids: list[str] | None) -> dict[str, int]:
    if ids == []:
        return {}
    query = select(Rating.interview_id, func.count(func.distinct(Rating.indicator_id))).group_by(
        Rating.interview_id
    )
    if ids is not None:
        query = query.where(col(Rating.interview_id).in_(ids))
    return {interview_id: count for interview_id, count in session.exec(query).all()}


@dataclass
class InterviewHeader:
    """An interview with its candidate code and panel, for screens and ``show``."""

    interview: Interview
    candidate_code: str
    panel: list[Panelist] = field(default_factory=list)

    @property
    def chair(self) -> Panelist | None:
        return next((p for p in self.panel if p.is_chair), None)


def interview_header(session: Session, interview: Interview) -> InterviewHeader:
    """Candidate code and ordered panel of ``interview``."""
    code = session.exec(select(Candidate.code).where(Candidate.id == interview.candidate_id)).one()
    panel = session.exec(
        select(Panelist)
        .where(Panelist.interview_id == interview.id)
        .order_by(col(Panelist.position))
    ).all()
    return InterviewHeader(interview=interview, candidate_code=code, panel=list(panel))
