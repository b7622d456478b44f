"""Load the rows behind programme-wide reliability and hand them to scoring.

Only settled interviews count (at consensus or finalized): before that a
panel's ratings may still be hidden from one another, and pooling them would
leak what blind rating keeps apart. Only submitted levels count; omits are
missing. The pure work is :mod:`formers_tui.scoring.reliability`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, select

from formers_tui.protocol.model import Protocol
from formers_tui.scoring.reliability import (
    ProtocolReliability,
    RaterMark,
    by_interview,
    reliability,
)
from formers_tui.store.common import stored_protocol
from formers_tui.store.models import Consensus, Interview, Panelist, Rating
from formers_tui.store.panel_view import SETTLED


def programme_reliability(
    session: Session, *, protocol_id: str | None = None, since: date | None = None
) -> list[ProtocolReliability]:
    """Pooled agreement and rater leans, one entry per protocol version.

    Args:
        protocol_id: only this protocol (default: every protocol in the store).
        since: only interviews held on or after this day.
    """
    query = select(
        Interview.id, Interview.protocol_id, Interview.protocol_version, Interview.protocol_hash
    ).where(col(Interview.status).in_(SETTLED))
    if protocol_id is not None:
        query = query.where(Interview.protocol_id == protocol_id)
    if since is not None:
        query = query.where(Interview.interview_date >= since)
    interviews = session.exec(query).all()
    if not interviews:
        return []
    chosen = {iid for iid, _, _, _ in interviews}
    group_of = {iid: (pid, version) for iid, pid, version, _ in interviews}
    text_of: dict[tuple[str, str], str] = {}
    for _, pid, version, sha in sorted(interviews):
        text_of.setdefault((pid, version), sha)

    # Plain rows through the connection: the ORM's result processing would cost more
    # than the query over a programme's hundred thousand ratings.
    connection = session.connection()
    ratings = connection.execute(
        select(Rating.interview_id, Rating.indicator_id, Rating.panelist_id, Rating.value)
        .join(Interview, col(Interview.id) == col(Rating.interview_id))
        .where(
            col(Interview.status).in_(SETTLED),
            col(Rating.submitted_at).is_not(None),
            col(Rating.value).is_not(None),
        )
    ).all()
    names = {
        pid: name
        for pid, name in connection.execute(
            select(Panelist.id, Panelist.name)
            .join(Interview, col(Interview.id) == col(Panelist.interview_id))
            .where(col(Interview.status).in_(SETTLED))
        )
    }
    agreed = {
        (iid, indicator): value
        for iid, indicator, value in connection.execute(
            select(Consensus.interview_id, Consensus.indicator_id, Consensus.value)
            .join(Interview, col(Interview.id) == col(Consensus.interview_id))
            .where(col(Interview.status).in_(SETTLED), col(Consensus.value).is_not(None))
        )
    }

    rows: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    marks: dict[tuple[str, str], list[RaterMark]] = defaultdict(list)
    for iid, indicator, panelist, value in ratings:
        if iid not in chosen or value is None:
            continue
        group = group_of[iid]
        rows[group].append((iid, indicator, value))
        consensus = agreed.get((iid, indicator))
        if consensus is not None:
            marks[group].append(RaterMark(names.get(panelist, panelist), iid, value, consensus))

    counts: dict[tuple[str, str], int] = defaultdict(int)
    for group in group_of.values():
        counts[group] += 1
    protocols: dict[str, Protocol] = {}
    out = []
    for group in sorted(counts):
        sha = text_of[group]
        protocol = protocols.setdefault(sha, stored_protocol(session, sha))
        out.append(
            reliability(
                protocol,
                protocol_id=group[0],
                protocol_version=group[1],
                interviews=counts[group],
                units=by_interview(rows[group]),
                marks=marks[group],
            )
        )
    return out
