"""The connection settings every store connection gets, without the ORM.

The engine (:mod:`formers_tui.store.engine`) applies :func:`set_pragmas` to
each pooled connection; the first look at a store before the ORM is imported
(:mod:`formers_tui.store.quick`) applies the same ones to its plain
``sqlite3``/``sqlcipher3`` connection, so both see the file alike: WAL
(readers never block the writer), ``synchronous=FULL`` (a commit survives a
pulled plug), foreign keys, and a busy timeout so two programs on one store
wait for each other instead of failing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formers_tui.store.crypto import StoreKey

BUSY_TIMEOUT_MS = 10_000


def set_pragmas(dbapi_connection: Any, key: StoreKey | None = None) -> None:
    """Key (for SQLCipher) and configure a fresh DB-API connection to a store."""
    cursor = dbapi_connection.cursor()
    try:
        if key is not None:
            cursor.execute("PRAGMA cipher_log_level = NONE")  # keep SQLCipher off the terminal
            cursor.execute(f"PRAGMA key = {key.pragma()}")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("PRAGMA temp_store = MEMORY")  # no plaintext temporary files on disk
    finally:
        cursor.close()
