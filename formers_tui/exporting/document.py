"""Interviews as plain, JSON-ready documents.

The same document backs ``formers show --json``, the JSON export, the CSV
tables, the printed report and the bundles, so what a script sees, what is
archived and what is printed never drift apart. Identifying details of the
candidate are included only on request.

Documents are built a batch of interviews at a time, one query per table per
batch, so exporting thousands of interviews costs a few hundred queries and
holds only one batch in memory. Each row becomes a dict of all its columns
(less the ones named in :data:`DROPPED`), which keeps the export complete when
a table gains a column; the JSON Schema in ``data/`` then flags the new field
until it is described.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from enum import Enum
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from formers_tui.protocol.loader import load_text
from formers_tui.protocol.model import Protocol
from formers_tui.protocol.timeline import TimelineError, proportionality
from formers_tui.store.common import get_interview, protocol_text
from formers_tui.store.models import (
    Addendum,
    Candidate,
    CandidateIdentity,
    ChairReveal,
    Consensus,
    Determination,
    DomainSubmission,
    DomainTime,
    Evidence,
    EvidenceLink,
    Interview,
    Note,
    Panelist,
    Quote,
    Rating,
    RatingRevision,
    SafetyFlag,
    SignOff,
    TimelineEntry,
)

FORMAT = "formers-tui/interview"
FORMAT_VERSION = 1
BATCH = 100
"""Interviews read per round of queries: large enough to amortise the
queries, small enough that memory stays flat however many are exported."""

UTC = timezone.utc  # noqa: UP017 - keeps Python 3.10 working

DROPPED: dict[str, frozenset[str]] = {
    "panelist": frozenset({"interview_id", "pin_hash"}),
    "candidate_identity": frozenset({"candidate_id"}),
}
"""Columns left out of a table's rows besides ``interview_id``.

A PIN hash guards blind rating on one laptop; it is brute-forceable and
useless anywhere else, so it never leaves the store.
"""


def table_of(model: Any) -> Table:
    """The SQLAlchemy table behind a SQLModel class."""
    table: Table = model.__table__
    return table


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive values are UTC already)."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@lru_cache(maxsize=64)
def _kept_columns(table: Table) -> tuple[tuple[int, str], ...]:
    """Positions and names of the columns a document keeps, in table order."""
    drop = DROPPED.get(table.name, frozenset()) | {"interview_id"}
    return tuple(
        (index, column.name)
        for index, column in enumerate(table.columns)
        if column.name not in drop
    )


def row_dict(table: Table, row: Any) -> dict[str, Any]:
    """A row's columns as a dict, timestamps as aware UTC, internal columns dropped.

    ``row`` must come from a select whose first columns are ``table``'s, in order.
    """
    out: dict[str, Any] = {}
    for index, name in _kept_columns(table):
        value = row[index]
        out[name] = utc(value) if isinstance(value, datetime) else value
    return out


def json_default(value: Any) -> Any:
    """``json.dumps`` hook: what :func:`to_json_value` does, during encoding.

    Enums of this package mix in ``str``, so the encoder writes their value
    without help; dates and timestamps arrive here.
    """
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON data")


def to_json_value(value: Any) -> Any:
    """``value`` with enums, dates and timestamps turned into JSON text, recursively."""
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class ProtocolCache:
    """Frozen protocols parsed once per export, keyed by their SHA-256.

    Interviews share a few protocol texts; parsing one per interview would
    dominate the cost of a bulk export.
    """

    def __init__(self) -> None:
        self._parsed: dict[str, Protocol] = {}
        self._order: dict[str, dict[str, int]] = {}

    def get(self, session: Session, sha256: str) -> Protocol:
        """The protocol with hash ``sha256`` as frozen in the store."""
        if sha256 not in self._parsed:
            self.add(sha256, self.text(session, sha256))
        return self._parsed[sha256]

    def add(self, sha256: str, text: str) -> Protocol:
        """Parse and remember ``text`` under ``sha256``.

        Raises:
            ProtocolError: the text is not a valid protocol.
        """
        if sha256 not in self._parsed:
            protocol = load_text(text, origin=f"protocol {sha256[:12]}").protocol
            self._parsed[sha256] = protocol
            order: dict[str, int] = {}
            for index, fact in enumerate(protocol.timeline):
                order[f"fact:{fact.id}"] = index
            for index, domain in enumerate(protocol.domains()):
                order[f"domain:{domain.id}"] = index
            for index, indicator in enumerate(protocol.indicators()):
                order[indicator.id] = index
            self._order[sha256] = order
        return self._parsed[sha256]

    @staticmethod
    def text(session: Session, sha256: str) -> str:
        """The stored protocol text whose hash is ``sha256``."""
        return protocol_text(session, sha256)

    def rank(self, sha256: str, key: str) -> tuple[int, str]:
        """Sort key placing indicators (or ``domain:ID``, ``fact:ID``) in protocol order."""
        return (self._order[sha256].get(key, 1 << 30), key)


def dissent_items(text: str) -> list[tuple[str, str]]:
    """``(name, reason)`` pairs of a stored dissent (a JSON list, or free text)."""
    if not text.strip():
        return []
    try:
        items = json.loads(text)
        return [(str(i["name"]), str(i["reason"])) for i in items]
    except (ValueError, TypeError, KeyError):
        return [("", text)]


def dissent_line(text: str) -> str:
    """A stored dissent as one readable line: ``Name: reason; Name: reason``."""
    return "; ".join(
        f"{name}: {reason}" if name else reason for name, reason in dissent_items(text)
    )


def proportionality_summary(
    protocol: Protocol, timeline: dict[str, str], as_of: date
) -> dict[str, Any] | None:
    """The proportionality rule applied to stored timeline text, or ``None`` if it has none."""
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


def _grouped(
    session: Session, model: Any, ids: list[str], *, via: Any = None
) -> dict[str, list[dict[str, Any]]]:
    """Rows of ``model`` for the interviews ``ids``, grouped by interview id.

    ``via`` is the parent model for tables that reach their interview through
    a parent row (evidence links, rating revisions).
    """
    table = table_of(model)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if via is None:
        owner = list(table.columns).index(table.c.interview_id)
        query = select(table).where(table.c.interview_id.in_(ids))
    else:
        parent = table_of(via)
        (link,) = [fk for fk in table.foreign_keys if fk.column.table is parent]
        owner = len(table.columns)  # the parent's interview id follows the table's columns
        query = (
            select(table, parent.c.interview_id)
            .join(parent, link.parent == parent.c.id)
            .where(parent.c.interview_id.in_(ids))
        )
    for row in session.execute(query):
        groups[row[owner]].append(row_dict(table, row))
    return groups


def iter_documents(
    session: Session,
    interview_ids: Iterable[str],
    *,
    identifying: bool = False,
    full: bool = False,
    protocols: ProtocolCache | None = None,
    batch: int = BATCH,
) -> Iterator[dict[str, Any]]:
    """Yield the document of each interview in ``interview_ids`` (full ids), in order.

    Args:
        identifying: include the candidate's identifying details.
        full: add what an archive needs to rebuild the interview exactly
            (the candidate's row id and creation time).
        protocols: a cache shared with the caller, which may need the parsed
            protocols too.

    Raises:
        NotFoundError: an id that is not in the store.
    """
    cache = protocols or ProtocolCache()
    pending: list[str] = []
    for interview_id in interview_ids:
        pending.append(interview_id)
        if len(pending) >= batch:
            yield from _batch(session, pending, identifying, full, cache)
            pending = []
    if pending:
        yield from _batch(session, pending, identifying, full, cache)


def _batch(
    session: Session,
    ids: Sequence[str],
    identifying: bool,
    full: bool,
    cache: ProtocolCache,
) -> Iterator[dict[str, Any]]:
    from formers_tui.errors import NotFoundError

    wanted = list(dict.fromkeys(ids))
    interview = table_of(Interview)
    candidate = table_of(Candidate)
    columns = list(interview.columns)
    heads = {
        row._mapping[interview.c.id]: row._mapping
        for row in session.execute(
            select(
                *columns,
                candidate.c.code.label("candidate_code"),
                candidate.c.created_at.label("candidate_created_at"),
            )
            .join(candidate, candidate.c.id == interview.c.candidate_id)
            .where(interview.c.id.in_(wanted))
        )
    }
    missing = [i for i in wanted if i not in heads]
    if missing:
        raise NotFoundError(f"No interview with id '{missing[0]}'.")
    panel = _grouped(session, Panelist, wanted)
    notes = _grouped(session, Note, wanted)
    quotes = _grouped(session, Quote, wanted)
    evidence = _grouped(session, Evidence, wanted)
    links = _grouped(session, EvidenceLink, wanted, via=Evidence)
    timeline = _grouped(session, TimelineEntry, wanted)
    ratings = _grouped(session, Rating, wanted)
    revisions = _grouped(session, RatingRevision, wanted, via=Rating)
    submissions = _grouped(session, DomainSubmission, wanted)
    consensus = _grouped(session, Consensus, wanted)
    determinations = _grouped(session, Determination, wanted)
    reveals = _grouped(session, ChairReveal, wanted)
    sign_offs = _grouped(session, SignOff, wanted)
    flags = _grouped(session, SafetyFlag, wanted)
    addenda = _grouped(session, Addendum, wanted)
    seconds = _grouped(session, DomainTime, wanted)
    identities: dict[str, dict[str, Any]] = {}
    if identifying:
        table = table_of(CandidateIdentity)
        owners = [heads[i][interview.c.candidate_id] for i in wanted]
        for row in session.execute(select(table).where(table.c.candidate_id.in_(owners))):
            identities[row._mapping[table.c.candidate_id]] = row_dict(table, row)

    for iid in ids:
        head = heads[iid]
        sha = head[interview.c.protocol_hash]
        protocol = cache.get(session, sha)

        def rank(key: str, sha: str = sha) -> tuple[int, str]:
            return cache.rank(sha, key)

        members = sorted(panel[iid], key=lambda p: (p["position"], p["id"]))
        position = {p["id"]: index for index, p in enumerate(members)}
        names = {p["id"]: p["name"] for p in members}
        facts = {
            row["fact_id"]: row["value"]
            for row in sorted(timeline[iid], key=lambda r: rank(f"fact:{r['fact_id']}"))
        }
        linked: dict[str, list[str]] = defaultdict(list)
        for link in links[iid]:
            linked[link["evidence_id"]].append(link["indicator_id"])
        history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for revision in revisions[iid]:
            owner = revision.pop("rating_id")  # implied by where the revision sits
            history[owner].append(revision)
        when = head[interview.c.interview_date]
        code = head["candidate_code"]
        candidate_id = head[interview.c.candidate_id]
        who: dict[str, Any] = {"code": code}
        if full:
            who = {
                "id": candidate_id,
                "code": code,
                "created_at": utc(head["candidate_created_at"]),
            }
        if identifying and candidate_id in identities:
            who["identity"] = identities[candidate_id]
        determination = determinations[iid][0] if determinations[iid] else None
        reveal = reveals[iid][0] if reveals[iid] else None
        if reveal is not None:
            reveal = {**reveal, "panelist": names.get(reveal["panelist_id"], reveal["panelist_id"])}
        yield {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "id": iid,
            "status": head[interview.c.status],
            "candidate": who,
            "protocol": {
                "id": head[interview.c.protocol_id],
                "version": head[interview.c.protocol_version],
                "sha256": sha,
                "title": protocol.title,
            },
            "interview_date": when,
            "consent": {
                "given": head[interview.c.consent_given],
                "date": head[interview.c.consent_date],
            },
            "created_at": _utc_or_none(head[interview.c.created_at]),
            "updated_at": _utc_or_none(head[interview.c.updated_at]),
            "started_at": _utc_or_none(head[interview.c.started_at]),
            "finalized_at": _utc_or_none(head[interview.c.finalized_at]),
            "current_indicator": head[interview.c.current_indicator],
            "panel": members,
            "timeline": facts,
            "proportionality": proportionality_summary(protocol, facts, when),
            "notes": sorted(notes[iid], key=lambda n: (rank(n["indicator_id"]), n["id"])),
            "quotes": sorted(quotes[iid], key=lambda q: (q["spoken_at"], q["id"])),
            "evidence": [
                {**item, "indicators": sorted(linked[item["id"]], key=rank)}
                for item in sorted(evidence[iid], key=lambda e: (e["created_at"], e["id"]))
            ],
            "ratings": [
                {
                    **rating,
                    "panelist": names.get(rating["panelist_id"], rating["panelist_id"]),
                    "history": sorted(
                        history[rating["id"]], key=lambda h: (h["superseded_at"], h["id"])
                    ),
                }
                for rating in sorted(
                    ratings[iid],
                    key=lambda r: (
                        rank(r["indicator_id"]),
                        position.get(r["panelist_id"], 0),
                        r["id"],
                    ),
                )
            ],
            "domain_submissions": sorted(
                submissions[iid],
                key=lambda s: (
                    position.get(s["panelist_id"], 0),
                    rank(f"domain:{s['domain_id']}"),
                ),
            ),
            "chair_reveal": reveal,
            "consensus": sorted(consensus[iid], key=lambda c: rank(c["indicator_id"])),
            "determination": determination,
            "sign_offs": [
                {**s, "panelist": names.get(s["panelist_id"], s["panelist_id"])}
                for s in sorted(sign_offs[iid], key=lambda s: position.get(s["panelist_id"], 0))
            ],
            "safety_flags": sorted(flags[iid], key=lambda f: (f["raised_at"], f["id"])),
            "addenda": sorted(addenda[iid], key=lambda a: (a["created_at"], a["id"])),
            "domain_seconds": {
                row["domain_id"]: row["seconds"]
                for row in sorted(seconds[iid], key=lambda r: rank(f"domain:{r['domain_id']}"))
            },
        }


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def interview_document(
    session: Session, interview_id: str, *, identifying: bool = False, full: bool = False
) -> dict[str, Any]:
    """Everything stored about one interview, as JSON-ready data.

    Args:
        interview_id: the id or a unique prefix of it.
        identifying: include the candidate's identifying details.
        full: include the candidate's row id and creation time (for archives).

    Raises:
        NotFoundError: unknown id.
    """
    interview = get_interview(session, interview_id)
    return next(iter_documents(session, [interview.id], identifying=identifying, full=full))
