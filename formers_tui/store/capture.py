"""What the chair captures during the live interview.

Each function makes one change, appends its audit entry and leaves the commit
to the caller, so a screen can batch an autosave into one short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import Protocol, TimelineFact
from formers_tui.protocol.timeline import TimelineError, fact_value, parse_date
from formers_tui.store import audit, fields
from formers_tui.store.common import protocol_of, record, touch, values
from formers_tui.store.models import (
    Bearing,
    DomainTime,
    Evidence,
    EvidenceLink,
    EvidenceSource,
    FlagKind,
    Interview,
    Note,
    Quote,
    Reliability,
    SafetyFlag,
    TimelineEntry,
    utcnow,
)
from formers_tui.store.rules.writes import signed_content_changed, writable_interview

MAX_TEXT = fields.MAX_TEXT

SOURCE_LABELS: dict[EvidenceSource, str] = {
    EvidenceSource.court_record: "Court or criminal record",
    EvidenceSource.probation_parole: "Probation / parole officer",
    EvidenceSource.treatment_provider: "Treatment provider",
    EvidenceSource.employer: "Employer",
    EvidenceSource.family_member: "Family member",
    EvidenceSource.reference: "Reference",
    EvidenceSource.social_media_review: "Social-media review",
    EvidenceSource.other: "Other",
}

RELIABILITY_LABELS: dict[Reliability, str] = {
    Reliability.high: "High",
    Reliability.moderate: "Moderate",
    Reliability.low: "Low",
    Reliability.unknown: "Unknown",
}

BEARING_LABELS: dict[Bearing, str] = {
    Bearing.supports: "Supports",
    Bearing.contradicts: "Contradicts",
    Bearing.mixed: "Mixed",
}

FLAG_LABELS: dict[FlagKind, str] = {
    FlagKind.suicide_self_harm: "Risk of suicide or self-harm",
    FlagKind.threat_of_violence: "Threat of violence",
    FlagKind.abuse_neglect: "Abuse or neglect of a child or vulnerable adult",
    FlagKind.current_extremist_engagement: (
        "Current violent-extremist engagement or content consumption"
    ),
    FlagKind.other: "Other safety concern",
}


def _check_text(text: str, what: str) -> str:
    return fields.check_free_text(text, what)


def _check_indicator(interview: Interview, indicator_id: str) -> None:
    try:
        protocol_of(interview).indicator(indicator_id)
    except KeyError:
        raise ValidationError(f"The protocol has no indicator '{indicator_id}'.") from None


def save_note(
    session: Session, *, interview_id: str, indicator_id: str, text: str, actor: str
) -> Note:
    """Store the running notes of one indicator (whole text; unchanged text writes nothing)."""
    _check_text(text, "note")
    interview = writable_interview(session, interview_id)
    _check_indicator(interview, indicator_id)
    note = session.exec(
        select(Note).where(Note.interview_id == interview_id, Note.indicator_id == indicator_id)
    ).first()
    if note is not None and note.text == text:
        return note
    if note is None:
        note = Note(interview_id=interview_id, indicator_id=indicator_id, text=text)
        change: dict[str, Any] | None = values(note)
    else:
        # Autosave calls this about once a second while someone types: log the splice only.
        change = {audit.SPLICE: audit.text_splice(note.text, text)}
        note.text = text
        note.updated_at = utcnow()
        change["updated_at"] = note.updated_at
    session.add(note)
    touch(session, interview)
    signed_content_changed(
        session, interview, actor=actor, why=f"the notes on {indicator_id} changed"
    )
    record(
        session,
        interview,
        actor=actor,
        action="update" if audit.SPLICE in (change or {}) else "create",
        entity="note",
        key=note.id,
        old=None,
        new=change,
    )
    return note


def notes_of(session: Session, interview_id: str) -> dict[str, str]:
    """All notes of an interview by indicator id."""
    rows = session.exec(select(Note).where(Note.interview_id == interview_id)).all()
    return {n.indicator_id: n.text for n in rows}


def add_quote(
    session: Session,
    *,
    interview_id: str,
    indicator_id: str,
    text: str,
    speaker: str,
    actor: str,
    spoken_at: datetime | None = None,
) -> Quote:
    """Record a verbatim quote against an indicator.

    Raises:
        ValidationError: empty text or speaker.
    """
    if not text.strip():
        raise ValidationError("A quote needs its words.")
    if not speaker.strip():
        raise ValidationError("A quote needs a speaker.")
    _check_text(text, "quote")
    speaker = fields.check_name(speaker, "speaker's name")
    interview = writable_interview(session, interview_id)
    _check_indicator(interview, indicator_id)
    quote = Quote(
        interview_id=interview_id,
        indicator_id=indicator_id,
        text=text.strip(),
        speaker=speaker.strip(),
        spoken_at=spoken_at or utcnow(),
    )
    session.add(quote)
    touch(session, interview)
    signed_content_changed(session, interview, actor=actor, why="a quote was added")
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity="quote",
        key=quote.id,
        old=None,
        new=values(quote),
    )
    return quote


def quotes_of(session: Session, interview_id: str, indicator_id: str | None = None) -> list[Quote]:
    """Quotes of an interview (optionally of one indicator), oldest first."""
    query = select(Quote).where(Quote.interview_id == interview_id)
    if indicator_id is not None:
        query = query.where(Quote.indicator_id == indicator_id)
    return list(session.exec(query.order_by(col(Quote.spoken_at))).all())


@dataclass(frozen=True)
class EvidenceIn:
    """A new collateral evidence item."""

    source_type: EvidenceSource
    informant: str
    obtained_on: date | None
    reliability: Reliability
    summary: str
    bearing: Bearing
    indicator_ids: tuple[str, ...] = ()


def check_evidence(item: EvidenceIn) -> None:
    """Check an evidence item on its own (a form can call this before saving).

    Raises:
        ValidationError: no summary, a date in the future, or an overlong summary.
    """
    if not item.summary.strip():
        raise ValidationError("Evidence needs a summary of what the source says.")
    if item.obtained_on is not None:
        fields.check_obtained_date(item.obtained_on)
    fields.check_name(item.informant, "informant's name", required=False)
    _check_text(item.summary, "summary")


def add_evidence(session: Session, *, interview_id: str, item: EvidenceIn, actor: str) -> Evidence:
    """Record a collateral evidence item and link it to indicators.

    Raises:
        ValidationError: no summary, a date in the future, or an unknown indicator.
    """
    check_evidence(item)
    interview = writable_interview(session, interview_id)
    for indicator_id in item.indicator_ids:
        _check_indicator(interview, indicator_id)
    evidence = Evidence(
        interview_id=interview_id,
        source_type=item.source_type,
        informant=item.informant.strip(),
        obtained_on=item.obtained_on,
        reliability=item.reliability,
        summary=item.summary.strip(),
        bearing=item.bearing,
    )
    session.add(evidence)
    session.flush()
    for indicator_id in dict.fromkeys(item.indicator_ids):
        session.add(EvidenceLink(evidence_id=evidence.id, indicator_id=indicator_id))
    touch(session, interview)
    signed_content_changed(session, interview, actor=actor, why="evidence was added")
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity="evidence",
        key=evidence.id,
        old=None,
        new={**(values(evidence) or {}), "indicators": list(item.indicator_ids)},
    )
    return evidence


def set_evidence_links(
    session: Session, *, interview_id: str, evidence_id: str, indicator_ids: list[str], actor: str
) -> None:
    """Replace the indicators an evidence item is linked to."""
    interview = writable_interview(session, interview_id)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.interview_id != interview_id:
        raise ValidationError("No such evidence item in this interview.")
    for indicator_id in indicator_ids:
        _check_indicator(interview, indicator_id)
    links = session.exec(select(EvidenceLink).where(EvidenceLink.evidence_id == evidence_id)).all()
    old = sorted(link.indicator_id for link in links)
    new = list(dict.fromkeys(indicator_ids))
    if sorted(new) == old:
        return
    for link in links:
        session.delete(link)
    session.flush()
    for indicator_id in new:
        session.add(EvidenceLink(evidence_id=evidence_id, indicator_id=indicator_id))
    touch(session, interview)
    signed_content_changed(
        session, interview, actor=actor, why="the links of an evidence item changed"
    )
    record(
        session,
        interview,
        actor=actor,
        action="update",
        entity="evidence_link",
        key=evidence_id,
        old={"indicators": old},
        new={"indicators": sorted(new)},
    )


def evidence_of(
    session: Session, interview_id: str, indicator_id: str | None = None
) -> list[tuple[Evidence, list[str]]]:
    """Evidence items with the indicators each is linked to (optionally only one indicator's)."""
    items = session.exec(
        select(Evidence)
        .where(Evidence.interview_id == interview_id)
        .order_by(col(Evidence.created_at))
    ).all()
    if not items:
        return []
    links = session.exec(
        select(EvidenceLink).where(col(EvidenceLink.evidence_id).in_([e.id for e in items]))
    ).all()
    linked: dict[str, list[str]] = {}
    for link in links:
        linked.setdefault(link.evidence_id, []).append(link.indicator_id)
    out = [(e, sorted(linked.get(e.id, []))) for e in items]
    if indicator_id is not None:
        out = [(e, ids) for e, ids in out if indicator_id in ids]
    return out


def timeline_value(
    fact: TimelineFact, value: str, interview_date: date | None = None, *, ongoing: bool = False
) -> str:
    """The value of ``fact`` as stored, checked against the fact's kind.

    Dates may be a year, a month or a day (``2010``, ``2010-06``,
    ``2010-06-15``) and are stored in that ISO form; periods are stored as
    ``2003 to 2005; 2008-06 to 2009``. A form calls this as the user types,
    so the rule and its wording live in one place.

    Args:
        fact: the protocol's timeline fact.
        value: the value as typed (or imported).
        interview_date: no date may be later than this (today when not given).
        ongoing: ``ongoing`` may stand for the date (the exit date of the
            proportionality rule).

    Raises:
        ValidationError: a bad date (before 1900 or after the interview), or a
            choice the protocol does not offer.
    """
    value = value.strip()
    try:
        value = fact_value(
            fact.kind, fact.label, value, as_of=interview_date or date.today(), ongoing=ongoing
        )
    except TimelineError as exc:
        raise ValidationError(str(exc)) from None
    if value and fact.kind == "date" and value != "ongoing":
        # The upper bound was checked above at the date's own precision; this is the lower.
        fields.check_life_date(parse_date(value).latest, fact.label, interview_date=date.max)
    if value and fact.kind == "choice" and value not in fact.choices:
        raise ValidationError(f"{fact.label}: choose one of {', '.join(fact.choices)}.")
    _check_text(value, fact.label)
    return value


def may_be_ongoing(protocol: Protocol, fact_id: str) -> bool:
    """Whether ``ongoing`` may be written for ``fact_id``: the exit date of the rule."""
    rule = protocol.proportionality
    return rule is not None and rule.disengaged_on == fact_id


def set_timeline(
    session: Session, *, interview_id: str, fact_id: str, value: str, actor: str
) -> None:
    """Set one timeline fact; see :func:`timeline_value` for what each kind accepts.

    Raises:
        ValidationError: unknown fact, bad date or choice.
    """
    interview = writable_interview(session, interview_id)
    try:
        fact = protocol_of(interview).fact(fact_id)
    except KeyError:
        raise ValidationError(f"The protocol has no timeline fact '{fact_id}'.") from None
    value = timeline_value(
        fact,
        value,
        interview.interview_date,
        ongoing=may_be_ongoing(protocol_of(interview), fact_id),
    )
    entry = session.get(TimelineEntry, (interview_id, fact_id))
    if entry is not None and entry.value == value:
        return
    old = values(entry)
    if entry is None:
        entry = TimelineEntry(interview_id=interview_id, fact_id=fact_id, value=value)
    else:
        entry.value = value
    session.add(entry)
    touch(session, interview)
    signed_content_changed(
        session, interview, actor=actor, why=f"the timeline fact {fact_id} changed"
    )
    record(
        session,
        interview,
        actor=actor,
        action="update" if old else "create",
        entity="timeline_entry",
        key=f"{interview_id}:{fact_id}",
        old=old,
        new=values(entry),
    )


def timeline_of(session: Session, interview_id: str) -> dict[str, str]:
    """Timeline facts of an interview by fact id (values as stored text)."""
    rows = session.exec(
        select(TimelineEntry).where(TimelineEntry.interview_id == interview_id)
    ).all()
    return {row.fact_id: row.value for row in rows}


def raise_flag(
    session: Session,
    *,
    interview_id: str,
    kind: FlagKind,
    note: str,
    actor: str,
    indicator_id: str | None = None,
    raised_at: datetime | None = None,
) -> SafetyFlag:
    """Raise a safety flag; it stays open until resolved with an action taken.

    Args:
        raised_at: when the concern came up (default now); a screen that saves
            a moment later passes the time the chair raised it.
    """
    _check_text(note, "note")
    interview = writable_interview(session, interview_id)
    flag = SafetyFlag(
        interview_id=interview_id,
        indicator_id=indicator_id,
        kind=kind,
        note=note.strip(),
        raised_by=actor,
        raised_at=raised_at or utcnow(),
    )
    session.add(flag)
    touch(session, interview)
    signed_content_changed(session, interview, actor=actor, why="a safety flag was raised")
    record(
        session,
        interview,
        actor=actor,
        action="create",
        entity="safety_flag",
        key=flag.id,
        old=None,
        new=values(flag),
    )
    return flag


def resolve_flag(
    session: Session, *, interview_id: str, flag_id: str, action_taken: str, actor: str
) -> SafetyFlag:
    """Close a safety flag, recording the action taken.

    Raises:
        ValidationError: no action described, unknown or already resolved flag.
    """
    if not action_taken.strip():
        raise ValidationError("Describe the action taken before resolving the flag.")
    _check_text(action_taken, "action taken")
    interview = writable_interview(session, interview_id)
    flag = session.get(SafetyFlag, flag_id)
    if flag is None or flag.interview_id != interview_id:
        raise ValidationError("No such safety flag in this interview.")
    if flag.resolved_at is not None:
        raise ValidationError("This flag is already resolved.")
    old = values(flag)
    flag.resolved_at = utcnow()
    flag.action_taken = action_taken.strip()
    session.add(flag)
    touch(session, interview)
    signed_content_changed(session, interview, actor=actor, why="a safety flag was resolved")
    record(
        session,
        interview,
        actor=actor,
        action="update",
        entity="safety_flag",
        key=flag.id,
        old=old,
        new=values(flag),
    )
    return flag


def flags_of(session: Session, interview_id: str, *, open_only: bool = False) -> list[SafetyFlag]:
    """Safety flags of an interview, oldest first."""
    query = select(SafetyFlag).where(SafetyFlag.interview_id == interview_id)
    if open_only:
        query = query.where(col(SafetyFlag.resolved_at).is_(None))
    return list(session.exec(query.order_by(col(SafetyFlag.raised_at))).all())


def set_current_indicator(session: Session, *, interview_id: str, indicator_id: str) -> None:
    """Remember where the chair is, so re-opening resumes there (not audited: navigation)."""
    interview = writable_interview(session, interview_id)
    if interview.current_indicator != indicator_id:
        interview.current_indicator = indicator_id
        session.add(interview)


def add_domain_time(session: Session, *, interview_id: str, domain_id: str, seconds: float) -> None:
    """Add time spent on a domain (not audited: a measurement, not a record)."""
    if seconds <= 0:
        return
    writable_interview(session, interview_id)
    row = session.get(DomainTime, (interview_id, domain_id))
    if row is None:
        row = DomainTime(interview_id=interview_id, domain_id=domain_id, seconds=0.0)
    row.seconds += seconds
    session.add(row)


def domain_times(session: Session, interview_id: str) -> dict[str, float]:
    """Seconds spent per domain."""
    rows = session.exec(select(DomainTime).where(DomainTime.interview_id == interview_id)).all()
    return {row.domain_id: row.seconds for row in rows}
