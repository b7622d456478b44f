"""A first look at a store through plain SQLite, before the ORM is imported.

Importing SQLAlchemy, SQLModel and the table classes takes about half a
second of processor time, most of what the app needs before its first
usable screen. The first page of the interview list needs none of it: it is
read here through the standard library's ``sqlite3`` (or ``sqlcipher3`` for
an encrypted store), with the same connection settings as the engine
(:func:`~formers_tui.store.connection.set_pragmas`) and the same queries as
every other list (:mod:`formers_tui.store.listing`), on a connection that
may not write (``query_only``). The app shows the page, then opens the
store as usual, which is what every change goes through.

Only a store file already at this release's schema is read here. Anything
else (a missing or empty file, a store needing migrations, a wrong key, a
store being replaced by another command, a server store) is left to
:meth:`formers_tui.store.store.Store.open`, which says what is wrong.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formers_tui.store import lock
from formers_tui.store.connection import BUSY_TIMEOUT_MS, set_pragmas
from formers_tui.store.listing import InterviewSummary, read_interviews
from formers_tui.store.schema_head import HEAD

if TYPE_CHECKING:
    from formers_tui.store.crypto import StoreKey


def first_page(path: Path | str, key: StoreKey | None, limit: int) -> list[InterviewSummary] | None:
    """The ``limit`` most recently changed interviews, or ``None``: open the store instead.

    Args:
        path: the store file; a server store's URL gets ``None`` (the ORM
            reads a server, whose rules it enforces on the connection).
        key: its SQLCipher key (``None``: a plaintext store).
        limit: how many interviews.
    """
    if not isinstance(path, Path):
        return None
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        held = lock.shared(path, wait=0)
    except Exception:  # noqa: BLE001 - opening the store will say what is wrong
        return None
    try:
        connection = _connect(path, key)
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            if [row[0] for row in revision] != [HEAD]:
                return None  # new, older or newer: the store's own opening decides

            def run(sql: str, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
                return connection.execute(sql, dict(params)).fetchall()

            return read_interviews(run, limit=limit)
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - any surprise: the store's own opening reports it
        return None
    finally:
        held.release()


def _connect(path: Path, key: StoreKey | None) -> sqlite3.Connection:
    """A connection to ``path`` set up as the engine's are, that cannot write."""
    if key is None:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        import sqlcipher3.dbapi2

        connection = sqlcipher3.dbapi2.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        set_pragmas(connection, key)
        connection.execute("PRAGMA query_only = ON")
    except BaseException:
        connection.close()
        raise
    return connection
