"""Helpers shared by the store's query modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, SQLModel, col, select

from formers_tui.errors import NotFoundError
from formers_tui.protocol.model import Protocol
from formers_tui.store import audit, protocol_cache
from formers_tui.store.models import Candidate, Interview, ProtocolSnapshot, Status, utcnow

MIN_PREFIX = 4


def values(row: SQLModel | None) -> dict[str, Any] | None:
    """A row's column values, for the audit log."""
    return None if row is None else row.model_dump()


def get_interview(session: Session, interview_id: str) -> Interview:
    """Return the interview whose id is ``interview_id`` or starts with it.

    Raises:
        NotFoundError: if no interview (or more than one) matches.
    """
    key = interview_id.strip().lower()
    if not key:
        raise NotFoundError("No interview id given.")
    exact = session.get(Interview, key)
    if exact is not None:
        return exact
    if len(key) < MIN_PREFIX:
        raise NotFoundError(
            f"No interview '{interview_id}' (give at least {MIN_PREFIX} characters of the id)."
        )
    matches = session.exec(
        select(Interview).where(col(Interview.id).startswith(key, autoescape=True)).limit(2)
    ).all()
    if not matches:
        raise NotFoundError(f"No interview with id '{interview_id}'.")
    if len(matches) > 1:
        raise NotFoundError(f"The id '{interview_id}' matches several interviews; give more of it.")
    return matches[0]


def find_interview(session: Session, key: str) -> Interview:
    """The interview named by ``key``: its id, the start of its id, or its candidate's code.

    A candidate code names that candidate's interview still open (not
    finalized), else their most recent one. People know candidates by code;
    ids are for scripts.

    Raises:
        NotFoundError: nothing (or more than one interview id) matches.
    """
    code = " ".join(key.split())
    candidate = (
        session.exec(select(Candidate).where(_same_code(session, code))).first() if code else None
    )
    if candidate is not None:
        rows = session.exec(
            select(Interview)
            .where(Interview.candidate_id == candidate.id)
            .order_by(col(Interview.updated_at).desc())
        ).all()
        open_ = [row for row in rows if row.status != Status.finalized]
        if open_ or rows:
            return (open_ or list(rows))[0]
    try:
        return get_interview(session, key)
    except NotFoundError:
        raise NotFoundError(
            f"No interview with id '{key}', nor a candidate with that code."
        ) from None


def _same_code(session: Session, code: str) -> ColumnElement[bool]:
    """``Candidate.code`` equals ``code`` ignoring ASCII case, on either database.

    SQLite's ``NOCASE`` folds ASCII letters only; PostgreSQL has no such
    collation, and ``lower()`` there folds every letter, so the server
    compares with both sides folded by the server itself.
    """
    column = col(Candidate.code)
    if session.get_bind().dialect.name == "sqlite":
        return column.collate("NOCASE") == code
    return func.lower(column) == func.lower(code)


def touch(session: Session, interview: Interview) -> None:
    """Mark the interview as changed now; a first capture moves a draft to in progress."""
    interview.updated_at = utcnow()
    if interview.status == Status.draft:
        interview.status = Status.in_progress
        interview.started_at = interview.updated_at
    session.add(interview)


def record(
    session: Session,
    interview: Interview | None,
    *,
    actor: str,
    action: str,
    entity: str,
    key: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> None:
    """Append the audit entry for a change made in ``session``."""
    audit.append(
        session,
        interview_id=interview.id if interview else None,
        actor=actor,
        action=action,
        entity=entity,
        key=key,
        old=old,
        new=new,
    )


def protocol_text(session: Session, sha256: str) -> str:
    """The frozen protocol text whose hash is ``sha256``.

    Raises:
        NotFoundError: the store holds no such protocol.
    """
    snapshot = session.get(ProtocolSnapshot, sha256)
    if snapshot is None:
        raise NotFoundError(f"The store holds no protocol {sha256[:12]}.")
    return snapshot.text


def keep_protocol(session: Session, sha256: str, text: str) -> None:
    """Store a protocol text under its hash unless the store already holds it."""
    if session.get(ProtocolSnapshot, sha256) is None:
        session.add(ProtocolSnapshot(sha256=sha256, text=text))
        session.flush()  # before any interview row that names it
        if session.connection().dialect.name == "postgresql":
            from formers_tui.store.server.policies import index_if_server

            index_if_server(session, sha256)  # the policies must know its domains


def remember_protocol(sha256: str, protocol: Protocol) -> None:
    """Record a protocol parsed elsewhere (see :func:`.protocol_cache.remember`)."""
    protocol_cache.remember(sha256, protocol)


def stored_protocol(session: Session, sha256: str) -> Protocol:
    """Parse a protocol frozen in the store, once per distinct text hash."""
    parsed = protocol_cache.known(sha256)
    if parsed is None:
        parsed = protocol_cache.parse(sha256, protocol_text(session, sha256))
    return parsed


def protocol_of(interview: Interview) -> Protocol:
    """The frozen protocol the interview was started with.

    The interview must belong to a session unless its protocol was parsed
    before (the usual case: a store holds few distinct protocols).
    """
    parsed = protocol_cache.known(interview.protocol_hash)
    if parsed is not None:
        return parsed
    session = Session.object_session(interview)
    if not isinstance(session, Session):
        raise NotFoundError("The interview's protocol is not loaded; open it again.")
    return stored_protocol(session, interview.protocol_hash)
