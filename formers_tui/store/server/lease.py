"""One editor per interview across machines: the editing lease on a server store.

On a SQLite store the lease is a ``flock`` on a file beside the store
(:mod:`formers_tui.store.lease`), which only programs on the same machine
see. On a server store the lease is a PostgreSQL **session advisory lock**,
held on a connection of its own (taken out of the pool, so no other work
runs on it) for as long as the interview is open. The server drops it when
that connection ends, however it ends (the app closed or killed, the laptop
gone from the network once the server notices the dead connection), so,
as with ``flock``, there is nothing to clear by hand.

The lock's key is a 63-bit number made from the interview's id. Who holds
it is told by the holding connection's ``application_name`` (host, process,
since when), which PostgreSQL shows every role in ``pg_stat_activity``,
together with the role's name; a second program reads it through
``pg_locks`` to say where the interview is open.
"""

from __future__ import annotations

import hashlib
import os
import platform
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from formers_tui.store.errors import StoreError
from formers_tui.store.lease import HeldElsewhere
from formers_tui.store.server.engine import first_line

NAME_PREFIX = "formers lease"
"""Starts the ``application_name`` of a connection holding a lease."""


def lock_key(interview_id: str) -> int:
    """The advisory lock's key for an interview: 63 bits of a hash of its id."""
    digest = hashlib.sha256(f"formers-tui editing lease\0{interview_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def _holder_name(now: datetime | None) -> str:
    since = (now or datetime.now().astimezone()).strftime("%H:%M")
    host = platform.node()[:24] or "an unnamed computer"
    return f"{NAME_PREFIX} pid={os.getpid()} since={since} host={host}"[:63]


@dataclass
class ServerLease:
    """An interview's editing lease on a server store, held until :meth:`release`."""

    interview_id: str
    connection: Any
    """The dedicated DB-API connection holding the advisory lock (``None`` once released)."""

    def release(self) -> None:
        """Give the lease up: unlock, then close the connection (either drops it)."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.execute("SELECT pg_advisory_unlock(%s)", (lock_key(self.interview_id),))
        except Exception:  # noqa: BLE001 - closing the connection drops the lock anyway
            pass
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a connection already gone holds nothing
            pass


def acquire(engine: Engine, interview_id: str, *, now: datetime | None = None) -> ServerLease:
    """Take the editing lease of an interview on the server.

    Raises:
        HeldElsewhere: another session holds it (the sentence says who and where).
        StoreError: the server cannot be reached.
    """
    try:
        pooled = engine.raw_connection()
    except Exception as exc:  # noqa: BLE001 - every failure to connect is said the same way
        raise StoreError(
            f"Cannot reach the server to take this interview's editing lease: {first_line(exc)}."
        ) from None
    connection = pooled.driver_connection
    pooled.detach()  # the lock lives as long as this connection: never back to the pool
    assert connection is not None
    try:
        connection.autocommit = True
        connection.execute("SELECT set_config('application_name', %s, false)", (_holder_name(now),))
        key = lock_key(interview_id)
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if row is None or not row[0]:
            holder = _describe_holder(connection, key)
            raise HeldElsewhere(
                f"This interview is open {holder}; it is shown read-only here. "
                "Close it there to edit it here."
            )
    except BaseException:
        connection.close()
        raise
    return ServerLease(interview_id, connection)


def _describe_holder(connection: Any, key: int) -> str:
    """Where the lock holder is, from ``pg_locks`` and the holder's ``application_name``."""
    row = connection.execute(
        "SELECT a.usename, a.application_name FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "LIMIT 1",
        (key >> 32, key & 0xFFFF_FFFF),
    ).fetchone()
    if row is None:
        return "in another program"
    user, name = str(row[0] or ""), str(row[1] or "")
    fields = dict(
        part.split("=", 1) for part in name.removeprefix(NAME_PREFIX).split() if "=" in part
    )
    host, pid, since = fields.get("host", ""), fields.get("pid", ""), fields.get("since", "")
    where = "in another window" if host == platform.node()[:24] else "on another computer"
    details = [f"{user} on {host}" if host else user]
    if pid:
        details.append(f"process {pid}")
    if since:
        details.append(f"since {since}")
    shown = ", ".join(d for d in details if d)
    return f"{where} ({shown})" if shown else where
