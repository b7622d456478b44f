"""A server store with people: the blind-rating interviews, an interview Bo is not on, logins.

Built once per module through the app's own functions, as the database's
owner; then ``server init`` and one login per person. Tests connect as a
person with plain psycopg (:func:`connect`), as a raw SQL client would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from formers_tui.protocol.loader import load_path
from formers_tui.store.interviews import PanelistIn, create_interview
from formers_tui.store.models import Role
from formers_tui.store.server import roles
from formers_tui.store.server.engine import make_server_engine
from formers_tui.store.store import Store
from tests.conftest import FIXTURES
from tests.pg import Cluster
from tests.rules.blind_store import NAMES, build

LOGINS = {"ann": "Ann Lee", "bo": "Bo Ray", "cy": "Cy Dee"}
"""Panelist logins: their names are the blind store's panel."""
SUPERVISOR = "sue"
OUTSIDER = "zed"
"""A panelist on no panel of the store."""
PEOPLE = {
    "ann": "chair",
    "bo": "panelist",
    "cy": "panelist",
    SUPERVISOR: "supervisor",
    OUTSIDER: "panelist",
}
NAME_OF = {**LOGINS, SUPERVISOR: "Sue Vee", OUTSIDER: "Zed Oh"}
assert set(LOGINS.values()) == set(NAMES)


@dataclass(frozen=True)
class Served:
    """The server database and what is in it."""

    cluster: Cluster
    database: str
    ids: dict[str, str]
    """Interview id of each blind-rating state."""
    without_bo: str
    """An interview whose panel is Ann and Cy only."""

    def url(self, login: str = "postgres") -> str:
        return self.cluster.url(self.database, user=login)


def serve(cluster: Cluster, *, init_first: bool = False) -> Served:
    """A fresh database holding the interviews, initialised, with every person's login.

    ``init_first``: run ``server init`` before the interviews are made (new
    protocols are indexed as they are stored) rather than after (``init``
    indexes the ones it finds).
    """
    database = cluster.fresh_database()
    url = cluster.url(database)
    if init_first:
        roles.init_server(url)
    ids = build(url)  # type: ignore[arg-type]
    store = Store.open(url)
    try:
        with store.session() as session:
            loaded = load_path(FIXTURES / "mini-protocol.toml")
            interview = create_interview(
                session,
                candidate_code="PM-ELSEWHERE",
                protocol=loaded,
                panel=[
                    PanelistIn("Ann Lee", Role.psychologist, is_chair=True),
                    PanelistIn("Cy Dee", Role.peer_mentor),
                ],
                actor="test",
                interview_date=date(2026, 11, 3),
                consent_given=True,
                consent_date=date(2026, 11, 3),
            )
            session.commit()
            without_bo = interview.id
    finally:
        store.close()
    if not init_first:
        roles.init_server(url)
    for login, role in PEOPLE.items():
        roles.add_user_at(url, login, role, NAME_OF[login])
    return Served(cluster, database, ids, without_bo)


def connect(served: Served, login: str) -> psycopg.Connection[Any]:
    """A plain psycopg connection as ``login``, as any SQL client would make."""
    return psycopg.connect(served.url(login), autocommit=True)


def rows(served: Served, login: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with connect(served, login) as connection:
        return list(connection.execute(sql, args or None).fetchall())  # type: ignore[arg-type]


def owner_engine(served: Served) -> Any:
    return make_server_engine(served.url())


def panelist_ids(served: Served, interview_id: str) -> dict[str, str]:
    """Name -> panelist id in the interview (read as the owner)."""
    with connect(served, "postgres") as connection:
        found = connection.execute(
            "SELECT name, id FROM panelist WHERE interview_id = %s", (interview_id,)
        ).fetchall()
    return {str(n): str(i) for n, i in found}


def refused(served: Served, login: str, sql: str, *args: Any) -> str | None:
    """The server's refusal of ``sql`` as ``login`` (rolled back), or ``None`` if it passed.

    An ``UPDATE``/``DELETE`` that touched no row counts as refused too
    (row-level security hides the rows rather than raising).
    """
    with psycopg.connect(served.url(login)) as connection:
        try:
            cursor = connection.execute(sql, args or None)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            return str(exc).splitlines()[0]
        finally:
            connection.rollback()
        if cursor.rowcount == 0:
            return "no row"
        return None


def iter_states() -> Iterator[str]:
    from tests.rules.blind_store import STATES

    yield from STATES
