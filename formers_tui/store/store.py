"""Opening a store: encryption key, engine, migrations, sessions.

The :class:`Store` is what the CLI and the TUI are given (constructor
injection); nothing builds an engine at import time.

A store is a SQLite file (the default) or a PostgreSQL database named by a
``postgresql://`` URL; :func:`~formers_tui.store.location.is_server_url`
decides which and :meth:`Store.open` is the only place that branches on it.
Both run the same Alembic history and the same models; everything above the
store works on a :class:`Store` whichever it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from formers_tui.paths import backups_dir, data_dir
from formers_tui.store import crypto, lock, migrate
from formers_tui.store.crypto import StoreKey
from formers_tui.store.engine import StoreError, make_engine
from formers_tui.store.errors import WrongPassphrase
from formers_tui.store.location import Location, is_server_url, shown
from formers_tui.store.lock import StoreLock
from formers_tui.store.passphrase import check_new, normalized


class PassphraseNeeded(StoreError):
    """The store is encrypted and no passphrase was given."""


def is_encrypted(path: Path) -> bool:
    """Whether the store file at ``path`` exists and is encrypted."""
    return path.exists() and not crypto.is_plaintext(path)


def key_for(path: Path, passphrase: str | None) -> StoreKey | None:
    """The key to open (or create) ``path`` with, or ``None`` for a plaintext store.

    An existing encrypted store needs the passphrase; a new (missing or empty)
    file is created encrypted when a passphrase is given; an existing plaintext
    store stays plaintext until ``formers db encrypt``.

    Raises:
        PassphraseNeeded: the store is encrypted and ``passphrase`` is ``None``.
    """
    if is_encrypted(path):
        if passphrase is None:
            raise PassphraseNeeded(f"The store at {path} is encrypted; a passphrase is needed.")
        return crypto.key_for_existing(path, passphrase)
    is_new = not path.exists() or path.stat().st_size == 0
    if passphrase is not None and is_new:
        return crypto.new_key(check_new(passphrase))
    return None


def configure_models() -> None:
    """Finish setting up the ORM's table classes now rather than at the first query.

    SQLAlchemy does it lazily, in the first query that touches them (tens of
    milliseconds); the interface calls this while the passphrase is typed or
    the key derived, so the first list comes sooner.
    """
    from sqlalchemy.orm import configure_mappers

    from formers_tui.store import models

    del models  # imported for its table classes
    configure_mappers()


def server_side_path(url: str) -> Path:
    """The local stand-in path of a server store, under the data dir (nothing is created).

    Files a store keeps beside itself on this machine (recovery copies of
    unsaved text) go beside this path, one folder per server URL.
    """
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return data_dir() / "servers" / digest / "store"


@dataclass
class Store:
    """An open store: a SQLite file, or a database on a PostgreSQL server.

    Stable interface for everything above the store: :meth:`open` (a path or
    a ``postgresql://`` URL), :meth:`session`, :meth:`close`, and
    :attr:`dialect`, :attr:`is_server`, :attr:`url`, :attr:`location`,
    :attr:`shown`.
    """

    path: Path
    """The SQLite file; for a server store, :func:`server_side_path` (local files only)."""
    engine: Engine
    key: StoreKey | None = None
    """The SQLCipher key, or ``None`` for a plaintext store (the demo, tests) or a server."""
    lock: StoreLock | None = field(default=None, repr=False)
    """The shared OS lock held while the store is open (:mod:`~formers_tui.store.lock`)."""
    url: str | None = None
    """The server URL as given (``None``: a SQLite file)."""

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: SQLAlchemy's name for the store's database."""
        return self.engine.dialect.name

    @property
    def is_server(self) -> bool:
        """Whether the store is a database on a PostgreSQL server."""
        return self.url is not None

    @property
    def location(self) -> Location:
        """Where the store is: the server URL, or the file's path."""
        return self.url if self.url is not None else self.path

    @property
    def shown(self) -> str:
        """The store's location for messages (a URL without any password)."""
        return shown(self.location)

    @classmethod
    def open(
        cls,
        path: Location,
        *,
        passphrase: str | None = None,
        key: StoreKey | None = None,
        create: bool = True,
        upgrade: bool = True,
        daily: bool = True,
    ) -> Store:
        """Open (and if needed create and migrate) the store at ``path``.

        ``path`` may be a ``postgresql://`` URL (a ``str``): the database is
        migrated with the same history, and ``passphrase``/``key``/``daily``
        do not apply (the server's own permissions and backups do).

        Args:
            passphrase: needed for an encrypted store; creates a new store encrypted.
            key: an already derived key (skips the key derivation).
            create: create the file if it is missing.
            upgrade: apply pending migrations (after a backup).
            daily: take the day's backup now if it is due. Copying a large
                store takes seconds, so the interface passes ``False`` and
                calls :func:`~formers_tui.store.backup.daily_backup` in the
                background once its first screen is up.

        Raises:
            PassphraseNeeded: the store is encrypted and no passphrase was given.
            StoreError: wrong passphrase, unusable file, or written by a newer release.
        """
        if is_server_url(path):
            return cls._open_server(str(path), create=create, upgrade=upgrade)
        path = Path(path)
        existed = path.exists() and path.stat().st_size > 0
        if key is None:
            key = key_for(path, passphrase)

        # A backup opened as a store (to look into it) gets no lock file beside it.
        in_backups = path.parent.name == backups_dir(path).name
        held = lock.shared(path) if path.parent.is_dir() and not in_backups else None
        try:
            return cls._open(path, key, passphrase, create, upgrade, daily, existed, held)
        except BaseException:
            if held is not None:
                held.release()
            raise

    @classmethod
    def _open(
        cls,
        path: Path,
        key: StoreKey | None,
        passphrase: str | None,
        create: bool,
        upgrade: bool,
        daily: bool,
        existed: bool,
        held: StoreLock | None,
    ) -> Store:
        from formers_tui.store.audit import install_capture

        try:
            engine = make_engine(path, create=create, key=key, on_connect=install_capture)
        except WrongPassphrase:
            if not existed or passphrase is None or normalized(passphrase) == passphrase:
                raise
            # Set before passphrases were compared in NFC, from decomposed text.
            key = crypto.key_for_existing(path, passphrase, as_typed=True)
            engine = make_engine(path, create=create, key=key, on_connect=install_capture)
        try:
            current = migrate.current_revision(engine)
            head = migrate.head_revision()
            if current != head:
                if current is not None and current not in migrate.known_revisions():
                    raise StoreError(
                        f"{path} was written by a newer version of formers-tui "
                        f"(schema {current}); upgrade the program to open it."
                    )
                if not upgrade:
                    raise StoreError(f"{path} needs a schema upgrade (at {current}, need {head}).")
                if existed and current is not None:
                    from formers_tui.store.backup import backup

                    backup(path, key=key, reason=f"before-{head}")
                migrate.upgrade(engine)
                engine.dispose()  # later connections get the audit capture below
            if existed and daily:
                from formers_tui.store.backup import daily_backup

                daily_backup(path, key=key)
        except Exception:
            engine.dispose()
            raise
        return cls(path=path, engine=engine, key=key, lock=held)

    @classmethod
    def _open_server(cls, url: str, *, create: bool, upgrade: bool) -> Store:
        from formers_tui.store.server.engine import make_server_engine

        where = shown(url)
        engine = make_server_engine(url, shown=where)
        try:
            current = migrate.current_revision(engine)
            head = migrate.head_revision()
            if current != head:
                if current is not None and current not in migrate.known_revisions():
                    raise StoreError(
                        f"The store at {where} was written by a newer version of formers-tui "
                        f"(schema {current}); upgrade the program to open it."
                    )
                if current is None and not create:
                    raise StoreError(
                        f"No store at {where}: the database is empty (any command that "
                        "writes sets it up, as does 'formers server init')."
                    )
                if not upgrade:
                    raise StoreError(
                        f"The store at {where} needs a schema upgrade (at {current}, need {head})."
                    )
                migrate.upgrade(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(path=server_side_path(url), engine=engine, url=url)

    def session(self) -> Session:
        """A new session; objects stay usable after commit (handed to the UI)."""
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        """Release all connections, then the lock."""
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
