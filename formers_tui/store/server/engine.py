"""Engine factory for a store on a PostgreSQL server (psycopg 3).

The URL is handed to libpq exactly as given (through the engine's
``creator``), so everything libpq reads by itself works as PostgreSQL
documents it: ``~/.pgpass`` and ``PGPASSFILE``, service files
(``postgresql://?service=formers``), ``PGSSLMODE``/``sslmode=verify-full``
and the other ``PG*`` variables. This program never asks for a password and
never puts one on a command line or in a file of its own.

Every connection works in UTC (``TimeZone``), so timestamps read back are
the same aware UTC datetimes the models write, whoever's server it is, and
the audit log records them the same way on every laptop.

psycopg is an optional extra (``pip install 'formers-tui[server]'``) and is
imported only here, when a server store is opened.

Stable interface (used by the store, the server commands and sync):
:func:`make_server_engine`, :func:`is_server_engine`, :data:`INSTALL_HINT`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event

from formers_tui.store.errors import StoreError

INSTALL_HINT = "Install the server extra: pip install 'formers-tui[server]'"
"""The one sentence said when a server URL is given without psycopg installed."""

DIALECT = "postgresql"
"""SQLAlchemy's name for the server's dialect (``engine.dialect.name``)."""

CONNECT_TIMEOUT_S = 10
"""How long to wait for the server before saying it cannot be reached."""


def is_server_engine(engine: Engine) -> bool:
    """Whether ``engine`` talks to PostgreSQL (rather than a SQLite file)."""
    return engine.dialect.name == DIALECT


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(INSTALL_HINT + ".") from None
    return psycopg


def _set_session(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET TimeZone = 'UTC'")
    finally:
        cursor.close()
    dbapi_connection.commit()


def first_line(error: BaseException) -> str:
    """The server's own reason from a driver error, on one line, without a trailing full stop.

    libpq prefixes what the server said (``FATAL:  database "x" does not
    exist``) with where it tried to connect, which the message names already.
    """
    text = str(getattr(error, "orig", None) or error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    if "FATAL:" in line:
        line = line.rsplit("FATAL:", 1)[1].strip()
    return line.rstrip(".")


def make_server_engine(
    url: str,
    *,
    shown: str | None = None,
    on_connect: Callable[[Any], None] | None = None,
) -> Engine:
    """Build the engine for the PostgreSQL database at ``url`` and check it answers.

    Args:
        url: a libpq URL (``postgresql://…`` or ``postgres://…``), used as is.
        shown: how to name the database in messages (default: ``url``).
        on_connect: called with each new DB-API connection (after it is set
            to UTC), like the SQLite engine's hook.

    Raises:
        StoreError: psycopg is not installed, or the server cannot be reached
            or refuses the connection (one sentence, the server's reason).
    """
    psycopg = _psycopg()
    where = shown or url

    def connect() -> Any:
        return psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S)

    engine = create_engine(
        "postgresql+psycopg://",
        creator=connect,
        pool_pre_ping=True,  # a laptop that slept, or a restarted server, reconnects
    )
    event.listen(engine, "connect", _set_session)
    if on_connect is not None:
        event.listen(engine, "connect", lambda conn, _record: on_connect(conn))
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").all()
    except Exception as exc:  # noqa: BLE001 - every failure to connect is said the same way
        engine.dispose()
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"Cannot open the store at {where}: {first_line(exc)}.") from None
    return engine
