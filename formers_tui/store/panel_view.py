"""The panel view: matrix, agreement, suggestion, determination, for screens and commands.

Reading only. :func:`summary` loads one interview's rows, decides what the
viewer may see (the rule of :mod:`formers_tui.store.panel`) and hands the
rest to the pure :mod:`formers_tui.scoring` functions; the TUI and
``formers score`` render the :class:`PanelReport` it returns.
:func:`program_agreement` pools the panels of many interviews, for program
staff checking how reliably the protocol is applied.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from formers_tui.protocol.model import Protocol
from formers_tui.scoring.agreement import agreement
from formers_tui.scoring.matrix import ConsensusEntry, Dissent, RatingIn
from formers_tui.scoring.suggestion import (
    ProportionalityCheck,
    Suggestion,
    check_proportionality,
    critical_concerns,
    suggest,
)
from formers_tui.scoring.summary import AgreementRow, PanelistInfo, PanelSummary, build_summary
from formers_tui.store.capture import FLAG_LABELS, flags_of, timeline_of
from formers_tui.store.common import get_interview, protocol_of, stored_protocol
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import (
    Consensus,
    Determination,
    Interview,
    Panelist,
    Rating,
    SignOff,
    Status,
)
from formers_tui.store.panel import (
    PanelProgress,
    RatingsHiddenError,
    panel_progress,
    panelist_of,
)
from formers_tui.store.rules.visibility import visibility

# ------------------------------------------------------------------------- consensus rows


def dissent_text(dissent: tuple[Dissent, ...] | list[Dissent]) -> str:
    """Dissent as stored in ``consensus.dissent``: a JSON list, or empty for none.

    JSON keeps who and why apart however a name or a reason is written.
    """
    if not dissent:
        return ""
    return json.dumps(
        [{"panelist_id": d.panelist_id, "name": d.name, "reason": d.reason} for d in dissent],
        ensure_ascii=False,
    )


def dissent_of(text: str) -> tuple[Dissent, ...]:
    """Read ``consensus.dissent`` back (free text written by hand is kept as one reason)."""
    if not text.strip():
        return ()
    try:
        items = json.loads(text)
        return tuple(Dissent(i["panelist_id"], i["name"], i["reason"]) for i in items)
    except (ValueError, TypeError, KeyError):
        return (Dissent("", "", text),)


def consensus_entries(session: Session, interview_id: str) -> dict[str, ConsensusEntry]:
    """The recorded consensus of an interview by indicator id."""
    rows = session.exec(select(Consensus).where(Consensus.interview_id == interview_id)).all()
    return {
        c.indicator_id: ConsensusEntry(c.indicator_id, c.value, c.rationale, dissent_of(c.dissent))
        for c in rows
    }


# ------------------------------------------------------------------------------ summary


def _facts(
    session: Session, interview: Interview, protocol: Protocol
) -> tuple[ProportionalityCheck, list[str]]:
    """What the suggestion needs besides consensus: the timeline check and open flags."""
    check = check_proportionality(
        protocol, timeline_of(session, interview.id), interview.interview_date
    )
    flags = flags_of(session, interview.id, open_only=True)
    return check, [FLAG_LABELS[f.kind] for f in flags]


def suggestion(session: Session, interview_id: str) -> Suggestion:
    """The computed suggestion as things stand (consensus, timeline, open flags)."""
    interview = get_interview(session, interview_id)
    protocol = protocol_of(interview)
    check, flags = _facts(session, interview, protocol)
    return suggest(
        protocol,
        {k: e.value for k, e in consensus_entries(session, interview.id).items()},
        proportionality=check,
        open_flags=flags,
        concerns=low_critical_ratings(session, interview.id, protocol),
    )


def low_critical_ratings(
    session: Session, interview_id: str, protocol: Protocol
) -> dict[str, tuple[str, ...]]:
    """Critical indicators some panelist rated below *met* (submitted ratings), with who.

    For the whole-panel view and for the consensus rule; a single panelist's
    view gets the same from the matrix, limited to what that panelist may see.
    """
    names = {
        p.id: p.name
        for p in session.exec(select(Panelist).where(Panelist.interview_id == interview_id))
    }
    marks: dict[str, dict[str, int | None]] = defaultdict(dict)
    rows = session.exec(
        select(Rating).where(
            Rating.interview_id == interview_id, col(Rating.submitted_at).is_not(None)
        )
    ).all()
    for rating in rows:
        marks[rating.indicator_id][names.get(rating.panelist_id, rating.panelist_id)] = rating.value
    return critical_concerns(protocol, marks)


@dataclass(frozen=True)
class DeterminationView:
    """The recorded determination, as plain data."""

    outcome: str
    suggested_outcome: str
    rationale: str
    differs_because: str
    conditions: str
    work_on: str
    review_date: date | None
    recorded_at: datetime


@dataclass(frozen=True)
class PanelReport:
    """One interview's panel view: what the TUI's panel screen and ``formers score`` show."""

    interview_id: str
    candidate_code: str
    status: Status
    protocol_title: str
    viewer_id: str | None
    """The panelist looking, or ``None`` for the whole-panel (program staff) view."""
    progress: PanelProgress
    scores: PanelSummary
    determination: DeterminationView | None
    signed: tuple[str, ...]
    """Ids of panelists who have signed off, in panel order."""
    finalized_at: datetime | None


def summary(
    session: Session, interview_id: str, *, viewer_panelist_id: str | None = None
) -> PanelReport:
    """The panel view of an interview, as ``viewer`` may see it.

    Without a viewer this is the whole-panel view, open only once everyone has
    submitted or the chair has revealed. With a viewer, others' ratings show
    only in domains the viewer has submitted (all of them after a reveal).
    The caller is trusted to have confirmed the viewer's PIN.

    Raises:
        RatingsHiddenError: whole-panel view asked for before it is open.
        ValidationError: the viewer is not on the panel.
    """
    interview = get_interview(session, interview_id)
    header = interview_header(session, interview)
    protocol = protocol_of(interview)
    state = panel_progress(session, interview, protocol, header.panel)
    if viewer_panelist_id is None and not state.open:
        done = sum(1 for p in state.panelists if p.complete)
        raise RatingsHiddenError(
            "The panel's ratings stay hidden until every panelist has submitted every "
            f"domain ({done} of {len(state.panelists)} have) or the chair reveals them."
        )
    if viewer_panelist_id is not None:
        panelist_of(session, interview.id, viewer_panelist_id)
    seen = visibility(session, interview.id, viewer_panelist_id)
    rows = [
        r
        for r in session.exec(select(Rating).where(Rating.interview_id == interview.id)).all()
        if seen.may_see(r.panelist_id, r.indicator_id, submitted=r.submitted_at is not None)
    ]
    check, flags = _facts(session, interview, protocol)
    scores = build_summary(
        protocol,
        [PanelistInfo(p.id, p.name, p.role.value, p.is_chair) for p in header.panel],
        [
            RatingIn(
                r.indicator_id, r.panelist_id, r.value, r.rationale, r.submitted_at is not None
            )
            for r in rows
        ],
        consensus_entries(session, interview.id),
        proportionality=check,
        open_flags=flags,
        viewer_id=viewer_panelist_id,
        visible_domains=seen.open_domains,
    )
    found = session.get(Determination, interview.id)
    determination = None
    if found is not None:
        determination = DeterminationView(
            outcome=found.outcome.value,
            suggested_outcome=found.suggested_outcome,
            rationale=found.rationale,
            differs_because=found.differs_because,
            conditions=found.conditions,
            work_on=found.work_on,
            review_date=found.review_date,
            recorded_at=found.recorded_at,
        )
    signed = set(
        session.exec(select(SignOff.panelist_id).where(SignOff.interview_id == interview.id)).all()
    )
    return PanelReport(
        interview_id=interview.id,
        candidate_code=header.candidate_code,
        status=interview.status,
        protocol_title=protocol.title,
        viewer_id=viewer_panelist_id,
        progress=state,
        scores=scores,
        determination=determination,
        signed=tuple(p.id for p in header.panel if p.id in signed),
        finalized_at=interview.finalized_at,
    )


# ----------------------------------------------------------------- program-wide agreement

SETTLED = (Status.consensus, Status.finalized)
"""Interviews whose panel view is open, so their submitted ratings may be pooled."""


@dataclass(frozen=True)
class ProgramAgreement:
    """Agreement pooled over every settled interview of one protocol version."""

    protocol_id: str
    protocol_version: str
    protocol_title: str
    interviews: int
    agreement: tuple[AgreementRow, ...]
    """Domains in protocol order, then parts, then ``overall``."""


def program_agreement(
    session: Session, *, protocol_id: str | None = None
) -> list[ProgramAgreement]:
    """Agreement of submitted ratings across interviews, per protocol version.

    Each indicator of each interview is one unit, so panels of different
    sizes pool naturally. Only interviews at consensus or finalized count:
    before that, ratings may still be hidden.

    Args:
        protocol_id: only this protocol (default: every protocol in the store).
    """
    settled = col(Interview.status).in_(SETTLED)
    query = select(
        Interview.id, Interview.protocol_id, Interview.protocol_version, Interview.protocol_hash
    ).where(settled)
    ratings_query = (
        select(Rating.interview_id, Rating.indicator_id, Rating.value)
        .join(Interview, col(Interview.id) == col(Rating.interview_id))
        .where(settled, col(Rating.submitted_at).is_not(None), col(Rating.value).is_not(None))
    )
    if protocol_id is not None:
        query = query.where(Interview.protocol_id == protocol_id)
        ratings_query = ratings_query.where(Interview.protocol_id == protocol_id)
    interviews = session.exec(query).all()

    # Parse each distinct protocol text once, however many interviews share it.
    protocols: dict[str, Protocol] = {}
    for sha in sorted({row[3] for row in interviews}):
        protocols[sha] = stored_protocol(session, sha)
    layouts = {sha: _layout(protocol) for sha, protocol in protocols.items()}
    group_of = {iid: (pid, version) for iid, pid, version, _ in interviews}
    hash_of = {iid: sha for iid, _, _, sha in interviews}

    units: dict[tuple[str, str], list[int]] = defaultdict(list)
    for interview_id, indicator_id, value in session.exec(ratings_query):
        if value is not None:
            units[(interview_id, indicator_id)].append(value)

    pooled: dict[tuple[str, str], dict[str, list[list[int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for (interview_id, indicator_id), values in units.items():
        place = layouts[hash_of[interview_id]].get(indicator_id)
        if place is None:
            continue  # an indicator its own protocol does not have: nothing to pool it with
        buckets = pooled[group_of[interview_id]]
        for key in (*place, "overall"):
            buckets[key].append(values)

    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for interview_id, group in group_of.items():
        members[group].append(interview_id)
    out = []
    for (pid, version), ids in sorted(members.items()):
        protocol = protocols[hash_of[ids[0]]]
        buckets = pooled.get((pid, version), {})
        levels = protocol.scale.values
        rows = [
            AgreementRow("domain", d.id, d.title, agreement(buckets.get(f"d:{d.id}", []), levels))
            for d in protocol.domains()
        ]
        rows += [
            AgreementRow("part", p.id, p.title, agreement(buckets.get(f"p:{p.id}", []), levels))
            for p in protocol.parts
        ]
        overall = agreement(buckets.get("overall", []), levels)
        rows.append(AgreementRow("overall", "overall", "Overall", overall))
        out.append(ProgramAgreement(pid, version, protocol.title, len(ids), tuple(rows)))
    return out


def _layout(protocol: Protocol) -> dict[str, tuple[str, str]]:
    """Indicator id -> (domain bucket, part bucket) keys for pooling."""
    return {
        indicator.id: (f"d:{domain.id}", f"p:{part.id}")
        for part in protocol.parts
        for domain in part.domains
        for indicator in domain.indicators
    }
