"""One interview as a plain, JSON-ready document.

The same document backs ``formers show --json`` and the JSON export, so what
a script sees and what is archived never drift apart. Identifying details of
the candidate are included only on request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from formers_tui.protocol.timeline import TimelineError, proportionality
from formers_tui.store.capture import (
    domain_times,
    evidence_of,
    flags_of,
    notes_of,
    quotes_of,
    timeline_of,
)
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import (
    Addendum,
    CandidateIdentity,
    Consensus,
    Determination,
    Rating,
    SignOff,
)

FORMAT_VERSION = 1


def _dump(row: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = row.model_dump()
    for key in ("interview_id", *drop):
        data.pop(key, None)
    return data


def proportionality_summary(
    protocol: Any, timeline: dict[str, str], as_of: date
) -> dict[str, Any] | None:
    """The proportionality rule applied to stored timeline text, or ``None`` if incomplete."""
    rule = protocol.proportionality
    if rule is None:
        return None
    start, end = timeline.get(rule.involved_from), timeline.get(rule.disengaged_on)
    if not start or not end:
        return {"complete": False, "text": "timeline incomplete"}
    try:
        result = proportionality(rule, date.fromisoformat(start), date.fromisoformat(end), as_of)
    except (ValueError, TimelineError) as exc:
        return {"complete": False, "text": str(exc)}
    return {
        "complete": True,
        "involved_days": result.involved_days,
        "disengaged_days": result.disengaged_days,
        "required_days": result.required_days,
        "met": result.met,
        "text": result.describe(),
    }


def interview_document(
    session: Session, interview_id: str, *, identifying: bool = False
) -> dict[str, Any]:
    """Everything stored about one interview, as JSON-ready data.

    Args:
        interview_id: the id or a unique prefix of it.
        identifying: include the candidate's identifying details.

    Raises:
        NotFoundError: unknown id.
    """
    interview = get_interview(session, interview_id)
    header = interview_header(session, interview)
    protocol = protocol_of(interview)
    iid = interview.id
    timeline = timeline_of(session, iid)
    names = {p.id: p.name for p in header.panel}
    ratings = session.exec(select(Rating).where(Rating.interview_id == iid)).all()
    document: dict[str, Any] = {
        "format": "formers-tui/interview",
        "format_version": FORMAT_VERSION,
        "id": iid,
        "status": interview.status,
        "candidate": {"code": header.candidate_code},
        "protocol": {
            "id": interview.protocol_id,
            "version": interview.protocol_version,
            "sha256": interview.protocol_hash,
            "title": protocol.title,
        },
        "interview_date": interview.interview_date,
        "consent": {"given": interview.consent_given, "date": interview.consent_date},
        "created_at": interview.created_at,
        "updated_at": interview.updated_at,
        "started_at": interview.started_at,
        "finalized_at": interview.finalized_at,
        "current_indicator": interview.current_indicator,
        "panel": [_dump(p, drop=("pin_hash",)) for p in header.panel],
        "timeline": timeline,
        "proportionality": proportionality_summary(protocol, timeline, interview.interview_date),
        "notes": notes_of(session, iid),
        "quotes": [_dump(q) for q in quotes_of(session, iid)],
        "evidence": [{**_dump(e), "indicators": ids} for e, ids in evidence_of(session, iid)],
        "ratings": [
            {**_dump(r), "panelist": names.get(r.panelist_id, r.panelist_id)} for r in ratings
        ],
        "consensus": [
            _dump(c) for c in session.exec(select(Consensus).where(Consensus.interview_id == iid))
        ],
        "determination": None,
        "sign_offs": [
            {**_dump(s), "panelist": names.get(s.panelist_id, s.panelist_id)}
            for s in session.exec(select(SignOff).where(SignOff.interview_id == iid))
        ],
        "safety_flags": [_dump(f) for f in flags_of(session, iid)],
        "addenda": [
            _dump(a)
            for a in session.exec(
                select(Addendum)
                .where(Addendum.interview_id == iid)
                .order_by(col(Addendum.created_at))
            )
        ],
        "domain_seconds": domain_times(session, iid),
    }
    determination = session.get(Determination, iid)
    if determination is not None:
        document["determination"] = _dump(determination)
    if identifying:
        identity = session.get(CandidateIdentity, interview.candidate_id)
        if identity is not None:
            document["candidate"]["identity"] = _dump(identity, drop=("candidate_id",))
    return document
