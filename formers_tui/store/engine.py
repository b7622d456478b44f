"""Engine factory: the one place that knows the store is SQLite.

PRAGMAs (:func:`~formers_tui.store.connection.set_pragmas`) are set in a
single ``connect`` listener so every pooled connection gets them.

The file is created 0600 before SQLite touches it; SQLite gives its ``-wal``
and ``-shm`` files the same mode.

With a :class:`~formers_tui.store.crypto.StoreKey` the engine uses SQLCipher
instead of the standard library's sqlite3; callers do not change.
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event

from formers_tui.paths import PRIVATE_FILE_MODE, ensure_private_dir
from formers_tui.store.connection import BUSY_TIMEOUT_MS, set_pragmas
from formers_tui.store.errors import StoreError as StoreError  # raised here, named there
from formers_tui.store.errors import StoreReadOnly, WrongPassphrase

if TYPE_CHECKING:
    from formers_tui.store.crypto import StoreKey

_KEYS: weakref.WeakKeyDictionary[Engine, StoreKey | None] = weakref.WeakKeyDictionary()


def key_of(engine: Engine) -> StoreKey | None:
    """The SQLCipher key ``engine`` was made with (``None``: a plaintext store)."""
    return _KEYS.get(engine)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (folders 0700)."""
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(
    path: Path,
    *,
    create: bool = True,
    key: StoreKey | None = None,
    on_connect: Callable[[Any], None] | None = None,
) -> Engine:
    """Build the engine for the store file at ``path``.

    Args:
        path: the SQLite file.
        create: create the file (0600) if it is missing; otherwise a missing
            file is an error.
        key: open (or create) the file encrypted with this SQLCipher key.
        on_connect: called with each new DB-API connection after the PRAGMAs
            (the store installs its audit capture with it).

    Raises:
        StoreError: if the file is missing (and ``create`` is false), the key is
            wrong, or the file is not a usable database.
    """
    if not path.exists():
        if not create:
            raise StoreError(f"No store at {path}.")
        try:
            create_private_file(path)
        except OSError as exc:
            raise StoreError(f"Cannot create the store at {path}: {exc.strerror}.") from None
    options: dict[str, Any] = {}
    if key is not None:
        import sqlcipher3.dbapi2

        options["module"] = sqlcipher3.dbapi2
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        **options,
    )
    event.listen(engine, "connect", lambda conn, _record: set_pragmas(conn, key))
    if on_connect is not None:
        event.listen(engine, "connect", lambda conn, _record: on_connect(conn))
    _KEYS[engine] = key
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
    except Exception as exc:  # noqa: BLE001 - narrowed below
        engine.dispose()
        original = getattr(exc, "orig", exc)
        if key is not None and "not a database" in str(original):
            raise WrongPassphrase(f"Wrong passphrase for the store at {path}.") from None
        reason = str(original).lower()
        if "readonly" in reason or "read-only" in reason or "unable to open" in reason:
            raise StoreReadOnly(
                f"The store at {path} cannot be written: the file or its folder is "
                "read-only, or you lack permission."
            ) from None
        if (
            isinstance(original, sqlite3.DatabaseError)
            or "DatabaseError" in type(original).__name__
        ):
            from formers_tui.store.backup import list_backups

            backups = list_backups(path)
            advice = (
                f"the latest backup is {backups[0]}: restore it with 'formers db restore'"
                if backups
                else "no backup of it was found"
            )
            raise StoreError(f"{path} is not a readable store ({original}); {advice}.") from None
        raise
    return engine
