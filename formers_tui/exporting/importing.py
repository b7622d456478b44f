"""Reading a JSON export back into a store (``formers import``).

An import is all or nothing: the file is parsed, checked against the schema
and against the protocols it carries, then every interview is written in one
transaction; any problem rolls the whole file back and is reported in one
sentence. Ids are kept, so exporting the imported interviews gives the same
document again. An interview that is already in the store is skipped when
its content is identical (importing twice changes nothing) and refused when
it differs, because silently choosing one version could lose a panel's work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Table, TypeDecorator, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from formers_tui.errors import FormersError, ValidationError
from formers_tui.exporting.document import (
    ProtocolCache,
    iter_documents,
    table_of,
    to_json_value,
    utc,
)
from formers_tui.exporting.field_checks import check_document_fields
from formers_tui.exporting.jsonfile import dumps
from formers_tui.exporting.schema import EXPORT_SCHEMA, check
from formers_tui.protocol.loader import ProtocolError, text_hash
from formers_tui.protocol.model import Protocol
from formers_tui.store.capture import FLAG_LABELS
from formers_tui.store.common import keep_protocol, record
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
    FlagKind,
    Interview,
    Note,
    Panelist,
    Quote,
    Rating,
    RatingRevision,
    SafetyFlag,
    SignOff,
    Status,
    TimelineEntry,
)
from formers_tui.store.rules.invariants import (
    chairs_of,
    consent_problem,
    open_flag_problem,
    panel_problem,
    status_problem,
)

DERIVED = ("proportionality",)
"""Document fields computed from others: not stored, not compared."""


class ImportRefused(ValidationError):
    """A file that cannot be imported; nothing was written."""


@dataclass
class ImportReport:
    """What an import did."""

    created: list[str] = field(default_factory=list)
    """Ids of interviews added to the store."""
    unchanged: list[str] = field(default_factory=list)
    """Ids of interviews already present with identical content."""


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file, turning every way it can fail into one sentence.

    Raises:
        ValidationError: unreadable, not UTF-8, not JSON, or nested absurdly deep.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"Cannot read {path}: {exc.strerror or exc}.") from None
    return parse_json(raw, what)


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not a number JSON allows", name, 0)


def parse_json(raw: bytes, what: str) -> Any:
    """Parse JSON bytes (see :func:`read_json`)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ImportRefused(f"{what} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            f"{what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it may be truncated or damaged."
        ) from None
    except RecursionError:
        raise ImportRefused(f"{what} is nested too deeply to be an export.") from None


# --------------------------------------------------------------------------- conversions


def parse_timestamp(text: str) -> datetime:
    """An ISO timestamp as an aware UTC datetime (naive means UTC)."""
    return utc(datetime.fromisoformat(text))


def _python_type(sql_type: Any) -> type[Any]:
    """The Python type a column holds (looking through SQLModel's type decorators)."""
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    try:
        kind: type[Any] = sql_type.python_type
    except NotImplementedError:
        return object
    return kind


def column_value(table: Table, name: str, value: Any) -> Any:
    """A JSON value as the Python value column ``name`` of ``table`` stores.

    Raises:
        ValueError: a value of the wrong kind (a bad date, an unknown choice).
    """
    column = table.c[name]
    kind = _python_type(column.type)
    if value is None:
        if not column.nullable:
            raise ValueError(f"{table.name}.{name} cannot be empty")
        return None
    if issubclass(kind, datetime):
        return parse_timestamp(value)
    if issubclass(kind, date):
        return date.fromisoformat(value)
    if issubclass(kind, Enum):
        return kind(value)
    if issubclass(kind, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{table.name}.{name} must be true or false")
    elif issubclass(kind, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{table.name}.{name} must be a whole number")
    elif issubclass(kind, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{table.name}.{name} must be a number")
        return float(value)
    elif issubclass(kind, str) and not isinstance(value, str):
        raise ValueError(f"{table.name}.{name} must be text")
    return value


def row_values(model: Any, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The column values of one row of ``model`` from a document object plus ``extra``.

    Keys of ``data`` that are not columns (derived fields such as a
    panelist's name beside a rating) are ignored; columns missing from
    ``data`` take ``extra`` or their default.
    """
    table = table_of(model)
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name in extra:
            out[column.name] = extra[column.name]
        elif column.name in data:
            out[column.name] = column_value(table, column.name, data[column.name])
    return out


# --------------------------------------------------------------------------- checks


def check_interview(doc: dict[str, Any], protocol: Protocol) -> None:
    """Check the references inside one interview document against its protocol.

    The schema checks shapes; this checks meaning the database cannot: every
    indicator, domain and fact exists in the protocol, every rating is on
    its scale, every panelist referred to is on the panel.

    Raises:
        ValidationError: naming the interview and the first problem.
    """
    label = f"Interview {str(doc['id'])[:8]}"
    try:
        check_document_fields(doc, protocol)
    except ValidationError as exc:
        raise ImportRefused(f"{label}: {exc}") from None
    if doc["protocol"]["id"] != protocol.id or doc["protocol"]["version"] != protocol.version:
        raise ImportRefused(
            f"{label}: its protocol id or version does not match the protocol text."
        )
    indicators = {i.id for i in protocol.indicators()}
    domains = {d.id for d in protocol.domains()}
    facts = {f.id for f in protocol.timeline}
    panel = [p["id"] for p in doc["panel"]]
    if len(set(panel)) != len(panel):
        raise ImportRefused(f"{label}: a panelist appears twice.")
    if len({p["name"].casefold() for p in doc["panel"]}) != len(panel):
        raise ImportRefused(f"{label}: two panelists share a name.")
    scale = set(protocol.scale.values)

    def indicator(value: str | None, what: str) -> None:
        if value is not None and value not in indicators:
            raise ImportRefused(f"{label}: {what} refers to unknown indicator '{value}'.")

    def member(value: str, what: str) -> None:
        if value not in panel:
            raise ImportRefused(f"{label}: {what} refers to a panelist not on the panel.")

    def level(value: int | None, what: str) -> None:
        if value is not None and value not in scale:
            raise ImportRefused(f"{label}: {what} has {value}, which is not on the rating scale.")

    indicator(doc["current_indicator"], "the current position")
    for fact in doc["timeline"]:
        if fact not in facts:
            raise ImportRefused(f"{label}: unknown timeline fact '{fact}'.")
    for domain in doc["domain_seconds"]:
        if domain not in domains:
            raise ImportRefused(f"{label}: time recorded for unknown domain '{domain}'.")
    for note in doc["notes"]:
        indicator(note["indicator_id"], "a note")
    for quote in doc["quotes"]:
        indicator(quote["indicator_id"], "a quote")
    for item in doc["evidence"]:
        for linked in item["indicators"]:
            indicator(linked, "an evidence item")
    for rating in doc["ratings"]:
        indicator(rating["indicator_id"], "a rating")
        member(rating["panelist_id"], "a rating")
        level(rating["value"], "a rating")
        for revision in rating["history"]:
            level(revision["value"], "an earlier rating")
    for submission in doc["domain_submissions"]:
        member(submission["panelist_id"], "a domain submission")
        if submission["domain_id"] not in domains:
            raise ImportRefused(f"{label}: a submission names unknown domain.")
    for agreed in doc["consensus"]:
        indicator(agreed["indicator_id"], "a consensus rating")
        level(agreed["value"], "a consensus rating")
    for sign_off in doc["sign_offs"]:
        member(sign_off["panelist_id"], "a sign-off")
    if doc["chair_reveal"] is not None:
        member(doc["chair_reveal"]["panelist_id"], "the chair's reveal")
    for flag in doc["safety_flags"]:
        indicator(flag["indicator_id"], "a safety flag")
    check_record(doc)


def check_record(doc: dict[str, Any]) -> None:
    """Refuse an interview document the application itself could never have written.

    The schema and :func:`check_interview` check shapes and references; this
    checks the record as a whole: the candidate's consent, a panel of at
    least two with one chair, a status that agrees with the determination
    and the sign-offs (the last signature finalizes; a finalized interview
    carries its determination and every panelist's signature), and no text
    longer than the application accepts when it is typed.

    Raises:
        ValidationError: naming the interview and the first problem.
    """
    label = f"Interview {str(doc['id'])[:8]}"
    panel = doc["panel"]
    for problem in (
        consent_problem(bool(doc["consent"]["given"])),
        panel_problem(len(panel), chairs_of([bool(p["is_chair"]) for p in panel])),
    ):
        if problem is not None:
            raise ImportRefused(f"{label}: {problem}")
    clause = status_problem(
        doc["status"],
        decided=doc["determination"] is not None,
        signed=[s["panelist_id"] for s in doc["sign_offs"]],
        panel=[p["id"] for p in panel],
        finalized_at=doc["finalized_at"],
        agreed=bool(doc["consensus"]),
    )
    if clause is not None:
        raise ImportRefused(f"{label} {clause}.")
    if doc["sign_offs"] or doc["finalized_at"] is not None:
        determination = doc["determination"]
        flagged = open_flag_problem(
            None if determination is None else str(determination["outcome"]),
            [
                FLAG_LABELS[FlagKind(f["kind"])]
                for f in doc["safety_flags"]
                if f["resolved_at"] is None
            ],
        )
        if flagged is not None:
            raise ImportRefused(f"{label}: {flagged}")


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """A document without its derived fields, for the same-content test."""
    out = {k: v for k, v in doc.items() if k not in DERIVED}
    out["protocol"] = {k: v for k, v in doc["protocol"].items() if k != "title"}
    return out


def existing_document(
    session: Session, doc: dict[str, Any], cache: ProtocolCache
) -> dict[str, Any] | None:
    """The stored version of ``doc``'s interview in the same JSON form, or ``None``."""
    if session.get(Interview, doc["id"]) is None:
        return None
    stored = next(
        iter_documents(
            session,
            [doc["id"]],
            identifying="identity" in doc["candidate"],
            full=True,
            protocols=cache,
        )
    )
    stored = dict(to_json_value(stored))
    stored["candidate"] = {k: v for k, v in stored["candidate"].items() if k in doc["candidate"]}
    return stored


# --------------------------------------------------------------------------- writing


def _candidate_id(session: Session, doc: dict[str, Any]) -> str:
    """The store's candidate for ``doc``: matched by id, then code; created if new."""
    label = f"Interview {str(doc['id'])[:8]}"
    given = doc["candidate"]
    code = given["code"]
    table = table_of(Candidate)
    by_code = session.execute(select(table.c.id).where(table.c.code == code)).scalar()
    wanted = given.get("id")
    if wanted is not None:
        by_id = session.execute(select(table.c.code).where(table.c.id == wanted)).scalar()
        if by_id is not None and by_id != code:
            raise ImportRefused(
                f"{label}: its candidate has code {code} here but {by_id} in this store."
            )
        if by_code is not None and by_code != wanted:
            raise ImportRefused(
                f"{label}: candidate code {code} belongs to another candidate in this store."
            )
    if by_code is not None:
        return str(by_code)
    values = row_values(Candidate, given)
    if "id" not in values:
        from formers_tui.store.models import new_id, utcnow

        values = {"id": new_id(), "code": code, "created_at": utcnow()}
    session.execute(insert(table), [values])
    return str(values["id"])


def _identity(session: Session, doc: dict[str, Any], candidate_id: str) -> None:
    identity = doc["candidate"].get("identity")
    if identity is None:
        return
    stored = session.get(CandidateIdentity, candidate_id)
    values = row_values(CandidateIdentity, identity, candidate_id=candidate_id)
    if stored is None:
        session.execute(insert(table_of(CandidateIdentity)), [values])
        return
    if any(getattr(stored, key) != value for key, value in values.items()):
        raise ImportRefused(
            f"Interview {str(doc['id'])[:8]}: the candidate's identifying details differ "
            "from those in this store."
        )


def _open_interview_rule(session: Session, doc: dict[str, Any], candidate_id: str) -> None:
    if doc["status"] == Status.finalized.value:
        return
    table = table_of(Interview)
    other = session.execute(
        select(table.c.id).where(
            table.c.candidate_id == candidate_id,
            table.c.status != Status.finalized,
            table.c.id != doc["id"],
        )
    ).scalar()
    if other is not None:
        raise ImportRefused(
            f"Interview {str(doc['id'])[:8]}: candidate {doc['candidate']['code']} already has "
            f"an open interview ({other[:8]}) in this store."
        )


def _many(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table_of(model)), rows)


def insert_document(
    session: Session,
    doc: dict[str, Any],
    protocol_text: str,
    *,
    actor: str,
    origin: str,
    source_head: str | None = None,
    source_mac: str | None = None,
) -> None:
    """Write one checked interview document into the store, ids kept.

    The audit log records every row written, and the file's name, its
    document's hash, the source store's chain head and its MAC of the
    document (when the export carried them), so the source store can tell
    this import of its genuine export from one of an edited file.

    A finalized interview is written unlocked and locked last, because the
    store refuses any row added to a finalized interview.

    Raises:
        ValidationError: it clashes with the store (candidate, open interview).
        ValueError: a value of the wrong kind.
        SQLAlchemyError: a constraint of the store refused a row.
    """
    iid = doc["id"]
    candidate_id = _candidate_id(session, doc)
    _identity(session, doc, candidate_id)
    _open_interview_rule(session, doc, candidate_id)
    finalized = doc["status"] == Status.finalized.value
    keep_protocol(session, doc["protocol"]["sha256"], protocol_text)
    head = {
        "id": iid,
        "candidate_id": candidate_id,
        "status": Status.consensus if finalized else Status(doc["status"]),
        "protocol_id": doc["protocol"]["id"],
        "protocol_version": doc["protocol"]["version"],
        "protocol_hash": doc["protocol"]["sha256"],
        "interview_date": date.fromisoformat(doc["interview_date"]),
        "consent_given": doc["consent"]["given"],
        "consent_date": column_value(table_of(Interview), "consent_date", doc["consent"]["date"]),
    }
    for key in ("created_at", "updated_at", "started_at", "finalized_at", "current_indicator"):
        head[key] = column_value(table_of(Interview), key, doc[key])
    session.execute(insert(table_of(Interview)), [head])
    own = {"interview_id": iid}
    _many(
        session,
        Panelist,
        [
            # Keys come only with whole-interview bundles; every row names them (one INSERT).
            row_values(
                Panelist,
                p,
                pin_hash=None,
                public_key=p.get("public_key"),
                sealed_key=p.get("sealed_key"),
                **own,
            )
            for p in doc["panel"]
        ],
    )
    _many(
        session,
        TimelineEntry,
        [
            row_values(TimelineEntry, {"fact_id": k, "value": v}, **own)
            for k, v in doc["timeline"].items()
        ],
    )
    _many(session, Note, [row_values(Note, n, **own) for n in doc["notes"]])
    _many(session, Quote, [row_values(Quote, q, **own) for q in doc["quotes"]])
    _many(session, Evidence, [row_values(Evidence, e, **own) for e in doc["evidence"]])
    _many(
        session,
        EvidenceLink,
        [
            {"evidence_id": e["id"], "indicator_id": linked}
            for e in doc["evidence"]
            for linked in e["indicators"]
        ],
    )
    _many(session, Rating, [row_values(Rating, r, **own) for r in doc["ratings"]])
    _many(
        session,
        RatingRevision,
        [
            row_values(RatingRevision, h, rating_id=r["id"])
            for r in doc["ratings"]
            for h in r["history"]
        ],
    )
    _many(
        session,
        DomainSubmission,
        [row_values(DomainSubmission, s, **own) for s in doc["domain_submissions"]],
    )
    if doc["chair_reveal"] is not None:
        _many(session, ChairReveal, [row_values(ChairReveal, doc["chair_reveal"], **own)])
    _many(session, Consensus, [row_values(Consensus, c, **own) for c in doc["consensus"]])
    if doc["determination"] is not None:
        _many(session, Determination, [row_values(Determination, doc["determination"], **own)])
    _many(session, SignOff, [row_values(SignOff, s, **own) for s in doc["sign_offs"]])
    _many(session, SafetyFlag, [row_values(SafetyFlag, f, **own) for f in doc["safety_flags"]])
    _many(session, Addendum, [row_values(Addendum, a, **own) for a in doc["addenda"]])
    _many(
        session,
        DomainTime,
        [
            row_values(DomainTime, {"domain_id": k, "seconds": v}, **own)
            for k, v in doc["domain_seconds"].items()
        ],
    )
    if finalized:
        table = table_of(Interview)
        session.execute(table.update().where(table.c.id == iid).values(status=Status.finalized))
    interview = session.get(Interview, iid)
    record(
        session,
        interview,
        actor=actor,
        action="import",
        entity="interview",
        key=iid,
        old=None,
        new={
            "source": origin,
            "source_audit_head": source_head,
            "source_document_mac": source_mac,
            "exported_sha256": text_hash(dumps(doc)),
            "document_sha256": text_hash(json.dumps(doc, sort_keys=True, ensure_ascii=False)),
            "ratings": len(doc["ratings"]),
            "notes": len(doc["notes"]),
            "evidence": len(doc["evidence"]),
        },
    )


def load_protocols(data: dict[str, Any], what: str) -> tuple[ProtocolCache, dict[str, str]]:
    """Parse the protocols an export carries, checking each text against its hash.

    Raises:
        ValidationError: a text whose hash differs, or that is not a valid protocol.
    """
    cache = ProtocolCache()
    texts: dict[str, str] = {}
    for snapshot in data["protocols"]:
        sha = snapshot["sha256"]
        if text_hash(snapshot["text"]) != sha:
            raise ImportRefused(
                f"{what}: the text of protocol {snapshot['id']} does not match its SHA-256; "
                "the file was changed or damaged."
            )
        try:
            cache.add(sha, snapshot["text"])
        except ProtocolError as exc:
            first = exc.problems[0] if exc.problems else "unreadable"
            raise ImportRefused(
                f"{what}: protocol {snapshot['id']} in the file is not valid ({first})."
            ) from None
        texts[sha] = snapshot["text"]
    return cache, texts


def read_export(path: Path) -> Any:
    """Parse and check an export file without touching any store.

    Raises:
        ValidationError: unreadable, not JSON, not an export, or de-identified.
    """
    what = str(path)
    data = read_json(path, what)
    check_export(data, what)
    return data


def check_export(data: Any, what: str) -> None:
    """Refuse data that is not an importable export (see :func:`read_export`)."""
    check(data, EXPORT_SCHEMA, what)
    if data["deidentified"]:
        raise ImportRefused(
            f"{what} is a de-identified export: it is for analysis and cannot be "
            "imported into a store."
        )


def import_data(
    session: Session, data: Any, *, what: str, actor: str = "import", checked: bool = False
) -> ImportReport:
    """Import parsed export ``data`` in one transaction and commit it.

    Args:
        checked: ``data`` came from :func:`read_export`, so the schema check
            (the slow part for a large file) is not repeated.

    Raises:
        ValidationError: the data is not an importable export, or clashes with
            the store; nothing is written.
    """
    if not checked:
        check_export(data, what)
    cache, texts = load_protocols(data, what)
    report = ImportReport()
    seen: set[str] = set()
    try:
        for doc in data["interviews"]:
            iid = doc["id"]
            if iid in seen:
                raise ImportRefused(f"{what} holds interview {iid[:8]} twice.")
            seen.add(iid)
            sha = doc["protocol"]["sha256"]
            if sha not in texts:
                raise ImportRefused(
                    f"Interview {iid[:8]}: its protocol ({sha[:12]}) is not in the file."
                )
            check_interview(doc, cache.get(session, sha))
            stored = existing_document(session, doc, cache)
            if stored is not None:
                if comparable(stored) != comparable(doc):
                    raise ImportRefused(
                        f"Interview {iid[:8]} is already in this store with different "
                        "content; nothing was imported."
                    )
                report.unchanged.append(iid)
                continue
            insert_document(
                session,
                doc,
                texts[sha],
                actor=actor,
                origin=what,
                source_head=data.get("audit_head"),
                source_mac=(data.get("document_macs") or {}).get(iid),
            )
            report.created.append(iid)
        session.commit()
    except FormersError:
        session.rollback()
        raise
    except (ValueError, OverflowError) as exc:
        session.rollback()
        raise ImportRefused(f"{what} holds a value this store cannot take ({exc}).") from None
    except SQLAlchemyError as exc:
        session.rollback()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ImportRefused(
            f"{what} conflicts with this store ({reason}); nothing was imported."
        ) from None
    return report


def import_file(session: Session, path: Path, *, actor: str = "import") -> ImportReport:
    """Import the JSON export at ``path`` (see :func:`import_data`)."""
    return import_data(session, read_export(path), what=str(path), actor=actor, checked=True)
