"""Opening a store: engine, migrations, sessions.

The :class:`Store` is what the CLI and the TUI are given (constructor
injection); nothing builds an engine at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from formers_tui.store import migrate
from formers_tui.store.engine import StoreError, make_engine


@dataclass
class Store:
    """An open store file."""

    path: Path
    engine: Engine

    @classmethod
    def open(cls, path: Path, *, create: bool = True, upgrade: bool = True) -> Store:
        """Open (and if needed create and migrate) the store at ``path``.

        A store made by an older release is backed up, then upgraded.

        Raises:
            StoreError: if the file is unusable or was written by a newer release.
        """
        existed = path.exists() and path.stat().st_size > 0
        engine = make_engine(path, create=create)
        try:
            current = migrate.current_revision(engine)
            head = migrate.head_revision()
            if current != head:
                known = migrate.known_revisions()
                if current is not None and current not in known:
                    raise StoreError(
                        f"{path} was written by a newer version of formers-tui "
                        f"(schema {current}); upgrade the program to open it."
                    )
                if not upgrade:
                    raise StoreError(f"{path} needs a schema upgrade (at {current}, need {head}).")
                if existed and current is not None:
                    from formers_tui.store.backup import backup

                    backup(path, reason=f"before-{head}")
                migrate.upgrade(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(path=path, engine=engine)

    def session(self) -> Session:
        """A new session; objects stay usable after commit (handed to the UI)."""
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()
