"""Interviews with every part filled in, for export tests.

Capture goes through the store's own functions; the panel's decisions
(consensus, determination, sign-offs, reveal, addenda) are written as rows,
as the store would, so these tests depend only on the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlmodel import select

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, ratings
from formers_tui.store.interviews import PanelistIn, create_interview, interview_header
from formers_tui.store.models import (
    Addendum,
    Bearing,
    CandidateIdentity,
    ChairReveal,
    Consensus,
    Determination,
    DomainSubmission,
    DomainTime,
    EvidenceSource,
    FlagKind,
    Interview,
    Outcome,
    Rating,
    Reliability,
    Role,
    SignOff,
    Status,
)
from formers_tui.store.store import Store

UTC = timezone.utc  # noqa: UP017


@dataclass
class People:
    """Every name and code an interview holds, so a test can look for them."""

    code: str = "PM-EXPORT-01"
    full_name: str = "Alex Identity"
    contact: str = "alex@example.invalid"
    panel: tuple[str, ...] = ("Dr. Ada Example", "Sam Sample", "Pat Placeholder")
    informant: str = "Officer Ivy Informant"
    speaker: str = "Candidate"
    extra_text: str = ""
    """Appended to every free-text field."""
    strings: list[str] = field(default_factory=list)


def build_interview(
    store: Store,
    protocol: LoadedProtocol,
    people: People | None = None,
    *,
    finalize: bool = False,
    interview_date: date = date(2026, 11, 2),
) -> str:
    """Create an interview with notes, quotes, evidence, flags, revised ratings,
    submissions, consensus (with dissent), determination, sign-offs and addenda."""
    who = people or People()
    extra = f" {who.extra_text}" if who.extra_text else ""
    proto = protocol.protocol
    indicators = [i.id for i in proto.indicators()]
    domains = [d.id for d in proto.domains()]
    with store.session() as session:
        interview = create_interview(
            session,
            candidate_code=who.code,
            protocol=protocol,
            panel=[
                PanelistIn(name, role, is_chair=(i == 0))
                for i, (name, role) in enumerate(
                    zip(
                        who.panel,
                        (Role.psychologist, Role.social_worker, Role.probation_parole),
                        strict=False,
                    )
                )
            ],
            actor=who.panel[0],
            interview_date=interview_date,
            consent_given=True,
            consent_date=interview_date - timedelta(days=14),
            full_name=who.full_name,
        )
        iid = interview.id
        identity = session.get(CandidateIdentity, interview.candidate_id)
        assert identity is not None
        identity.contact = who.contact
        identity.notes = f"Lives near the old depot.{extra}"
        identity.date_of_birth = date(1988, 4, 9)
        session.add(identity)
        chair = who.panel[0]
        facts = {f.id: f for f in proto.timeline}
        for fact_id, value in (
            ("involvement_start", "2009-03-01"),
            ("depth", "member"),
            ("disengaged_on", "2015-06-01"),
            ("involvement_notes", f"Regional group, six years.{extra}"),
        ):
            if fact_id in facts:
                capture.set_timeline(
                    session, interview_id=iid, fact_id=fact_id, value=value, actor=chair
                )
        capture.save_note(
            session,
            interview_id=iid,
            indicator_id=indicators[0],
            text=f"Out since 2015; exit took a year.{extra}",
            actor=chair,
        )
        capture.add_quote(
            session,
            interview_id=iid,
            indicator_id=indicators[1],
            text=f"It was never defence.{extra}",
            speaker=who.speaker,
            actor=chair,
        )
        capture.add_evidence(
            session,
            interview_id=iid,
            item=capture.EvidenceIn(
                source_type=EvidenceSource.probation_parole,
                informant=who.informant,
                obtained_on=interview_date - timedelta(days=20),
                reliability=Reliability.high,
                summary=f"Probation completed without violations.{extra}",
                bearing=Bearing.supports,
                indicator_ids=tuple(indicators[:2]),
            ),
            actor=chair,
        )
        flag = capture.raise_flag(
            session,
            interview_id=iid,
            kind=FlagKind.other,
            note=f"A former associate got in touch.{extra}",
            actor=chair,
            indicator_id=indicators[0],
        )
        capture.resolve_flag(
            session,
            interview_id=iid,
            flag_id=flag.id,
            action_taken=f"Discussed at the break.{extra}",
            actor=chair,
        )
        winter = capture.raise_flag(
            session,
            interview_id=iid,
            kind=FlagKind.suicide_self_harm,
            note=f"Mentioned a hard winter.{extra}",
            actor=who.panel[1],
        )
        # A positive determination is signed only once every flag is resolved.
        capture.resolve_flag(
            session,
            interview_id=iid,
            flag_id=winter.id,
            action_taken=f"Safety plan agreed; support line given.{extra}",
            actor=chair,
        )
        capture.add_domain_time(session, interview_id=iid, domain_id=domains[0], seconds=612.5)
        panel = interview_header(session, interview).panel
        levels = proto.scale.values
        for index, member in enumerate(panel):
            for number, indicator in enumerate(indicators):
                value: int | None = levels[(index + number) % len(levels)]
                if index == len(panel) - 1 and number == 1:
                    value = None
                ratings.save_rating(
                    session,
                    interview_id=iid,
                    panelist_id=member.id,
                    indicator_id=indicator,
                    value=value,
                    rationale=f"Rated from the interview.{extra}",
                    actor=member.name,
                )
        session.flush()
        submitted = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
        for row in session.exec(select(Rating).where(Rating.interview_id == iid)):
            row.submitted_at = submitted
            session.add(row)
        for member in panel:
            for domain_id in domains:
                session.add(
                    DomainSubmission(
                        interview_id=iid,
                        panelist_id=member.id,
                        domain_id=domain_id,
                        submitted_at=submitted,
                    )
                )
        session.flush()
        ratings.save_rating(
            session,
            interview_id=iid,
            panelist_id=panel[1].id,
            indicator_id=indicators[0],
            value=levels[-1],
            rationale=f"Revised after the collateral arrived.{extra}",
            actor=panel[1].name,
        )
        session.add(
            ChairReveal(
                interview_id=iid,
                panelist_id=panel[0].id,
                reason=f"One panelist was called away.{extra}",
            )
        )
        dissent = json.dumps(
            [{"panelist_id": panel[-1].id, "name": panel[-1].name, "reason": f"Too early.{extra}"}]
        )
        for number, indicator in enumerate(indicators):
            omitted = number == len(indicators) - 1
            session.add(
                Consensus(
                    interview_id=iid,
                    indicator_id=indicator,
                    value=None if omitted else levels[-1 - (number % 2)],
                    omitted=omitted,
                    rationale=f"Agreed after discussion.{extra}",
                    dissent=dissent if number == 0 else "",
                )
            )
        session.add(
            Determination(
                interview_id=iid,
                outcome=Outcome.ready_with_conditions,
                conditions=f"Supervision for six months.{extra}",
                work_on=f"Boundaries with mentees.{extra}",
                review_date=interview_date + timedelta(days=180),
                rationale=f"Strong disengagement; boundaries need work.{extra}",
                suggested_outcome="ready_with_conditions",
            )
        )
        # The last signature finalizes, so an open interview has only some of them.
        for member in panel if finalize else panel[:1]:
            session.add(SignOff(interview_id=iid, panelist_id=member.id))
        session.add(DomainTime(interview_id=iid, domain_id=domains[-1], seconds=75.0))
        row = session.get(Interview, iid)
        assert row is not None
        row.status = Status.consensus
        session.add(row)
        session.commit()
        if finalize:
            row.status = Status.finalized
            row.finalized_at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
            session.add(row)
            session.commit()
            session.add(
                Addendum(
                    interview_id=iid,
                    author=chair,
                    reason=f"Corrected a date.{extra}",
                    text=f"The exit was in June, not May.{extra}",
                )
            )
            session.commit()
    return iid


def count_rows(store: Store, table: str) -> int:
    """Rows in ``table`` (to show that a refused import wrote nothing)."""
    with store.engine.connect() as connection:
        value = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    return int(value or 0)


def snapshot(store: Store) -> dict[str, int]:
    """Row counts of the tables an import or a bundle could touch."""
    tables = (
        "candidate",
        "interview",
        "panelist",
        "note",
        "rating",
        "rating_revision",
        "domain_submission",
        "consensus",
        "audit_entry",
    )
    return {table: count_rows(store, table) for table in tables}
