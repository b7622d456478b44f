"""Is a store file sound? Integrity, references, schema, audit chain and guards, in one read.

``formers db check`` presents the :class:`StoreHealth` that :func:`check_store`
returns; the SQLite-specific pieces (PRAGMAs) stay here in the store layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from formers_tui.store import audit, migrate
from formers_tui.store.crypto import StoreKey
from formers_tui.store.engine import make_engine


@dataclass(frozen=True)
class StoreHealth:
    """What :func:`check_store` found."""

    integrity: list[str]
    """SQLite's ``integrity_check`` lines (``["ok"]`` when sound)."""
    foreign_key_problems: int
    schema: str | None
    schema_expected: str
    chain_breaks: list[audit.ChainBreak]
    guard_problems: list[str]

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return (
            self.integrity == ["ok"]
            and not self.foreign_key_problems
            and self.schema == self.schema_expected
            and not self.chain_breaks
            and not self.guard_problems
        )


def check_store(path: Path, key: StoreKey | None) -> StoreHealth:
    """Check the store at ``path`` without changing it (no migration, no backup).

    The audit chain and the database's guards are checked only when the schema
    is current (an older store is upgraded, and then checked, when opened).

    Raises:
        StoreError: the file cannot be opened with ``key``.
    """
    from formers_tui.store.guards import trigger_problems

    engine = make_engine(path, create=False, key=key)
    try:
        with engine.connect() as connection:
            integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            foreign = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        current = migrate.current_revision(engine)
        head = migrate.head_revision()
        breaks: list[audit.ChainBreak] = []
        guards: list[str] = []
        if current == head:
            with Session(engine) as session:
                breaks = audit.verify_chain(session)
                guards = trigger_problems(session.connection())
    finally:
        engine.dispose()
    return StoreHealth(integrity, len(foreign), current, head, breaks, guards)
