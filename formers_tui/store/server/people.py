"""Who the connected person is, on a server store: their panel seat from ``current_user``.

On a laptop a panelist proves who they are with their PIN; on a server each
person connects as their own database role, which ``formers server
add-user`` tied to their name. Row-level security already shows that
connection only what this panelist may see; the app reads as the same
panelist (:func:`connected_reader`) so it shows them what the database lets
through — their own drafts included — and never less than it should.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Engine
from sqlmodel import Session

READER_FUNCTION = "formers_reader(text,name)"
"""The policies' own function naming the connected role's panelist in an interview."""

_READY: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def has_people(session: Session) -> bool:
    """Whether ``session`` is on a server whose people are roles (``server init`` ran).

    Asked once per engine: a SQLite store, or a server database without the
    roles, answers ``False`` without a query after the first.
    """
    engine = _engine(session)
    if engine.dialect.name != "postgresql":
        return False
    ready = _READY.get(engine)
    if ready is None:
        ready = bool(
            session.connection()
            .exec_driver_sql(
                "SELECT COALESCE(has_function_privilege(to_regprocedure(%(f)s), 'EXECUTE'), false)",
                {"f": READER_FUNCTION},
            )
            .scalar_one()
        )
        _READY[engine] = ready
    return ready


def connected_reader(session: Session, interview_id: str) -> str | None:
    """The panelist of ``interview_id`` the connected role is, or ``None``.

    ``None`` on a SQLite store, for the database's owner, for programme staff
    not on this panel, and on a server without roles.
    """
    if not has_people(session):
        return None
    found = (
        session.connection()
        .exec_driver_sql("SELECT formers_reader(%(i)s, current_user)", {"i": interview_id})
        .scalar_one_or_none()
    )
    return None if found is None else str(found)


def connected_person(session: Session) -> str | None:
    """The connected role's name as panels give it, or ``None`` (not a recorded person)."""
    if not has_people(session):
        return None
    found = (
        session.connection()
        .exec_driver_sql("SELECT formers_person_of(current_user)")
        .scalar_one_or_none()
    )
    return None if found is None else str(found)


_UNRESTRICTED = (
    "pg_has_role(current_user, (SELECT c.relowner FROM pg_class c"
    " WHERE c.oid = 'audit_entry'::regclass), 'MEMBER')"
    " OR (SELECT r.rolbypassrls OR r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)"
)
"""SQL: the login reads past row-level security (the tables' owner, a superuser, a bypasser)."""


_FREE: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def unrestricted(session: Session) -> bool:
    """Whether the connected login reads every row: always on a file or a server without roles.

    A person's login reads only what the policies let through, so it cannot
    check the whole audit chain, for one. Asked once per engine (one login).
    """
    if not has_people(session):
        return True
    engine = _engine(session)
    free = _FREE.get(engine)
    if free is None:
        free = bool(session.connection().exec_driver_sql(f"SELECT {_UNRESTRICTED}").scalar_one())
        _FREE[engine] = free
    return free


def withheld_by_server(session: Session, interview_id: str, shown: int) -> int:
    """How many of the interview's ratings the server kept from this login (0 on a file).

    Row-level security leaves a hidden rating out of every read, so the app
    cannot count it the way it counts the ratings it redacts itself; the
    server says how many there are (a count, never what they are).

    Args:
        shown: how many ratings of the interview the login read.
    """
    if unrestricted(session):
        return 0
    total = (
        session.connection()
        .exec_driver_sql("SELECT formers_rating_count(%(i)s, current_user)", {"i": interview_id})
        .scalar_one()
    )
    return max(int(total) - shown, 0)


def may_write(session: Session, interview_id: str) -> bool:
    """Whether the connected login may change the interview at all (the policies' answer).

    ``True`` on a SQLite store, for the database's owner (or a role that
    bypasses row-level security) and on a server without roles; for a
    person, whether they sit on its panel (or, a chair, it is still in
    draft). A supervisor's login never may.
    """
    if not has_people(session):
        return True
    answer = (
        session.connection()
        .exec_driver_sql(
            "SELECT CASE"
            " WHEN NOT has_table_privilege('note', 'INSERT') THEN false"
            f" WHEN {_UNRESTRICTED} THEN true"
            " ELSE formers_writes(%(i)s, current_user) END",
            {"i": interview_id},
        )
        .scalar_one()
    )
    return bool(answer)
