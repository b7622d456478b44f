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

A bulk export spends most of its time reading rows, so rows are read as
tuples straight from the SQLite cursor and only the columns whose stored
form differs from their document form are converted. Writers that only
serialise ask for *plain* documents, whose dates, timestamps and enums are
already the JSON text, made directly from the stored text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Column, Dialect, Table, select
from sqlmodel import Session

from formers_tui.protocol.loader import load_text
from formers_tui.protocol.model import Protocol
from formers_tui.protocol.timeline import ProportionalityStatus, check_rule
from formers_tui.store.common import get_interview, protocol_text, stored_protocol
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
    "panelist": frozenset({"interview_id", "pin_hash", "public_key", "sealed_key"}),
    "candidate_identity": frozenset({"candidate_id"}),
}
"""Columns left out of a table's rows besides ``interview_id``.

A PIN hash guards blind rating on one laptop; it is brute-forceable and
useless anywhere else, so it never leaves the store. Signing keys travel
only in whole-interview bundles (see :mod:`formers_tui.exporting.bundle`).
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


LAST = 1 << 30
"""Rank of an id the protocol does not know: after everything it does."""

Convert = Callable[[Any], Any]
"""Turns one stored (SQLite) value into its document form; never called with ``None``."""


def _timestamp(parse: Convert, value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime, as :func:`utc` promises every document."""
    parsed: datetime = parse(value)
    return utc(parsed)


def _timestamp_text(parse: Convert, value: Any) -> str:
    """A stored timestamp as the ISO text :func:`json_default` writes for it.

    SQLAlchemy stores every timestamp in SQLite as ``YYYY-MM-DD HH:MM:SS.ffffff``
    in UTC. Rearranging that text gives what parsing it and calling
    ``isoformat()`` would (the fraction is left out when it is zero), without
    building a datetime per value: a bulk export reads hundreds of thousands.
    Anything else goes through the real parser.
    """
    if isinstance(value, str) and len(value) == 26 and value[10] == " " and value[19] == ".":
        fraction = "" if value.endswith(".000000") else value[19:]
        return f"{value[:10]}T{value[11:19]}{fraction}+00:00"
    return utc(parse(value)).isoformat()


def _python_type(column: Column[Any]) -> type:
    """The Python type of a column's values; a decorated type answers for its base type."""
    base = getattr(column.type, "impl_instance", column.type)  # TypeDecorator says ``object``
    try:
        kind: type = base.python_type
    except NotImplementedError:  # pragma: no cover - every column of the store has one
        return object
    return kind


def _converter(column: Column[Any], dialect: Dialect, plain: bool) -> Convert | None:
    """How a column's stored value becomes its document form; ``None`` when it already is.

    The rich form is what SQLAlchemy would return (timestamps made aware
    UTC); the plain form is its JSON text, so that writers need no per-value
    conversion and the round trip string -> datetime -> string is skipped.
    """
    kind = _python_type(column)
    if dialect.name != "sqlite" and kind in (float, int, bool, str):
        # psycopg hands these over as Python values already (its processors
        # for them need the column's type code, which a raw cursor does not give)
        return None
    stored = column.type.dialect_impl(dialect).result_processor(dialect, None)
    if stored is None:
        return None
    if kind is datetime:
        return partial(_timestamp_text if plain else _timestamp, stored)
    if plain and (kind is date or issubclass(kind, Enum)):
        return lambda value: to_json_value(stored(value))
    return stored


@dataclass(frozen=True)
class _Reader:
    """Reads one table's rows for a batch of owners (interviews, or candidates).

    A bulk export reads a few hundred thousand rows; SQLAlchemy's result rows
    and per-column processing cost more than the rows themselves, so rows come
    straight from the DBAPI cursor as tuples and only the columns whose stored
    form differs from their document form are converted. The SQL names the
    kept columns in table order, then the owner's id.
    """

    sql: str
    """The query up to ``IN (``; the placeholders and ``)`` are added per batch."""
    names: tuple[str, ...]
    convert: tuple[tuple[int, str, Convert], ...]
    """Position in the row, name and conversion of each column that needs one."""
    placeholder: str = "?"
    """The driver's parameter marker: ``?`` for SQLite, ``%s`` for psycopg."""

    def grouped(self, session: Session, owners: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The rows of ``owners``, each a dict of its kept columns, grouped by owner id."""
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        names, convert = self.names, self.convert
        cursor = _dbapi_connection(session).cursor()
        try:
            marks = ", ".join([self.placeholder] * len(owners))
            cursor.execute(self.sql + marks + ")", list(owners))
            for row in cursor:
                # strict=False: the owner id, last, has no name and is left out
                record = dict(zip(names, row, strict=False))
                for index, name, function in convert:
                    value = row[index]
                    if value is not None:
                        record[name] = function(value)
                groups[row[-1]].append(record)
        finally:
            cursor.close()
        return groups


def _dbapi_connection(session: Session) -> Any:
    """The session's DB-API connection (SQLite or psycopg), inside the session's transaction."""
    return session.connection().connection.dbapi_connection


@lru_cache(maxsize=64)
def _reader(
    table: Table, dialect: Dialect, plain: bool, parent: Table | None, owner: str
) -> _Reader:
    """The reader of ``table``'s rows selected by the column ``owner``.

    ``parent`` is the table a row reaches its interview through (evidence
    links, rating revisions); ``owner`` is then the parent's column.
    """
    quote = dialect.identifier_preparer.quote
    drop = DROPPED.get(table.name, frozenset()) | {"interview_id"}
    kept = [column for column in table.columns if column.name not in drop]
    source = f"{quote(table.name)} AS t"
    where = f"t.{quote(owner)}"
    if parent is not None:
        (link,) = [fk for fk in table.foreign_keys if fk.column.table is parent]
        source += (
            f" JOIN {quote(parent.name)} AS p"
            f" ON t.{quote(link.parent.name)} = p.{quote(link.column.name)}"
        )
        where = f"p.{quote(owner)}"
    columns = ", ".join(f"t.{quote(column.name)}" for column in kept)
    convert = tuple(
        (index, column.name, function)
        for index, column in enumerate(kept)
        if (function := _converter(column, dialect, plain)) is not None
    )
    return _Reader(
        sql=f"SELECT {columns}, {where} FROM {source} WHERE {where} IN (",
        names=tuple(column.name for column in kept),
        convert=convert,
        placeholder="?" if dialect.paramstyle == "qmark" else "%s",
    )


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
        """The protocol with hash ``sha256`` as frozen in the store.

        Parsed through the store's own cache, so a protocol the program has
        read already (the catalogue, an earlier export) is not parsed again.
        """
        if sha256 not in self._parsed:
            self._remember(sha256, stored_protocol(session, sha256))
        return self._parsed[sha256]

    def add(self, sha256: str, text: str) -> Protocol:
        """Parse and remember ``text`` (from a file being imported) under ``sha256``.

        Raises:
            ProtocolError: the text is not a valid protocol.
        """
        if sha256 not in self._parsed:
            self._remember(sha256, load_text(text, origin=f"protocol {sha256[:12]}").protocol)
        return self._parsed[sha256]

    def _remember(self, sha256: str, protocol: Protocol) -> None:
        self._parsed[sha256] = protocol
        order: dict[str, int] = {}
        for index, fact in enumerate(protocol.timeline):
            order[f"fact:{fact.id}"] = index
        for index, domain in enumerate(protocol.domains()):
            order[f"domain:{domain.id}"] = index
        for index, indicator in enumerate(protocol.indicators()):
            order[indicator.id] = index
        self._order[sha256] = order

    @staticmethod
    def text(session: Session, sha256: str) -> str:
        """The stored protocol text whose hash is ``sha256``."""
        return protocol_text(session, sha256)

    def rank(self, sha256: str, key: str) -> tuple[int, str]:
        """Sort key placing indicators (or ``domain:ID``, ``fact:ID``) in protocol order."""
        return (self._order[sha256].get(key, LAST), key)

    def order(self, sha256: str) -> dict[str, int]:
        """Position of each indicator (``domain:ID``, ``fact:ID``) in the protocol.

        For sort keys built inline: ``(order.get(key, LAST), key)`` is
        :meth:`rank` without a method call per row.
        """
        return self._order[sha256]


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
    """The proportionality rule applied to stored timeline text, or ``None`` if it has none.

    Spans are in calendar months (the middle of the range when a date is known
    only to the month or year); ``met`` is left out when the dates cannot tell.
    """
    check = check_rule(protocol.proportionality, timeline, as_of)
    if check.status is ProportionalityStatus.not_applicable:
        return None
    found: dict[str, Any] = {
        "complete": check.result is not None,
        "status": check.status.value,
        "text": check.text,
    }
    result = check.result
    if result is not None:
        found.update(
            involved_months=round(result.involved.mid, 2),
            disengaged_months=round(result.disengaged.mid, 2),
            required_months=round(result.required.mid, 2),
            approximate=result.approximate,
        )
        if result.met is not None:
            found["met"] = result.met
        if result.depth:
            found["depth"] = result.depth
    elif check.status is ProportionalityStatus.ongoing:
        found["met"] = False
    return found


def _grouped(
    session: Session, model: Any, ids: list[str], plain: bool, *, via: Any = None
) -> dict[str, list[dict[str, Any]]]:
    """Rows of ``model`` for the interviews ``ids``, grouped by interview id.

    ``via`` is the parent model for tables that reach their interview through
    a parent row (evidence links, rating revisions).
    """
    parent = None if via is None else table_of(via)
    reader = _reader(table_of(model), session.get_bind().dialect, plain, parent, "interview_id")
    return reader.grouped(session, ids)


PARTS: tuple[tuple[str, Any, Any], ...] = (
    ("panel", Panelist, None),
    ("notes", Note, None),
    ("quotes", Quote, None),
    ("evidence", Evidence, None),
    ("links", EvidenceLink, Evidence),
    ("timeline", TimelineEntry, None),
    ("ratings", Rating, None),
    ("revisions", RatingRevision, Rating),
    ("submissions", DomainSubmission, None),
    ("consensus", Consensus, None),
    ("determinations", Determination, None),
    ("reveals", ChairReveal, None),
    ("sign_offs", SignOff, None),
    ("flags", SafetyFlag, None),
    ("addenda", Addendum, None),
    ("seconds", DomainTime, None),
)
"""What a document is made of: a name within the batch, the model, and the
parent model a row reaches its interview through (``None``: it has the id)."""

Parts = dict[str, list[dict[str, Any]]]
"""One interview's rows of each table in :data:`PARTS`, by name."""


def iter_documents(
    session: Session,
    interview_ids: Iterable[str],
    *,
    identifying: bool = False,
    full: bool = False,
    protocols: ProtocolCache | None = None,
    batch: int = BATCH,
    plain: bool = False,
    only: Collection[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield the document of each interview in ``interview_ids`` (full ids), in order.

    Args:
        identifying: include the candidate's identifying details.
        full: add what an archive needs to rebuild the interview exactly
            (the candidate's row id and creation time).
        protocols: a cache shared with the caller, which may need the parsed
            protocols too.
        plain: give dates, timestamps and enums as their JSON text, i.e. the
            document :func:`to_json_value` would make, built directly from the
            stored text. For writers that only serialise: a bulk export then
            never builds a datetime only to turn it back into a string.
        only: the names (in :data:`PARTS`) of the tables to read; the others
            are left empty. For a writer that uses a few parts of a document
            (the CSV tables), so that the rest is never read from the store.

    Raises:
        NotFoundError: an id that is not in the store.
    """
    cache = protocols or ProtocolCache()
    tables = frozenset(name for name, _model, _via in PARTS) if only is None else frozenset(only)
    pending: list[str] = []
    for interview_id in interview_ids:
        pending.append(interview_id)
        if len(pending) >= batch:
            yield from _batch(session, pending, identifying, full, cache, plain, tables)
            pending = []
    if pending:
        yield from _batch(session, pending, identifying, full, cache, plain, tables)


def _batch(
    session: Session,
    ids: Sequence[str],
    identifying: bool,
    full: bool,
    cache: ProtocolCache,
    plain: bool,
    only: frozenset[str],
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
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: _grouped(session, model, wanted, plain, via=via)
        if name in only
        else defaultdict(list)
        for name, model, via in PARTS
    }
    identities: dict[str, dict[str, Any]] = {}
    if identifying:
        owners = [heads[i][interview.c.candidate_id] for i in wanted]
        identities = _identities(session, owners, plain)

    for iid in ids:
        head = heads[iid]
        sha = head[interview.c.protocol_hash]
        protocol = cache.get(session, sha)
        candidate_id = head[interview.c.candidate_id]
        who: dict[str, Any] = {"code": head["candidate_code"]}
        if full:
            who = {
                "id": candidate_id,
                "code": head["candidate_code"],
                "created_at": utc(head["candidate_created_at"]),
            }
        if identifying and candidate_id in identities:
            who["identity"] = identities[candidate_id]
        parts = {name: groups[iid] for name, groups in rows.items()}
        yield _document(iid, head, who, parts, protocol, cache.order(sha), plain)


def _identities(session: Session, candidate_ids: list[str], plain: bool) -> dict[str, Any]:
    """Identifying details of the candidates ``candidate_ids``, by candidate id."""
    table = table_of(CandidateIdentity)
    reader = _reader(table, session.get_bind().dialect, plain, None, "candidate_id")
    return {owner: rows[0] for owner, rows in reader.grouped(session, candidate_ids).items()}


def _document(
    iid: str,
    head: Any,
    who: dict[str, Any],
    parts: Parts,
    protocol: Protocol,
    order: dict[str, int],
    plain: bool,
) -> dict[str, Any]:
    """One interview's document from its row (``head``) and its rows of every table.

    The rows are fresh dicts owned by this document, so they are completed in
    place rather than copied. Sorting by a timestamp gives the same order for
    plain documents: their ISO texts, all UTC and alike in form, sort as the
    times do.
    """

    def rank(key: str) -> tuple[int, str]:
        return (order.get(key, LAST), key)

    members = sorted(parts["panel"], key=lambda p: (p["position"], p["id"]))
    position = {p["id"]: index for index, p in enumerate(members)}
    names = {p["id"]: p["name"] for p in members}
    facts = {
        row["fact_id"]: row["value"]
        for row in sorted(parts["timeline"], key=lambda r: rank(f"fact:{r['fact_id']}"))
    }
    when = head[table_of(Interview).c.interview_date]
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "id": iid,
        **_described(head, who, protocol, plain),
        "panel": members,
        "timeline": facts,
        "proportionality": proportionality_summary(protocol, facts, when),
        "notes": sorted(parts["notes"], key=lambda n: (rank(n["indicator_id"]), n["id"])),
        "quotes": sorted(parts["quotes"], key=lambda q: (q["spoken_at"], q["id"])),
        "evidence": _evidence(parts["evidence"], parts["links"], rank),
        "ratings": _ratings(parts["ratings"], parts["revisions"], order, position, names),
        "domain_submissions": sorted(
            parts["submissions"],
            key=lambda s: (position.get(s["panelist_id"], 0), rank(f"domain:{s['domain_id']}")),
        ),
        "chair_reveal": _first(_named(parts["reveals"], names)),
        "consensus": sorted(parts["consensus"], key=lambda c: rank(c["indicator_id"])),
        "determination": _first(parts["determinations"]),
        "sign_offs": _named(
            sorted(parts["sign_offs"], key=lambda s: position.get(s["panelist_id"], 0)), names
        ),
        "safety_flags": sorted(parts["flags"], key=lambda f: (f["raised_at"], f["id"])),
        "addenda": sorted(parts["addenda"], key=lambda a: (a["created_at"], a["id"])),
        "domain_seconds": {
            row["domain_id"]: row["seconds"]
            for row in sorted(parts["seconds"], key=lambda r: rank(f"domain:{r['domain_id']}"))
        },
    }


def _described(head: Any, who: dict[str, Any], protocol: Protocol, plain: bool) -> dict[str, Any]:
    """The interview row's own fields, in document order (as JSON text when ``plain``)."""
    interview = table_of(Interview)
    fields = {
        "status": head[interview.c.status],
        "candidate": who,
        "protocol": {
            "id": head[interview.c.protocol_id],
            "version": head[interview.c.protocol_version],
            "sha256": head[interview.c.protocol_hash],
            "title": protocol.title,
        },
        "interview_date": head[interview.c.interview_date],
        "consent": {
            "given": head[interview.c.consent_given],
            "date": head[interview.c.consent_date],
        },
        "created_at": _utc_or_none(head[interview.c.created_at]),
        "updated_at": _utc_or_none(head[interview.c.updated_at]),
        "started_at": _utc_or_none(head[interview.c.started_at]),
        "finalized_at": _utc_or_none(head[interview.c.finalized_at]),
        "current_indicator": head[interview.c.current_indicator],
    }
    if plain:
        plain_fields: dict[str, Any] = to_json_value(fields)
        return plain_fields
    return fields


def _first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The row of a table holding at most one per interview, or ``None``."""
    return rows[0] if rows else None


def _named(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """``rows`` with the name of their ``panelist_id`` added as ``panelist``."""
    for row in rows:
        row["panelist"] = names.get(row["panelist_id"], row["panelist_id"])
    return rows


def _evidence(
    items: list[dict[str, Any]], links: list[dict[str, Any]], rank: Callable[[str], Any]
) -> list[dict[str, Any]]:
    """Evidence in the order it was recorded, each with the indicators it bears on."""
    linked: dict[str, list[str]] = defaultdict(list)
    for link in links:
        linked[link["evidence_id"]].append(link["indicator_id"])
    ordered = sorted(items, key=lambda e: (e["created_at"], e["id"]))
    for item in ordered:
        item["indicators"] = sorted(linked[item["id"]], key=rank)
    return ordered


def _ratings(
    ratings: list[dict[str, Any]],
    revisions: list[dict[str, Any]],
    order: dict[str, int],
    position: dict[str, int],
    names: dict[str, str],
) -> list[dict[str, Any]]:
    """Ratings in protocol order, then panel order, each with its name and history.

    The most numerous rows of a document: the sort key is built inline (the
    same order as ``(rank(indicator), position, id)``) rather than through
    :meth:`ProtocolCache.rank`.
    """
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for revision in revisions:
        history[revision.pop("rating_id")].append(revision)  # implied by where it sits
    ordered = sorted(
        ratings,
        key=lambda r: (
            order.get(r["indicator_id"], LAST),
            r["indicator_id"],
            position.get(r["panelist_id"], 0),
            r["id"],
        ),
    )
    for rating in ordered:
        rating["panelist"] = names.get(rating["panelist_id"], rating["panelist_id"])
        earlier = history.get(rating["id"])
        rating["history"] = (
            sorted(earlier, key=lambda h: (h["superseded_at"], h["id"])) if earlier else []
        )
    return ordered


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
