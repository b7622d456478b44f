"""People as database roles: the three groups, one login role per person.

``formers server init`` (run as the database's owner) creates the groups
``formers_chair``, ``formers_panelist`` and ``formers_supervisor`` and the
row-level security of :mod:`~formers_tui.store.server.policies`;
``formers server add-user`` gives a person a login role in one group and
records which app person (the name panels give them) it is.

No password passes through this program: the administrator sets one with
psql's ``\\password NAME`` (or certificate or other authentication in
``pg_hba.conf``), and each person keeps theirs in ``~/.pgpass``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from formers_tui.errors import FormersError, ValidationError
from formers_tui.store import fields
from formers_tui.store.server.policies import GROUPS, PERSON_TABLE, install

LOGIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""A login role name we create: lower case, digits and underscores, as psql types it bare."""


class ServerRoleError(FormersError):
    """The server refused or cannot do what roles and policies need."""


@dataclass(frozen=True)
class Person:
    """A login role and who it is in the app."""

    login: str
    name: str
    role: str
    """``chair``, ``panelist`` or ``supervisor``."""


def check_role(role: str) -> str:
    """``role`` as one of :data:`GROUPS`' keys.

    Raises:
        ValidationError: naming the three roles.
    """
    key = role.strip().lower()
    if key not in GROUPS:
        raise ValidationError(f"'{role}' is not a role here: choose chair, panelist or supervisor.")
    return key


def check_login(name: str) -> str:
    """``name`` as a login role name we may create.

    Raises:
        ValidationError: not a plain lower-case name, or one PostgreSQL or this program keeps.
    """
    if not LOGIN_NAME.fullmatch(name):
        shown = f"'{name}'" if name.isprintable() and len(name) <= 70 else "That"
        raise ValidationError(
            f"{shown} cannot be a login name: use up to 63 lower-case letters, digits "
            "and underscores, starting with a letter."
        )
    if name.startswith("pg_") or name in GROUPS.values() or name == "public":
        raise ValidationError(f"'{name}' is a name PostgreSQL or formers keeps for itself.")
    return name


def _one_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return (text.splitlines()[0] if text else type(error).__name__).rstrip(".")


def ensure_groups(connection: Any) -> list[str]:
    """Create the three group roles that do not exist yet; return those created.

    Raises:
        ServerRoleError: the connected role may not create roles.
    """
    made = []
    for group in GROUPS.values():
        found = connection.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": group}
        ).first()
        if found is None:
            _as_owner(connection, f'CREATE ROLE "{group}" NOLOGIN')
            made.append(group)
    return made


def _as_owner(connection: Any, statement: str, parameters: Any = None) -> None:
    """Run one statement that needs the owner's rights; a refusal is one sentence."""
    from sqlalchemy.exc import DBAPIError

    try:
        with connection.begin_nested():
            connection.exec_driver_sql(statement, parameters)
    except DBAPIError as exc:
        reason = _one_line(exc)
        if "permission denied" in reason or "must be" in reason:
            raise ServerRoleError(
                f"The server refused ({reason}): run this as the database's owner, "
                "with the CREATEROLE right."
            ) from None
        raise ServerRoleError(f"The server refused: {reason}.") from None


@dataclass(frozen=True)
class Initialized:
    """What ``server init`` did."""

    made: list[str]
    """Groups created by this run (none when run again)."""
    tables: int
    """Tables under row-level security."""


def init(connection: Any) -> list[str]:
    """Create the groups, then install the policies (the schema is migrated already).

    ``connection`` is the owner's, in a transaction the caller commits.
    Returns the groups created by this run (none when run again).
    """
    made = ensure_groups(connection)
    from sqlalchemy.exc import DBAPIError

    try:
        with connection.begin_nested():
            install(connection)
    except DBAPIError as exc:
        reason = _one_line(exc)
        if "must be owner" in reason or "permission denied" in reason:
            raise ServerRoleError(
                f"The server refused ({reason}): run 'formers server init' as the database's owner."
            ) from None
        raise
    return made


def add_user(connection: Any, login: str, role: str, name: str | None = None) -> Person:
    """Create (or move) the login role ``login`` into ``role``'s group and record its person.

    Running it again for the same login changes its group and name; the
    role keeps its password. ``name`` is how panels name the person
    (default: the login).

    Raises:
        ValidationError: a bad login, role or name.
        ServerRoleError: ``init`` has not run, the login is someone the
            program must not touch, or the server refuses.
    """
    login = check_login(login)
    role = check_role(role)
    name = fields.check_name(login if name is None else name, "person's name")
    ready = connection.exec_driver_sql(
        "SELECT to_regclass(%(t)s) IS NOT NULL", {"t": PERSON_TABLE}
    ).scalar_one()
    if not ready:
        raise ServerRoleError("This database has no roles yet: run 'formers server init' first.")
    row = connection.exec_driver_sql(
        "SELECT rolsuper, rolname = current_user OR rolname = session_user, rolcanlogin "
        "FROM pg_roles WHERE rolname = %(n)s",
        {"n": login},
    ).first()
    if row is not None and (row[0] or row[1]):
        raise ServerRoleError(
            f"'{login}' is an administrator of the server; people connect as roles of their own."
        )
    taken = connection.exec_driver_sql(
        f"SELECT role_name FROM {PERSON_TABLE} WHERE name = %(n)s AND role_name <> %(l)s",
        {"n": name, "l": login},
    ).first()
    if taken is not None:
        raise ServerRoleError(f"{name} is already the person of the login '{taken[0]}'.")
    if row is None:
        _as_owner(connection, f'CREATE ROLE "{login}" LOGIN')
    elif not row[2]:
        _as_owner(connection, f'ALTER ROLE "{login}" LOGIN')
    for key, group in GROUPS.items():
        if key != role:
            _as_owner(connection, f'REVOKE "{group}" FROM "{login}"')
    _as_owner(connection, f'GRANT "{GROUPS[role]}" TO "{login}"')
    connection.exec_driver_sql(
        f"INSERT INTO {PERSON_TABLE} (role_name, name, app_role) VALUES (%(l)s, %(n)s, %(r)s) "
        "ON CONFLICT (role_name) DO UPDATE SET name = excluded.name, app_role = excluded.app_role",
        {"l": login, "n": name, "r": role},
    )
    return Person(login, name, role)


def people(connection: Any) -> list[Person]:
    """Every recorded person, by login."""
    rows = connection.exec_driver_sql(
        f"SELECT role_name, name, app_role FROM {PERSON_TABLE} ORDER BY role_name"
    ).all()
    return [Person(str(a), str(b), str(c)) for a, b, c in rows]


# ------------------------------------------------------------------ by URL


def _engine(url: str) -> Any:
    from formers_tui.store.location import shown
    from formers_tui.store.server.engine import make_server_engine

    return make_server_engine(url, shown=shown(url))


def init_server(url: str) -> Initialized:
    """``formers server init``: migrate the database at ``url``, then :func:`init` it.

    Raises:
        StoreError: the server cannot be reached, or the schema cannot be migrated.
        ServerRoleError: the connected role is not the owner or may not create roles.
    """
    from formers_tui.store.store import Store

    store = Store.open(url)
    try:
        with store.engine.begin() as connection:
            made = init(connection)
            tables = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity"
            ).scalar_one()
    finally:
        store.close()
    return Initialized(made, int(tables))


def add_user_at(url: str, login: str, role: str, name: str | None = None) -> Person:
    """:func:`add_user` on the database at ``url``, committed."""
    login, role = check_login(login), check_role(role)
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            return add_user(connection, login, role, name)
    finally:
        engine.dispose()


def people_at(url: str) -> list[Person]:
    """:func:`people` of the database at ``url``.

    Raises:
        ServerRoleError: ``server init`` has not run there.
    """
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            ready = connection.exec_driver_sql(
                "SELECT to_regclass(%(t)s) IS NOT NULL", {"t": PERSON_TABLE}
            ).scalar_one()
            if not ready:
                raise ServerRoleError(
                    "This database has no roles yet: run 'formers server init' first."
                )
            return people(connection)
    finally:
        engine.dispose()
