"""Creating, listing and reading whole interviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text as sa_text
from sqlmodel import Session, col, select

from formers_tui.errors import ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import fields
from formers_tui.store.common import keep_protocol, record, values
from formers_tui.store.listing import STATUS_LABELS as STATUS_LABELS
from formers_tui.store.listing import InterviewSummary as InterviewSummary
from formers_tui.store.listing import read_interviews
from formers_tui.store.models import (
    Candidate,
    CandidateIdentity,
    Interview,
    Panelist,
    Role,
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


def list_interviews(
    session: Session, *, status: Status | None = None, limit: int | None = None
) -> list[InterviewSummary]:
    """Interviews, most recently changed first, with progress counts (see :mod:`.listing`)."""

    def run(sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        return session.execute(sa_text(sql), dict(params)).all()

    return read_interviews(run, status=status, limit=limit)


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
